"""Fixtures for every test: « today » is pinned, so that no test depends on the day it runs.

cpog reads the date of situation from :func:`cpog.clock.today`, which ``CPOG_TODAY`` pins. Every
test runs on :data:`TODAY` unless it asks for another day with the ``today`` fixture::

    def test_something(today):
        today("15/01/2028")
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import settings as hypothesis_settings

from cpog import clock

# Rich fixes a console's width from COLUMNS and LINES when the console is made, at the import of
# the CLI: pytest-xdist's workers are given 80×24, which would wrap every table and message the
# CLI tests read, whatever width a test then asks for. The tests' width is their own (COLUMNS set
# by the test, or Rich's default).
for _fixed in ("COLUMNS", "LINES"):
    os.environ.pop(_fixed, None)

# Property tests run the same cases on every run and every machine: a failure is reproducible,
# never a draw of the day. `pytest --hypothesis-profile=exploration` draws new cases (more of
# them) to look for bugs; what it finds becomes an example or a fixed test. No example database
# (.hypothesis/): the parallel workers would share it, and a run would depend on earlier runs.
hypothesis_settings.register_profile("deterministe", derandomize=True, database=None)
hypothesis_settings.register_profile("exploration", max_examples=1000, database=None)
hypothesis_settings.load_profile("deterministe")

TODAY = date(2026, 11, 27)
"""The day every test runs on: a Friday late in the contract's fourth year, when October's
monthly values are in and November's are not yet due."""


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV, TODAY.isoformat())


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], date]:
    """Set another « today » for this test (JJ/MM/AAAA or AAAA-MM-JJ); returns the date."""

    def _set(text: str) -> date:
        monkeypatch.setenv(clock.ENV, text)
        return clock.today()

    return _set
