"""One rule for every value, whatever the door: the entry form, a file import, the API.

A value is accepted or refused here, with the same French reason, wherever it comes from; each
door only says where the problem is (a form field, a file's line and column, an API item).

What the rule checks, for one subject (an indicator or a measure of a targeted result):

* **identifiant** — a measure linked to an indicator (``Measure.indicator``) takes that
  indicator's values: a value entered for it is refused, naming the indicator to enter instead;
* **période** — the grain of the subject: an indicator's periodicity (« mars 2025 » for a monthly
  one), and for a year-to-date indicator « cumul à fin mars 2025 » too (stored as « mars 2025 »,
  its values being cumulated already); a measure is annual; only a closed period takes a value.
  A refusal lists the accepted forms;
* **valeur** — a French number that the store can keep, within the range of the subject's unit
  (:func:`cpog.contract.units.value_range`: 0 to 100 for a rate, 0 or more for counts, délais,
  amounts; what the contract declares otherwise); a milestone is a % done, 0 to 100;
* **numérateur / dénominateur** — both or neither, not negative, a denominator not zero; the value
  must agree with them (100 × n / d for a unit « % », n / d otherwise) within the precision the
  value is written with (half its last written decimal, at least 0,05 % of it); a blank value is
  computed from them (rounded to 2 decimals) and marked as computed;
* **statut** — what people write: provisoire, prov., définitive, définitif, déf., def… (any
  case, accents optional); blank is provisoire.

Two things are never decided silently; they need the user's confirmation (:attr:`Entry.conversion`,
:attr:`Entry.unusual`), and nothing is written until it is given:

* **a rate written as a fraction** — for a subject in « % », a value read from a spreadsheet
  cell formatted as a percentage (0,935 shown as 93,5 %) is 93,5; for a proportion (a « % »
  between 0 and 100, not an evolution rate that can be negative), a value v with 0 < v ≤ 1
  written without « % » is read as the fraction 100 × v when 100 × v is nearer the latest
  earlier value of the series (stored, or earlier in the same file) than v is, in ratio (0,861
  after 86 %), or when there is no earlier value at all; it stays v when v itself is nearer (0,9
  after an absenteeism of 1,1 %) or when the line's numérateur / dénominateur say v %
  (100 × n / d ≈ v). Writing « 0,861 % » with the sign always means 0,861 %;
* **a value far from its series** — :func:`cpog.assess.outliers.unusual`, asked through
  :class:`SeriesSource` so that this module needs neither the store nor the assessment.

The rule works on a batch (:func:`check_values`): values of one subject are checked in the order
of their periods, each one against the series as completed by the ones before it.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Protocol

from cpog.assess.types import PERIOD_UNITS
from cpog.contract.model import (
    Contract,
    Cumulation,
    MeasureKind,
    ValueRange,
)
from cpog.contract.units import value_range
from cpog.formatting import fr_number
from cpog.ingest.numbers import NumberError, parse_number_with_unit
from cpog.ingest.tables import storable_problem
from cpog.periods import Period, PeriodError, PeriodUnit, parse_period

__all__ = [
    "STATUS_WORDS",
    "Cell",
    "Entry",
    "Problem",
    "RawEntry",
    "Series",
    "SeriesSource",
    "Subject",
    "check_target_value",
    "check_values",
    "check_without_subject",
    "plain_key",
    "range_text",
    "read_status",
    "subjects_of",
]

# --- words ---------------------------------------------------------------------------------


def plain_key(text: str) -> str:
    """Lower case without accents, for matching words people type in different ways."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


PROVISIONAL = "provisional"
DEFINITIVE = "definitive"
_STATUSES = {
    "": PROVISIONAL,
    "provisoire": PROVISIONAL,
    "prov": PROVISIONAL,
    "definitive": DEFINITIVE,
    "definitif": DEFINITIVE,
    "def": DEFINITIVE,
    # the keys the web form's list posts, and the API's own words
    "provisional": PROVISIONAL,
}
STATUS_WORDS = (
    "provisoire (ou « prov. »), définitive (ou « définitif », « déf. ») ; vide : provisoire"
)
"""The statut words, as the template's help and the error message list them."""


@functools.lru_cache(maxsize=512)
def read_status(text: str) -> str | None:
    """``provisional`` or ``definitive``, or None when the word is not one of :data:`_STATUSES`."""
    return _STATUSES.get(plain_key(text).rstrip(".").strip())


# --- what a value is entered for ---------------------------------------------------------

_GRAIN_WORDS = {
    PeriodUnit.YEAR: ("par année", "2025"),
    PeriodUnit.HALF: ("par semestre", "S1 2025"),
    PeriodUnit.QUARTER: ("par trimestre", "T1 2025"),
    PeriodUnit.MONTH: ("par mois", "mars 2025"),
}
PERCENT_UNITS = frozenset({"%", "points", "% réalisé"})  # a cell formatted « % » fits these


@dataclass(frozen=True)
class Subject:
    """An indicator or a measure, as the value rule needs it."""

    subject_type: str  # "indicator" | "measure"
    subject_id: str
    code: str  # as users know it: « COG 08-29 », « iql0 », « d05-r2-delai-prestations »
    label: str
    unit: str  # « % réalisé » for a milestone
    grain: PeriodUnit = PeriodUnit.YEAR
    cumulation: Cumulation = Cumulation.NONE
    range: ValueRange = field(default_factory=ValueRange)
    measure_kind: MeasureKind | None = None
    takes_values_of: str | None = None  # the indicator whose values a linked measure takes
    last_year: int | None = None  # the contract's last year: no value is followed after it

    @property
    def is_rate(self) -> bool:
        """A proportion in % (0 to 100), which a fraction can be mistaken for; an evolution
        rate that can be negative is not."""
        return self.unit == "%" and self.range.min is not None and self.range.min >= 0

    @property
    def accepted_periods(self) -> str:
        """« COG 08-29 se saisit par mois (valeurs cumulées depuis le 1er janvier) : … »."""
        per, example = _GRAIN_WORDS[self.grain]
        if self.cumulation == Cumulation.YEAR_TO_DATE and self.grain != PeriodUnit.YEAR:
            return (
                f"{self.code} se saisit {per} (valeurs cumulées depuis le 1er janvier) :"
                f" « {example} » ou « cumul à fin {example} »"
            )
        return f"{self.code} se saisit {per} : « {example} »"


def subjects_of(contract: Contract) -> dict[str, Subject]:
    """Every identifier a file, a form or the API may use, mapped to what it designates."""
    found: dict[str, Subject] = {}
    codes: dict[str, str] = {}
    for indicator in contract.indicators:
        code = indicator.code or indicator.id
        codes[indicator.id] = code
        subject = Subject(
            "indicator",
            indicator.id,
            code,
            indicator.label,
            indicator.unit,
            PERIOD_UNITS[indicator.periodicity],
            indicator.cumulation,
            value_range(indicator.unit, indicator.value_range),
            last_year=contract.period.end,
        )
        for key in (indicator.id, indicator.code, indicator.code_as_written):
            if key:
                found[plain_key(key)] = subject
    for _, _, measure in contract.measures():
        milestone = measure.kind == MeasureKind.MILESTONE
        found[plain_key(measure.id)] = Subject(
            "measure",
            measure.id,
            measure.id,
            measure.label,
            "% réalisé" if milestone else measure.unit or "",
            PeriodUnit.YEAR,
            Cumulation.NONE,
            ValueRange(min=0, max=100)
            if milestone
            else value_range(measure.unit, measure.value_range),
            measure.kind,
            codes.get(measure.indicator, measure.indicator) if measure.indicator else None,
            contract.period.end,
        )
    return found


# --- what the doors hand over, what the rule hands back ------------------------------------


@dataclass(frozen=True)
class Cell:
    """One value as received: its text, its exact number when a spreadsheet or JSON gave one,
    and whether the spreadsheet cell was formatted as a percentage."""

    text: str = ""
    number: Decimal | None = None
    percent_format: bool = False

    @property
    def blank(self) -> bool:
        return self.number is None and not self.text.strip()


@dataclass(frozen=True)
class RawEntry:
    period: str
    value: Cell
    numerator: Cell = Cell()
    denominator: Cell = Cell()
    status: str = ""
    comment: str = ""


@dataclass(frozen=True)
class Problem:
    """Why a value is refused. ``field`` is the column of the import files (« période »,
    « valeur », « numérateur », « dénominateur », « statut », « identifiant »); ``message`` the
    French reason, the same at every door."""

    field: str
    message: str


@dataclass(frozen=True)
class Entry:
    """A value the rule accepts, as it will be stored."""

    subject: Subject
    period: Period
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    status: str
    comment: str
    written: str  # the value as received, for messages: « 0,861 »
    computed: bool = False  # from numérateur / dénominateur
    conversion: str | None = None  # « 0,861 → 86,1 % (…) »: the user must confirm it
    unusual: str | None = None  # « 13,5 jours après 19,36 jours en octobre 2026 (…) »
    percent_format: bool = False

    @property
    def to_confirm(self) -> list[str]:
        """What the user must confirm before the value is written, in French."""
        notes = []
        if self.conversion:
            notes.append(self.conversion)
        if self.unusual:
            notes.append(f"{self.unusual} : confirmez la valeur")
        return notes


class SeriesSource(Protocol):
    """Where the rule finds a subject's series (the store, or a test's dictionary)."""

    def values(self, subject: Subject) -> Mapping[Period, Decimal]:
        """The current value of each period already recorded for ``subject``."""
        ...

    def unusual(
        self, subject: Subject, series: Mapping[Period, Decimal], period: Period, value: Decimal
    ) -> str | None:
        """Why ``value`` is far from ``series`` (French), or None."""
        ...


class Series(dict[Period, Decimal]):
    """A subject's values by period, kept in order of period end for each grain, so that the
    value before a period is found by bisection rather than by scanning the whole series (a
    file adds its values one by one to series of hundreds)."""

    def __init__(self, values: Mapping[Period, Decimal] | None = None) -> None:
        super().__init__(values or {})
        self._index: dict[PeriodUnit, tuple[list[date], list[Period]]] = {}
        for period in sorted(self, key=lambda p: p.end):
            self._place(period)

    def _place(self, period: Period) -> None:
        ends, periods = self._index.setdefault(period.unit, ([], []))
        at = bisect_left(ends, period.end)
        ends.insert(at, period.end)
        periods.insert(at, period)

    def __setitem__(self, period: Period, value: Decimal) -> None:
        if period not in self:
            self._place(period)
        super().__setitem__(period, value)

    def before(self, period: Period) -> list[Period]:
        """The periods of ``period``'s grain that end before it, oldest first."""
        ends, periods = self._index.get(period.unit, ([], []))
        return periods[: bisect_left(ends, period.end)]

    def previous(self, period: Period) -> Period | None:
        """The last period of ``period``'s grain that ends before it."""
        ends, periods = self._index.get(period.unit, ([], []))
        at = bisect_left(ends, period.end)
        return periods[at - 1] if at else None


# --- reading each field ---------------------------------------------------------------------


class _Refused(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.problem = Problem(field, message)


def _shown(value: Decimal) -> str:
    """A number as written in French, every decimal kept: 0,8615 stays « 0,8615 »."""
    exponent = value.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return fr_number(value, decimals)


def _fr(value: float | None) -> str:
    return "" if value is None else _shown(Decimal(str(value)))


def range_text(allowed: ValueRange, unit: str) -> str:
    """« de 0 à 100 % », « 0 ou plus », « au plus 10 », « toute valeur »."""
    suffix = "\u00a0%" if unit in ("%", "% réalisé") else ""
    low, high = allowed.min, allowed.max
    if low is not None and high is not None:
        return f"de {_fr(low)} à {_fr(high)}{suffix}"
    if low is not None:
        return f"{_fr(low)}{suffix} ou plus"
    if high is not None:
        return f"au plus {_fr(high)}{suffix}"
    return "toute valeur"


def _outside(value: Decimal, allowed: ValueRange) -> bool:
    return (allowed.min is not None and value < Decimal(str(allowed.min))) or (
        allowed.max is not None and value > Decimal(str(allowed.max))
    )


def _period(text: str, subject: Subject, today: date) -> Period:
    if not text.strip():
        raise _Refused("période", f"valeur manquante ({subject.accepted_periods})")
    try:
        period = parse_period(text)
    except PeriodError as error:
        raise _Refused("période", str(error)) from None
    if period.to_date:
        if subject.cumulation != Cumulation.YEAR_TO_DATE:
            raise _Refused(
                "période",
                f"les valeurs de {subject.code} ne sont pas cumulées depuis le 1er janvier ;"
                f" {subject.accepted_periods}",
            )
        # A year-to-date indicator's values are cumulated already: « cumul à fin mars 2025 »
        # is its value of « mars 2025 ».
        period = Period(period.unit, period.year, period.index)
    if period.unit != subject.grain:
        raise _Refused("période", f"période d'un autre grain ; {subject.accepted_periods}")
    if subject.last_year is not None and period.start.year > subject.last_year:
        raise _Refused(
            "période",
            f"période après la fin du contrat ({subject.last_year}) : le contrat ne suit pas de"
            " valeur au-delà",
        )
    if period.end > today:
        raise _Refused(
            "période",
            f"période pas encore terminée au {today:%d/%m/%Y} : seule une période close peut"
            " recevoir une valeur",
        )
    return period


@dataclass(frozen=True)
class _Number:
    value: Decimal
    decimals: int  # digits written after the decimal separator
    sign: str | None  # « % » or « € » when written
    percent_format: bool


def _number(cell: Cell, column: str, subject: Subject) -> _Number | None:
    if cell.blank:
        return None
    sign: str | None = None
    if cell.number is not None:
        value = cell.number
    else:
        try:
            value, sign = parse_number_with_unit(cell.text)
        except NumberError as error:
            raise _Refused(column, error.cell_message) from None
    if problem := storable_problem(value):
        raise _Refused(column, problem)
    wrong_sign = (sign == "%" and subject.unit not in PERCENT_UNITS) or (
        sign == "€" and "€" not in subject.unit
    )
    if wrong_sign and column == "valeur":
        raise _Refused(
            column,
            f"le symbole {sign} ne convient pas : {subject.code} se compte en {subject.unit}",
        )
    written = value if cell.number is None else value.normalize()
    exponent = written.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return _Number(value, decimals, sign, cell.percent_format)


def _ratio(subject: Subject, numerator: Decimal, denominator: Decimal) -> Decimal:
    ratio = numerator / denominator
    return ratio * 100 if subject.is_rate else ratio


def _agrees(number: Decimal, decimals: int, expected: Decimal) -> bool:
    """Whether ``number``, written with ``decimals`` decimals, is ``expected`` rounded."""
    tolerance = max(Decimal(5).scaleb(-(decimals + 1)), abs(expected) * Decimal("0.0005"))
    return abs(number - expected) <= tolerance


@dataclass
class _Draft:
    """A value read field by field, before the checks that need its series."""

    index: int
    subject: Subject
    period: Period
    value: _Number | None
    numerator: Decimal | None
    denominator: Decimal | None
    status: str
    comment: str
    written: str


def _read(subject: Subject, raw: RawEntry, today: date) -> tuple[_Draft | None, list[Problem]]:
    problems: list[Problem] = []
    if subject.takes_values_of:
        problems.append(
            Problem(
                "identifiant",
                f"{subject.code} prend les valeurs de l'indicateur {subject.takes_values_of} :"
                f" saisissez la valeur sur {subject.takes_values_of}",
            )
        )
    period: Period | None = None
    value: _Number | None = None
    parts: dict[str, Decimal | None] = {}
    try:
        period = _period(raw.period, subject, today)
    except _Refused as refused:
        problems.append(refused.problem)
    try:
        value = _number(raw.value, "valeur", subject)
    except _Refused as refused:
        problems.append(refused.problem)
    for column, cell in (("numérateur", raw.numerator), ("dénominateur", raw.denominator)):
        try:
            number = _number(cell, column, subject)
        except _Refused as refused:
            problems.append(refused.problem)
            parts[column] = None
            continue
        parts[column] = None if number is None else number.value
        if number is not None and number.value < 0:
            problems.append(Problem(column, f"le {column} ne peut pas être négatif"))
    numerator, denominator = parts["numérateur"], parts["dénominateur"]
    if denominator is not None and denominator == 0:
        problems.append(Problem("dénominateur", "dénominateur nul"))
    if raw.numerator.blank != raw.denominator.blank:
        given, missing = ("numérateur", "dénominateur")
        if raw.numerator.blank:
            given, missing = missing, given
        problems.append(
            Problem(
                missing, f"valeur manquante : un {given} va avec un {missing} (ou aucun des deux)"
            )
        )
    if raw.value.blank and (raw.numerator.blank or raw.denominator.blank):
        problems.append(
            Problem(
                "valeur", "valeur manquante (ou bien numérateur et dénominateur, pour la calculer)"
            )
        )
    status = read_status(raw.status)
    if status is None:
        problems.append(
            Problem("statut", f"valeur non permise (valeurs permises : {STATUS_WORDS})")
        )
    if problems or period is None or status is None:
        return None, problems
    return _Draft(
        0,
        subject,
        period,
        value,
        numerator,
        denominator,
        status,
        raw.comment.strip(),
        _shown(value.value)
        if value is not None and raw.value.number is not None
        else raw.value.text.strip(),
    ), []


def _fraction(
    draft: _Draft, number: _Number, previous: Decimal | None
) -> tuple[Decimal, str | None]:
    """The value meant, and the conversion to confirm when it was written as a fraction."""
    subject, value = draft.subject, number.value
    shown = draft.written or _shown(value)
    if number.percent_format:
        if subject.unit not in PERCENT_UNITS:
            raise _Refused(
                "valeur",
                f"cellule au format pourcentage alors que {subject.code} se compte en"
                f" {subject.unit} : retirez le format pourcentage",
            )
        converted = value * 100
        return converted, (
            f"{_shown(value)} → {_shown(converted)}\u00a0% : cellule au format pourcentage"
            " (affichée en %, enregistrée comme une fraction)"
        )
    if not subject.is_rate or number.sign == "%" or not Decimal(0) < value <= Decimal(1):
        return value, None
    if draft.numerator is not None and draft.denominator is not None:
        expected = _ratio(subject, draft.numerator, draft.denominator)
        if _agrees(value, number.decimals, expected):
            return value, None  # numérateur / dénominateur say it is really v %
    elif previous is not None and not _closer_as_percent(value, previous):
        return value, None  # the series itself is that small (an absenteeism of 1,1 %, say)
    converted = value * 100
    if draft.numerator is not None:
        why = "le numérateur et le dénominateur le disent"
    elif previous is not None:
        why = f"la valeur précédente est {_shown(previous)}\u00a0%"
    else:
        why = "aucune valeur antérieure ne permet de trancher"
    return converted, (
        f"{shown} → {_shown(converted)}\u00a0% : taux écrit comme une fraction ({why}) ;"
        f" confirmez la conversion, ou écrivez « {shown}\u00a0% » si c'est bien {shown}\u00a0%"
    )


def _closer_as_percent(value: Decimal, previous: Decimal) -> bool:
    """Whether 100 × ``value`` is nearer ``previous`` than ``value`` is, in ratio: 0,861 after
    86 % is a fraction, 0,9 after 1,1 % is not."""
    if previous <= 0:
        return True
    as_written = abs(math.log(float(value / previous)))
    as_percent = abs(math.log(float(value * 100 / previous)))
    return as_percent < as_written


def _finish(
    draft: _Draft, series: Series, source: SeriesSource | None
) -> tuple[Entry | None, list[Problem]]:
    subject = draft.subject
    before = series.previous(draft.period)
    previous = series[before] if before is not None else None
    conversion = None
    computed = False
    try:
        if draft.value is None:
            assert draft.numerator is not None and draft.denominator is not None
            value = _ratio(subject, draft.numerator, draft.denominator).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_EVEN
            )
            computed = True
        else:
            value, conversion = _fraction(draft, draft.value, previous)
            if draft.numerator is not None and draft.denominator is not None:
                expected = _ratio(subject, draft.numerator, draft.denominator)
                decimals = draft.value.decimals + (2 if conversion else 0)
                if not _agrees(value, decimals, expected):
                    raise _Refused(
                        "valeur",
                        f"{_shown(value)} ne correspond pas au numérateur et au dénominateur :"
                        f" {_shown(draft.numerator)} / {_shown(draft.denominator)}"
                        f"{' × 100' if subject.is_rate else ''} = {_shown(_round(expected))}",
                    )
        if subject.measure_kind == MeasureKind.MILESTONE and _outside(value, subject.range):
            raise _Refused("valeur", "un jalon s'exprime en % réalisé, de 0 à 100")
        if _outside(value, subject.range):
            raise _Refused(
                "valeur",
                f"{_shown(value)} hors des valeurs possibles pour {subject.code} :"
                f" {range_text(subject.range, subject.unit)}",
            )
    except _Refused as refused:
        return None, [refused.problem]
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    if problem := storable_problem(value):
        return None, [Problem("valeur", problem)]
    unusual = None if source is None else source.unusual(subject, series, draft.period, value)
    series[draft.period] = value
    return Entry(
        subject,
        draft.period,
        value,
        draft.numerator,
        draft.denominator,
        draft.status,
        draft.comment,
        draft.written,
        computed,
        conversion,
        unusual,
        draft.value is not None and draft.value.percent_format,
    ), []


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def check_values(
    items: Sequence[tuple[Subject, RawEntry]], today: date, source: SeriesSource | None = None
) -> list[tuple[Entry | None, list[Problem]]]:
    """Check every value of a batch; one result per item, in the same order.

    Each result is the accepted :class:`Entry` with no problem, or None with every problem
    found. Values of one subject are checked in period order against the series completed by
    the earlier ones (stored values from ``source``, then this batch's), so that a file of
    monthly fractions is recognised from its first line on.
    """
    results: list[tuple[Entry | None, list[Problem]]] = []
    drafts: list[_Draft] = []
    for index, (subject, raw) in enumerate(items):
        draft, problems = _read(subject, raw, today)
        results.append((None, problems))
        if draft is not None:
            draft.index = index
            drafts.append(draft)
    series: dict[str, Series] = {}
    for draft in sorted(drafts, key=lambda d: (d.subject.subject_id, d.period.end, d.period)):
        key = draft.subject.subject_id
        if key not in series:
            series[key] = Series(None if source is None else source.values(draft.subject))
        results[draft.index] = _finish(draft, series[key], source)
    return results


def check_without_subject(raw: RawEntry) -> list[Problem]:
    """The checks that need no subject, for a line whose identifiant is unknown, so that its
    other mistakes are listed at once too."""
    problems = []
    if raw.period.strip():
        try:
            parse_period(raw.period)
        except PeriodError as error:
            problems.append(Problem("période", str(error)))
    for column, cell in (
        ("valeur", raw.value),
        ("numérateur", raw.numerator),
        ("dénominateur", raw.denominator),
    ):
        if cell.number is None and cell.text.strip():
            try:
                value, _ = parse_number_with_unit(cell.text)
            except NumberError as error:
                problems.append(Problem(column, error.cell_message))
                continue
            if problem := storable_problem(value):
                problems.append(Problem(column, problem))
    if read_status(raw.status) is None:
        problems.append(
            Problem("statut", f"valeur non permise (valeurs permises : {STATUS_WORDS})")
        )
    return problems


def check_target_value(subject: Subject, value: Decimal) -> str | None:
    """Why a target ``value`` is impossible for ``subject`` (French), or None.

    The target of a relative or point change is a change, of any sign; any other target is a
    level the subject's values can reach, so it keeps to their range.
    """
    if subject.measure_kind in (MeasureKind.RELATIVE_CHANGE, MeasureKind.POINT_CHANGE):
        return None
    if _outside(value, subject.range):
        return (
            f"cible hors des valeurs possibles pour {subject.code} :"
            f" {range_text(subject.range, subject.unit)}"
        )
    return None
