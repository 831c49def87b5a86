"""Read data.caf.fr open-data files as published (decision 019).

The Cnaf publishes its open data on an Opendatasoft portal; the CSV export (« Exporter » →
CSV, field names rather than labels) is ``;``-separated UTF-8 with a BOM, one row per territory
and year (and per quotient-familial bracket for ``ndur_s_qf_400_com_f``). Five datasets are read:

* ``s_ben_com_f`` — every benefit, by commune (``dtreffre``, ``numcomdo``, ``nomcom`` …);
* ``s_ben_dep`` — the same by département (``numdep``, ``nomdep``);
* ``txcouv_pe_epci`` — coverage rates of early-childhood care by EPCI (``annee``, ``numepci``);
* ``nbpla_pe_epci`` — places of early-childhood care by EPCI;
* ``ndur_s_qf_400_com_f`` — foyers allocataires by quotient-familial bracket (``qf_400``), by
  commune.

The dataset is recognised from the header (:func:`detect`), or named by the caller; a file that
is none of them is refused with the list of what was expected. Files are read through
:func:`cpog.ingest.tables.read_table`, so they are bounded before being read (size, rows,
columns, cell length) and may also be the same table saved as ``.xlsx``.

Codes stay text (« 01004 », « 2A004 », SIREN « 200041317 »). Placeholder rows — a code ``XX``,
``XXX`` or ``79XXX``, an empty code (allocataires that could not be located), a row whose every
value is secret or blank — are dropped and counted by reason; territories outside the caisse's
département are dropped (« hors département ») unless every territory is asked for. A secret or
blank value in a kept row is dropped alone and counted. The year field is ``annee`` (an integer
in most files, a date in ``txcouv_pe_nat``) or ``dtreffre`` (« 2022-12 »): ``2022``,
``2022-12``, ``2022-12-31`` and ``31/12/2022`` are read. Each bad cell gives a French message
naming the file, the line, the column and the value; nothing is returned half-read.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from cpog.ingest.bounds import Limits
from cpog.ingest.numbers import NumberError, parse_number
from cpog.ingest.tables import (
    CellIssue,
    ImportValidationError,
    Row,
    Table,
    ValidationReport,
    read_table_for_import,
    storable_problem,
)
from cpog.scope import ScopeKind, departement_code, kind_of_territory
from cpog.vocabulary import OPEN_DATASET

__all__ = [
    "DATASETS",
    "Dataset",
    "OpenDataFile",
    "OpenDataPoint",
    "commune_department",
    "detect",
    "read_open_data",
]

_BENEFITS = (
    "indfoy_ndur",
    "indnbp_ndur",
    "indfoy_af",
    "indfoy_cf",
    "indfoy_asf",
    "indfoy_ab",
    "indfoy_cmg",
    "indfoy_ndurpaje",
    "indfoy_apl",
    "indfoy_als",
    "indfoy_alf",
    "indfoy_ndural",
    "indfoy_rsa",
    "indmtt_rsa",
    "indfoy_ppa",
    "indmtt_ppa",
)
_RATES = (
    "txcouv",
    "txcouv_psu_col",
    "txcouv_hors_psu_col",
    "txcouv_prescol",
    "txcouv_am_ind",
    "txcouv_gad_ind",
    "txcouv_eaje",
    "txcouv_ind",
)
_PLACES = (
    "pl_psu_col",
    "pl_hors_psu_col",
    "pl_prescol",
    "pl_am_ind",
    "pl_gad_ind",
    "pl_eaje",
    "tot_offre",
)


@dataclass(frozen=True)
class Dataset:
    """One data.caf.fr dataset as cpog reads it. ``level`` is the kind of territory of a row
    (« commune », « epci », « departement »); ``period_field`` is ``annee`` (a year) or
    ``dtreffre`` (a month, December); ``values`` are the published numeric fields;
    ``category`` the field splitting a territory's row (a quotient-familial bracket)."""

    name: str
    level: str
    period_field: str
    code_field: str
    name_field: str
    values: tuple[str, ...]
    category: str = ""
    text_fields: tuple[str, ...] = ()  # other published text fields, read but not stored

    @property
    def label(self) -> str:
        return OPEN_DATASET[self.name]

    @property
    def monthly(self) -> bool:
        return self.period_field == "dtreffre"

    def expected_header(self) -> str:
        """The fields as the export writes them, for messages."""
        fields = [self.period_field, *self.text_fields, self.code_field, self.name_field]
        if self.category:
            fields.append(self.category)
        return ";".join([*fields, *self.values])


DATASETS: tuple[Dataset, ...] = (
    Dataset("s_ben_com_f", "commune", "dtreffre", "numcomdo", "nomcom", _BENEFITS),
    Dataset("s_ben_dep", "departement", "dtreffre", "numdep", "nomdep", _BENEFITS),
    Dataset(
        "txcouv_pe_epci",
        "epci",
        "annee",
        "numepci",
        "nomepci",
        tuple(f"{name}_epci" for name in _RATES),
        text_fields=("nomregi", "numdep"),
    ),
    Dataset(
        "nbpla_pe_epci",
        "epci",
        "annee",
        "numepci",
        "nomepci",
        tuple(f"{name}_epci" for name in _PLACES),
        text_fields=("nomregi", "numdep"),
    ),
    # The field names of the counts are not confirmed by a published header (decision 019):
    # both spellings are read.
    Dataset(
        "ndur_s_qf_400_com_f",
        "commune",
        "dtreffre",
        "numcomdo",
        "nomcom",
        ("indfoy_ndur", "indnbp_ndur", "ndur_foy", "ndur_pers"),
        category="qf_400",
    ),
)
_BY_NAME = {dataset.name: dataset for dataset in DATASETS}


@dataclass(frozen=True, slots=True)
class OpenDataPoint:
    """One published value kept: ``territory`` is the store's code of the territory (INSEE
    commune code, EPCI SIREN, « dep-79 »), ``period`` a period key (« 2022 » for a year,
    « 2022-12 » for the state of December), ``category`` the bracket or ``""``."""

    dataset: str
    field: str
    category: str
    territory: str
    period: str
    value: Decimal
    line: int = 0


@dataclass
class OpenDataFile:
    """A file read: its points and what was left out, by reason (vocabulary
    ``OPEN_DATA_DROPPED`` for rows, ``OPEN_DATA_CELL_DROPPED`` for cells)."""

    source: str
    dataset: Dataset
    rows_read: int
    points: list[OpenDataPoint] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    cells_dropped: Counter[str] = field(default_factory=Counter)
    names: dict[str, str] = field(default_factory=dict)  # territory code → name as published
    ignored_columns: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # the value fields the file has

    @property
    def rows_kept(self) -> int:
        return self.rows_read - sum(self.dropped.values())

    @property
    def territories(self) -> list[str]:
        return sorted({point.territory for point in self.points})

    @property
    def periods(self) -> list[str]:
        return sorted({point.period for point in self.points})


# --- recognising the dataset ---------------------------------------------------------------


def _matches(dataset: Dataset, headers: set[str]) -> bool:
    if dataset.period_field not in headers or dataset.code_field not in headers:
        return False
    if dataset.category:
        if dataset.category not in headers:
            return False
    elif any(d.category and d.category in headers for d in DATASETS):
        return False
    return any(name in headers for name in dataset.values)


def _expected_text() -> str:
    return " ; ".join(
        f"{d.name} ({d.label} : {d.period_field}, {d.code_field}"
        + (f", {d.category}" if d.category else "")
        + f" et au moins un champ parmi {', '.join(d.values[:3])}…)"
        for d in DATASETS
    )


def detect(source: str, headers: Iterable[str], wanted: str | None = None) -> Dataset:
    """The dataset a header belongs to, or ``wanted``'s after checking its fields are there.
    Raises :class:`ValueError` with a French message naming the file and what was expected."""
    found = {h.casefold() for h in headers}
    if wanted is not None:
        dataset = _BY_NAME.get(wanted.strip().casefold())
        if dataset is None:
            raise ValueError(
                f"Jeu de données inconnu : « {wanted} ». Jeux reconnus : "
                + ", ".join(d.name for d in DATASETS)
                + "."
            )
        missing = [
            name
            for name in (dataset.period_field, dataset.code_field, dataset.category)
            if name and name not in found
        ]
        if not any(name in found for name in dataset.values):
            missing.append("au moins un champ parmi " + ", ".join(dataset.values))
        if missing:
            raise ValueError(
                f"{source} n'a pas les colonnes du jeu {dataset.name} ({dataset.label}) :"
                f" il manque {', '.join(missing)}. En-tête attendu : {dataset.expected_header()}."
            )
        return dataset
    candidates = [d for d in DATASETS if _matches(d, found)]
    if len(candidates) == 1:
        return candidates[0]
    shown = ";".join(list(headers)[:8])
    raise ValueError(
        f"{source} n'est pas un fichier de data.caf.fr reconnu (en-tête : « {shown} »)."
        f" Jeux attendus : {_expected_text()}. Exportez le jeu en CSV avec les noms de champs"
        " (sans « use_labels »), ou nommez-le avec --jeu."
    )


# --- cells ---------------------------------------------------------------------------------

_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")
# How data.caf.fr and its reusers mark a value withheld by statistical secrecy.
SECRET_MARKERS = frozenset({"s", "secret", "nd", "n.d.", "nc", "n.c.", "c", "*", "x", "xx", "xxx"})
_YEAR = re.compile(r"(\d{4})")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?")
_FRENCH_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: [0-9:]+)?")


def _number(text: str) -> Decimal:
    """A published number (decimal point); a French one (« 57,4 ») as Excel may re-save it."""
    if _PLAIN.fullmatch(text):
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            pass
    return parse_number(text)


def _period(text: str, monthly: bool) -> str:
    """« 2022 », « 2022-12 », « 2022-12-31 » or « 31/12/2022 » → « 2022 » (a year field) or
    « 2022-12 » (``dtreffre``, a month). Raises ValueError (French)."""
    text = text.strip()
    year: int
    month: int | None = None
    if found := _YEAR.fullmatch(text):
        year = int(found.group(1))
    elif found := _YEAR_MONTH.fullmatch(text):
        year, month = int(found.group(1)), int(found.group(2))
        if not 1 <= month <= 12:
            raise ValueError("le mois doit être compris entre 01 et 12")
    elif found := _ISO_DAY.fullmatch(text):
        year, month, day = (int(g) for g in found.groups())
        _check_day(year, month, day)
    elif found := _FRENCH_DAY.fullmatch(text):
        day, month, year = (int(g) for g in found.groups())
        _check_day(year, month, day)
    else:
        raise ValueError(
            "année ou date non reconnue : écrivez 2022, 2022-12, 2022-12-31 ou 31/12/2022"
        )
    if not 1900 <= year <= 2200:
        raise ValueError("l'année doit être comprise entre 1900 et 2200")
    if monthly:
        return f"{year:04d}-{month or 12:02d}"
    return f"{year:04d}"


def _check_day(year: int, month: int, day: int) -> None:
    try:
        date(year, month, day)
    except ValueError:
        raise ValueError("cette date n'existe pas") from None


def commune_department(code: str) -> str:
    """The département of an INSEE commune code: « 79191 » → « 79 », « 97411 » → « 974 »,
    « 2A004 » → « 2A »."""
    return code[:3] if code.startswith("97") else code[:2]


def _territory(dataset: Dataset, code: str) -> str | None:
    """The store code of a published code, or None when it is not a valid code of its kind."""
    wanted = {"commune": ScopeKind.COMMUNE, "epci": ScopeKind.EPCI}.get(dataset.level)
    if wanted is not None:
        return code if kind_of_territory(code) is wanted else None
    found = departement_code(code.zfill(2))
    return found if kind_of_territory(found) is ScopeKind.DEPARTEMENT else None


_EXPECTED_CODE = {
    "commune": "code INSEE de commune à 5 caractères (79191, 2A004)",
    "epci": "SIREN d'EPCI à 9 chiffres (200041317)",
    "departement": "numéro de département (79, 2A, 974)",
}


# --- reading -------------------------------------------------------------------------------


def read_open_data(
    path: Path | str,
    *,
    dataset: str | None = None,
    department: str | None = None,
    epcis: Iterable[str] = (),
    name: str | None = None,
    limits: Limits | None = None,
) -> OpenDataFile:
    """Read a data.caf.fr file. ``dataset`` names it (else it is recognised from the header).

    ``department`` (« 79 »): only the territories of that département are kept — communes by
    their code, EPCI listed in ``epcis`` (the département's) or whose ``numdep`` is it, the
    département itself; the others are counted « hors département ». None keeps every territory.

    Raises :class:`ImportValidationError` listing every bad cell (file, line, column, value) or
    the reason the file is refused; nothing is returned half-read."""
    path = Path(path)
    table = read_table_for_import(path, name, limits=limits)
    # Opendatasoft field names are lower case; a header saved by hand may not be.
    columns = {header.casefold(): header for header in table.headers}
    try:
        found = detect(table.source, table.headers, dataset)
    except ValueError as error:
        raise ImportValidationError([CellIssue(table.source, 0, "", "", str(error))]) from error
    known = {
        found.period_field,
        found.code_field,
        found.name_field,
        found.category,
        *found.text_fields,
        *found.values,
    }
    result = OpenDataFile(table.source, found, len(table.rows))
    result.fields = [v for v in found.values if v in columns]
    result.ignored_columns = [columns[c] for c in columns if c not in known]
    report = ValidationReport()
    epci_set = frozenset(epcis)
    seen: dict[tuple[str, str, str], int] = {}
    for row in table.rows:
        _read_row(found, table, row, columns, report, result, department, epci_set, seen)
    report.raise_if_errors()
    return result


def _cell(row: Row, columns: dict[str, str], name: str) -> str:
    header = columns.get(name)
    return row.cells.get(header, "").strip() if header is not None else ""


def _read_row(
    found: Dataset,
    table: Table,
    row: Row,
    columns: dict[str, str],
    report: ValidationReport,
    result: OpenDataFile,
    department: str | None,
    epcis: frozenset[str],
    seen: dict[tuple[str, str, str], int],
) -> None:
    code = _cell(row, columns, found.code_field)
    if not code:
        result.dropped["non_localise"] += 1
        return
    if code.upper().endswith("X"):  # XX, XXX, 79XXX: no real territory
        result.dropped["code_fictif"] += 1
        return
    territory = _territory(found, code)
    if territory is None:
        expected = f"attendu : {_EXPECTED_CODE[found.level]}"
        if found.level == "commune" and code.isdigit() and len(code) == 4:
            expected += " ; le zéro initial a sans doute été perdu par un tableur"
        report.add_cell(table, row, columns[found.code_field], expected)
        return
    if department is not None and not _in_department(
        found, code, _cell(row, columns, "numdep"), department, epcis
    ):
        result.dropped["hors_departement"] += 1
        return
    period_header = columns[found.period_field]
    period = report.check(table, row, period_header, lambda t: _period(t, found.monthly))
    category = ""
    if found.category:
        category = _cell(row, columns, found.category)
        if not category:
            report.add_cell(table, row, columns[found.category], "tranche manquante")
    if period is None or (found.category and not category):
        return
    key = (territory, period, category)
    if key in seen:
        report.add_cell(
            table,
            row,
            columns[found.code_field],
            f"ligne en double : même territoire et même période que la ligne {seen[key]}",
        )
        return
    seen[key] = row.line
    points: list[OpenDataPoint] = []
    withheld: Counter[str] = Counter()
    for value_field in result.fields:
        header = columns[value_field]
        text = row.cells.get(header, "").strip()
        if not text or text == "-":
            withheld["vide"] += 1
            continue
        if text.casefold() in SECRET_MARKERS:
            withheld["secret"] += 1
            continue
        try:
            value = row.numbers[header] if header in row.numbers else _number(text)
        except NumberError as error:
            report.add_cell(table, row, header, error.cell_message)
            continue
        if problem := storable_problem(value):
            report.add_cell(table, row, header, problem)
            continue
        points.append(
            OpenDataPoint(found.name, value_field, category, territory, period, value, row.line)
        )
    if not points and report.ok:
        result.dropped["sans_valeur"] += 1
        return
    result.cells_dropped.update(withheld)
    result.points.extend(points)
    if published := _cell(row, columns, found.name_field):
        result.names.setdefault(territory, published)


def _in_department(
    found: Dataset, code: str, numdep: str, department: str, epcis: frozenset[str]
) -> bool:
    if found.level == "commune":
        return commune_department(code) == department
    if found.level == "epci":
        return code in epcis or (bool(numdep) and numdep.zfill(2) == department)
    return code.zfill(2) == department
