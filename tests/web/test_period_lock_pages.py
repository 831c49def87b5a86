"""Freezing the annual review from the « Rapports » page, and the web doors of a frozen year
(decision 027): the entry form, the API and the web import refuse a value of the frozen year
without a motif and write nothing; the frozen review stays as frozen, and the page and
``cpog report annual`` say how many values changed since."""

from __future__ import annotations

import html
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.reports import service
from cpog.store.models import AuditEvent, Measurement, PeriodLock
from cpog.web.models import ApiToken

FREEZE = "/rapports/bilan-annuel/2025/figer/"
UNFREEZE = "/rapports/bilan-annuel/2025/degeler/"


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def text(response: Any) -> str:
    return " ".join(html.unescape(response.content.decode()).replace("\xa0", " ").split())


def test_the_direction_freezes_the_review_after_confirming(client_for: Any) -> None:
    assert client_for("lecteur").post(FREEZE, {"confirmer": "oui"}).status_code == 403
    assert client_for("pilote").post(FREEZE, {"confirmer": "oui"}).status_code == 403
    controle = client_for("controle")
    assert "Figer la revue 2025" in text(controle.get("/rapports/"))
    unconfirmed = controle.post(FREEZE, {})
    assert unconfirmed.status_code == 400
    assert "Revue annuelle 2025 non figée : cochez la case de confirmation." in text(unconfirmed)
    assert not PeriodLock.objects.exists()
    not_closed = controle.post("/rapports/bilan-annuel/2026/figer/", {"confirmer": "oui"})
    assert not_closed.status_code == 400 and "L'année 2026 n'est pas close" in text(not_closed)

    done = controle.post(FREEZE, {"confirmer": "oui"})
    assert done.status_code == 302
    lock = PeriodLock.objects.get(year=2025)
    assert lock.frozen_by == "controle" and lock.snapshot.period == "2025"
    event = AuditEvent.objects.get(entity_type="period_lock", action="freeze")
    assert event.user == "controle" and event.after["snapshot"] == lock.snapshot_id
    assert "Revue annuelle 2025 figée (instantané du 31/03/2026)" in text(
        controle.get("/historique/")
    )
    page = text(controle.get("/rapports/"))
    assert "Revue annuelle 2025 figée le" in page and "par controle" in page
    assert "aucune valeur modifiée depuis le gel" in page
    assert "Figer la revue 2025" not in page
    again = controle.post(FREEZE, {"confirmer": "oui"})
    assert again.status_code == 400 and "L'année 2025 est déjà figée" in text(again)


def _current(subject_id: str, period_key: str) -> Decimal:
    row = Measurement.objects.filter(subject_id=subject_id, period_key=period_key).latest("id")
    return row.value


def _fr(value: Decimal) -> str:
    return str(value.normalize()).replace(".", ",")


def test_every_web_door_needs_a_motif_and_the_frozen_review_stays(
    users: Any, client_for: Any, tmp_path: Path
) -> None:
    frozen = service.freeze_annual(2025, "controle")
    controle = client_for("controle")
    url = "/indicateurs/cog-01-11/"
    first = _current("cog-01-11", "2025") - Decimal("0.5")  # a rate: 100 % at most
    entry = {"action": "value", "periode": "2025", "valeur": _fr(first), "statut": "definitive"}
    count = Measurement.objects.count()

    # the entry form
    refused = controle.post(url, entry)
    assert refused.status_code == 400
    assert (
        "Motif de la modification : obligatoire, 2025 appartient à l'année figée 2025 (revue"
        " annuelle 2025 figée le" in text(refused)
    )
    assert Measurement.objects.count() == count
    done = controle.post(url, {**entry, "motif": "chiffre rectifié par la Cnaf"})
    assert done.status_code == 302
    row = Measurement.objects.latest("id")
    assert (row.value, row.motif) == (first, "chiffre rectifié par la Cnaf")
    event = AuditEvent.objects.filter(entity_type="measurement").latest("id")
    assert event.user == "controle"
    assert event.after["frozen_year"] == "2025" and event.after["motif"] == row.motif
    count += 1
    history = text(controle.get("/historique/", {"type": "measurement"}))
    assert "année figée 2025 modifiée, motif : « chiffre rectifié par la Cnaf »" in history

    # the API
    _, key = ApiToken.issue(users.controle, "tableur")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    second = first - Decimal("0.2")
    item = {"identifiant": "cog-01-11", "periode": "2025", "valeur": float(second)}
    answer = api.post("/api/v1/values", json.dumps([item]), content_type="application/json")
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["field"] == "motif" and "valeur de l'année figée 2025" in error["message"]
    assert Measurement.objects.count() == count
    item["motif"] = "seconde rectification"
    answer = api.post("/api/v1/values", json.dumps([item]), content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert Measurement.objects.latest("id").motif == "seconde rectification"
    count += 1

    # the web import: one line of the frozen year refuses the whole file
    third = _fr(second - Decimal("0.2"))
    csv = f"identifiant;période;valeur;statut\nCOG 01-11;2025;{third};définitif\n"
    upload = SimpleUploadedFile("valeurs.csv", csv.encode("utf-8"), "text/csv")
    preview = controle.post("/import/", {"etape": "verifier", "kind": "values", "file": upload})
    assert preview.status_code == 400
    assert "valeur de l'année figée 2025" in text(preview)
    assert Measurement.objects.count() == count

    # the frozen review is given back as frozen, with what changed since
    again = controle.get("/rapports/bilan-annuel/2025.pdf")
    assert again.status_code == 200 and again.content == frozen.pdf
    page = text(controle.get("/rapports/"))
    assert "2 valeurs modifiées depuis le gel (avec motif)" in page
    output = tmp_path / "bilan.pdf"
    result = CliRunner().invoke(
        app, ["report", "annual", "--annee", "2025", "-o", str(output)], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "revue annuelle 2025 figée le" in said
    assert "2 valeurs modifiées depuis le gel (avec motif)" in said
    assert output.read_bytes() == frozen.pdf
    assert frozen.fingerprint[:12] in said


def test_only_the_administrator_unfreezes_with_a_reason(client_for: Any) -> None:
    service.freeze_annual(2025, "controle")
    assert client_for("controle").post(UNFREEZE, {"motif": "erreur"}).status_code == 403
    admin = client_for("admin")
    assert "Dégeler 2025" in text(admin.get("/rapports/"))
    refused = admin.post(UNFREEZE, {"motif": " "})
    assert refused.status_code == 400 and "exige un motif" in text(refused)
    assert PeriodLock.objects.exists()
    assert admin.post(UNFREEZE, {"motif": "revue refaite après audit"}).status_code == 302
    assert not PeriodLock.objects.exists()
    event = AuditEvent.objects.get(entity_type="period_lock", action="unfreeze")
    assert event.user == "admin" and event.after["motif"] == "revue refaite après audit"


def test_cpog_report_annual_freezes_and_unfreezes(steering_data: Any, tmp_path: Path) -> None:
    runner = CliRunner()
    output = tmp_path / "bilan.pdf"
    freeze = ["report", "annual", "--annee", "2025", "-o", str(output), "--figer"]
    done = runner.invoke(app, freeze, env={"COLUMNS": "300"})
    assert done.exit_code == 0, done.output
    assert "revue annuelle 2025 figée le" in done.output and output.stat().st_size > 0
    assert PeriodLock.objects.filter(year=2025).exists()
    again = runner.invoke(app, freeze, env={"COLUMNS": "300"})
    assert again.exit_code == 1 and "L'année 2025 est déjà figée" in again.output
    open_year = runner.invoke(
        app, ["report", "annual", "--annee", "2026", "-o", str(output), "--figer"]
    )
    assert open_year.exit_code == 1 and "n'est pas close" in open_year.output
    no_reason = runner.invoke(app, ["report", "unfreeze", "--annee", "2025", "--motif", ""])
    assert no_reason.exit_code == 1 and "exige un motif" in no_reason.output
    lifted = runner.invoke(
        app, ["report", "unfreeze", "--annee", "2025", "--motif", "revue refaite"]
    )
    assert lifted.exit_code == 0 and "Année 2025 dégelée" in lifted.output
    assert not PeriodLock.objects.exists()
