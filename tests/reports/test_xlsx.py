"""The Excel export (`cpog export xlsx`, the app's download): sheets, French headers, typed cells
with their number formats, frozen header rows and filters, the same bytes for the same data, and
the round trip — the « valeurs » sheet read back by `cpog import values` changes nothing."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.contexts.export import SHEETS, export_context
from cpog.contexts.serialize import to_data
from cpog.contexts.situation import situation
from cpog.ingest.imports import VALUE_COLUMNS
from cpog.store.models import Measurement

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()
AS_OF = date(2026, 11, 27)


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def loaded() -> None:
    code, output = run("load")
    assert code == 0, output


@pytest.fixture
def demo(loaded: None) -> None:
    code, output = run("demo")
    assert code == 0, output


def export(path: Path, *extra: str) -> Path:
    code, output = run("export", "xlsx", "-o", str(path), *extra)
    assert code == 0, output
    assert "Export Excel écrit dans" in output
    return path


def sheet(path: Path, name: str) -> list[list[Any]]:
    with CalamineWorkbook.from_path(path) as book:
        return book.get_sheet_by_name(name).to_python()  # type: ignore[no-any-return]


def xml(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(part).decode()


def sheet_xml(path: Path, name: str) -> str:
    with CalamineWorkbook.from_path(path) as book:
        index = book.sheet_names.index(name) + 1
    return xml(path, f"xl/worksheets/sheet{index}.xml")


def cell_format(path: Path, name: str, ref: str) -> str:
    """The number format code of a cell (xlsxwriter's styles: numFmts + cellXfs)."""
    found = re.search(rf'<c r="{ref}" s="(\d+)"', sheet_xml(path, name))
    assert found, f"{ref} sans style"
    styles = xml(path, "xl/styles.xml")
    xfs = re.findall(r"<xf [^>]*>", styles.split("<cellXfs")[1].split("</cellXfs>")[0])
    fmt_id = int(re.search(r'numFmtId="(\d+)"', xfs[int(found.group(1))]).group(1))  # type: ignore[union-attr]
    codes = {
        int(i): c.replace("&quot;", '"')
        for i, c in re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles)
    }
    return codes.get(fmt_id, {0: "General", 1: "0", 3: "#,##0", 9: "0%"}.get(fmt_id, str(fmt_id)))


def test_every_sheet_has_french_headers_typed_cells_frozen_rows_and_filters(
    demo: None, tmp_path: Path
) -> None:
    path = export(tmp_path / "cpog.xlsx", "--date", "27/11/2026")
    with CalamineWorkbook.from_path(path) as book:
        assert book.sheet_names == [name for name, _ in SHEETS]
    about = sheet(path, "À propos")
    text = "\n".join(" ".join(str(c) for c in row) for row in about)
    assert "Contrat pluriannuel" in text and "données de démonstration" in text
    assert [r[1] for r in about if r[0] == "Date de situation"] == [date(2026, 11, 27)]
    fingerprint = next(r[1] for r in about if r[0] == "Empreinte des données")
    assert re.fullmatch(r"[0-9a-f]{16}", fingerprint)
    assert all(name in text for name, _ in SHEETS)

    values = sheet(path, "valeurs")
    assert values[0] == VALUE_COLUMNS
    # the caisse's values, every one (the demo has no revision); its values by commune are not
    # the caisse's figures and are not in this export
    assert len(values) - 1 == Measurement.objects.filter(scope_type="caisse").count()
    assert all(isinstance(r[3], float) for r in values[1:])
    row = next(n for n, r in enumerate(values) if r[0] == "COG 01-02")  # a rate (%)
    assert 0 < values[row][3] <= 100 and values[row][6] in {"provisoire", "définitive"}
    assert cell_format(path, "valeurs", f"D{row + 1}").endswith('"\u00a0%"')  # « 93,5 % »
    count = next(n for n, r in enumerate(values) if r[0] == "d01-r2-structures-innovantes")
    assert cell_format(path, "valeurs", f"D{count + 1}") in {"#,##0", "General"}

    revisions = sheet(path, "Révisions des valeurs")
    assert revisions[0][:6] == [
        "type",
        "identifiant",
        "libellé",
        "période",
        "fin de période",
        "valeur",
    ]
    assert isinstance(revisions[1][4], date) and isinstance(revisions[1][14], datetime)
    assert {r[10] for r in revisions[1:]} == {"données de démonstration"}
    assert {r[15] for r in revisions[1:]} == {"oui"}

    statuses = sheet(path, "Statuts")
    assert statuses[0][14] == "statut" and statuses[0][-5:] == [
        f"objectif {y}" for y in range(2023, 2028)
    ]
    labels = {r[14] for r in statuses[1:]}
    assert labels <= {"Atteint", "En avance", "Conforme", "À surveiller", "En retard",
                      "Non atteint", "Non renseigné", "Sans cible"}  # fmt: skip
    assert {r[-4] for r in statuses[1:]} >= {"objectif 2024 atteint", "objectif 2024 non atteint"}
    progress = next(n for n, r in enumerate(statuses) if isinstance(r[13], float))
    assert cell_format(path, "Statuts", f"N{progress + 1}") == '0.0"\u00a0%"'

    targets = sheet(path, "Cibles")
    assert targets[0][:5] == ["type", "identifiant", "libellé", "année", "valeur"]
    assert all(isinstance(r[3], float) for r in targets[1:])  # years are numbers…
    assert cell_format(path, "Cibles", "D2") == "0"  # … shown 2024, not « 2 024 »
    assert cell_format(path, "Cibles", "L2") == "dd/mm/yyyy hh:mm"
    actions = sheet(path, "Actions")
    assert actions[0][:4] == ["défi", "action", "libellé", "état"]
    assert len(actions) - 1 == sum(len(c.actions) for c in _contract().challenges)
    referential = sheet(path, "Contrat")
    assert {r[0] for r in referential[1:]} == {
        "axe", "engagement de la Caf", "défi", "résultat visé", "mesure de résultat visé",
    }  # fmt: skip
    indicators = sheet(path, "Indicateurs")
    assert indicators[0][13] == "mode de calcul" and all(r[13] for r in indicators[1:])

    for name, _ in SHEETS[1:]:
        body = sheet_xml(path, name)
        assert re.search(r'<pane [^>]*ySplit="1"[^>]*state="frozen"', body), name
        assert "<autoFilter ref=" in body, name
        assert "<cols>" in body, name  # widths set
    assert cell_format(path, "Révisions des valeurs", "E2") == "dd/mm/yyyy"


def _contract() -> Any:
    from cpog.store.contracts import current_contract

    return current_contract()[1]


def test_the_same_data_give_the_same_file(demo: None, tmp_path: Path) -> None:
    first = export(tmp_path / "a.xlsx").read_bytes()
    second = export(tmp_path / "b.xlsx").read_bytes()
    assert first == second
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-11-27T00:00:00Z' in xml(
        tmp_path / "a.xlsx", "docProps/core.xml"
    )


# Values as a controller imports them: rates, decimals, ratios, provisional values, comments,
# a cumulated period, a measure; then revised once.
VALUES = (
    "identifiant;période;valeur;numérateur;dénominateur;statut;commentaire\n"
    "COG 08-29;cumul à fin mars 2025;15,2;;;définitive;\n"
    "COG 08-29;cumul à fin avril 2025;14,75;;;provisoire;à revoir\n"
    "COG 08-33;2025-03;93,5;187;200;définitive;\n"
    "COG 08-33;2025-04;87,123456;;;définitive;taux précis\n"
    "d01-r3-creches-avip;2025;3;;;définitive;\n"
)
REVISION = "identifiant;période;valeur\nCOG 08-29;cumul à fin avril 2025;14,5\n"


def test_the_values_sheet_is_imported_back_unchanged(loaded: None, tmp_path: Path) -> None:
    first = tmp_path / "valeurs.csv"
    first.write_text(VALUES, encoding="utf-8")
    code, output = run("import", "values", str(first))
    assert code == 0, output
    revision = tmp_path / "revision.csv"
    revision.write_text(REVISION, encoding="utf-8")
    code, output = run("import", "values", str(revision))
    assert code == 0, output
    stored = Measurement.objects.count()

    path = export(tmp_path / "cpog.xlsx")
    values = sheet(path, "valeurs")
    assert len(values) == 1 + 5  # the values in force only
    assert values[2][:4] == ["COG 08-29", values[2][1], "avril 2025", 14.5]
    assert values[3][3:6] == [93.5, 187.0, 200.0]
    revisions = sheet(path, "Révisions des valeurs")
    assert len(revisions) == 1 + 6
    replaced = [r for r in revisions if r[15] == "non"]
    assert len(replaced) == 1 and replaced[0][5] == 14.75 and replaced[0][11] == "valeurs.csv"

    code, output = run("import", "values", str(path))
    assert code == 0, output
    assert "5 lignes valides, 0 valeur enregistrée, 5 inchangées" in output
    assert Measurement.objects.count() == stored

    # The file is also accepted as it is by the store's import (no conversion to confirm).
    from cpog.store.imports import import_values

    outcome = import_values(path, _contract(), user="test", dry_run=True)
    assert outcome.changes == [] and outcome.to_confirm == []

    # A controller corrects one value in the workbook: only that value becomes a revision.
    edited = tmp_path / "corrige.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(edited, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet5.xml":  # « valeurs »
                content = re.sub(rb'(<c r="D3"[^>]*><v>)[^<]*', rb"\g<1>14.25", content)
            target.writestr(info, content)
    code, output = run("import", "values", str(edited))
    assert code == 0, output
    assert "1 valeur enregistrée, 4 inchangées" in output
    latest = Measurement.objects.filter(period_key="2025-04", subject_id="cog-08-29").latest("id")
    assert latest.value == Decimal("14.25") and latest.batch.file_name == "corrige.xlsx"


def test_the_demo_export_is_read_back_without_error(demo: None, tmp_path: Path) -> None:
    """The demo's values far from their series are stored as confirmed (as a user confirms them
    at entry), so the exported demo data re-import at once, with nothing written."""
    from cpog.store.imports import import_values

    assert Measurement.objects.filter(confirmed_unusual=True).exists()
    path = export(tmp_path / "cpog.xlsx")
    outcome = import_values(path, _contract(), user="test", dry_run=True)
    assert outcome.changes == []
    code, output = run("import", "values", str(path))
    assert code == 0, output
    assert " 0 valeur enregistrée" in output


def test_an_unwritable_path_is_refused_in_french(loaded: None, tmp_path: Path) -> None:
    code, output = run("export", "xlsx", "-o", str(tmp_path / "absent" / "cpog.xlsx"))
    assert code == 1 and "Impossible d'écrire" in output and "dossier introuvable" in output
    code, output = run("export", "xlsx", "-o", str(tmp_path))
    assert code == 1 and "c'est un dossier" in output
    code, output = run("export", "xlsx", "--date", "31/02/2026")
    assert code == 2
    code, output = run("export", "--date", "27/11/2026")
    assert code == 2 and "export Excel" in output


def test_the_json_export_of_the_contract_still_works(tmp_path: Path) -> None:
    code, output = run("export", "--format", "json", "-o", str(tmp_path / "c.json"))
    assert code == 0, output
    assert (tmp_path / "c.json").read_text(encoding="utf-8").startswith("{")


def test_the_context_serializes_with_french_names(demo: None) -> None:
    from cpog.store.reader import StoreReader

    reader = StoreReader()
    context = export_context(situation(reader, _contract(), AS_OF), reader)
    data = to_data(context)
    assert set(data) == {
        "a_propos", "annees_du_contrat", "referentiel", "indicateurs", "cibles", "valeurs",
        "statuts", "actions",
    }  # fmt: skip
    assert data["a_propos"]["demonstration"] is True
    assert {"periode", "valeur", "en_vigueur", "source_libelle"} <= set(data["valeurs"][0])


def test_every_reader_downloads_the_workbook(demo: None, tmp_path: Path) -> None:
    reader = User.objects.create_user("lecteur", "l@example.org", "mot-de-passe-de-test-1")
    reader.groups.add(Group.objects.get_or_create(name="lecteur")[0])
    assert Client().get("/export/cpog.xlsx").status_code == 302  # sign in first
    client = Client()
    client.force_login(reader)
    answer = client.get("/export/cpog.xlsx")
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="cpog-2026-11-27.xlsx"'
    path = tmp_path / "download.xlsx"
    path.write_bytes(b"".join(answer.streaming_content))  # type: ignore[attr-defined]
    assert sheet(path, "valeurs")[0] == VALUE_COLUMNS
    assert path.read_bytes() == export(tmp_path / "cli.xlsx").read_bytes()
