"""data.caf.fr files read as published (cpog.ingest.opendata): each of the five datasets
recognised from its header, placeholder rows dropped and counted, codes kept as text, the year
field's two types, bad cells named, a file that is none of them refused with what was expected."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from cpog.contexts.opendata import bracket_below
from cpog.ingest.opendata import read_open_data
from cpog.ingest.tables import ImportValidationError
from opendata_samples import (
    NBPLA_PE_EPCI,
    NDUR_S_QF_400_COM_F,
    NOT_OPEN_DATA,
    S_BEN_COM_F,
    S_BEN_COM_F_RSA,
    S_BEN_DEP,
    TXCOUV_PE_EPCI,
    TXCOUV_PE_EPCI_DATES,
    write_sample,
)

EPCIS = ("200041317", "200040244")


def _read(tmp_path: Path, name: str, text: str, **options: object):  # type: ignore[no-untyped-def]
    return read_open_data(write_sample(tmp_path, name, text), **options)  # type: ignore[arg-type]


def test_communes_of_the_departement_kept_placeholders_counted(tmp_path: Path) -> None:
    data = _read(tmp_path, "s_ben_com_f.csv", S_BEN_COM_F, department="79", epcis=EPCIS)
    assert data.dataset.name == "s_ben_com_f"
    assert (data.rows_read, data.rows_kept) == (9, 4)
    assert data.dropped == {
        "code_fictif": 1,  # 79XXX
        "non_localise": 1,  # empty code
        "hors_departement": 2,  # 01004, 2A004
        "sans_valeur": 1,  # every value secret or blank
    }
    assert data.cells_dropped == {"secret": 1}  # Chauray's indfoy_asf
    assert data.territories == ["79049", "79081", "79191"]
    assert data.periods == ["2022-12", "2023-12"]  # the state of December
    assert len(data.fields) == 16
    values = {(p.territory, p.period, p.field): p.value for p in data.points}
    assert values[("79191", "2022-12", "indfoy_ndur")] == Decimal(17250)
    assert values[("79191", "2022-12", "indmtt_rsa")] == Decimal(1094500)
    assert ("79081", "2022-12", "indfoy_asf") not in values  # secret: not a zero
    assert values[("79081", "2022-12", "indfoy_ab")] == Decimal(85)
    assert data.names["79191"] == "Niort"


def test_every_territory_with_codes_as_text(tmp_path: Path) -> None:
    data = _read(tmp_path, "s_ben_com_f.csv", S_BEN_COM_F)  # no département: all kept
    assert "hors_departement" not in data.dropped
    assert {"01004", "2A004"} <= set(data.territories)  # leading zero and Corsica kept


def test_the_fields_of_a_real_export(tmp_path: Path) -> None:
    data = _read(tmp_path, "export.csv", S_BEN_COM_F_RSA, department="79")
    assert data.dataset.name == "s_ben_com_f"
    assert data.fields == ["indfoy_rsa", "indmtt_rsa", "indfoy_ppa", "indmtt_ppa"]
    assert data.periods == ["2024-12"]


def test_departement_file(tmp_path: Path) -> None:
    data = _read(tmp_path, "s_ben_dep.csv", S_BEN_DEP, department="79")
    assert data.dataset.name == "s_ben_dep"
    assert data.territories == ["dep-79"]
    assert data.dropped == {"hors_departement": 1, "code_fictif": 1}


def test_epci_rates_with_the_xx_row(tmp_path: Path) -> None:
    data = _read(tmp_path, "txcouv.csv", TXCOUV_PE_EPCI, department="79", epcis=EPCIS)
    assert data.dataset.name == "txcouv_pe_epci"
    assert data.dropped == {"hors_departement": 1, "code_fictif": 1}  # XX carries 195.8
    assert data.territories == ["200040244", "200041317"]  # SIREN kept as text
    assert data.periods == ["2022"]
    rates = {(p.territory, p.field): p.value for p in data.points}
    assert rates[("200041317", "txcouv_epci")] == Decimal("71.4")
    assert "nomregi" not in data.ignored_columns and not data.ignored_columns


def test_the_year_field_as_a_date(tmp_path: Path) -> None:
    data = _read(tmp_path, "txcouv.csv", TXCOUV_PE_EPCI_DATES, department="79", epcis=EPCIS)
    assert data.periods == ["2021", "2023"]  # 31/12/2021 and 2023-12-31


def test_places_and_brackets(tmp_path: Path) -> None:
    places = _read(tmp_path, "nbpla.csv", NBPLA_PE_EPCI, department="79", epcis=EPCIS)
    assert places.dataset.name == "nbpla_pe_epci"
    assert places.dropped == {"code_fictif": 1}
    brackets = _read(tmp_path, "qf.csv", NDUR_S_QF_400_COM_F, department="79")
    assert brackets.dataset.name == "ndur_s_qf_400_com_f"
    assert {p.category for p in brackets.points} == {
        "< 400 €",
        "400 - 799 €",
        "800 - 1199 €",
        ">= 4000 €",
    }
    assert brackets.dropped == {"code_fictif": 1}


def test_a_file_that_is_no_open_data(tmp_path: Path) -> None:
    with pytest.raises(ImportValidationError) as refused:
        _read(tmp_path, "valeurs.csv", NOT_OPEN_DATA)
    message = str(refused.value.issues[0])
    assert "valeurs.csv n'est pas un fichier de data.caf.fr reconnu" in message
    for name in ("s_ben_com_f", "s_ben_dep", "txcouv_pe_epci", "nbpla_pe_epci"):
        assert name in message
    assert "ndur_s_qf_400_com_f" in message and "--jeu" in message


def test_a_dataset_named_but_columns_missing(tmp_path: Path) -> None:
    with pytest.raises(ImportValidationError) as refused:
        _read(tmp_path, "places.csv", NBPLA_PE_EPCI, dataset="s_ben_dep")
    assert "il manque dtreffre, au moins un champ parmi indfoy_ndur" in str(refused.value.issues[0])
    with pytest.raises(ImportValidationError) as unknown:
        _read(tmp_path, "places.csv", NBPLA_PE_EPCI, dataset="nbpla_pe_com")
    assert "Jeu de données inconnu : « nbpla_pe_com »" in str(unknown.value.issues[0])
    named = _read(tmp_path, "places.csv", NBPLA_PE_EPCI, dataset="NBPLA_PE_EPCI")
    assert named.dataset.name == "nbpla_pe_epci"


def test_bad_cells_named_with_file_line_column_value(tmp_path: Path) -> None:
    text = (
        "annee;nomregi;numdep;numepci;nomepci;txcouv_epci\n"
        "2022;NA;79;200041317;CA du Niortais;71,4,2\n"
        "vers 2022;NA;79;200040244;CA du Bocage Bressuirais;80.2\n"
        "2022;NA;79;20004024;CA tronquée;80.2\n"
        "2022;NA;79;200041317;CA du Niortais;71.4\n"
        "2022;NA;79;200041317;CA du Niortais;71.4\n"
    )
    with pytest.raises(ImportValidationError) as refused:
        _read(tmp_path, "txcouv.csv", text, department="79", epcis=EPCIS)
    messages = [str(issue) for issue in refused.value.issues]
    assert messages[0] == (
        "txcouv.csv, ligne 2, colonne « txcouv_epci » : « 71,4,2 » — nombre non reconnu :"
        " il y a plusieurs virgules."
    )
    assert messages[1].startswith("txcouv.csv, ligne 3, colonne « annee » : « vers 2022 » —")
    assert messages[2] == (
        "txcouv.csv, ligne 4, colonne « numepci » : « 20004024 » — attendu : SIREN d'EPCI à"
        " 9 chiffres (200041317)."
    )
    assert messages[3] == (
        "txcouv.csv, ligne 5, colonne « numepci » : « 200041317 » — ligne en double : même"
        " territoire et même période que la ligne 2."
    )
    assert refused.value.total == 5  # line 6 repeats line 2 too


def test_a_commune_code_that_lost_its_zero(tmp_path: Path) -> None:
    text = "dtreffre;numcomdo;nomcom;indfoy_ndur\n2022-12;1004;Ambérieu-en-Bugey;2610\n"
    with pytest.raises(ImportValidationError) as refused:
        _read(tmp_path, "s_ben_com_f.csv", text)
    assert str(refused.value.issues[0]) == (
        "s_ben_com_f.csv, ligne 2, colonne « numcomdo » : « 1004 » — attendu : code INSEE de"
        " commune à 5 caractères (79191, 2A004) ; le zéro initial a sans doute été perdu par un"
        " tableur."
    )


def test_a_bounded_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CPOG_IMPORT_MAX_BYTES", "100")
    with pytest.raises(ImportValidationError) as refused:
        _read(tmp_path, "s_ben_com_f.csv", S_BEN_COM_F)
    assert "Fichier refusé : s_ben_com_f.csv" in str(refused.value.issues[0])


def test_the_same_table_as_xlsx(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in TXCOUV_PE_EPCI.splitlines():
        cells: list[object] = []
        for index, cell in enumerate(line.split(";")):
            # the rates as numbers, the codes as text, as the portal writes them
            cells.append(float(cell) if index >= 5 and cell and cell[0].isdigit() else cell)
        sheet.append(cells)
    path = tmp_path / "txcouv_pe_epci.xlsx"
    book.save(path)
    data = read_open_data(path, department="79", epcis=EPCIS)
    assert data.dataset.name == "txcouv_pe_epci"
    assert data.territories == ["200040244", "200041317"]
    assert {(p.territory, p.field): p.value for p in data.points}[
        ("200040244", "txcouv_epci")
    ] == Decimal("80.2")


@pytest.mark.parametrize(
    ("label", "below"),
    [
        ("< 400 €", True),
        ("400 - 799 €", True),
        ("De 400 à 799 €", True),
        ("800 - 1199 €", False),
        (">= 4000 €", False),
        ("4 000 € et plus", False),
        ("non renseigné", None),
    ],
)
def test_brackets_below_800(label: str, below: bool | None) -> None:
    assert bracket_below(label, 800) is below
