"""The one entry point: everything the assessment says about a subject at a date."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date

from cpog import vocabulary
from cpog.assess.outliers import unusual_among
from cpog.assess.policy import Policy
from cpog.assess.progress import progress_rate
from cpog.assess.projection import projection
from cpog.assess.staleness import freshness
from cpog.assess.status import determine_status
from cpog.assess.targets import applicable_target, effective_baseline, final_target
from cpog.assess.trajectory import expected_at, period_fraction, year_end, ytd_share
from cpog.assess.types import (
    Assessment,
    Freshness,
    Observation,
    Status,
    Subject,
    Target,
    YearVerdict,
)
from cpog.assess.wording import (
    days_text,
    display_unit,
    for_objective_text,
    objective_text,
    of_text,
    status_text,
    value_text,
    verdict_text,
)
from cpog.assess.years import YearValue, closing, closing_verdict, year_verdicts
from cpog.contract.model import Cumulation, MeasureKind
from cpog.formatting import fr_date
from cpog.periods import Period, PeriodUnit


def assess(
    subject: Subject,
    observations: Iterable[Observation],
    as_of: date,
    policy: Policy | None = None,
) -> Assessment:
    """Assess ``subject`` on ``as_of`` from the current values of its periods.

    Only values of periods that have ended on ``as_of`` are used. The current value is the one of
    the latest such period. During the contract, it is judged against its year's objective when
    the year has one, else against the trajectory read at the end of its period — at the end of
    its year for a value cumulated since 1 January, an estimate of the year. Once the contract's
    last year has closed, the status is the closing verdict (:mod:`cpog.assess.years`).
    ``policy`` defaults to the shipped one.
    """
    policy = policy or Policy()
    known = sorted(
        (o for o in observations if o.period.end <= as_of), key=lambda o: o.period.sort_key
    )
    current = known[-1] if known else None
    years = year_verdicts(subject, known, as_of, policy)
    fresh = freshness(subject, known, as_of, policy)
    trend_reference = _first_value(subject, known) if subject.kind is MeasureKind.TREND else None
    flagged = (
        unusual_among(subject, known[:-1], current.period, current.value, policy)
        if current is not None and not current.confirmed
        else None
    )
    to_check = flagged.reason if flagged is not None else None
    if closing(subject, as_of):
        return _closing(subject, known, as_of, policy, years, fresh, trend_reference)

    in_year = current is not None and is_in_year(subject, current.period)
    if current is None:
        at = as_of
    else:
        at = year_end(current.period.end.year) if in_year else current.period.end
    fraction = ytd_share(subject, current.period, known, policy) if current else 1.0
    unit = display_unit(subject)
    annual = applicable_target(subject, at)
    final = final_target(subject)
    expected = None if subject.kind is MeasureKind.TREND else expected_at(subject, at, fraction)

    reasons: list[str] = []
    if current is None:
        status = Status.NON_RENSEIGNE
        reasons.append(f"Aucune valeur connue au {fr_date(as_of)}.")
    else:
        reasons.append(f"Dernière valeur : {value_text(current.value, unit)} ({current.period}).")
        outcome = determine_status(
            subject,
            current.value,
            at,
            policy,
            fraction=fraction,
            trend_reference=trend_reference,
            in_year=in_year,
            whole_year=stands_for_year(subject, current.period),
            to_check=to_check is not None,
        )
        status = outcome.status
        reasons.extend(outcome.reasons)
    if to_check is not None:
        reasons.append(_to_check_reason(to_check))
    if years:
        reasons.append(verdict_text(subject, years[-1]))

    progress_annual, progress_global = _progress(
        subject, current, fraction, annual, final, status, policy, reasons
    )
    if fresh.is_late:
        reasons.append(late_reason(fresh))
    projected = None
    if subject.kind is not MeasureKind.MILESTONE:  # a % done has no trend worth projecting
        projected = projection(subject, known, policy, trend_reference=trend_reference)
    if projected is not None and subject.per_year and any(v.met is False for v in years):
        # a « par an » commitment missed one year can no longer end « Atteint »
        projected = replace(projected, projected_status=Status.NON_ATTEINT)
    if projected is not None:
        method = vocabulary.PROJECTION_METHOD[projected.method]
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
        years=years,
        closing=False,
        to_check=to_check,
    )


def is_in_year(subject: Subject, period: Period) -> bool:
    """Whether a value of ``period`` is cumulated since 1 January of a year not yet over."""
    if period.unit is PeriodUnit.YEAR:
        return False
    cumulated = subject.cumulation is Cumulation.YEAR_TO_DATE or period.to_date
    return cumulated and period.end != year_end(period.end.year)


def stands_for_year(subject: Subject, period: Period) -> bool:
    """Whether a value of ``period`` is its year's value: an annual value, or the value of the
    year's last period when values are cumulated or measured at the period's end."""
    if period.unit is PeriodUnit.YEAR:
        return True
    cumulated = subject.cumulation is not Cumulation.NONE or period.to_date
    return cumulated and period.end == year_end(period.end.year)


def _progress(
    subject: Subject,
    current: Observation | None,
    fraction: float,
    annual: Target | None,
    final: Target | None,
    status: Status,
    policy: Policy,
    reasons: list[str],
) -> tuple[float | None, float | None]:
    if current is None or status is Status.SANS_CIBLE or subject.kind is MeasureKind.TREND:
        return None, None
    actual = current.value / fraction
    base = effective_baseline(subject)
    start = base.value if base is not None else None
    annual_rate = progress_rate(actual, start, annual, subject.direction, policy)
    global_rate = progress_rate(actual, start, final, subject.direction, policy)
    if global_rate.reason is not None:
        reasons.append(f"Taux d'avancement global : {global_rate.reason}.")
    if annual_rate.reason is not None and annual_rate.reason != global_rate.reason:
        reasons.append(f"Taux d'avancement annuel : {annual_rate.reason}.")
    return annual_rate.value, global_rate.value


def _closing(
    subject: Subject,
    known: Sequence[Observation],
    as_of: date,
    policy: Policy,
    years: list[YearVerdict],
    fresh: Freshness,
    trend_reference: tuple[float, str] | None,
) -> Assessment:
    """The assessment once the contract's last year has closed: the closing verdict."""
    current = known[-1] if known else None
    final = final_target(subject)
    reference = trend_reference[0] if trend_reference is not None else None
    status, found = closing_verdict(subject, known, years, policy, reference)
    reasons = [f"Contrat terminé le {fr_date(subject.end_date)} : verdict final."]
    reasons += _closing_reasons(subject, status, found, final, years, trend_reference)
    if found is not None and found.to_check:
        reasons.append(_to_check_reason(found.check_reason))
    if found is not None and found.provisional:
        reasons.append(f"Verdict donné sur la valeur provisoire de {found.period}.")
    progress_annual, progress_global = (None, None)
    if found is not None:
        observed = Observation(found.period, found.value)
        progress_annual, progress_global = _progress(
            subject, observed, 1.0, final, final, status, policy, reasons
        )
    if status is Status.NON_RENSEIGNE and found is None and fresh.is_late:
        reasons.append(late_reason(fresh))
    return Assessment(
        subject=subject,
        as_of=as_of,
        current=current,
        annual_target=final,
        final_target=final,
        expected=final.value if final is not None else None,
        progress_annual=progress_annual,
        progress_global=progress_global,
        status=status,
        freshness=fresh,
        projection=None,
        reasons=reasons,
        years=years,
        closing=True,
        to_check=found.check_reason if found is not None and found.to_check else None,
    )


def _closing_reasons(
    subject: Subject,
    status: Status,
    found: YearValue | None,
    final: Target | None,
    years: list[YearVerdict],
    trend_reference: tuple[float, str] | None,
) -> list[str]:
    unit = display_unit(subject)
    end = subject.contract_end
    verdict = status_text(status)
    if status is Status.SANS_CIBLE:
        return ["Indicateur de suivi ou sans cible chiffrée : pas de verdict."]
    if subject.kind is MeasureKind.MILESTONE:
        if found is None:
            return ["Aucune valeur du jalon n'est connue : « Non renseigné »."]
        done = (
            "réalisé" if found.value >= 100 - 1e-9 else f"réalisé à {value_text(found.value, '%')}"
        )
        return [f"Jalon {done} ({found.period}) : {verdict}."]
    if subject.per_year and final is not None:
        met = [str(v.year) for v in years if v.met]
        missed = [str(v.year) for v in years if v.met is False]
        unknown = [str(v.year) for v in years if v.met is None]
        unchecked = [str(v.year) for v in years if v.to_check]
        parts = [f"Engagement par an : {objective_text(subject, final)}"]
        if met:
            parts.append(f"objectif atteint en {', '.join(met)}")
        if missed:
            parts.append(f"non atteint en {', '.join(missed)}")
        if unknown:
            parts.append(f"sans valeur en {', '.join(unknown)}")
        if unchecked:
            parts.append(f"valeur à vérifier en {', '.join(unchecked)}")
        return [" ; ".join(parts) + f" : {verdict}."]
    if found is None:
        return [f"Pas de valeur {end} : le verdict attend la valeur de la dernière année."]
    shown = f"Valeur {end} : {value_text(found.value, unit)}"
    if subject.kind is MeasureKind.TREND:
        label = (
            f"{value_text(subject.baseline.value, unit)} en {subject.baseline.year}"
            if subject.baseline is not None
            else (trend_reference[1] if trend_reference is not None else "la référence")
        )
        return [f"{shown} contre {label} : {verdict}."]
    if final is None:
        return []
    return [f"{shown} pour {for_objective_text(subject, final)} : {verdict}."]


def _to_check_reason(why: str) -> str:
    return (
        f"Valeur à vérifier : {why} ; tant qu'elle n'est pas confirmée, elle ne peut pas à elle "
        "seule rendre la cible atteinte."
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


def late_reason(fresh: Freshness) -> str:
    """« Valeur en retard : … celle de septembre 2026 était attendue le 30/10/2026 (28 jours de
    retard). »"""
    if fresh.latest_period is None:
        known = "aucune valeur n'est connue"
    else:
        known = f"la dernière valeur connue porte sur {fresh.latest_period}"
    return (
        f"Valeur en retard : {known} ; celle {of_text(str(fresh.expected_period))} était attendue "
        f"le {fr_date(fresh.expected_on)} ({days_text(fresh.days_late)} de retard)."
    )
