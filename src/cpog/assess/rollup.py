"""Roll several assessments up into one figure for a défi or a family of indicators.

Only subjects with a weight above 0 that are assessed (not monitoring indicators) count. The score
is the weighted mean of the status scores (« Atteint », « En avance », « Conforme » 1; « À
surveiller » 0.5; « En retard » 0) over the subjects that have one; the progress is the weighted
mean of the global progress rates that exist. Subjects without a value, or without a progress rate,
are listed in ``missing``: the roll-up says what it is made of rather than hiding the gaps.
"""

from __future__ import annotations

from collections.abc import Iterable

from cpog.assess.types import Assessment, RollUp, Status

CONFORME_FROM = 0.9
A_SURVEILLER_FROM = 0.6


def rollup_status(score: float | None) -> Status:
    """« Conforme » from 0.9, « À surveiller » from 0.6, else « En retard »; no score: « Non
    renseigné »."""
    if score is None:
        return Status.NON_RENSEIGNE
    if score >= CONFORME_FROM - 1e-9:
        return Status.CONFORME
    if score >= A_SURVEILLER_FROM - 1e-9:
        return Status.A_SURVEILLER
    return Status.EN_RETARD


def roll_up(items: Iterable[tuple[Assessment, float]]) -> RollUp:
    """Aggregate ``(assessment, weight)`` pairs (see module doc)."""
    counted = [(a, w) for a, w in items if w > 0 and a.subject.assessed]
    scored = [(a.status.score, w) for a, w in counted if a.status.score is not None]
    progressed = [(a.progress_global, w) for a, w in counted if a.progress_global is not None]
    missing = [
        a.subject.id
        for a, _ in counted
        if a.status is Status.NON_RENSEIGNE or a.progress_global is None
    ]
    score = _weighted_mean([(s, w) for s, w in scored if s is not None])
    progress = _weighted_mean([(p, w) for p, w in progressed if p is not None])
    return RollUp(
        score=score,
        status=rollup_status(score),
        progress=progress,
        n_expected=len(counted),
        n_available=len(scored),
        missing=missing,
        complete=not missing and len(scored) == len(counted),
    )


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in pairs)
    if not pairs or total <= 0:
        return None
    return sum(v * w for v, w in pairs) / total
