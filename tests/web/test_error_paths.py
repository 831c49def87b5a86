"""Bad input never breaks the app: numbers the store cannot keep, dates out of range, odd query
parameters, and the French error pages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cpog.ingest.numbers import DateError, parse_date
from cpog.ingest.tables import ImportValidationError
from cpog.store.imports import import_values
from cpog.store.models import Measurement
from cpog.web.models import ApiToken


def test_dates_outside_the_supported_years_are_refused() -> None:
    with pytest.raises(DateError, match="entre 1900 et 2200"):
        parse_date("01/01/1800")
    assert parse_date("27/11/2026") == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("12345678901234567890", "trop grand"),
        ("1,123456789", "6 décimales au plus"),
    ],
)
def test_import_refuses_numbers_the_store_cannot_keep(
    steering_data: Any, tmp_path: Path, cell: str, reason: str
) -> None:
    before = Measurement.objects.count()
    path = tmp_path / "valeurs.csv"
    path.write_text(f"identifiant;période;valeur\niql0;mars 2024;{cell}\n", encoding="utf-8")
    with pytest.raises(ImportValidationError) as caught:
        import_values(path, steering_data, user="test")
    assert reason in str(caught.value.issues[0])
    assert Measurement.objects.count() == before


def test_api_refuses_a_huge_value_and_keeps_working(users: Any, client_for: Any) -> None:
    _, key = ApiToken.issue(users.controle, "test")
    client = Client()
    response = client.post(
        "/api/v1/values",
        data=json.dumps(
            [{"identifiant": "iql0", "periode": "2024-03", "valeur": 12345678901234567890}]
        ),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 422
    assert "trop grand" in response.content.decode()
    assert client_for("controle").get("/").status_code == 200


def test_api_as_of_out_of_range_is_a_400(users: Any) -> None:
    _, key = ApiToken.issue(users.lecteur, "test")
    for value in ("01/01/1800", "31/12/2300", "01/01/1950"):
        response = Client().get(
            f"/api/v1/statuses?date_de_situation={value}",
            headers={"Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 400, value


def test_odd_import_batch_parameter(client_for: Any) -> None:
    assert client_for("controle").get("/import/?lot=²").status_code == 200


def test_error_pages_are_french() -> None:
    from cpog.web.views.errors import bad_request, csrf_failure, server_error

    for response, status in (
        (server_error(None), 500),  # type: ignore[arg-type]
        (bad_request(None), 400),  # type: ignore[arg-type]
        (csrf_failure(None), 403),  # type: ignore[arg-type]
    ):
        assert response.status_code == status
        page = response.content.decode()
        assert '<html lang="fr">' in page and "<h1>" in page


def test_api_method_and_path_errors_are_json(users: Any) -> None:
    _, key = ApiToken.issue(users.lecteur, "test")
    auth = {"Authorization": f"Bearer {key}"}
    for response, status in (
        (Client().delete("/api/v1/values", headers=auth), 405),
        (Client().get("/api/v1/nope", headers=auth), 404),
    ):
        assert response.status_code == status
        body = response.json()
        assert body["ok"] is False and body["status"] == status and body["error"]
