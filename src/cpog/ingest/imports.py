"""Validation of value and target files against a contract, cell by cell.

Every bad cell is reported at once (file, line, column, value, reason in French); nothing is
returned for writing unless the whole file is valid, so an import is all-or-nothing.

Columns (the header row; case and accents of headers are as in the templates, order free):

values  : identifiant · libellé (ignored) · période · valeur · numérateur · dénominateur ·
          statut (provisoire | définitive) · commentaire
targets : identifiant · libellé (ignored) · année · valeur · type de cible (nationale |
          individualisée | fixée | trajectoire) · provenance (annexe COG | notification Cnaf |
          CPOG | déduite) · comparateur (< ≤ ≥ >) · motif

``identifiant`` is an indicator id (``cog-08-29``), an indicator code as written in the contract
(``COG 08-29``, ``COG-01-02``) or a targeted-result measure id (``d04-r5-teleprocedures``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cpog.contract.model import Contract, MeasureKind
from cpog.ingest.tables import Row, Table, ValidationReport
from cpog.periods import Period, PeriodError, parse_period

VALUE_COLUMNS = [
    "identifiant",
    "libellé",
    "période",
    "valeur",
    "numérateur",
    "dénominateur",
    "statut",
    "commentaire",
]
TARGET_COLUMNS = [
    "identifiant",
    "libellé",
    "année",
    "valeur",
    "type de cible",
    "provenance",
    "comparateur",
    "motif",
]
REQUIRED_VALUE_COLUMNS = {"identifiant", "période", "valeur"}
REQUIRED_TARGET_COLUMNS = {"identifiant", "année", "valeur", "type de cible", "provenance"}

STATUSES = {"provisoire": "provisional", "definitive": "definitive", "": "provisional"}
STATUS_WORDS = ["provisoire", "définitive"]
TARGET_KINDS = {
    "nationale": "national",
    "individualisee": "individualised",
    "fixee": "fixed",
    "trajectoire": "trajectory",
}
TARGET_KIND_WORDS = ["nationale", "individualisée", "fixée", "trajectoire"]
PROVENANCES = {
    "annexe cog": "cog_annex",
    "notification cnaf": "cnaf_notification",
    "cpog": "cpog",
    "deduite": "derived",
}
PROVENANCE_WORDS = ["annexe COG", "notification Cnaf", "CPOG", "déduite"]
COMPARATORS = {"": "", "<": "lt", "≤": "le", "<=": "le", "≥": "ge", ">=": "ge", ">": "gt"}
COMPARATOR_WORDS = ["<", "≤", "≥", ">"]


def plain_key(text: str) -> str:
    """Lower case without accents, for matching words people type in different ways."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@dataclass(frozen=True)
class Subject:
    subject_type: str  # "indicator" | "measure"
    subject_id: str
    label: str
    unit: str
    measure_kind: MeasureKind | None = None


def subjects_of(contract: Contract) -> dict[str, Subject]:
    """Every identifier a file may use, mapped to what it designates."""
    found: dict[str, Subject] = {}
    for indicator in contract.indicators:
        subject = Subject("indicator", indicator.id, indicator.label, indicator.unit)
        for key in (indicator.id, indicator.code, indicator.code_as_written):
            if key:
                found[plain_key(key)] = subject
    for _, _, measure in contract.measures():
        found[plain_key(measure.id)] = Subject(
            "measure", measure.id, measure.label, measure.unit or "", measure.kind
        )
    return found


@dataclass(frozen=True)
class ValueRow:
    line: int
    subject: Subject
    period: Period
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    status: str
    comment: str


@dataclass(frozen=True)
class TargetRow:
    line: int
    subject: Subject
    year: int
    value: Decimal
    kind: str
    provenance: str
    comparator: str
    reason: str


def _columns(table: Table, wanted: list[str], required: set[str], report: ValidationReport) -> bool:
    plain = {plain_key(h): h for h in table.headers}
    missing = [c for c in wanted if c in required and plain_key(c) not in plain]
    unknown = [h for h in table.headers if plain_key(h) not in {plain_key(w) for w in wanted}]
    for column in missing:
        report.add(table.source, table.header_line, column, "", "colonne obligatoire absente")
    for header in unknown:
        report.add(
            table.source,
            table.header_line,
            table.label(header),
            table.label(header),
            f"colonne inconnue (colonnes attendues : {', '.join(wanted)})",
        )
    # Rows are read by the template's names whatever the headers' case and accents.
    for row in table.rows:
        row.cells = {_canonical(k, wanted): v for k, v in row.cells.items()}
        row.numbers = {_canonical(k, wanted): v for k, v in row.numbers.items()}
    table.original_headers = {_canonical(h, wanted): table.label(h) for h in table.headers}
    table.headers = [_canonical(h, wanted) for h in table.headers]
    return not missing and not unknown


def _canonical(header: str, wanted: list[str]) -> str:
    return next((w for w in wanted if plain_key(w) == plain_key(header)), header)


def _subject(
    table: Table, row: Row, subjects: dict[str, Subject], report: ValidationReport
) -> Subject | None:
    key = row.cells.get("identifiant", "")
    if not key:
        report.add_cell(table, row, "identifiant", "valeur manquante")
        return None
    subject = subjects.get(plain_key(key))
    if subject is None:
        report.add_cell(
            table,
            row,
            "identifiant",
            "identifiant inconnu dans le contrat (code d'indicateur comme « COG 08-29 », "
            "identifiant comme « iql0 » ou mesure de résultat visé comme « d01-r3-creches-avip »)",
        )
    return subject


def _choice(
    table: Table,
    row: Row,
    column: str,
    choices: dict[str, str],
    words: list[str],
    report: ValidationReport,
) -> str | None:
    raw = row.cells.get(column, "")
    found = choices.get(plain_key(raw)) if raw or "" in choices else None
    if found is None:
        allowed = ", ".join(words)
        report.add_cell(table, row, column, f"valeur non permise (valeurs permises : {allowed})")
    return found


def validate_values(
    table: Table, contract: Contract, today: date
) -> tuple[list[ValueRow], ValidationReport]:
    """Check a values file; the rows are returned only when the report is empty."""
    report = ValidationReport()
    if not _columns(table, VALUE_COLUMNS, REQUIRED_VALUE_COLUMNS, report):
        return [], report
    subjects = subjects_of(contract)
    rows: list[ValueRow] = []
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        if not row.cells.get("période") and not row.cells.get("valeur"):
            continue  # a template line left unfilled
        subject = _subject(table, row, subjects, report)
        period = report.check(table, row, "période", parse_period)
        value = report.number(table, row, "valeur")
        numerator = report.number(table, row, "numérateur", required=False)
        denominator = report.number(table, row, "dénominateur", required=False)
        status = _choice(table, row, "statut", STATUSES, STATUS_WORDS, report)
        if period is not None and period.end > today:
            report.add_cell(
                table, row, "période", f"période pas encore terminée au {today:%d/%m/%Y}"
            )
        if denominator is not None and denominator == 0:
            report.add_cell(table, row, "dénominateur", "dénominateur nul")
        if (
            subject is not None
            and subject.measure_kind == MeasureKind.MILESTONE
            and (value is not None and not Decimal(0) <= value <= Decimal(100))
        ):
            report.add_cell(table, row, "valeur", "un jalon s'exprime en % réalisé, de 0 à 100")
        if subject is not None and period is not None:
            key = (subject.subject_id, period.key)
            if key in seen:
                report.add_cell(
                    table,
                    row,
                    "période",
                    f"valeur déjà donnée ligne {seen[key]} pour la même période",
                )
            seen[key] = row.line
        if subject is None or period is None or value is None or status is None or not report.ok:
            continue
        rows.append(
            ValueRow(
                row.line,
                subject,
                period,
                value,
                numerator,
                denominator,
                status,
                row.cells.get("commentaire", ""),
            )
        )
    return (rows if report.ok else []), report


def _year(text: str) -> int:
    if not text.strip().isdigit() or not 1990 <= int(text) <= 2100:
        raise PeriodError(f"Année non reconnue : « {text} » (attendu : 2025).")
    return int(text)


def validate_targets(table: Table, contract: Contract) -> tuple[list[TargetRow], ValidationReport]:
    """Check a targets file; the rows are returned only when the report is empty."""
    report = ValidationReport()
    if not _columns(table, TARGET_COLUMNS, REQUIRED_TARGET_COLUMNS, report):
        return [], report
    subjects = subjects_of(contract)
    rows: list[TargetRow] = []
    seen: dict[tuple[str, int, str], int] = {}
    span = f"{contract.period.start}-{contract.period.end}"
    for row in table.rows:
        if not row.cells.get("année") and not row.cells.get("valeur"):
            continue  # a template line left unfilled
        subject = _subject(table, row, subjects, report)
        year = report.check(table, row, "année", _year)
        value = report.number(table, row, "valeur")
        kind = _choice(table, row, "type de cible", TARGET_KINDS, TARGET_KIND_WORDS, report)
        provenance = _choice(table, row, "provenance", PROVENANCES, PROVENANCE_WORDS, report)
        comparator = _choice(table, row, "comparateur", COMPARATORS, COMPARATOR_WORDS, report)
        reason = row.cells.get("motif", "")
        if year is not None and not contract.period.start <= year <= contract.period.end:
            report.add_cell(table, row, "année", f"année hors de la période du contrat ({span})")
        if subject is not None and year is not None and kind is not None:
            key = (subject.subject_id, year, kind)
            if key in seen:
                report.add_cell(
                    table,
                    row,
                    "année",
                    f"cible déjà donnée ligne {seen[key]} (même type, même année)",
                )
            seen[key] = row.line
        if (
            subject is None
            or year is None
            or value is None
            or kind is None
            or provenance is None
            or comparator is None
        ):
            continue
        rows.append(TargetRow(row.line, subject, year, value, kind, provenance, comparator, reason))
    return (rows if report.ok else []), report
