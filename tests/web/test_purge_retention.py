"""``cpog purge [--essai]`` (decision 027): expired sessions, login records older than
CPOG_RETENTION_CONNEXIONS_JOURS, abandoned uploads and old revoked or expired API tokens are
deleted, the rest kept; ``--essai`` deletes nothing; one audit event with the counts."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.utils import timezone
from typer.testing import CliRunner

from cpog import clock
from cpog.cli.main import app
from cpog.store.models import AuditEvent
from cpog.web.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploads(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    folder = tmp_path / "uploads"
    folder.mkdir()
    return folder


def _world(uploads: Path) -> dict[str, Any]:
    """Old and recent records of each kind."""
    now = timezone.now()
    Session.objects.create(session_key="a" * 32, session_data="x", expire_date=now - timedelta(1))
    Session.objects.create(session_key="b" * 32, session_data="x", expire_date=now + timedelta(1))
    extra: dict[Any, dict[str, Any]] = {AccessAttempt: {"failures_since_start": 1}}
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        for age in (200, 10):
            row = model.objects.create(
                username=f"dupont-{age}",
                ip_address="192.0.2.7",
                user_agent="test",
                **extra.get(model, {}),
            )
            model.objects.filter(pk=row.pk).update(attempt_time=now - timedelta(days=age))
    old_file = uploads / "abandonne.csv"
    old_file.write_text("x")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old_file, (two_days_ago, two_days_ago))
    fresh_file = uploads / "en-cours.csv"
    fresh_file.write_text("x")
    owner = User.objects.create_user("dupont", "dupont@example.org", "x")
    today = clock.today()
    tokens = {}
    for name, revoked_days, expires in (
        ("revoque-il-y-a-400-jours", 400, today + timedelta(30)),
        ("revoque-il-y-a-10-jours", 10, today + timedelta(30)),
        ("expire-il-y-a-400-jours", None, today - timedelta(400)),
        ("valable", None, today + timedelta(30)),
    ):
        token, _ = ApiToken.issue(owner, name, expires)
        if revoked_days is not None:
            token.revoked_at = now - timedelta(days=revoked_days)
            token.save()
        tokens[name] = token
    return {"old_file": old_file, "fresh_file": fresh_file}


def _counts() -> tuple[int, ...]:
    return (
        Session.objects.count(),
        AccessAttempt.objects.count(),
        AccessLog.objects.count(),
        AccessFailureLog.objects.count(),
        ApiToken.objects.count(),
    )


def _said(result: Any) -> str:
    return " ".join(result.output.split())


def test_a_trial_deletes_nothing_and_says_what_would_go(uploads: Path) -> None:
    files = _world(uploads)
    before = _counts()
    result = CliRunner().invoke(app, ["purge", "--essai"])
    assert result.exit_code == 0, result.output
    said = _said(result)
    assert "Essai de purge (rien n'a été supprimé)" in said
    assert "1 session expirée à supprimer" in said
    assert "1 tentative de connexion de plus de 90 jours à supprimer" in said
    assert "1 connexion réussie de plus de 90 jours à supprimer" in said
    assert "1 échec de connexion de plus de 90 jours à supprimer" in said
    assert "1 fichier déposé abandonné (plus d'un jour) à supprimer" in said
    assert "2 jetons d'API révoqués ou expirés depuis plus de 365 jours à supprimer" in said
    assert _counts() == before
    assert files["old_file"].exists()
    assert not AuditEvent.objects.filter(entity_type="retention").exists()


def test_the_purge_deletes_what_is_kept_beyond_its_time(uploads: Path) -> None:
    files = _world(uploads)
    events = AuditEvent.objects.count()
    result = CliRunner().invoke(app, ["purge"], env={"CPOG_USER": "exploitation"})
    assert result.exit_code == 0, result.output
    said = _said(result)
    assert "Purge effectuée" in said and "1 session expirée supprimée" in said
    assert "2 jetons d'API révoqués ou expirés depuis plus de 365 jours supprimés" in said
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        assert list(model.objects.values_list("username", flat=True)) == ["dupont-10"]
    assert not files["old_file"].exists() and files["fresh_file"].exists()
    kept = set(ApiToken.objects.values_list("name", flat=True))
    assert kept == {"revoque-il-y-a-10-jours", "valable"}
    event = AuditEvent.objects.get(entity_type="retention")
    assert event.user == "exploitation"
    assert event.after["sessions"] == 1 and event.after["login_logs"] == 1
    assert event.after["tokens"] == 2 and event.after["uploads"] == 1
    # the audit trail is never purged: one event more
    assert AuditEvent.objects.count() == events + 1
    again = CliRunner().invoke(app, ["purge"])
    assert again.exit_code == 0 and "0 session expirée supprimée" in _said(again)


def test_the_retention_of_login_records_is_a_setting(uploads: Path) -> None:
    _world(uploads)
    result = CliRunner().invoke(app, ["purge"], env={"CPOG_RETENTION_CONNEXIONS_JOURS": "5"})
    assert result.exit_code == 0, result.output
    assert "2 connexions réussies de plus de 5 jours supprimées" in _said(result)
    assert not AccessLog.objects.exists()
    before = _counts()
    refused = CliRunner().invoke(app, ["purge"], env={"CPOG_RETENTION_JETONS_JOURS": "un an"})
    assert refused.exit_code == 1
    assert "CPOG_RETENTION_JETONS_JOURS=un an : un nombre de jours entier et positif" in _said(
        refused
    )
    assert _counts() == before


def test_the_systemd_timer_runs_the_purge_daily() -> None:
    folder = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
    service = (folder / "cpog-purge.service").read_text(encoding="utf-8")
    timer = (folder / "cpog-purge.timer").read_text(encoding="utf-8")
    [start] = [line for line in service.splitlines() if line.startswith("ExecStart=")]
    command = start.split("/")[-1].split()
    assert command == ["cpog", "purge"]
    assert CliRunner().invoke(app, ["purge", "--help"]).exit_code == 0  # the command exists
    assert "Type=oneshot" in service
    assert "OnCalendar=*-*-* 03:30:00" in timer and "Persistent=true" in timer
