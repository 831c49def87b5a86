"""Start Django for the command line: settings, then pending migrations."""

from __future__ import annotations

import getpass
import os


def setup(migrate: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpog.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def current_user() -> str:
    """Who writes from the command line, as recorded in the audit trail."""
    return os.environ.get("CPOG_USER") or f"cli:{getpass.getuser()}"
