"""docs/extracts.md and the schema agree: every table and column, types, codes, keys; the
examples of the document load as a CSV; the settings it names are the loader's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cpog.warehouse import extracts
from cpog.warehouse.extracts import Settings, load_extracts
from cpog.warehouse.schema import TABLES, ColumnType, Table

DOC = Path(__file__).resolve().parents[2] / "docs" / "extracts.md"
TYPE_WORDS = {
    ColumnType.TEXT: "texte",
    ColumnType.DATE: "date",
    ColumnType.MONTH: "mois",
    ColumnType.INTEGER: "entier",
    ColumnType.DECIMAL: "montant",
    ColumnType.BOOLEAN: "oui/non",
}


def sections() -> dict[str, str]:
    """« ### Table `name` » → the text up to the next heading."""
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^#{2,3} ", text, flags=re.MULTILINE)
    found: dict[str, str] = {}
    for part in parts:
        match = re.match(r"Table `([a-z_]+)`\n", part)
        if match:
            assert match.group(1) not in found, f"table {match.group(1)} décrite deux fois"
            found[match.group(1)] = part
    return found


def column_rows(section: str) -> list[dict[str, str]]:
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == ["Colonne", "Type", "Obligatoire", "Codes admis", "Exemple", "Contenu"]
    assert set(lines[1].replace("|", "").strip()) <= {"-"}
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def unquote(cell: str) -> str:
    assert cell.startswith("`") and cell.endswith("`"), cell
    return cell[1:-1]


def test_every_table_of_the_schema_has_its_section_and_no_other() -> None:
    assert list(sections()) == [table.name for table in TABLES]


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_columns_types_requirements_and_codes_agree(table: Table) -> None:
    rows = column_rows(sections()[table.name])
    assert [unquote(row["Colonne"]) for row in rows] == [c.name for c in table.columns]
    for row, column in zip(rows, table.columns, strict=True):
        assert row["Type"] == TYPE_WORDS[column.type], column.name
        assert row["Obligatoire"] == ("oui" if column.required else "non"), column.name
        codes = [] if row["Codes admis"] == "—" else row["Codes admis"].split(", ")
        assert [unquote(code) for code in codes] == list(column.choices), column.name
        assert row["Contenu"], column.name


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_the_key_is_stated(table: Table) -> None:
    key = " et ".join(f"`{name}`" for name in table.key)
    assert f"Clé : {key}." in " ".join(sections()[table.name].split())


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_the_examples_of_the_document_load(table: Table, tmp_path: Path) -> None:
    rows = column_rows(sections()[table.name])
    header = ";".join(column.name for column in table.columns)
    values = ";".join(unquote(row["Exemple"]) for row in rows)
    (tmp_path / f"{table.name}.csv").write_text(f"{header}\n{values}\n", encoding="utf-8")
    loaded = load_extracts(tmp_path, settings=Settings(memory_limit="256MB", threads=1))
    assert loaded.files[0].rows == 1
    assert loaded.warnings == ()


def test_the_settings_named_by_the_loader_are_documented() -> None:
    source = Path(extracts.__file__).read_text(encoding="utf-8")
    names = set(re.findall(r"CPOG_[A-Z_]+", source))
    assert names == {
        "CPOG_EXTRACTS_MAX_BYTES",
        "CPOG_DUCKDB_MEMORY",
        "CPOG_DUCKDB_THREADS",
        "CPOG_DUCKDB_TEMP_DIR",
        "CPOG_EXTRACTS_CACHE_DIR",
        "CPOG_DATA_DIR",  # the application's data folder, only read for the cache's default
    }
    text = DOC.read_text(encoding="utf-8")
    for name in names - {"CPOG_DATA_DIR"}:
        assert f"| `{name}` |" in text
    assert "`<CPOG_DATA_DIR>/cache/extraits`" in text
    # The documented default size: 20 Gio = 21 474 836 480 bytes.
    assert Settings().max_bytes == 20 * 1024**3 == 21_474_836_480
    assert "| `CPOG_EXTRACTS_MAX_BYTES` | `21474836480` (20 Gio) |" in text
    assert f"| `CPOG_DUCKDB_MEMORY` | `{Settings().memory_limit}` |" in text
    assert f"les {extracts.MAX_PROBLEMS} premiers" in text
