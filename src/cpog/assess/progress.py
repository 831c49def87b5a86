"""Progress rates: how much of the way from the baseline to a target has been covered.

``100 · (actual − baseline) / (target − baseline)``, clamped to [0, 100]. Degenerate cases:

* no target or no baseline → None;
* baseline equal to the target → None (there is no way to cover);
* baseline already beyond the target (above it when the target is a rise, below it when it is a
  fall) → 100 when the value meets the target, else 0.
"""

from __future__ import annotations

import math

from cpog.assess.policy import Policy
from cpog.assess.targets import improving_sign, meets
from cpog.assess.types import Progress, Target
from cpog.contract.model import Direction

NO_TARGET = "pas de cible chiffrée"
NO_BASELINE = "pas de valeur de référence pour mesurer le chemin parcouru"
BASELINE_IS_TARGET = (
    "la valeur de référence est égale à la cible : il n'y a pas de chemin à parcourir"
)
BASELINE_BEYOND = (
    "la valeur de référence dépassait déjà la cible : 100 si la cible est tenue, sinon 0"
)


def progress_rate(
    actual: float,
    baseline: float | None,
    target: Target | None,
    direction: Direction,
    policy: Policy | None = None,
) -> Progress:
    """Progress from ``baseline`` to ``target`` reached by ``actual``, in [0, 100] or None."""
    if target is None:
        return Progress(None, NO_TARGET)
    if baseline is None:
        return Progress(None, NO_BASELINE)
    gap = target.value - baseline
    if math.isclose(gap, 0.0, rel_tol=1e-12, abs_tol=1e-12 * max(1.0, abs(baseline))):
        return Progress(None, BASELINE_IS_TARGET)
    sign = improving_sign(direction)
    if sign != 0 and gap * sign < 0:
        return Progress(100.0 if meets(actual, target, policy) else 0.0, BASELINE_BEYOND)
    rate = 100 * (actual - baseline) / gap
    if math.isnan(rate):
        return Progress(None, NO_BASELINE)
    return Progress(min(100.0, max(0.0, rate)))
