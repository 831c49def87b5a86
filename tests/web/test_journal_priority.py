"""Under systemd, cpog's log lines carry their syslog priority (« <4> » for a warning), so that
``journalctl -u cpog -p warning`` (docs/deploy.md) shows the warnings and errors."""

from __future__ import annotations

import logging
from typing import Any

from cpog.logs import StderrHandler, TextFormatter, logging_settings


def _line(handler: StderrHandler, level: int, capsys: Any) -> str:
    handler.setFormatter(TextFormatter())
    record = logging.LogRecord("cpog.test", level, __file__, 1, "message", None, None)
    record.request_id = "-"
    handler.emit(record)
    return str(capsys.readouterr().err)


def test_under_systemd_each_line_starts_with_its_priority(capsys: Any) -> None:
    journal = StderrHandler(journal=True)
    assert _line(journal, logging.WARNING, capsys).startswith("<4>")
    assert _line(journal, logging.ERROR, capsys).startswith("<3>")
    assert _line(journal, logging.INFO, capsys).startswith("<6>")
    assert not _line(StderrHandler(), logging.WARNING, capsys).startswith("<")


def test_the_journal_is_recognised_from_systemds_variable() -> None:
    under_systemd = logging_settings({"JOURNAL_STREAM": "8:12345"})
    assert under_systemd["handlers"]["stderr"]["journal"] is True
    assert logging_settings({})["handlers"]["stderr"]["journal"] is False
