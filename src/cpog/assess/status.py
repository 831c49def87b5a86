"""The status of a value during the contract, with the French sentences that explain it.

Order of the rules (docs/assessment.md has a worked example for each):

1. no value → « Non renseigné »;
2. monitoring indicator (``assessed`` False), or no numeric target → « Sans cible »;
3. trend (no figure): the sense of the change since the baseline, or since the first value; a
   level to maintain (« consolider ») is a floor;
4. a value standing for its whole year (annual value, December's cumulated value, year-end
   stock) whose year has an objective of its own (individualised, fixed or national target, or a
   « par an » commitment) is compared with it — met → « Conforme », short of it by at most the
   relative tolerance → « À surveiller », else « En retard »; an in-year value cumulated since
   1 January is an estimate of its year and is compared with the year's objective too (the
   elapsed share of it for a yearly total);
5. otherwise, maintain: a floor (« maintenir au moins ») is compared with the applicable target as
   in 8; a band (comparator ``eq``) by its relative gap against the maintain tolerance;
6. final target met (comparator-aware, ``lt``/``gt`` strict) → « Atteint »;
7. with a baseline and a trajectory that moves the right way at that date: the ratio
   r = (actual − B) / (expected − B) of the progress made to the progress expected, against the
   policy's ``ahead``, ``on_track`` and ``watch`` thresholds;
8. otherwise the value is compared with the applicable target, as in 4.

« Atteint » (rules 4 and 6) needs a whole year's value (not an in-year cumulation), a commitment
that is not « par an » (each year must be met: the contract's end decides), and a value that is
not « à vérifier ». After the contract's last year, :mod:`cpog.assess.years` gives the closing
verdict instead.
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
    objective,
)
from cpog.assess.trajectory import expected_at
from cpog.assess.types import Status, Subject, Target
from cpog.assess.wording import (
    direction_text,
    display_unit,
    end_of_text,
    for_objective_text,
    objective_text,
    share_text,
    status_text,
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
    in_year: bool = False,
    whole_year: bool = True,
    to_check: bool = False,
) -> StatusOutcome:
    """Status of ``value`` read on ``at`` (the end of its period, or of its year for an in-year
    cumulated value).

    ``fraction`` < 1 marks an in-year value of a yearly total: expectations are scaled down by it.
    ``trend_reference`` is the (annual-scale value, French label) a trend is compared with when
    the subject has no baseline, usually the first value. ``in_year``: the value is cumulated
    since 1 January and its year is not over, an estimate of the year's value. ``whole_year``:
    the value stands for its whole year (an annual value, December's cumulated value or year-end
    stock); a value of a month or a quarter that does neither is judged against the trajectory.
    ``to_check``: the value is unusual and was not confirmed. Neither an in-year value nor a value
    to check can make the subject « Atteint ».
    """
    outcome = _status(
        subject, value, at, policy, fraction, trend_reference, in_year, whole_year, to_check
    )
    if to_check and outcome.status in (Status.ATTEINT, Status.EN_AVANCE):
        # an unconfirmed unusual value earns no more than « Conforme »
        return StatusOutcome(Status.CONFORME, outcome.reasons)
    return outcome


def _status(
    subject: Subject,
    value: float | None,
    at: date,
    policy: Policy,
    fraction: float,
    trend_reference: tuple[float, str] | None,
    in_year: bool,
    whole_year: bool,
    to_check: bool,
) -> StatusOutcome:
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
    final_reason = f"Cible finale : {objective_text(subject, final)}."
    # A maintained level has to hold to the end: only the closing verdict says it was.
    may_reach = (
        not in_year
        and not subject.per_year
        and not to_check
        and subject.direction is not Direction.MAINTAIN
    )
    own = objective(subject, at.year) if whole_year or in_year else None
    if own is not None:
        outcome = _year_objective_status(subject, value, own, fraction, in_year, policy)
        reasons = list(outcome.reasons)
        if outcome.status is Status.CONFORME and may_reach and meets(value, final, policy):
            reasons.append(
                f"Cible finale atteinte : {value_text(value, unit)} pour "
                f"{for_objective_text(subject, final)}."
            )
            return StatusOutcome(Status.ATTEINT, reasons)
        if outcome.status is Status.CONFORME:
            outcome = _ahead(subject, value, at, fraction, policy, outcome)
            reasons = list(outcome.reasons)
        if own != final:
            reasons.append(final_reason)
        return StatusOutcome(outcome.status, reasons)
    if subject.direction is Direction.MAINTAIN:
        level = _scaled(annual, fraction)
        if annual.comparator is Comparator.EQ:
            outcome = _maintain_status(subject, value, level, policy)
        else:  # « maintenir au moins »: a floor
            outcome = _against_target(subject, value, level, policy)
        tail = [] if annual == final else [final_reason]
        return StatusOutcome(outcome.status, [*outcome.reasons, *tail])
    if may_reach and meets(value, final, policy):
        return StatusOutcome(
            Status.ATTEINT,
            [
                f"Cible finale atteinte : {value_text(value, unit)} pour "
                f"{for_objective_text(subject, final)}."
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


def _year_objective_status(
    subject: Subject,
    value: float,
    own: Target,
    fraction: float,
    in_year: bool,
    policy: Policy,
) -> StatusOutcome:
    """The value against its year's own objective (rule 4)."""
    if subject.direction is Direction.MAINTAIN and own.comparator is Comparator.EQ:
        outcome = _maintain_status(subject, value, _scaled(own, fraction), policy)
    else:
        outcome = _against_target(subject, value, _scaled(own, fraction), policy)
    if in_year:
        share = "" if fraction >= 1.0 else f" (dont {share_text(fraction)} attendus à cette date)"
        head = (
            f"Valeur cumulée depuis le 1er janvier {own.year}, estimation de l'année en cours : "
            f"comparée à l'objectif de l'année, {objective_text(subject, own)}{share}."
        )
    else:
        head = (
            f"Objectif {own.year} : {for_objective_text(subject, own)} ; la "
            f"valeur {own.year} est comparée à l'objectif de son année."
        )
    return StatusOutcome(outcome.status, [head, *outcome.reasons])


def _ahead(
    subject: Subject,
    value: float,
    at: date,
    fraction: float,
    policy: Policy,
    met: StatusOutcome,
) -> StatusOutcome:
    """A year's objective met with at least ``ahead`` times the progress expected from the
    baseline by then is « En avance »; otherwise the outcome stays as it is."""
    base = effective_baseline(subject)
    expected = expected_at(subject, at, fraction)
    if base is None or expected is None:
        return met
    start = base.value * fraction
    step = expected - start
    if step * improving_sign(subject.direction) <= _EPSILON * max(1.0, abs(start)):
        return met
    ratio = (value - start) / step
    if ratio < policy.ahead - _EPSILON:
        return met
    return StatusOutcome(
        Status.EN_AVANCE,
        [
            *met.reasons,
            f"Progression depuis la valeur de référence : {share_text(ratio)} de la progression "
            f"attendue ; {status_text(Status.EN_AVANCE)} à partir de {share_text(policy.ahead)}.",
        ],
    )


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
    head = f"Valeur {value_text(value, unit)} pour {for_objective_text(subject, target)}"
    if meets(value, target, policy):
        return StatusOutcome(Status.CONFORME, [f"{head} : cible de l'année tenue."])
    sign = improving_sign(subject.direction)
    if sign == 0:  # a level to maintain: the comparator says which side is short
        sign = -1 if target.comparator in (Comparator.LE, Comparator.LT) else 1
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
    level = objective_text(subject, target)
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
    if sign == 0:  # « consolider », « maintenir au moins »: the reference level is a floor
        if change >= -_EPSILON * max(1.0, abs(ref_value)):
            return StatusOutcome(
                Status.CONFORME,
                [f"{head} : niveau de référence maintenu ou dépassé (au moins ce niveau)."],
            )
        setback = _relative_gap(-change, ref_value)
        tolerance = policy.relative_tolerance
        status = Status.A_SURVEILLER if setback <= tolerance + _EPSILON else Status.EN_RETARD
        within = "dans" if status is Status.A_SURVEILLER else "au-delà de"
        return StatusOutcome(
            status,
            [
                f"{head} : recul de {tolerance_text(setback)} sous le niveau de référence, à "
                f"maintenir au moins ; {within} la tolérance de {tolerance_text(tolerance)}."
            ],
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
