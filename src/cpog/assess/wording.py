"""French wording of values, targets and dates in the assessment's explanations."""

from __future__ import annotations

import math
from datetime import date

from cpog import vocabulary
from cpog.assess.trajectory import period_fraction
from cpog.assess.types import (
    Assessment,
    Freshness,
    RollUp,
    Status,
    Subject,
    Target,
    YearVerdict,
)
from cpog.contract.model import Comparator, Confidence, Direction, Measure, MeasureKind
from cpog.contract.units import with_number
from cpog.formatting import MINUS, fr_date, fr_month, fr_number, fr_signed
from cpog.vocabulary import COMPARATOR_SIGN, COMPARATOR_WORDS, CONFIDENCE

NBSP = "\u00a0"


_HUGE = 1e15


def display_unit(subject: Subject) -> str | None:
    """The unit shown after values: the subject's, or « % » for a milestone (% done)."""
    if subject.unit is None and subject.kind is MeasureKind.MILESTONE:
        return "%"
    return subject.unit


def number_text(value: float, decimals: int) -> str:
    """A number rounded to ``decimals``, French style (« −5 » with a typographic minus);
    out-of-scale values in scientific form."""
    if not math.isfinite(value):
        return "infini" if value > 0 else (f"{MINUS}infini" if value < 0 else "indéfini")
    if abs(value) >= _HUGE:
        return f"{value:.3g}".replace(".", ",").replace("-", MINUS)
    return fr_number(round(value, decimals) + 0.0)  # + 0.0 turns -0.0 into 0.0


def value_text(value: float, unit: str | None) -> str:
    """'14,2 jours', '1 jour', '93,5 %', '−5 %', 'indice 98,3'; at most one decimal from 10 on,
    two below. The unit agrees with the number shown (singular below 2, see units.with_number)."""
    decimals = 1 if abs(value) >= 10 else 2
    shown = round(value, decimals) if math.isfinite(value) else value
    return with_number(number_text(value, decimals), shown, unit)


def share_text(ratio: float) -> str:
    """A ratio as a percentage without decimals: 1.234 → '123 %'."""
    return f"{number_text(ratio * 100, 0)}{NBSP}%"


def tolerance_text(tolerance: float) -> str:
    """0.05 → '5 %'."""
    return f"{number_text(tolerance * 100, 2)}{NBSP}%"


def end_of_text(day: date) -> str:
    """'fin juin 2025' for any day (the end of its month is meant)."""
    return f"fin {fr_month(day)}"


def change_text(value: float, unit: str | None) -> str:
    """A signed change: '+15 points', '−5 %' (typographic minus, no space after the sign)."""
    sign = "+" if value > 0 else (MINUS if value < 0 else "")
    return sign + value_text(abs(value), unit)


def target_text(
    target: Target,
    unit: str | None,
    *,
    per_year: bool = False,
    change: MeasureKind | None = None,
) -> str:
    """'13 jours en 2027 (cible individualisée)'; strict bounds spelled out ('inférieure à');
    a yearly commitment keeps its « par an » ('7 ateliers par an en 2025 (…)'); a change says
    what it derives from ('indice 90,25 (−5 % par an) en 2026 (…)')."""
    shown = value_text(target.value, unit)
    if target.comparator in (Comparator.LT, Comparator.GT):
        shown = f"{COMPARATOR_WORDS[target.comparator]} {shown}"
    yearly = " par an" if per_year else ""
    if change is MeasureKind.RELATIVE_CHANGE:
        shown += f" ({change_text(target.written, '%')}{yearly})"
    elif change is MeasureKind.POINT_CHANGE:
        shown += f" ({change_text(target.written, 'points')}{yearly})"
    else:
        shown += yearly
    return f"{shown} en {target.year} ({target.source.label_fr})"


def direction_text(direction: Direction) -> str:
    """« hausse », « baisse », « maintien »."""
    return vocabulary.DIRECTION[direction]


def days_text(days: int) -> str:
    """'1 jour', '62 jours'."""
    return f"{fr_number(days)}{NBSP}jour{'s' if abs(days) > 1 else ''}"


def of_text(text: str) -> str:
    """French « de » with elision: 'de mai 2025', 'd'avril 2025', 'd'octobre 2025'."""
    return f"d'{text}" if text[:1].lower() in "aeiouéèêh" else f"de {text}"


def status_text(status: Status) -> str:
    """« En avance » with French quotes."""
    return f"« {status.label_fr} »"


def objective_text(subject: Subject, target: Target) -> str:
    """A target of ``subject`` in words, with its « par an » and the change it derives from."""
    changes = (MeasureKind.RELATIVE_CHANGE, MeasureKind.POINT_CHANGE)
    change = subject.kind if subject.kind in changes else None
    return target_text(target, display_unit(subject), per_year=subject.per_year, change=change)


def for_objective_text(subject: Subject, target: Target) -> str:
    """'une cible de 7 ateliers par an en 2025 (…)', 'une cible inférieure à 3 % par an en …'."""
    strict = target.comparator in (Comparator.LT, Comparator.GT)
    text = objective_text(subject, target)
    return f"une cible {text}" if strict else f"une cible {of_text(text)}"


def verdict_label(verdict: YearVerdict) -> str:
    """« objectif 2025 atteint », « objectif 2025 non atteint », « objectif 2025 en attente »…"""
    if verdict.met is True:
        word = "atteint"
    elif verdict.met is False:
        word = "non atteint"
    elif verdict.awaited:
        word = "en attente de la valeur"
    else:
        word = "non renseigné"
    extra = " (valeur provisoire)" if verdict.provisional and verdict.met is not None else ""
    if verdict.to_check:
        extra += " (valeur à vérifier)"
    return f"objectif {verdict.year} {word}{extra}"


def verdict_text(subject: Subject, verdict: YearVerdict) -> str:
    """The sentence of a year's verdict, e.g. « Objectif 2025 non atteint : 7,61 % pour une
    cible inférieure à 7,6 % en 2025 (cible nationale). »"""
    label = verdict_label(verdict)
    head = label[0].upper() + label[1:]
    target = for_objective_text(subject, verdict.target)
    if verdict.value is None:
        return f"{head} : pas de valeur {verdict.year} pour {target}."
    shown = value_text(verdict.value, display_unit(subject))
    return f"{head} : {shown} pour {target}."


def lateness_text(fresh: Freshness) -> str:
    """« À jour » or « valeur de septembre 2026 attendue le 30/10/2026 : 28 jours de retard »:
    the one wording of completeness, naming the period that is missing."""
    if not fresh.is_late:
        return "à jour"
    return (
        f"valeur {of_text(str(fresh.expected_period))} attendue le {fr_date(fresh.expected_on)} "
        f": {days_text(fresh.days_late)} de retard"
    )


def next_value_text(fresh: Freshness, as_of: date) -> str:
    """« prochaine valeur : octobre 2026, attendue le 30/11/2026 » (« attendue depuis le … »
    once that date has passed); « aucune : la dernière période du contrat est saisie »."""
    if fresh.next_period is None or fresh.next_expected_date is None:
        return "aucune : la dernière période du contrat est saisie"
    when = "depuis le" if fresh.next_expected_date < as_of else "le"
    return (
        f"prochaine valeur : {fresh.next_period}, attendue {when} "
        f"{fr_date(fresh.next_expected_date)}"
    )


def completeness_text(rollup: RollUp) -> str:
    """« 6 sur 7 renseignés », « 7 sur 7 renseignés » — the one wording of a roll-up's
    completeness (« renseigné »: a value for the latest period due)."""
    plural = "s" if rollup.n_filled > 1 else ""
    return f"{rollup.n_filled} sur {rollup.n_expected} renseigné{plural}"


def milestone_text(done: float) -> str:
    """A milestone's % done in words: « réalisé », « non réalisé », « 60 % réalisé »."""
    if done >= 100:
        return "réalisé"
    if done <= 0:
        return "non réalisé"
    return f"{value_text(done, '%')} réalisé"


def target_short(subject: Subject, target: Target) -> str:
    """A target in a table cell: « < 3 % par an », « indice 95 (−5 % par an) », « 13 jours »;
    the sign only for a strict bound, « par an » for a yearly commitment."""
    shown = value_text(target.value, display_unit(subject))
    if target.comparator in (Comparator.LT, Comparator.GT):
        shown = f"{COMPARATOR_SIGN[target.comparator]}{NBSP}{shown}"
    yearly = " par an" if subject.per_year else ""
    if subject.kind is MeasureKind.RELATIVE_CHANGE:
        return f"{shown} ({change_text(target.written, '%')}{yearly})"
    if subject.kind is MeasureKind.POINT_CHANGE:
        return f"{shown} ({change_text(target.written, 'points')}{yearly})"
    return shown + yearly


def measure_target_text(measure: Measure, assessment: Assessment) -> str:
    """A measure's target as written, then the level it means: « +15 points (soit 78 % en
    2027) », « au moins 80 % en 2027 (cible fixée par le contrat) », « hausse attendue (pas de
    valeur chiffrée) », « réalisé en 2026 »."""
    unit = assessment.subject.unit
    final = assessment.final_target
    written = measure.target
    year = final.year if final else (written.year if written and written.year else None)
    when = f" en {year}" if year else ""
    per_year = ""
    if measure.per_year:
        per_year = " par an"
        if year:
            per_year, when = f" par an, chaque année jusqu'en {year}", ""
    kind = measure.kind
    if kind is MeasureKind.TREND:
        return f"{direction_text(measure.direction)} attendue (pas de valeur chiffrée)"
    if kind is MeasureKind.MILESTONE:
        return f"réalisé{when or ' avant la fin du contrat'}"
    if written is not None and written.reference and written.value is None:
        return f"{written.reference}{when}"
    if kind in (MeasureKind.POINT_CHANGE, MeasureKind.RELATIVE_CHANGE):
        change = final.written if final else (written.value if written else None)
        if change is None:
            return "non précisée"
        text = change_text(change, "points" if kind is MeasureKind.POINT_CHANGE else "%")
        text += per_year
        level = final.value if final else (written.implied_level if written else None)
        if level is not None:
            at = f" en {year}" if year else ""
            text += f" (soit {value_text(level, unit)}{at})"
        elif when:
            text += when
        if (
            written is not None
            and written.implied_level is not None
            and (final is None or abs(written.implied_level - final.value) > 1e-6)
        ):
            text += f", niveau indiqué par le texte : {value_text(written.implied_level, unit)}"
        return text
    if final is None:
        if written is not None and written.value is not None:
            return f"{value_text(written.value, unit)}{per_year}{when}"
        return "non précisée"
    words = COMPARATOR_WORDS.get(final.comparator, "")
    words = f"{words} " if words else ""
    return f"{words}{value_text(final.value, unit)}{per_year}{when} ({final.source.label_fr})"


def measure_done_text(measure: Measure, assessment: Assessment) -> str:
    """What a milestone or a trend has done, in words: « jalon : 60 % réalisé (2025) »,
    « +4,2 % depuis 2022 (hausse attendue) »; empty for a measure with a figure to reach."""
    current = assessment.current
    if measure.kind is MeasureKind.MILESTONE:
        if current is None:
            return "jalon : non renseigné"
        return f"jalon : {milestone_text(current.value)} ({current.period})"
    if measure.kind is MeasureKind.TREND:
        base = assessment.subject.baseline
        if current is None:
            return "non renseignée"
        if base is None or base.value == 0:
            return f"dernière valeur {value_text(current.value, measure.unit)} ({current.period})"
        # a total cumulated since 1 January is compared at its annual pace, as the status is
        pace = current.value / period_fraction(assessment.subject, current.period)
        change = round((pace / base.value - 1) * 100, 1)
        expected = (
            "au moins le niveau de référence"
            if measure.direction is Direction.MAINTAIN
            else f"{direction_text(measure.direction)} attendue"
        )
        return f"{change_text(change, '%')} depuis {base.year} ({expected})"
    return ""


def signed_target_text(
    value: float, unit: str | None, kind: MeasureKind | None, per_year: bool = False
) -> str:
    """A target's figure as the contract states it: « 86 jours », « −5 % » for a relative
    change, « +3 points » for a change in points, « par an » for a yearly commitment."""
    if kind is MeasureKind.RELATIVE_CHANGE:
        written = with_number(fr_signed(value), value, "%")
    elif kind is MeasureKind.POINT_CHANGE:
        written = with_number(fr_signed(value), value, "points")
    else:
        written = value_text(value, unit)
    return written + (" par an" if per_year else "")


def bounded_target_text(subject: Subject, target: Target) -> str:
    """« ≥ 92 % en 2027 »: a target with its bound (strict or not) and its year, as the
    indicators list shows the final target; the figure is :func:`target_short`'s."""
    shown = target_short(subject, target)
    sign = COMPARATOR_SIGN[target.comparator]
    if sign and target.comparator not in (Comparator.LT, Comparator.GT):
        shown = f"{sign}{NBSP}{shown}"
    return f"{shown} en {target.year}"


def to_confirm_text(confidence: Confidence | str, note: str) -> str:
    """« à confirmer (confiance moyenne) : … »: a reading of the signed text still to confirm."""
    return f"à confirmer (confiance {CONFIDENCE[Confidence(confidence)]}) : {note}"
