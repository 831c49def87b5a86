"""One rule for every value, whatever the door: the entry form, a file imported with the CLI or
uploaded on the web, the API. The same bad value is refused with the same French reason at each
door; values to confirm are written only once confirmed."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from typer.testing import CliRunner

from cpog import clock
from cpog.cli.main import app
from cpog.ingest.value_rule import Cell, RawEntry, check_values, subjects_of
from cpog.store.models import Measurement
from cpog.web.models import ApiToken


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def _page_url(subject_id: str) -> str:
    kind = "mesures" if subject_id.startswith("d0") else "indicateurs"
    return f"/{kind}/{subject_id}/"


def by_form(users: Any, tmp_path: Path, subject_id: str, period: str, value: str) -> str:
    client = Client()
    client.force_login(users.controle)
    data = {"action": "value", "periode": period, "valeur": value, "statut": "provisional"}
    response = client.post(_page_url(subject_id), data)
    assert response.status_code == 400
    return page(response)


def _csv(subject_id: str, period: str, value: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["identifiant", "libellé", "période", "valeur", "statut"])
    writer.writerow([subject_id, "", period, value, "définitif"])
    return buffer.getvalue().encode("cp1252")


def by_cli(users: Any, tmp_path: Path, subject_id: str, period: str, value: str) -> str:
    path = tmp_path / "valeurs.csv"
    path.write_bytes(_csv(subject_id, period, value))
    result = CliRunner().invoke(app, ["import", "values", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    return result.output


def by_upload(users: Any, tmp_path: Path, subject_id: str, period: str, value: str) -> str:
    client = Client()
    client.force_login(users.controle)
    upload = SimpleUploadedFile("valeurs.csv", _csv(subject_id, period, value), "text/csv")
    response = client.post("/import/", {"etape": "verifier", "kind": "values", "file": upload})
    assert response.status_code == 400
    return page(response)


def _api(users: Any) -> Client:
    _, key = ApiToken.issue(users.controle, "tableur")
    return Client(headers={"Authorization": f"Bearer {key}"})


def by_api(users: Any, tmp_path: Path, subject_id: str, period: str, value: str) -> str:
    body = [{"identifiant": subject_id, "periode": period, "valeur": value, "statut": "définitif"}]
    response = _api(users).post(
        "/api/v1/values", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    return " ".join(error["message"] for error in response.json()["errors"])


Door = Callable[[Any, Path, str, str, str], str]
DOORS: dict[str, Door] = {
    "formulaire": by_form,
    "cpog import": by_cli,
    "import web": by_upload,
    "API": by_api,
}


@pytest.mark.parametrize("door", list(DOORS))
@pytest.mark.parametrize(
    ("subject_id", "period", "value"),
    [
        ("cog-08-29", "T1 2025", "14"),  # a quarter for a monthly indicator
        ("cog-01-11", "mars 2024", "98"),  # a month for an annual one
        ("cog-01-11", "2025", "135"),  # a rate above 100 %
        ("cog-01-11", "2025", "1 234 %"),
        ("cog-08-29", "octobre 2026", "-30"),  # a negative délai
        ("d05-r2-delai-prestations", "2025", "14"),  # its values are COG 08-29's
    ],
)
def test_each_door_refuses_the_same_value_with_the_same_reason(
    users: Any,
    steering_data: Any,
    tmp_path: Path,
    door: str,
    subject_id: str,
    period: str,
    value: str,
) -> None:
    subject = subjects_of(steering_data)[subject_id]
    [(entry, problems)] = check_values([(subject, RawEntry(period, Cell(value)))], clock.today())
    assert entry is None and problems
    before = Measurement.objects.count()
    said = DOORS[door](users, tmp_path, subject_id, period, value)
    for problem in problems:
        assert problem.message in said, (door, problem.message, said[:2000])
    assert Measurement.objects.count() == before


def test_the_form_converts_a_fraction_in_a_second_step(users: Any, steering_data: Any) -> None:
    client = Client()
    client.force_login(users.controle)
    url = "/indicateurs/cog-01-11/"
    data = {"action": "value", "periode": "2025", "valeur": "0,861", "statut": "definitive"}
    before = Measurement.objects.count()
    first = client.post(url, data)
    assert first.status_code == 200
    body = page(first)
    assert (
        "Valeur à confirmer" in body
        and "0,861 → 86,1\u00a0% : taux écrit comme une fraction" in body
    )
    assert "Confirmer et enregistrer la valeur" in body
    assert Measurement.objects.count() == before
    # confirming another input than the one shown confirms nothing
    other = client.post(url, {**data, "valeur": "0,87", "confirmer": "2025|0,861||"})
    assert other.status_code == 200 and "0,87 → 87\u00a0%" in page(other)
    assert Measurement.objects.count() == before
    done = client.post(url, {**data, "confirmer": "2025|0,861||"})
    assert done.status_code == 302
    row = Measurement.objects.get(subject_id="cog-01-11", period_key="2025", source="manual")
    assert row.value == Decimal("86.1") and row.status == "definitive"


def test_a_confirmed_unusual_value_is_marked_in_the_revisions(
    users: Any, steering_data: Any
) -> None:
    client = Client()
    client.force_login(users.controle)
    url = "/indicateurs/cog-08-29/"
    data = {"action": "value", "periode": "octobre 2026", "valeur": "4", "statut": "provisional"}
    first = client.post(url, data)
    assert first.status_code == 200
    assert "4\u00a0jours après" in page(first) and "confirmez la valeur" in page(first)
    done = client.post(url, {**data, "confirmer": "octobre 2026|4||"})
    assert done.status_code == 302
    row = Measurement.objects.get(subject_id="cog-08-29", period_key="2026-10", source="manual")
    assert row.confirmed_unusual
    assert "valeur inhabituelle confirmée" in page(client.get(url))
    history = page(client.get("/historique/", {"type": "measurement"}))
    assert "valeur inhabituelle confirmée" in history


def _percent_xlsx() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    percent = book.add_format({"num_format": "0.0%"})
    sheet = book.add_worksheet("valeurs")
    sheet.write_row(0, 0, ["identifiant", "libellé", "période", "valeur", "statut"])
    sheet.write_row(1, 0, ["COG 01-11", "Villes avec un RPE", "2025"])
    sheet.write_number(1, 3, 0.935, percent)
    sheet.write(1, 4, "définitif")
    sheet.write_row(2, 0, ["COG 01-02", "Accueil formel", "", "", ""])  # left empty
    book.close()
    return buffer.getvalue()


def test_the_web_import_shows_the_conversion_and_writes_only_once_confirmed(
    users: Any, steering_data: Any, data_dir: Path
) -> None:
    client = Client()
    client.force_login(users.controle)
    upload = SimpleUploadedFile("valeurs.xlsx", _percent_xlsx())
    preview = client.post("/import/", {"etape": "verifier", "kind": "values", "file": upload})
    assert preview.status_code == 200
    body = page(preview)
    assert "0,935 → 93,5\u00a0% : cellule au format pourcentage" in body
    assert "1 ligne du modèle laissée vide, ignorée" in body
    assert 'name="confirmer"' in body
    [stored] = sorted((data_dir / "uploads").iterdir())
    form = {"etape": "confirmer", "kind": "values", "stored": stored.name, "name": "valeurs.xlsx"}
    before = Measurement.objects.count()
    refused = client.post("/import/", form)
    assert refused.status_code == 400 and "Des valeurs sont à confirmer" in page(refused)
    assert Measurement.objects.count() == before
    done = client.post("/import/", {**form, "confirmer": "on"})
    assert done.status_code == 302
    row = Measurement.objects.get(subject_id="cog-01-11", period_key="2025", source="import")
    assert row.value == Decimal("93.5") and row.status == "definitive"
    assert "1 ligne du modèle laissée vide, ignorée" in page(client.get(done["Location"]))


def test_the_api_asks_for_confirmation_then_writes(users: Any, steering_data: Any) -> None:
    client = _api(users)
    body = json.dumps([{"identifiant": "COG 01-11", "periode": "2025", "valeur": 0.861}])
    response = client.post("/api/v1/values", data=body, content_type="application/json")
    assert response.status_code == 422
    answer = response.json()
    assert "?confirmer=true" in answer["error"]
    assert answer["errors"][0]["item"] == 1 and answer["errors"][0]["field"] == "valeur"
    assert answer["errors"][0]["message"].startswith("0,861 → 86,1\u00a0% : taux écrit")
    assert not Measurement.objects.filter(source="api").exists()
    response = client.post(
        "/api/v1/values?confirmer=true", data=body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    row = Measurement.objects.get(source="api")
    assert (row.subject_id, row.period_key, row.value) == ("cog-01-11", "2025", Decimal("86.1"))


def test_the_api_computes_a_value_from_numerator_and_denominator(
    users: Any, steering_data: Any
) -> None:
    body = json.dumps(
        [{"identifiant": "COG 01-11", "periode": "2025", "numerateur": 3, "denominateur": 4}]
    )
    response = _api(users).post(
        "/api/v1/values?confirmer=true", data=body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    row = Measurement.objects.get(source="api")
    assert (row.value, row.numerator, row.denominator) == (Decimal(75), Decimal(3), Decimal(4))


def test_the_openapi_schema_documents_the_confirmation(users: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    parameters = schema["paths"]["/api/v1/values"]["post"]["parameters"]
    [confirm] = [p for p in parameters if p["name"] == "confirmer"]
    assert confirm["in"] == "query" and "fraction" in confirm["description"]
