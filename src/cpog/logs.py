"""How cpog writes its logs (decision 024): one line per event on stderr (journald under systemd),
each with an ISO timestamp and its time zone, the level, the logger, the request id (« - »
outside a request) and the message; JSON lines with ``CPOG_LOG_FORMAT=json``.

The request id lives in a context variable, set by the first middleware
(:class:`cpog.web.request_log.RequestLogMiddleware`) for the time of a request: every line written
meanwhile, by cpog, Django or a library, carries it, whichever thread (gunicorn's gthread,
waitress) serves the request.

:func:`logging_settings` builds Django's ``LOGGING`` from the environment; an invalid value stops
the start with a French message naming the variable.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TextIO

from django.core.exceptions import ImproperlyConfigured

NO_REQUEST = "-"
request_id: ContextVar[str] = ContextVar("cpog_request_id", default=NO_REQUEST)

FORMATS = ("texte", "json")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
ACCESS_LOGGER = "cpog.acces"

# The token segment of a password-reset link (/reinitialiser/<uidb64>/<token>/, valid one hour:
# whoever reads it can reset the account); Django's own « set-password » segment is kept.
_RESET_TOKEN = re.compile(r"(/reinitialiser/[^/\s]+/)(?!set-password(?:[/\s]|$))[^/\s]+(?=[/\s]|$)")
MASK = "…"


def mask_reset_token(text: str) -> str:
    """``text`` with the token of any password-reset link masked (``/reinitialiser/MQ/…/``)."""
    return _RESET_TOKEN.sub(rf"\g<1>{MASK}", text) if "/reinitialiser/" in text else text


def current_request_id() -> str:
    """The id of the request being served in this context, « - » outside a request."""
    return request_id.get()


class RequestIdFilter(logging.Filter):
    """Gives every record the request id of its context (``%(request_id)s``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class WithoutTraceback(logging.Filter):
    """A request refused by Django's security checks (``django.security.*``: an unknown host
    name, a body too big…) is one line: its traceback says nothing more, and a scanner would fill
    the log with them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("django.security."):
            record.exc_info = None
            record.exc_text = None
        return True


class WithoutResetToken(logging.Filter):
    """No line, whoever writes it (Django's ``django.request`` for a 500, ``django.security.csrf``
    for a 403…), carries the token of a password-reset link: it is masked in the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the handler's to report, as usual
            return True
        masked = mask_reset_token(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def _timestamp(record: logging.LogRecord) -> str:
    """« 2026-11-27T14:03:12.345+01:00 »: local time (Django sets TZ to TIME_ZONE) with its
    offset, so that lines read in another zone or after a change of hour stay unambiguous."""
    return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """``<time> <LEVEL> <logger> <request id> <message>``, the traceback on the next lines."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s %(request_id)s %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _timestamp(record)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return f"{self.formatTime(record)} {super().format(record)}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``request_id``, ``message``,
    ``exception`` (the traceback) when there is one, and ``http`` for the access log."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or request_id.get(),
            "message": record.getMessage(),
        }
        http = getattr(record, "http", None)
        if http is not None:
            entry["http"] = http
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# syslog priorities, which journald reads from a « <N> » at the start of a line
JOURNAL_PRIORITY = {"CRITICAL": 2, "ERROR": 3, "WARNING": 4, "INFO": 6, "DEBUG": 7}


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to the ``sys.stderr`` of the moment, not the one of the start: a test capturing
    stderr, or a server redirecting it, gets every line. Under systemd (``journal``: stderr is
    the journal), each line starts with its syslog priority, so that ``journalctl -p warning``
    shows cpog's warnings and errors, not every line as « info »."""

    def __init__(self, journal: bool = False) -> None:
        super().__init__(sys.stderr)
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if self.journal:
            return f"<{JOURNAL_PRIORITY.get(record.levelname, 6)}>{text}"
        return text

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def _choice(environ: dict[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    text = environ.get(name, "").strip()
    if not text:
        return default
    value = text.upper() if allowed is LEVELS else text.lower()
    if value not in allowed:
        raise ImproperlyConfigured(
            f"{name}={text!r} : valeur inconnue ; valeurs possibles : {', '.join(allowed)}"
            f" (par défaut {default})."
        )
    return value


def access_log_enabled(environ: dict[str, str]) -> bool:
    text = environ.get("CPOG_ACCESS_LOG", "").strip()
    if text in ("", "1"):
        return True
    if text == "0":
        return False
    raise ImproperlyConfigured(
        f"CPOG_ACCESS_LOG={text!r} : 1 (journal des accès, par défaut) ou 0 attendu."
    )


def logging_settings(environ: dict[str, str]) -> dict[str, Any]:
    """Django's ``LOGGING``: every logger goes to the root's one handler on stderr.

    Django's own ``django`` handlers (the console only when DEBUG, mail to the admins) are
    replaced, so that a 500's traceback (logger ``django.request``) reaches stderr under any
    server; existing loggers are kept (``disable_existing_loggers`` False)."""
    fmt = _choice(environ, "CPOG_LOG_FORMAT", "texte", FORMATS)
    level = _choice(environ, "CPOG_LOG_LEVEL", "INFO", LEVELS)
    formatter = "json" if fmt == "json" else "texte"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "cpog.logs.RequestIdFilter"},
            "without_traceback": {"()": "cpog.logs.WithoutTraceback"},
            "without_reset_token": {"()": "cpog.logs.WithoutResetToken"},
        },
        "formatters": {
            "texte": {"()": "cpog.logs.TextFormatter"},
            "json": {"()": "cpog.logs.JsonFormatter"},
        },
        "handlers": {
            "stderr": {
                "()": "cpog.logs.StderrHandler",
                # systemd sets JOURNAL_STREAM when stderr goes to the journal
                "journal": bool(environ.get("JOURNAL_STREAM")),
                "formatter": formatter,
                "filters": ["request_id", "without_traceback", "without_reset_token"],
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Django's defaults send to a console only under DEBUG and mail ADMINS: replaced by
            # the root's handler. 4xx answers are in the access log: only errors here.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.request": {"level": "ERROR", "propagate": True},
            "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
            # « AXES: BEGIN version… » at each start; login failures are warnings.
            "axes": {"level": "WARNING", "propagate": True},
            # « Task queue depth is 12 »: waitress's English note, thousands of times under load
            # (issue 13); waitress's own errors stay.
            "waitress": {"level": "WARNING", "propagate": True},
            "waitress.queue": {"level": "ERROR", "propagate": True},
        },
    }
