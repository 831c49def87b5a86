"""Roll several assessments up into one figure for a défi or a family of indicators.

Only subjects with a weight above 0 that are assessed (not monitoring indicators) count; the caller
counts each subject once (a targeted result's measure and the indicator that measures it are one
subject). The score is the weighted mean of the status scores (« Atteint », « En avance »,
« Conforme » 1; « À surveiller » 0.5; « En retard », « Non atteint » 0) over the subjects that have
one; the progress is the weighted mean of the global progress rates that exist. A subject is
« renseigné » when it has a value for its latest expected period (:mod:`cpog.assess.staleness`,
the one definition); the others are listed in ``missing``: the roll-up says what it is made of
rather than hiding the gaps. After the contract's end (``closing``), the roll-up is « Non
atteint » when a subject is, « Atteint » when every subject is, else « Non renseigné ».
"""

from __future__ import annotations

from collections.abc import Iterable

from cpog.assess.types import Assessment, RollUp, Status

CONFORME_FROM = 0.9
A_SURVEILLER_FROM = 0.6


def rollup_status(score: float | None, closing: bool = False) -> Status:
    """« Conforme » from 0.9, « À surveiller » from 0.6, else « En retard »; no score: « Non
    renseigné ». Closing: « Atteint » at 1, else « Non atteint »."""
    if score is None:
        return Status.NON_RENSEIGNE
    if closing:
        return Status.ATTEINT if score >= 1 - 1e-9 else Status.NON_ATTEINT
    if score >= CONFORME_FROM - 1e-9:
        return Status.CONFORME
    if score >= A_SURVEILLER_FROM - 1e-9:
        return Status.A_SURVEILLER
    return Status.EN_RETARD


def roll_up(items: Iterable[tuple[Assessment, float]], closing: bool = False) -> RollUp:
    """Aggregate ``(assessment, weight)`` pairs (see module doc)."""
    counted = [(a, w) for a, w in items if w > 0 and a.subject.assessed]
    scored = [(a.status.score, w) for a, w in counted if a.status.score is not None]
    progressed = [(a.progress_global, w) for a, w in counted if a.progress_global is not None]
    missing = [a.subject.id for a, _ in counted if not a.freshness.filled]
    score = _weighted_mean([(s, w) for s, w in scored if s is not None])
    progress = _weighted_mean([(p, w) for p, w in progressed if p is not None])
    status = rollup_status(score, closing)
    if closing and status is Status.ATTEINT and len(scored) < len(counted):
        status = Status.NON_RENSEIGNE  # « Atteint » needs every subject's verdict
    return RollUp(
        score=score,
        status=status,
        progress=progress,
        n_expected=len(counted),
        n_available=len(scored),
        missing=missing,
        complete=not missing,
        n_filled=len(counted) - len(missing),
    )


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in pairs)
    if not pairs or total <= 0:
        return None
    return sum(v * w for v, w in pairs) / total
