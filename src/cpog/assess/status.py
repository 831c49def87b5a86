"""The status of a value, with the French sentences that explain how it was reached.

Order of the rules (docs/assessment.md has a worked example for each):

1. no value → « Non renseigné »;
2. monitoring indicator (``assessed`` False), or no numeric target → « Sans cible »;
3. trend (no figure): the sense of the change since the baseline, or since the first value;
4. maintain: the relative gap to the applicable target against the maintain tolerance;
5. final target met (comparator-aware, ``lt``/``gt`` strict) → « Atteint »;
6. with a baseline and a trajectory that moves the right way at that date: the ratio
   r = (actual − B) / (expected − B) of the progress made to the progress expected, against the
   policy's ``ahead``, ``on_track`` and ``watch`` thresholds;
7. otherwise the value is compared with the applicable target: met → « Conforme », short of it
   by at most the relative tolerance → « À surveiller », else « En retard ».
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

from cpog.assess.policy import Policy
from cpog.assess.targets import (
    applicable_target,
    effective_baseline,
    final_target,
    improving_sign,
    meets,
)
from cpog.assess.trajectory import expected_at
from cpog.assess.types import Status, Subject, Target
from cpog.assess.wording import (
    direction_text,
    display_unit,
    end_of_text,
    for_target_text,
    share_text,
    status_text,
    target_text,
    tolerance_text,
    value_text,
)
from cpog.contract.model import Comparator, Direction, MeasureKind

_EPSILON = 1e-9


@dataclass(frozen=True)
class StatusOutcome:
    status: Status
    reasons: list[str]


def ratio_status(ratio: float, policy: Policy) -> Status:
    """Status of a ratio of progress made to progress expected."""
    if ratio >= policy.ahead - _EPSILON:
        return Status.EN_AVANCE
    if ratio >= policy.on_track - _EPSILON:
        return Status.CONFORME
    if ratio >= policy.watch - _EPSILON:
        return Status.A_SURVEILLER
    return Status.EN_RETARD


def determine_status(
    subject: Subject,
    value: float | None,
    at: date,
    policy: Policy,
    *,
    fraction: float = 1.0,
    trend_reference: tuple[float, str] | None = None,
) -> StatusOutcome:
    """Status of ``value`` read on ``at`` (the end of its period).

    ``fraction`` < 1 marks a year-to-date value of a yearly quantity: expectations are scaled down
    by it. ``trend_reference`` is the (annual-scale value, French label) a trend is compared with
    when the subject has no baseline, usually the first value.
    """
    if value is None:
        return StatusOutcome(Status.NON_RENSEIGNE, ["Aucune valeur connue."])
    if not subject.assessed:
        return StatusOutcome(
            Status.SANS_CIBLE,
            ["Indicateur de suivi : sa valeur est suivie sans être évaluée au regard d'une cible."],
        )
    if subject.kind is MeasureKind.TREND:
        return _trend_status(subject, value, policy, fraction, trend_reference)
    final = final_target(subject)
    annual = applicable_target(subject, at)
    if final is None or annual is None:
        return StatusOutcome(Status.SANS_CIBLE, [_why_no_target(subject)])
    unit = display_unit(subject)
    final_reason = f"Cible finale : {target_text(final, unit)}."
    if subject.direction is Direction.MAINTAIN:
        outcome = _maintain_status(subject, value, _scaled(annual, fraction), policy)
        tail = [] if annual == final else [final_reason]
        return StatusOutcome(outcome.status, [*outcome.reasons, *tail])
    if meets(value, final, policy):
        return StatusOutcome(
            Status.ATTEINT,
            [
                f"Cible finale atteinte : {value_text(value, unit)} pour "
                f"{for_target_text(final, unit)}."
            ],
        )
    base = effective_baseline(subject)
    expected = expected_at(subject, at, fraction)
    sign = improving_sign(subject.direction)
    if base is None:
        why = "Pas de valeur de référence : la valeur est comparée à la cible de l'année."
    else:
        assert expected is not None  # a target exists
        start = base.value * fraction
        step = expected - start
        if step * sign > _EPSILON * max(1.0, abs(start)):
            ratio = (value - start) / step
            status = ratio_status(ratio, policy)
            threshold = {
                Status.EN_AVANCE: policy.ahead,
                Status.CONFORME: policy.on_track,
                Status.A_SURVEILLER: policy.watch,
            }.get(status)
            band = (
                f"{status_text(status)} à partir de {share_text(threshold)}"
                if threshold is not None
                else f"{status_text(status)} sous {share_text(policy.watch)}"
            )
            return StatusOutcome(
                status,
                [
                    f"Valeur {value_text(value, unit)} pour une valeur attendue de "
                    f"{value_text(expected, unit)} à {end_of_text(at)}.",
                    f"Progression depuis la valeur de référence ({value_text(start, unit)} "
                    f"{_baseline_when(base.year, fraction)}) : {share_text(ratio)} de la "
                    f"progression attendue ; {band}.",
                    final_reason,
                ],
            )
        if base.year >= at.year:
            why = (
                "La date est dans l'année de la valeur de référence : la valeur est comparée "
                "à la cible."
            )
        elif final.value == base.value:
            why = "La valeur de référence est égale à la cible : la valeur est comparée à la cible."
        elif (final.value - base.value) * sign < 0:
            why = (
                "La valeur de référence dépassait déjà la cible : la valeur est comparée "
                "à la cible."
            )
        else:
            why = (
                "La trajectoire ne progresse pas à cette date : la valeur est comparée à la cible."
            )
    outcome = _against_target(subject, value, _scaled(annual, fraction), policy)
    tail = [] if annual == final else [final_reason]
    return StatusOutcome(outcome.status, [why, *outcome.reasons, *tail])


def _baseline_when(year: int, fraction: float) -> str:
    return f"en {year}" if fraction >= 1.0 else f"en {year}, au prorata de l'année écoulée"


def _scaled(target: Target, fraction: float) -> Target:
    return target if fraction >= 1.0 else replace(target, value=target.value * fraction)


def _relative_gap(gap: float, reference: float) -> float:
    """``gap`` as a share of ``reference``; infinite when the reference is 0 and the gap is not."""
    if gap <= 0:
        return 0.0
    if reference == 0:
        return math.inf
    return gap / abs(reference)


def _against_target(
    subject: Subject, value: float, target: Target, policy: Policy
) -> StatusOutcome:
    unit = display_unit(subject)
    head = f"Valeur {value_text(value, unit)} pour {for_target_text(target, unit)}"
    if meets(value, target, policy):
        return StatusOutcome(Status.CONFORME, [f"{head} : cible de l'année tenue."])
    sign = improving_sign(subject.direction)
    shortfall = _relative_gap((target.value - value) * sign, target.value)
    tolerance = policy.relative_tolerance
    if shortfall <= tolerance + _EPSILON:
        if shortfall == 0:  # a strict bound reached but not crossed
            gap = "valeur égale à la borne, qui doit être strictement franchie"
        else:
            gap = f"écart de {tolerance_text(shortfall)} de la cible"
        return StatusOutcome(
            Status.A_SURVEILLER,
            [f"{head} : {gap}, dans la tolérance de {tolerance_text(tolerance)}."],
        )
    gap = "" if math.isinf(shortfall) else f" de {tolerance_text(shortfall)} de la cible,"
    return StatusOutcome(
        Status.EN_RETARD,
        [f"{head} : écart{gap} au-delà de la tolérance de {tolerance_text(tolerance)}."],
    )


def _maintain_status(
    subject: Subject, value: float, target: Target, policy: Policy
) -> StatusOutcome:
    unit = display_unit(subject)
    tolerance = policy.maintain_tolerance
    level = target_text(target, unit)
    head = f"Valeur {value_text(value, unit)} pour un niveau à maintenir de {level}"
    if target.comparator is not Comparator.EQ and meets(value, target, policy):
        return StatusOutcome(Status.CONFORME, [f"{head} : seuil tenu."])
    gap = _relative_gap(abs(value - target.value), target.value)
    shown = "infini" if math.isinf(gap) else tolerance_text(gap)
    if gap <= tolerance + _EPSILON:
        status = Status.CONFORME
    elif gap <= 2 * tolerance + _EPSILON:
        status = Status.A_SURVEILLER
    else:
        status = Status.EN_RETARD
    return StatusOutcome(
        status,
        [
            f"{head} : écart de {shown} (tolérance {tolerance_text(tolerance)}, "
            f"{status_text(Status.A_SURVEILLER)} jusqu'au double)."
        ],
    )


def _trend_status(
    subject: Subject,
    value: float,
    policy: Policy,
    fraction: float,
    reference: tuple[float, str] | None,
) -> StatusOutcome:
    unit = display_unit(subject)
    base = subject.baseline
    if base is not None:
        reference = (
            base.value,
            f"{value_text(base.value, unit)} en {base.year} (valeur de référence)",
        )
    if reference is None:
        return StatusOutcome(
            Status.NON_RENSEIGNE,
            [
                "Cible exprimée comme un sens d'évolution : il faut une valeur de référence ou "
                "au moins deux valeurs pour le mesurer."
            ],
        )
    ref_value, ref_label = reference
    current = value / fraction if fraction > 0 else value
    change = current - ref_value
    shown = value_text(value, unit)
    if fraction < 1.0:
        shown += f" (soit {value_text(current, unit)} en rythme annuel)"
    head = f"Valeur {shown} contre {ref_label}"
    sense = direction_text(subject.direction)
    sign = improving_sign(subject.direction)
    if sign == 0:
        gap = _relative_gap(abs(change), ref_value)
        tolerance = policy.maintain_tolerance
        if gap <= tolerance + _EPSILON:
            status = Status.CONFORME
        elif gap <= 2 * tolerance + _EPSILON:
            status = Status.A_SURVEILLER
        else:
            status = Status.EN_RETARD
        shown_gap = "infini" if math.isinf(gap) else tolerance_text(gap)
        return StatusOutcome(
            status, [f"{head} : écart de {shown_gap} (tolérance {tolerance_text(tolerance)})."]
        )
    improvement = change * sign
    if improvement > _EPSILON * max(1.0, abs(ref_value)):
        return StatusOutcome(
            Status.CONFORME, [f"{head} : évolution dans le sens attendu ({sense})."]
        )
    setback = _relative_gap(-improvement, ref_value)
    tolerance = policy.relative_tolerance
    if setback <= tolerance + _EPSILON:
        return StatusOutcome(
            Status.A_SURVEILLER,
            [
                f"{head} : pas d'évolution dans le sens attendu ({sense}), recul dans la "
                f"tolérance de {tolerance_text(tolerance)}."
            ],
        )
    return StatusOutcome(
        Status.EN_RETARD,
        [
            f"{head} : évolution contraire au sens attendu ({sense}), au-delà de la tolérance "
            f"de {tolerance_text(tolerance)}."
        ],
    )


def _why_no_target(subject: Subject) -> str:
    if (
        subject.kind in (MeasureKind.RELATIVE_CHANGE, MeasureKind.POINT_CHANGE)
        and subject.baseline is None
        and subject.targets
    ):
        return (
            "Cible exprimée comme une évolution sans valeur de référence : le niveau à atteindre "
            "ne peut pas être calculé."
        )
    if subject.targets and all(t.year > subject.contract_end for t in subject.targets):
        return "Les cibles données portent sur des années après la fin du contrat."
    return "Aucune cible chiffrée."
