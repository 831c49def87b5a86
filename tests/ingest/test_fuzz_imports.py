"""Generated import files — CSV in every encoding and separator Excel and LibreOffice write,
XLSX, numbers in French and English forms, periods of every spelling, broken and truncated
files — read and validated as an import does: the outcome is rows, cell errors in French, or a
French refusal naming the file; never another exception.

Hypothesis is derandomized, so that CI runs the same files every time.
"""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.contract.model import Contract
from cpog.ingest.imports import validate_targets, validate_values
from cpog.ingest.tables import TableError, read_table

FUZZ = settings(
    max_examples=220,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TODAY = date(2026, 11, 27)
REFUSALS = (
    "Fichier illisible : ",
    "Fichier vide : ",
    "Fichier refusé : ",
    "Colonne sans titre dans ",
    "Colonne en double dans ",
    "Feuille introuvable : ",
    "Fichier introuvable : ",
)

identifiers = st.sampled_from(
    ["COG 08-29", "cog-01-05", "COG-01-02", "iql0", "d04-r5-teleprocedures", "inconnu", ""]
) | st.text(max_size=12)
periods = st.sampled_from(
    [
        "2025",
        "2025-03",
        "03/2025",
        "3/2025",
        "mars 2025",
        "févr. 2025",
        "T1 2025",
        "2025-Q1",
        "S2 2024",
        "2024-H2",
        "cumul à fin mars 2025",
        "2025-03-YTD",
        "13/2025",
        "2031",
        "T5 2025",
        "",
    ]
) | st.text(max_size=20)


@st.composite
def numbers(draw: st.DrawFn) -> str:
    value = draw(
        st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False)
    )
    text = format(value, "f")
    style = draw(st.sampled_from(["plain", "french", "english", "percent", "spaced", "junk"]))
    if style == "french":
        text = text.replace(".", ",")
    elif style == "english" and "." in text:
        whole, _, part = text.partition(".")
        text = f"{int(whole):,}.{part}"
    elif style == "percent":
        text = text.replace(".", ",") + " %"
    elif style == "spaced":
        text = text.replace(".", ",")
        whole, sep, part = text.partition(",")
        text = f"{int(whole):,}".replace(",", "\u202f") + sep + part
    elif style == "junk":
        text = draw(st.text(max_size=15))
    return text


rows = st.lists(
    st.tuples(
        identifiers,
        periods,
        numbers(),
        st.sampled_from(["", "provisoire", "définitive", "déf.", "prov.", "peut-être"]),
        st.text(max_size=30),
    ),
    max_size=12,
)
HEADERS = ["identifiant", "période", "valeur", "statut", "commentaire"]
headers = st.sampled_from(
    [
        HEADERS,
        ["Identifiant", "Periode", "VALEUR", "statut", "commentaire"],
        ["identifiant", "période", "période", "valeur", "statut"],  # doubled
        ["identifiant", "valeur", "", "statut", "commentaire"],  # untitled column
        ["id", "quand", "combien", "statut", "commentaire"],  # unknown
    ]
)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    buffer = io.StringIO()
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    if draw(st.booleans()) and delimiter != "\t":
        buffer.write(f"sep={delimiter}\r\n")
    writer.writerow(draw(headers))
    writer.writerows(draw(rows))
    text = buffer.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    breakage = draw(st.sampled_from(["none", "none", "truncate", "bytes", "quote", "nul"]))
    if breakage == "truncate" and data:
        data = data[: draw(st.integers(0, len(data)))]
    elif breakage == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=20)) + data[at:]
    elif breakage == "quote":
        data += b'"COG 08-29;2025;"1\r\n'
    elif breakage == "nul":
        data = data.replace(b";", b"\x00", 1)
    return data


@st.composite
def xlsx_files(draw: st.DrawFn) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(draw(st.sampled_from(["valeurs", "Feuil1", "données"])))
    percent = workbook.add_format({"num_format": "0.0%"})
    sheet.write_row(0, 0, draw(headers))
    for index, row in enumerate(draw(rows), start=1):
        for column, cell in enumerate(row):
            if column == 2 and draw(st.booleans()):
                number = draw(st.floats(allow_nan=True, allow_infinity=False, width=64))
                sheet.write_number(index, column, number, percent if draw(st.booleans()) else None)
            else:
                sheet.write_string(index, column, cell)
    workbook.close()
    data = buffer.getvalue()
    if draw(st.integers(0, 4)) == 0:  # a truncated download, a broken zip
        # A share of the length, not a length: xlsxwriter stamps the time, so sizes vary.
        data = data[: len(data) * draw(st.integers(0, 999)) // 1000]
    return data


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(default_contract_path())


def outcome(data: bytes, name: str, contract: Contract) -> None:
    with tempfile.TemporaryDirectory(prefix="cpog-fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            table = read_table(path)
        except TableError as error:
            message = str(error)
            assert message.startswith(REFUSALS), message
            assert name in message, message
            return
    checked = validate_values(table, contract, TODAY)
    for issue in checked.report:
        assert str(issue).strip()
        assert issue.file == name
    if not checked.report.ok:
        assert checked.rows == []  # all or nothing: no row of a file with an error
    targets = validate_targets(table, contract)
    assert all(str(issue) for issue in targets.report)


@FUZZ
@given(data=csv_files(), suffix=st.sampled_from([".csv", ".txt", ".tsv"]))
def test_generated_csv_files_are_read_or_refused_in_french(
    contract: Contract, data: bytes, suffix: str
) -> None:
    outcome(data, f"valeurs{suffix}", contract)


@FUZZ
@given(data=xlsx_files())
def test_generated_xlsx_files_are_read_or_refused_in_french(
    contract: Contract, data: bytes
) -> None:
    outcome(data, "valeurs.xlsx", contract)


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(data=st.binary(max_size=2_000), suffix=st.sampled_from([".xlsx", ".ods", ".xls", ".csv"]))
def test_random_bytes_are_refused_in_french(contract: Contract, data: bytes, suffix: str) -> None:
    outcome(data, f"hasard{suffix}", contract)
