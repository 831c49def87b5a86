"""Retention of personal data (``cpog purge``, docs/donnees-personnelles.md, decision 027).

What is deleted, and after how long:

- expired sessions (Django's ``clearsessions``): a session is personal (who is signed in) and
  useless once expired;
- the login records of django-axes — attempts, successful logins and failures, each with a user
  name and an IP address — older than ``CPOG_RETENTION_CONNEXIONS_JOURS`` days (90 by
  default: long enough to investigate a suspicious login reported late, a quarter, short enough
  not to keep a history of who signs in when);
- abandoned uploads (:func:`cpog.web.uploads.purge_stale`, the files of an import neither
  confirmed nor cancelled, after a day);
- API tokens revoked, or expired, more than ``CPOG_RETENTION_JETONS_JOURS`` days ago (365 by
  default): the audit trail keeps their name and owner (their creation and revocation events).

The audit trail itself is never purged: it is the proof of who changed which figure.
One audit event records each purge with its counts. With ``dry_run``, nothing is deleted and
the counts say what would be.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cpog import clock
from cpog.errors import CpogError
from cpog.store import audit
from cpog.web.uploads import purge_stale

LOGIN_DAYS = "CPOG_RETENTION_CONNEXIONS_JOURS"
LOGIN_DAYS_DEFAULT = 90
TOKEN_DAYS = "CPOG_RETENTION_JETONS_JOURS"
TOKEN_DAYS_DEFAULT = 365


class RetentionSettingError(CpogError):
    """A retention variable that is not a positive number of days."""


def days(name: str, default: int) -> int:
    """A number of days from the environment, at least 1."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise RetentionSettingError(
            f"{name}={text} : un nombre de jours entier et positif est attendu (par défaut"
            f" {default}). Rien n'a été supprimé."
        )
    return int(text)


@dataclass(frozen=True)
class PurgeCounts:
    sessions: int
    login_attempts: int  # axes AccessAttempt: failed attempts counted for the lockout
    login_logs: int  # axes AccessLog: successful logins
    login_failures: int  # axes AccessFailureLog
    uploads: int
    tokens: int
    login_days: int
    token_days: int
    dry_run: bool

    def as_dict(self) -> dict[str, int]:
        return {
            "sessions": self.sessions,
            "login_attempts": self.login_attempts,
            "login_logs": self.login_logs,
            "login_failures": self.login_failures,
            "uploads": self.uploads,
            "tokens": self.tokens,
            "login_days": self.login_days,
            "token_days": self.token_days,
        }

    def lines(self) -> list[str]:
        """One French line per kind of record, with its count."""
        verb = "à supprimer" if self.dry_run else "supprimé"

        def count(n: int, word: str, feminine: bool = False) -> str:
            plural = "s" if n > 1 else ""
            agreed = verb if self.dry_run else f"{verb}{'e' if feminine else ''}{plural}"
            return f"{n} {word.replace('{s}', plural)} {agreed}"

        login = f"de plus de {self.login_days} jours"
        return [
            count(self.sessions, "session{s} expirée{s}", feminine=True),
            count(self.login_attempts, f"tentative{{s}} de connexion {login}", feminine=True),
            count(self.login_logs, f"connexion{{s}} réussie{{s}} {login}", feminine=True),
            count(self.login_failures, f"échec{{s}} de connexion {login}"),
            count(self.uploads, "fichier{s} déposé{s} abandonné{s} (plus d'un jour)"),
            count(
                self.tokens,
                f"jeton{{s}} d'API révoqué{{s}} ou expiré{{s}} depuis plus de"
                f" {self.token_days} jours",
            ),
        ]


def purge(user: str, *, dry_run: bool = False, now: datetime | None = None) -> PurgeCounts:
    """Delete what is kept beyond its time (see the module); audited with the counts."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from cpog.web.models import ApiToken

    login_days = days(LOGIN_DAYS, LOGIN_DAYS_DEFAULT)
    token_days = days(TOKEN_DAYS, TOKEN_DAYS_DEFAULT)
    now = now or timezone.now()
    login_limit = now - timedelta(days=login_days)
    token_limit = now - timedelta(days=token_days)
    with transaction.atomic():
        queries = [
            Session.objects.filter(expire_date__lt=now),
            AccessAttempt.objects.filter(attempt_time__lt=login_limit),
            AccessLog.objects.filter(attempt_time__lt=login_limit),
            AccessFailureLog.objects.filter(attempt_time__lt=login_limit),
            ApiToken.objects.filter(
                Q(revoked_at__lt=token_limit)
                | Q(expires_on__lt=clock.today() - timedelta(days=token_days))
            ),
        ]
        found = [query.count() for query in queries]
        if not dry_run:
            for query in queries:
                query.delete()
        uploads = purge_stale(dry_run=dry_run)
        counts = PurgeCounts(
            found[0],
            found[1],
            found[2],
            found[3],
            uploads,
            found[4],
            login_days,
            token_days,
            dry_run,
        )
        if not dry_run:
            audit.record(
                "retention",
                "purge",
                "purge",
                user,
                after=counts.as_dict(),
                context="purge des données personnelles",
                caisse=None,
            )
    return counts


__all__ = ["LOGIN_DAYS", "TOKEN_DAYS", "PurgeCounts", "RetentionSettingError", "purge"]
