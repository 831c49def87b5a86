"""The one clock: « today » comes from cpog.clock, and nothing else reads the system date."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from cpog import clock

SOURCE = Path(__file__).resolve().parents[1] / "src" / "cpog"
SYSTEM_DATE = re.compile(r"date\.today\(|timezone\.localdate\(|datetime\.now\(|datetime\.today\(")


def test_the_tests_run_on_the_pinned_day() -> None:
    assert clock.today() == date(2026, 11, 27)


def test_another_day_can_be_set(today: Callable[[str], date]) -> None:
    assert today("15/01/2028") == date(2028, 1, 15)
    assert clock.today() == date(2028, 1, 15)


def test_an_empty_setting_means_the_real_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV, "")
    assert clock.pinned() is None
    assert abs((clock.today() - date.today()).days) <= 1  # Paris may be a day ahead of UTC


@pytest.mark.parametrize("text", ["31/02/2026", "27/11/26", "demain", "2026-13-01"])
def test_a_bad_setting_is_refused_in_french(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv(clock.ENV, text)
    with pytest.raises(clock.ClockError, match=f"CPOG_TODAY : « {text} » n'est pas une date"):
        clock.today()


def test_no_module_reads_the_system_date_but_the_clock() -> None:
    readers = [
        f"{path.relative_to(SOURCE)}:{number}"
        for path in SOURCE.rglob("*.py")
        if path.name != "clock.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SYSTEM_DATE.search(line)
    ]
    assert readers == []


def test_the_command_line_says_so_when_the_setting_is_bad(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cpog.cli.main import run

    monkeypatch.setenv(clock.ENV, "demain")
    assert run(["status"]) == 1
    assert "CPOG_TODAY : « demain » n'est pas une date" in capsys.readouterr().err
