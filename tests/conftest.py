"""Fixtures for every test: « today » is pinned, so that no test depends on the day it runs.

cpog reads the date of situation from :func:`cpog.clock.today`, which ``CPOG_TODAY`` pins. Every
test runs on :data:`TODAY` unless it asks for another day with the ``today`` fixture::

    def test_something(today):
        today("15/01/2028")
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from cpog import clock

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
