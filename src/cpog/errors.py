"""Errors with a French message meant for the user; one handler turns them into output."""

from __future__ import annotations


class CpogError(Exception):
    """A problem the user can fix. ``str(error)`` is a complete French sentence."""

    exit_code = 1
