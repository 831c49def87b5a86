"""The results file of the national computation: written as Parquet and CSV, read back checked.

Hand-made rows of cog-08-29 (a mean) for two caisses; the reading refuses what cpog could not
store faithfully, naming the file and the line.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cpog.warehouse.definitions import definition_for
from cpog.warehouse.engine import Dimension, Result
from cpog.warehouse.results_file import (
    COLUMNS,
    FileRow,
    ResultsFileError,
    read_results,
    read_results_file,
    write_results,
)

MEAN = definition_for("cog-08-29")
DEFAULTS = MEAN.values()  # {"jours": "calendaires", …}
END = date(2025, 10, 31)


def _row(
    caisse: str,
    period: str,
    territory: str,
    numerator: str,
    denominator: str | None,
    value: str | None,
    dimension: Dimension = Dimension.CAISSE,
) -> FileRow:
    return FileRow(
        MEAN.name,
        MEAN.version,
        DEFAULTS,
        caisse,
        dimension,
        period,
        territory,
        Decimal(numerator),
        None if denominator is None else Decimal(denominator),
        None if value is None else Decimal(value),
        f"empreinte-{caisse}",
        END,
    )


ROWS = [
    # 1 234 days over 89 démarches: 1234 / 89 = 13.865168539… → 13.865169
    _row("79", "2025-01", "79", "1234", "89", "13.865169"),
    # nothing processed: 0 / 0 is « non calculable »
    _row("79", "2025-02", "79", "0", "0", None),
    _row("79", "2025-01", "200041317", "600", "40", "15", Dimension.EPCI),
    _row("86", "2025-01", "86", "30", "2", "15"),
]


@pytest.fixture
def written(tmp_path: Path) -> Path:
    write_results(tmp_path / "resultats", ROWS)
    return tmp_path / "resultats"


def test_the_csv_is_french(written: Path) -> None:
    lines = written.with_suffix(".csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ";".join(COLUMNS)
    parameters = json.dumps(DEFAULTS, ensure_ascii=False, sort_keys=True).replace('"', '""')
    assert lines[1] == (
        f'cog-08-29;{MEAN.version};"{parameters}";79;caisse;2025-01;79;1234;89;13,865169;'
        "empreinte-79;31/10/2025"
    )
    assert '""jours"": ""calendaires""' in lines[1]
    assert lines[2].split(";")[8:10] == ["0", ""]  # denominator 0, value empty: non calculable


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_caisse_reads_its_own_results(written: Path, suffix: str) -> None:
    read = read_results_file(written.with_suffix(suffix), "79")
    assert (read.caisse, read.fingerprint, read.data_end) == ("79", "empreinte-79", END)
    assert read.computation.parameters == {"cog-08-29": DEFAULTS}
    assert sorted(read.computation.results, key=lambda r: (r.scope_type, r.period_key)) == [
        Result(
            "cog-08-29",
            "indicator",
            "cog-08-29",
            "2025-01",
            "caisse",
            "79",
            Decimal(1234),
            Decimal(89),
            Decimal("13.865169"),
        ),
        Result(
            "cog-08-29",
            "indicator",
            "cog-08-29",
            "2025-02",
            "caisse",
            "79",
            Decimal(0),
            Decimal(0),
            None,
        ),
        Result(
            "cog-08-29",
            "indicator",
            "cog-08-29",
            "2025-01",
            "territory",
            "200041317",
            Decimal(600),
            Decimal(40),
            Decimal(15),
        ),
    ]


def test_a_file_of_several_caisses_needs_the_caisse(written: Path) -> None:
    with pytest.raises(ResultsFileError) as error:
        read_results(written.with_suffix(".csv"))
    assert str(error.value) == (
        "resultats.csv : le fichier contient les résultats de 2 caisses (79, 86) :"
        " indiquez la vôtre."
    )
    with pytest.raises(ResultsFileError, match="aucun résultat pour la caisse « 17 »"):
        read_results(written.with_suffix(".csv"), "17")
    assert len(read_results(written.with_suffix(".parquet"), "86").results) == 1


def _edit(written: Path, line: int, column: str, text: str) -> Path:
    path = written.with_suffix(".csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    # the parametres cell holds no « ; », so a plain split is safe here
    cells = lines[line - 1].split(";")
    cells[header.index(column)] = text
    lines[line - 1] = ";".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("line", "column", "text", "message"),
    [
        (
            3,
            "version",
            "7",
            f"resultats.csv, ligne 3 : cog-08-29 calculée en version 7, cpog a la version"
            f" {MEAN.version} : refaites le calcul avec la même version de cpog.",
        ),
        (2, "definition", "cog-99-99", "resultats.csv, ligne 2 : définition inconnue de cpog"),
        (
            2,
            "valeur",
            "13,9",
            "resultats.csv, ligne 2, colonne valeur : « 13,9 » ne correspond pas",
        ),
        (2, "numerateur", "beaucoup", "ligne 2, colonne numerateur : « beaucoup » n'est pas"),
        (4, "dimension", "region", "ligne 4, colonne dimension : « region »"),
        (
            2,
            "parametres",
            '"{""jours"": ""lunaires""}"',
            "valeur « lunaires » refusée pour le paramètre jours",
        ),
        (3, "periode", "2025-01", "resultats.csv, ligne 3 : même résultat qu'en ligne 2."),
        (3, "empreinte_extraits", "autre", "plusieurs extractions"),
    ],
)
def test_a_wrong_line_is_refused_by_its_number(
    written: Path, line: int, column: str, text: str, message: str
) -> None:
    path = _edit(written, line, column, text)
    with pytest.raises(ResultsFileError) as error:
        read_results(path, "79")
    assert message in str(error.value)


def test_a_missing_column_or_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("definition;version\n", encoding="utf-8")
    with pytest.raises(
        ResultsFileError, match=re.escape("r.csv, ligne 1 : colonne(s) manquante(s) : parametres")
    ):
        read_results(path, "79")
    with pytest.raises(ResultsFileError, match="Fichier de résultats introuvable"):
        read_results(tmp_path / "absent.parquet", "79")
