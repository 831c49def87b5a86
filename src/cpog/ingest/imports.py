"""Validation of value and target files against a contract, cell by cell.

Every bad cell is reported at once (file, line, column, value, reason in French); nothing is
returned for writing unless the whole file is valid, so an import is all-or-nothing. Each value
goes through :mod:`cpog.ingest.value_rule`, the rule of every door.

No line is dropped without a word: a line is a value (or a target), an error, or an empty
template line — identifiant filled, every other column but libellé blank — counted in
:attr:`ValuesCheck.skipped` (an API call reports such items as errors instead).

Columns (the header row, matched by name in any order, case and accents ignored; unknown,
missing and doubled columns are reported):

values  : identifiant · libellé (ignored) · période · valeur · numérateur · dénominateur ·
          statut (provisoire, définitive, définitif, déf., prov. …) · commentaire · territoire
          · motif (optional, not in the templates: why a value of a frozen year changes,
          decision 027)
targets : identifiant · libellé (ignored) · année · valeur · type de cible (nationale |
          individualisée | fixée | trajectoire) · provenance (annexe COG | notification Cnaf |
          CPOG | déduite) · comparateur (< ≤ ≥ >) · motif · territoire

``territoire`` (optional, decision 020): the code of a territory of the caisse (an EPCI's SIREN,
a commune's INSEE code, « dep-79 », « ctg-… »); empty, the line is the caisse's. The caller
gives the function that reads it (:data:`TerritoryOf`); each territory's values are checked
against that territory's own series.

``identifiant`` is an indicator id (``cog-08-29``), an indicator code as written in the contract
(``COG 08-29``, ``COG-01-02``) or a targeted-result measure id (``d04-r5-teleprocedures``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cpog.contract.model import Contract
from cpog.ingest.tables import Row, Table, ValidationReport
from cpog.ingest.value_rule import (
    Cell,
    Entry,
    Problem,
    RawEntry,
    SeriesSource,
    Subject,
    check_target_value,
    check_values,
    check_without_subject,
    plain_key,
    subjects_of,
)
from cpog.periods import Period, PeriodError

VALUE_COLUMNS = [
    "identifiant",
    "libellé",
    "période",
    "valeur",
    "numérateur",
    "dénominateur",
    "statut",
    "commentaire",
    "territoire",
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
    "territoire",
]
# The columns a values file may have: the template's, and « motif » (a value of a frozen year
# changes only with one: cpog.store.period_locks).
VALUE_MOTIF = "motif"
ACCEPTED_VALUE_COLUMNS = [*VALUE_COLUMNS, VALUE_MOTIF]
REQUIRED_VALUE_COLUMNS = {"identifiant", "période", "valeur"}
REQUIRED_TARGET_COLUMNS = {"identifiant", "année", "valeur", "type de cible", "provenance"}

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
TERRITORY = "territoire"

# A territory's text as written (« 200041317 », « Dep-79 ») → its store code, « » for the caisse;
# raises ValueError with a French message for a code that names nothing of the caisse.
TerritoryOf = Callable[[str], str]


def _no_territory(text: str) -> str:
    if text.strip():
        raise ValueError("territoire non pris en charge ici : laissez la colonne vide")
    return ""


@dataclass(frozen=True)
class ValueRow:
    line: int
    entry: Entry
    territory: str = ""  # store code of the territory; "" for the caisse
    motif: str = ""  # why a value of a frozen year changes

    @property
    def subject(self) -> Subject:
        return self.entry.subject

    @property
    def period(self) -> Period:
        return self.entry.period

    @property
    def value(self) -> Decimal:
        return self.entry.value


@dataclass
class ValuesCheck:
    """What a values file holds: its valid rows (all of them, or none when ``report`` has an
    error) and the lines of the template left empty."""

    rows: list[ValueRow]
    report: ValidationReport
    skipped: list[int] = field(default_factory=list)


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
    territory: str = ""  # store code of the territory; "" for the caisse


def _territory(
    table: Table, row: Row, territory_of: TerritoryOf, report: ValidationReport
) -> str | None:
    """The store code of the line's territory ("" for the caisse), or None (reported)."""
    try:
        return territory_of(row.cells.get(TERRITORY, ""))
    except ValueError as error:
        report.add_cell(table, row, TERRITORY, str(error).rstrip("."))
        return None


def _columns(table: Table, wanted: list[str], required: set[str], report: ValidationReport) -> bool:
    """Match the headers with the template's columns by name, in any order, case and accents
    ignored; rows are then read by the template's names."""
    known = {plain_key(w): w for w in wanted}
    by_name: dict[str, list[str]] = {}
    for header in table.headers:
        by_name.setdefault(known.get(plain_key(header), header), []).append(header)
    missing = [c for c in wanted if c in required and c not in by_name]
    unknown = [h for h in table.headers if plain_key(h) not in known]
    doubled = [names for column, names in by_name.items() if column in wanted and len(names) > 1]
    for column in missing:
        report.add(
            table.source,
            table.header_line,
            column,
            "",
            f"colonne obligatoire absente (colonnes lues : {', '.join(table.headers)})",
        )
    for header in unknown:
        report.add(
            table.source,
            table.header_line,
            table.label(header),
            table.label(header),
            f"colonne inconnue (colonnes attendues : {', '.join(wanted)})",
        )
    for names in doubled:
        shown = " et ".join(f"« {table.label(n)} »" for n in names)
        report.add(
            table.source,
            table.header_line,
            table.label(names[1]),
            "",
            f"colonne en double : {shown} désignent la même colonne",
        )
    if missing or unknown or doubled:
        return False
    renamed = {h: known[plain_key(h)] for h in table.headers}
    if any(header != name for header, name in renamed.items()):  # else: nothing to rename
        for row in table.rows:
            row.cells = {renamed[k]: v for k, v in row.cells.items()}
            if row.numbers:
                row.numbers = {renamed[k]: v for k, v in row.numbers.items()}
            if row.percent:
                row.percent = {renamed[k] for k in row.percent}
    table.original_headers = {known[plain_key(h)]: table.label(h) for h in table.headers}
    table.headers = [known[plain_key(h)] for h in table.headers]
    return True


def _subject(
    table: Table, row: Row, subjects: dict[str, Subject], report: ValidationReport
) -> Subject | None:
    key = row.cells.get("identifiant", "")
    if not key:
        report.add_cell(table, row, "identifiant", "valeur manquante")
        return None
    subject = subjects.get(key)  # ``subjects`` learns each spelling met (see validate_values)
    if subject is None:
        subject = subjects.get(plain_key(key))
        if subject is not None:
            subjects[key] = subject
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


def _template_line(row: Row, filled: tuple[str, ...]) -> bool:
    """A line of the template left as it was: its identifiant, nothing else but its libellé."""
    if not row.cells.get("identifiant"):
        return False
    return all(not text or column in filled for column, text in row.cells.items())


def _cell(row: Row, column: str) -> Cell:
    return Cell(row.cells.get(column, ""), row.numbers.get(column), column in row.percent)


def validate_values(
    table: Table,
    contract: Contract,
    today: date,
    series: SeriesSource | None = None,
    *,
    skip_template_lines: bool = True,
    territory_of: TerritoryOf = _no_territory,
    series_of: Callable[[str], SeriesSource | None] | None = None,
) -> ValuesCheck:
    """Check a values file; the rows are returned only when the report is empty.

    ``series`` gives the subjects' stored values, for the checks that need them (rates written
    as fractions, unusual values); ``series_of(code)`` those of a territory (a line with a
    « territoire »). An API call passes ``skip_template_lines=False``: an item without period
    nor value is an error there, not a template line.
    """
    report = ValidationReport()
    if not _columns(table, ACCEPTED_VALUE_COLUMNS, REQUIRED_VALUE_COLUMNS, report):
        return ValuesCheck([], report)
    subjects = dict(subjects_of(contract))
    skipped: list[int] = []
    items: list[tuple[Row, Subject, RawEntry]] = []
    territories: list[str] = []
    for row in table.rows:
        if skip_template_lines and _template_line(row, ("identifiant", "libellé")):
            skipped.append(row.line)
            continue
        subject = _subject(table, row, subjects, report)
        territory = _territory(table, row, territory_of, report)
        raw = RawEntry(
            row.cells.get("période", ""),
            _cell(row, "valeur"),
            _cell(row, "numérateur"),
            _cell(row, "dénominateur"),
            row.cells.get("statut", ""),
            row.cells.get("commentaire", ""),
        )
        if subject is None or territory is None:
            for problem in check_without_subject(raw):
                report.add_cell(table, row, problem.field, problem.message)
            continue
        items.append((row, subject, raw))
        territories.append(territory)
    results = _checked(items, territories, today, series, series_of)
    rows: list[ValueRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for (row, _, _), territory, (entry, problems) in zip(items, territories, results, strict=True):
        for problem in problems:
            report.add_cell(table, row, problem.field, problem.message)
        if entry is None:
            continue
        key = (territory, entry.subject.subject_id, entry.period.key)
        if key in seen:
            report.add_cell(
                table, row, "période", f"valeur déjà donnée ligne {seen[key]} pour la même période"
            )
            continue
        seen[key] = row.line
        rows.append(ValueRow(row.line, entry, territory, row.cells.get(VALUE_MOTIF, "").strip()))
    if not rows and report.ok:
        report.add(
            table.source,
            0,
            "",
            "",
            f"Aucune valeur à importer dans {table.source}"
            + (
                (
                    " : la ligne du modèle est vide"
                    if len(skipped) == 1
                    else f" : les {len(skipped)} lignes du modèle sont vides"
                )
                if skipped
                else " : le fichier n'a que sa ligne d'en-tête"
            ),
        )
    return ValuesCheck(rows if report.ok else [], report, skipped)


def _checked(
    items: list[tuple[Row, Subject, RawEntry]],
    territories: list[str],
    today: date,
    series: SeriesSource | None,
    series_of: Callable[[str], SeriesSource | None] | None,
) -> list[tuple[Entry | None, list[Problem]]]:
    """The value rule on every item, each territory's against its own series; in item order."""
    groups: dict[str, list[int]] = {}
    for index, territory in enumerate(territories):
        groups.setdefault(territory, []).append(index)
    if not groups or set(groups) == {""}:
        return check_values([(s, r) for _, s, r in items], today, series)
    results: list[tuple[Entry | None, list[Problem]]] = [(None, [])] * len(items)
    for territory, indexes in groups.items():
        source = series if not territory else (series_of(territory) if series_of else None)
        done = check_values([items[i][1:] for i in indexes], today, source)
        for index, result in zip(indexes, done, strict=True):
            results[index] = result
    return results


def _year(text: str) -> int:
    if not text.strip().isdigit() or not 1990 <= int(text) <= 2100:
        raise PeriodError(f"Année non reconnue : « {text} » (attendu : 2025).")
    return int(text)


@dataclass
class TargetsCheck:
    """What a targets file holds: its valid rows (all, or none when ``report`` has an error)
    and the lines of the template left empty."""

    rows: list[TargetRow]
    report: ValidationReport
    skipped: list[int] = field(default_factory=list)


def validate_targets(
    table: Table,
    contract: Contract,
    *,
    skip_template_lines: bool = True,
    territory_of: TerritoryOf = _no_territory,
) -> TargetsCheck:
    """Check a targets file; the rows are returned only when the report is empty."""
    report = ValidationReport()
    if not _columns(table, TARGET_COLUMNS, REQUIRED_TARGET_COLUMNS, report):
        return TargetsCheck([], report)
    subjects = subjects_of(contract)
    rows: list[TargetRow] = []
    skipped: list[int] = []
    seen: dict[tuple[str, str, int, str], int] = {}
    span = f"{contract.period.start}-{contract.period.end}"
    for row in table.rows:
        if skip_template_lines and _template_line(row, ("identifiant", "libellé")):
            skipped.append(row.line)
            continue
        subject = _subject(table, row, subjects, report)
        year = report.check(table, row, "année", _year)
        value = report.number(table, row, "valeur")
        kind = _choice(table, row, "type de cible", TARGET_KINDS, TARGET_KIND_WORDS, report)
        provenance = _choice(table, row, "provenance", PROVENANCES, PROVENANCE_WORDS, report)
        comparator = _choice(table, row, "comparateur", COMPARATORS, COMPARATOR_WORDS, report)
        reason = row.cells.get("motif", "")
        territory = _territory(table, row, territory_of, report)
        if year is not None and not contract.period.start <= year <= contract.period.end:
            report.add_cell(table, row, "année", f"année hors de la période du contrat ({span})")
        if "valeur" in row.percent:
            report.add_cell(
                table,
                row,
                "valeur",
                "cellule au format pourcentage (0,935 affiché 93,5 %) : écrivez la cible telle"
                " qu'elle se lit (93,5) dans une cellule au format nombre",
            )
            value = None
        if (
            subject is not None
            and value is not None
            and (problem := check_target_value(subject, value))
        ):
            report.add_cell(table, row, "valeur", problem)
            value = None
        if subject is not None and year is not None and kind is not None:
            key = (territory or "", subject.subject_id, year, kind)
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
            or territory is None
        ):
            continue
        rows.append(
            TargetRow(
                row.line, subject, year, value, kind, provenance, comparator, reason, territory
            )
        )
    if not rows and report.ok:
        report.add(table.source, 0, "", "", f"Aucune cible à importer dans {table.source}")
    return TargetsCheck(rows if report.ok else [], report, skipped)
