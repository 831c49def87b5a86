"""The one entry point: everything the assessment says about a subject at a date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from cpog.assess.policy import Policy
from cpog.assess.progress import progress_rate
from cpog.assess.projection import projection
from cpog.assess.staleness import available_on, first_missing_period, freshness
from cpog.assess.status import determine_status
from cpog.assess.targets import applicable_target, effective_baseline, final_target
from cpog.assess.trajectory import expected_at, period_fraction
from cpog.assess.types import Assessment, Freshness, Observation, Status, Subject
from cpog.assess.wording import days_text, display_unit, of_text, status_text, value_text
from cpog.contract.model import MeasureKind
from cpog.formatting import fr_date


def assess(
    subject: Subject,
    observations: Iterable[Observation],
    as_of: date,
    policy: Policy | None = None,
) -> Assessment:
    """Assess ``subject`` on ``as_of`` from the current values of its periods.

    Only values of periods that have ended on ``as_of`` are used. The current value is the one of
    the latest such period; the expected value and the applicable target are read at the end of
    that period (at ``as_of`` when there is no value). ``policy`` defaults to the shipped one.
    """
    policy = policy or Policy()
    known = sorted((o for o in observations if o.period.end <= as_of), key=lambda o: o.period)
    current = known[-1] if known else None
    at = current.period.end if current else as_of
    fraction = period_fraction(subject, current.period) if current else 1.0
    unit = display_unit(subject)

    annual = applicable_target(subject, at)
    final = final_target(subject)
    expected = None if subject.kind is MeasureKind.TREND else expected_at(subject, at, fraction)
    trend_reference = _first_value(subject, known) if subject.kind is MeasureKind.TREND else None

    reasons: list[str] = []
    if current is None:
        status = Status.NON_RENSEIGNE
        reasons.append(f"Aucune valeur connue au {fr_date(as_of)}.")
    else:
        reasons.append(f"Dernière valeur : {value_text(current.value, unit)} ({current.period}).")
        outcome = determine_status(
            subject, current.value, at, policy, fraction=fraction, trend_reference=trend_reference
        )
        status = outcome.status
        reasons.extend(outcome.reasons)

    progress_annual: float | None = None
    progress_global: float | None = None
    if (
        current is not None
        and status is not Status.SANS_CIBLE
        and subject.kind is not MeasureKind.TREND
    ):
        actual = current.value / fraction
        base = effective_baseline(subject)
        start = base.value if base is not None else None
        annual_rate = progress_rate(actual, start, annual, subject.direction, policy)
        global_rate = progress_rate(actual, start, final, subject.direction, policy)
        progress_annual, progress_global = annual_rate.value, global_rate.value
        if global_rate.reason is not None:
            reasons.append(f"Taux d'avancement global : {global_rate.reason}.")
        if annual_rate.reason is not None and annual_rate.reason != global_rate.reason:
            reasons.append(f"Taux d'avancement annuel : {annual_rate.reason}.")

    fresh = freshness(subject, known, as_of, policy)
    if fresh.is_late:
        reasons.append(_late_reason(subject, fresh))

    projected = projection(subject, known, policy, trend_reference=trend_reference)
    if projected is not None:
        method = "tendance" if projected.method == "trend" else "tendance et saisonnalité"
        reasons.append(
            f"Projection au {fr_date(projected.at)} ({method}, {projected.n_points} valeurs) : "
            f"{value_text(projected.value, unit)}, soit {status_text(projected.projected_status)}."
        )

    return Assessment(
        subject=subject,
        as_of=as_of,
        current=current,
        annual_target=annual,
        final_target=final,
        expected=expected,
        progress_annual=progress_annual,
        progress_global=progress_global,
        status=status,
        freshness=fresh,
        projection=projected,
        reasons=reasons,
    )


def _first_value(subject: Subject, known: list[Observation]) -> tuple[float, str] | None:
    """The first value, on an annual scale, that a trend without baseline is compared with."""
    if subject.baseline is not None or len(known) < 2:
        return None
    first = known[0]
    scaled = first.value / period_fraction(subject, first.period)
    return (
        scaled,
        f"{value_text(first.value, display_unit(subject))} en {first.period} (première valeur)",
    )


def _late_reason(subject: Subject, fresh: Freshness) -> str:
    missing = first_missing_period(subject, fresh.latest_period)
    if fresh.latest_period is None:
        known = "aucune valeur n'est connue"
    else:
        known = f"la dernière valeur connue porte sur {fresh.latest_period}"
    return (
        f"Valeur en retard : {known} ; celle {of_text(str(missing))} était attendue le "
        f"{fr_date(available_on(subject, missing))} ({days_text(fresh.days_late)} de retard)."
    )
