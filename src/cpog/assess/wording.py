"""French wording of values, targets and dates in the assessment's explanations."""

from __future__ import annotations

import math
from datetime import date

from cpog.assess.types import Status, Subject, Target
from cpog.contract.model import Comparator, Direction, MeasureKind
from cpog.contract.units import with_number
from cpog.formatting import MINUS, fr_month, fr_number

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


def target_text(target: Target, unit: str | None) -> str:
    """'13 jours en 2027 (cible individualisée)'; strict bounds spelled out ('inférieure à')."""
    shown = value_text(target.value, unit)
    if target.comparator is Comparator.LT:
        shown = f"inférieure à {shown}"
    elif target.comparator is Comparator.GT:
        shown = f"supérieure à {shown}"
    return f"{shown} en {target.year} ({target.source.label_fr})"


def for_target_text(target: Target, unit: str | None) -> str:
    """'une cible de 13 jours en 2027 (…)', 'une cible inférieure à 10 % en 2027 (…)'."""
    text = target_text(target, unit)
    strict = target.comparator in (Comparator.LT, Comparator.GT)
    return f"une cible {text}" if strict else f"une cible de {text}"


def direction_text(direction: Direction) -> str:
    return {Direction.UP: "hausse", Direction.DOWN: "baisse", Direction.MAINTAIN: "maintien"}[
        direction
    ]


def days_text(days: int) -> str:
    """'1 jour', '62 jours'."""
    return f"{fr_number(days)}{NBSP}jour{'s' if abs(days) > 1 else ''}"


def of_text(text: str) -> str:
    """French « de » with elision: 'de mai 2025', 'd'avril 2025', 'd'octobre 2025'."""
    return f"d'{text}" if text[:1].lower() in "aeiouéèêh" else f"de {text}"


def status_text(status: Status) -> str:
    """« En avance » with French quotes."""
    return f"« {status.label_fr} »"
