"""Adding up territories: the value of a wider scope from the values of the scopes it covers
(communes into an EPCI, EPCI into a caisse, caisses into the nation).

A rate or a delay is a ratio: the wider value is the ratio of the sums of numerators and
denominators, never the mean of the ratios (a commune of 50 allocataires does not weigh as much
as one of 5 000). A count sums. A ratio known without its numerator and denominator cannot be
aggregated, and says so (decision 016).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

# Units whose values are ratios (a share, a mean delay, an index): aggregated as a ratio of sums.
# « heures » is not one: the contracts count hours of service (« Nombre d'heures d'accueil »),
# which add up across territories.
RATIO_UNITS = frozenset({"%", "points", "jours", "indice"})
# « … par an » is a yearly count (« allocataires par an »), not a ratio of two measures
_PER_TIME = (" par an", " par mois", " par année")


class Method(StrEnum):
    SUM = "sum"
    RATIO = "ratio"


def method_for(unit: str) -> Method:
    """How values of ``unit`` add up: a ratio for shares, delays in days, indices and « … par … »
    units (« € par unité d'œuvre »), else a sum (counts, amounts, hours of service)."""
    text = unit.strip()
    if text.endswith(_PER_TIME):
        return Method.SUM
    if text in RATIO_UNITS or text.startswith("indice") or " par " in f" {text} ":
        return Method.RATIO
    return Method.SUM


@dataclass(frozen=True)
class Part:
    code: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Aggregate:
    """The wider value, how it was made, and from how many of the expected parts. ``value`` is
    None when it cannot be made; ``reason`` then says why, in French."""

    value: float | None
    numerator: float | None
    denominator: float | None
    method: Method
    parts: int  # parts that entered the value
    missing: tuple[str, ...]  # expected parts without a value
    reason: str = ""

    @property
    def complete(self) -> bool:
        return self.value is not None and not self.missing


def aggregate(
    parts: Sequence[Part], method: Method, expected: Iterable[str] | None = None
) -> Aggregate:
    """Aggregate ``parts``; ``expected`` lists the codes that should all be there (the communes
    of an EPCI): a sum with one missing is not given, a ratio is given over the parts present
    with the missing ones listed."""
    present = {p.code for p in parts if p.value is not None}
    missing = tuple(sorted(set(expected or ()) - present))
    known = [p for p in parts if p.value is not None]
    if method is Method.SUM:
        if missing:
            return Aggregate(
                None, None, None, method, len(known), missing,
                f"somme incomplète : {len(missing)} territoire(s) sans valeur",
            )  # fmt: skip
        if not known:
            return Aggregate(None, None, None, method, 0, missing, "aucune valeur")
        total = sum(p.value for p in known if p.value is not None)
        return Aggregate(total, None, None, method, len(known), missing)
    lacking = [p.code for p in known if p.numerator is None or p.denominator is None]
    if lacking:
        return Aggregate(
            None, None, None, method, 0, missing,
            "non agrégeable : numérateur et dénominateur inconnus pour "
            + ", ".join(sorted(lacking)[:5])
            + (" …" if len(lacking) > 5 else ""),
        )  # fmt: skip
    if not known:
        return Aggregate(None, None, None, method, 0, missing, "aucune valeur")
    numerator = sum(p.numerator for p in known if p.numerator is not None)
    denominator = sum(p.denominator for p in known if p.denominator is not None)
    if denominator == 0:
        return Aggregate(
            None, numerator, denominator, method, len(known), missing,
            "non calculable : dénominateur nul",
        )  # fmt: skip
    scale = _scale(known)
    return Aggregate(
        numerator / denominator * scale, numerator, denominator, method, len(known), missing
    )


def _scale(parts: Sequence[Part]) -> float:
    """The factor between numerator/denominator and the value: 100 for a percentage, else 1.
    Read from the parts themselves so that the rule needs no unit table: for each part with a
    non-zero ratio, whichever of 1 and 100 its value ÷ ratio is nearer to on a log scale (a
    rounded value, « 0,4 % » for 1/270, is still a percentage), then the most frequent."""
    votes = [0, 0]  # for 1, for 100
    for part in parts:
        if part.value and part.numerator and part.denominator:
            factor = abs(part.value / (part.numerator / part.denominator))
            votes[abs(math.log10(factor) - 2) < abs(math.log10(factor))] += 1
    return 100.0 if votes[1] > votes[0] else 1.0
