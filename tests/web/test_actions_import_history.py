"""Actions (list, page, audited updates), two-step import, templates, history and admin."""

from __future__ import annotations

import csv
import html
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cpog import clock
from cpog.store.models import (
    ActionMilestone,
    ActionState,
    ActionUpdate,
    AuditEvent,
    ImportBatch,
    Measurement,
)


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def text(response: Any) -> str:
    """The page with entities decoded: « l'action » rather than « l&#x27;action »."""
    return html.unescape(response.content.decode("utf-8"))


def update(**overrides: str) -> dict[str, str]:
    data = {
        "owner": "Service petite enfance",
        "start_date": "01/02/2024",
        "due_date": "31/12/2027",
        "status": "in_progress",
        "progress": "40",
        "milestone_label": "",
        "milestone_due": "",
        "comment_on": "",
        "comment": "",
    }
    data.update(overrides)
    return data


def state(contract: Any, action_id: str, **fields: Any) -> ActionState:
    return ActionState.objects.create(
        contract_id=contract.id,
        action_id=action_id,
        updated_by="test",
        updated_at=timezone.now(),
        **fields,
    )


# --- actions list ---------------------------------------------------------------------------


def test_action_list_shows_every_action_not_started(client_for: Any) -> None:
    response = client_for("lecteur").get("/actions/")
    assert response.status_code == 200
    body = text(response)
    assert "d01-a1" in body and "d10-a1" in body
    assert "non démarrée" in body
    assert "<caption" in body and 'scope="col"' in body


def test_action_list_filters_by_challenge(client_for: Any) -> None:
    response = client_for("lecteur").get("/actions/", {"defi": "2"})
    assert response.status_code == 200
    body = text(response)
    assert "d02-a1" in body
    assert "d01-a1" not in body and "d03-a1" not in body
    assert "correspond" in body  # « N actions sur M correspondent aux filtres »


def test_action_list_htmx_gets_the_table_only(client_for: Any) -> None:
    response = client_for("lecteur").get("/actions/", {"defi": "2"}, headers={"HX-Request": "true"})
    body = text(response)
    assert response.status_code == 200
    assert 'id="actions-results"' in body and "<html" not in body
    assert "d02-a1" in body and "d01-a1" not in body
    assert "HX-Request" in response["Vary"]


def test_action_list_filters_status_owner_due_and_flags_overdue(
    client_for: Any, steering_data: Any
) -> None:
    today = clock.today()
    state(
        steering_data,
        "d01-a1",
        owner="Mme Dupont",
        due_date=today - timedelta(days=10),
        status=ActionState.Status.IN_PROGRESS,
        progress=30,
    )
    state(steering_data, "d01-a2", owner="M. Martin", due_date=date(2027, 12, 31), progress=0)
    client = client_for("lecteur")
    body = text(client.get("/actions/", {"responsable": "Mme Dupont"}))
    assert "d01-a1" in body and "d01-a2" not in body
    assert "en retard" in body and "30\u00a0%" in body
    body = text(client.get("/actions/", {"statut": "in_progress"}))
    assert "d01-a1" in body and "d01-a2" not in body
    body = text(client.get("/actions/", {"statut": "not_started", "defi": "1"}))
    assert "d01-a2" in body and "d01-a3" in body and "d01-a1" not in body
    body = text(
        client.get("/actions/", {"echeance": (today + timedelta(days=1)).strftime("%d/%m/%Y")})
    )
    assert "d01-a1" in body and "d01-a2" not in body


def test_action_list_bad_due_date_is_a_french_400(client_for: Any) -> None:
    response = client_for("lecteur").get("/actions/", {"echeance": "31/02/2026"})
    assert response.status_code == 400
    body = text(response)
    assert "Échéance au plus tard le" in body and "cette date n'existe pas" in body.lower()
    assert 'role="alert"' in body


# --- one action -----------------------------------------------------------------------------


def test_action_page_read_only_for_lecteur(client_for: Any) -> None:
    response = client_for("lecteur").get("/actions/d01-a1/")
    assert response.status_code == 200
    body = text(response)
    assert "Action d01-a1" in body and "Défi n°1" in body
    assert '<form method="post" action="/actions/' not in body
    assert "Votre rôle ne permet pas" in body


def test_unknown_action_is_a_french_404(client_for: Any) -> None:
    response = client_for("lecteur").get("/actions/d99-a9/")
    assert response.status_code == 404
    assert "L'action « d99-a9 » n'existe pas" in text(response)


def test_pilote_updates_an_action_of_their_challenge(client_for: Any) -> None:
    client = client_for("pilote")
    assert 'hx-post="/actions/d01-a1/"' in text(client.get("/actions/d01-a1/"))
    response = client.post(
        "/actions/d01-a1/",
        update(
            milestone_label="Premier comité",
            milestone_due="15/03/2025",
            comment_on="10/01/2025",
            comment="Lancement avec les partenaires.",
        ),
    )
    assert response.status_code == 302
    saved = ActionState.objects.get(action_id="d01-a1")
    assert saved.owner == "Service petite enfance"
    assert saved.start_date == date(2024, 2, 1) and saved.due_date == date(2027, 12, 31)
    assert saved.status == "in_progress" and saved.progress == 40
    assert saved.updated_by == "pilote"
    milestone = ActionMilestone.objects.get(state=saved)
    assert milestone.label == "Premier comité" and milestone.due_date == date(2025, 3, 15)
    note = ActionUpdate.objects.get(state=saved)
    assert note.on == date(2025, 1, 10) and note.progress == 40 and note.author == "pilote"
    event = AuditEvent.objects.get(entity_type="action_state", entity_id="d01-a1")
    assert event.user == "pilote" and event.action == "create" and event.before is None
    assert event.after["progress"] == 40 and event.after["due_date"] == "2027-12-31"
    assert AuditEvent.objects.filter(entity_type="action_milestone").count() == 1
    assert AuditEvent.objects.filter(entity_type="action_update").count() == 1

    page = text(client.get("/actions/d01-a1/"))
    assert "Enregistré" in page and "Premier comité" in page and "Lancement avec" in page
    assert "15/03/2025" in page

    client.post("/actions/d01-a1/", update(progress="60"))
    revised = AuditEvent.objects.filter(entity_type="action_state").order_by("-id").first()
    assert revised is not None and revised.action == "update"
    assert revised.before["progress"] == 40 and revised.after["progress"] == 60


def test_pilote_gets_403_on_another_challenge(client_for: Any) -> None:
    response = client_for("pilote").post("/actions/d02-a1/", update())
    assert response.status_code == 403
    assert "Vous n'avez pas le droit" in text(response)
    assert not ActionState.objects.exists()
    assert not AuditEvent.objects.filter(entity_type__startswith="action").exists()


def test_lecteur_gets_403(client_for: Any) -> None:
    assert client_for("lecteur").post("/actions/d01-a1/", update()).status_code == 403


def test_progress_150_is_refused_in_french_and_nothing_written(client_for: Any) -> None:
    events = AuditEvent.objects.count()
    response = client_for("pilote").post(
        "/actions/d01-a1/", update(progress="150", comment="Ne doit pas être écrit.")
    )
    assert response.status_code == 400
    body = text(response)
    assert "Avancement : « 150 » doit être compris entre 0 et 100" in body
    assert "rien n'a été enregistré" in body and 'role="alert"' in body
    assert not ActionState.objects.exists() and not ActionUpdate.objects.exists()
    assert AuditEvent.objects.count() == events


def test_due_before_start_and_bad_dates_are_refused(client_for: Any) -> None:
    client = client_for("controle")
    response = client.post(
        "/actions/d02-a1/", update(start_date="01/06/2025", due_date="01/01/2025")
    )
    assert response.status_code == 400
    assert "Échéance : le 01/01/2025 est antérieur à la date de début (01/06/2025)" in text(
        response
    )
    response = client.post("/actions/d02-a1/", update(start_date="32/13/2024"))
    assert response.status_code == 400
    assert "Date de début : Date non reconnue : « 32/13/2024 »" in text(response)
    response = client.post("/actions/d02-a1/", update(milestone_label="Sans date"))
    assert response.status_code == 400
    assert "obligatoire pour le jalon « Sans date »" in text(response)
    assert not ActionState.objects.exists()


def test_htmx_update_swaps_the_state_block(client_for: Any) -> None:
    client = client_for("pilote")
    headers = {"HX-Request": "true"}
    response = client.post("/actions/d01-a2/", update(progress="55"), headers=headers)
    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="action-live">') and "<html" not in body
    assert "Enregistré : état mis à jour." in body and "55\u00a0%" in body
    response = client.post("/actions/d01-a2/", update(progress="-3"), headers=headers)
    assert response.status_code == 400
    assert 'id="action-live"' in text(response) and "« -3 »" in text(response)
    assert ActionState.objects.get(action_id="d01-a2").progress == 55


# --- import ---------------------------------------------------------------------------------


def csv_file(name: str, rows: list[list[str]]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["identifiant", "libellé", "période", "valeur", "statut", "commentaire"])
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


GOOD = [
    ["COG 01-05", "", "2024", "201", "définitive", "import de test"],
    ["COG 02-12", "", "2024", "27 678,5", "", ""],
    ["COG 08-29", "", "03/2024", "12,5", "provisoire", ""],
]
BAD = [
    ["COG 99-99", "", "2024", "10", "", ""],  # unknown identifier
    ["COG 01-05", "", "13/2024", "10", "", ""],  # month 13
    ["COG 02-12", "", "2024", "12,3,4", "", ""],  # not a number
    ["COG 08-29", "", "03/2024", "12,5", "", ""],  # fine
]


def uploads(data_dir: Path) -> list[Path]:
    folder = data_dir / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_import_bad_file_lists_every_error_and_writes_nothing(
    client_for: Any, data_dir: Path
) -> None:
    measurements, batches = Measurement.objects.count(), ImportBatch.objects.count()
    response = client_for("controle").post(
        "/import/", {"etape": "verifier", "kind": "values", "file": csv_file("valeurs.csv", BAD)}
    )
    assert response.status_code == 400
    body = text(response)
    assert "3 erreurs : rien n'a été enregistré" in body
    table = body.split('class="issue-table"')[1].split("</table>")[0]
    assert table.count("<tr>") == 4  # header + 3 errors
    assert "COG 99-99" in table and "13/2024" in table and "12,3,4" in table
    assert "Ligne" in table and "Colonne" in table and "Motif" in table
    assert "Confirmer l'import" not in body
    assert Measurement.objects.count() == measurements
    assert ImportBatch.objects.count() == batches
    assert len(uploads(data_dir)) == 1  # kept for its user, to check again (test_import_kept_file)


def test_import_good_file_preview_then_confirm(client_for: Any, data_dir: Path) -> None:
    client = client_for("controle")
    before = Measurement.objects.count()
    response = client.post(
        "/import/",
        {"etape": "verifier", "kind": "values", "file": csv_file("mes valeurs.csv", GOOD)},
    )
    assert response.status_code == 200
    body = text(response)
    assert "Confirmer l'import" in body and "3 changements sur 3 lignes" in body
    assert "201" in body and "27\u202f678,5" in body
    assert Measurement.objects.count() == before  # dry run: nothing written
    [stored] = uploads(data_dir)
    assert stored.suffix == ".csv" and len(stored.stem) >= 20
    assert f'name="stored" value="{stored.name}"' in body

    response = client.post(
        "/import/",
        {"etape": "confirmer", "kind": "values", "stored": stored.name, "name": "mes valeurs.csv"},
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/import/?lot={batch.pk}"
    assert batch.file_name == "mes valeurs.csv" and batch.written_count == 3
    written = Measurement.objects.filter(batch=batch)
    assert written.count() == 3 and Measurement.objects.count() == before + 3
    assert {m.subject_id for m in written} == {"cog-01-05", "cog-02-12", "cog-08-29"}
    assert AuditEvent.objects.filter(entity_type="measurement", user="controle").count() == 3

    done = text(client.get(response["Location"]))
    assert "Import enregistré" in done and "3 valeurs enregistrées" in done
    assert "/historique/?type=measurement&utilisateur=controle" in done


def test_import_targets_dry_run(client_for: Any) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["identifiant", "libellé", "année", "valeur", "type de cible", "provenance"])
    writer.writerow(["COG 01-05", "", "2026", "999", "individualisée", "notification Cnaf"])
    upload = SimpleUploadedFile("cibles.csv", buffer.getvalue().encode("utf-8"))
    response = client_for("admin").post(
        "/import/", {"etape": "verifier", "kind": "targets", "file": upload}
    )
    assert response.status_code == 200
    assert "Confirmer l'import" in text(response) and "Année" in text(response)


def test_import_refuses_other_file_types(client_for: Any, data_dir: Path) -> None:
    upload = SimpleUploadedFile("notes.pdf", b"%PDF-1.4")
    response = client_for("controle").post(
        "/import/", {"etape": "verifier", "kind": "values", "file": upload}
    )
    assert response.status_code == 400
    assert "« notes.pdf » n'est pas un fichier CSV ou XLSX" in text(response)
    assert uploads(data_dir) == []


def test_confirm_with_forged_file_name_is_refused(client_for: Any) -> None:
    response = client_for("controle").post(
        "/import/",
        {"etape": "confirmer", "kind": "values", "stored": "../../secret_key", "name": "x.csv"},
    )
    assert response.status_code == 400
    assert "déposez le fichier à nouveau" in text(response)


def test_lecteur_cannot_import(client_for: Any, data_dir: Path) -> None:
    client = client_for("lecteur")
    page = client.get("/import/")
    assert page.status_code == 200
    assert "réservés au contrôle de gestion" in text(page)
    assert 'enctype="multipart/form-data"' not in text(page)
    response = client.post(
        "/import/", {"etape": "verifier", "kind": "values", "file": csv_file("v.csv", GOOD)}
    )
    assert response.status_code == 403
    assert uploads(data_dir) == []
    pilote = client_for("pilote").post(
        "/import/", {"etape": "verifier", "kind": "values", "file": csv_file("v.csv", GOOD)}
    )
    assert pilote.status_code == 403


def test_template_downloads(client_for: Any) -> None:
    client = client_for("lecteur")
    response = client.get("/import/modele/values.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="modele-valeurs.xlsx"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"

    response = client.get("/import/modele/values.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="modele-valeurs.csv"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert content.startswith("identifiant;libellé;période;valeur")

    response = client.get("/import/modele/targets.csv")
    assert 'filename="modele-cibles.csv"' in response["Content-Disposition"]
    assert client.get("/import/modele/autre.csv").status_code == 404
    assert client.get("/import/modele/values.pdf").status_code == 404


# --- history --------------------------------------------------------------------------------


def test_history_filters_by_user(client_for: Any) -> None:
    client_for("pilote").post("/actions/d01-a1/", update(comment="Point de décembre."))
    client = client_for("lecteur")
    everything = text(client.get("/historique/"))
    assert "Page 1 sur" in everything  # the demo data fills many pages
    response = client.get("/historique/", {"utilisateur": "pilote"})
    assert response.status_code == 200
    body = text(response)
    assert body.count("<td>pilote</td>") == 2  # the action's state and its comment
    assert "<td>démonstration</td>" not in body
    assert "statut en cours, avancement 40\u00a0%" in body  # the event in words
    assert "/actions/d01-a1/" in body


def test_history_filters_by_type_and_dates_and_paginates(client_for: Any) -> None:
    client = client_for("lecteur")
    response = client.get("/historique/", {"type": "measurement", "page": "2"})
    body = text(response)
    assert response.status_code == 200
    assert "Page 2 sur" in body and "Page précédente" in body
    assert "type=measurement&page=3" in body
    # writes are stamped with the real time, not the pinned « today »: filter after the last one
    last = AuditEvent.objects.order_by("-at").values_list("at", flat=True).first()
    assert last is not None
    after = timezone.localtime(last).date() + timedelta(days=1)
    response = client.get("/historique/", {"du": after.strftime("%d/%m/%Y")})
    assert "Aucune écriture ne correspond" in text(response)
    response = client.get("/historique/", {"du": "02/02/2026", "au": "01/01/2026"})
    assert response.status_code == 400
    assert "est antérieur au 02/02/2026" in text(response)


# --- admin ----------------------------------------------------------------------------------


def test_admin_store_is_read_only(users: Any) -> None:
    client = Client()
    client.force_login(users.admin)
    for model in ("measurement", "target", "importbatch", "auditevent", "contractversion"):
        assert client.get(f"/admin/store/{model}/").status_code == 200
        assert client.get(f"/admin/store/{model}/add/").status_code == 403
    assert client.get("/admin/web/challengepilot/").status_code == 200
    # A token's key is shown once: the admin's « add » leads to « Mes jetons d'accès ».
    assert client.get("/admin/web/apitoken/add/")["Location"] == "/jetons/"
    assert client.get("/admin/store/actionstate/").status_code == 200


def test_admin_action_state_change_is_audited(users: Any, steering_data: Any) -> None:
    saved = state(steering_data, "d03-a1", progress=10)
    client = Client()
    client.force_login(users.admin)
    response = client.post(
        f"/admin/store/actionstate/{saved.pk}/change/",
        {
            "owner": "Service parentalité",
            "start_date": "",
            "due_date": "",
            "status": "in_progress",
            "progress": "20",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
            "updates-TOTAL_FORMS": "0",
            "updates-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, text(response)[:2000]
    event = AuditEvent.objects.get(entity_type="action_state", entity_id="d03-a1")
    assert event.user == "admin" and event.before["progress"] == 10
    assert event.after["progress"] == 20 and event.context == "administration"
