"""Today's date, from one place.

Every « today » of cpog — the date of situation of pages and commands, the demo data's last
period, the periods an entry form accepts — comes from :func:`today`. It is the calendar date in
Paris (the caisses' time zone), unless ``CPOG_TODAY`` pins it (``27/11/2026`` or
``2026-11-27``): tests pin it so that none depends on the day it runs, and a trainer can show the
app as it was on a given day. Timestamps of writes (``recorded_at``…) stay real.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

from cpog.errors import CpogError

ENV = "CPOG_TODAY"
TIME_ZONE = ZoneInfo("Europe/Paris")


class ClockError(CpogError):
    """``CPOG_TODAY`` holds something that is not a date."""


def pinned() -> date | None:
    """The date ``CPOG_TODAY`` pins, or None when it is unset or empty."""
    text = os.environ.get(ENV, "").strip()
    if not text:
        return None
    try:
        if "/" in text:
            day, month, year = text.split("/")
            if len(year) != 4:  # « 27/11/26 » would silently mean the year 26
                raise ValueError(year)
            return date(int(year), int(month), int(day))
        return date.fromisoformat(text)
    except ValueError:
        raise ClockError(
            f"{ENV} : « {text} » n'est pas une date (attendu JJ/MM/AAAA, par exemple 27/11/2026)."
        ) from None


def today() -> date:
    """The date of situation by default: ``CPOG_TODAY`` when set, else today in Paris."""
    return pinned() or datetime.now(TIME_ZONE).date()
