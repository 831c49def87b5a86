"""The one shape of a roll-up (a défi, a family of indicators): status, score, progress and how
complete it is, with its subjects' statuses counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from cpog import vocabulary
from cpog.assess.types import RollUp, Status
from cpog.assess.wording import completeness_text
from cpog.contexts.serialize import record
from cpog.contexts.situation import Situation
from cpog.steering import StatusRow


@record
class StatusCount:
    status: str
    status_label: str
    count: int


@record
class RollUpData:
    status: str
    status_label: str
    score: float | None
    progress: float | None
    n_expected: int
    n_available: int
    n_filled: int
    missing: list[str]
    complete: bool
    completeness: str  # « 6 sur 7 renseignés »
    counts: list[StatusCount]


def status_counts(rows: Iterable[StatusRow]) -> list[StatusCount]:
    """How many rows have each status, best first, statuses with none left out."""
    counter = Counter(r.assessment.status for r in rows)
    return [StatusCount(s.value, vocabulary.STATUS[s], counter[s]) for s in Status if counter[s]]


def rollup_data(rollup: RollUp, rows: Iterable[StatusRow] = ()) -> RollUpData:
    return RollUpData(
        status=rollup.status.value,
        status_label=vocabulary.STATUS[rollup.status],
        score=rollup.score,
        progress=rollup.progress,
        n_expected=rollup.n_expected,
        n_available=rollup.n_available,
        n_filled=rollup.n_filled,
        missing=list(rollup.missing),
        complete=rollup.complete,
        completeness=completeness_text(rollup),
        counts=status_counts(rows),
    )


def challenge_rollup(situation: Situation, number: int) -> RollUpData:
    """Défi ``number``'s roll-up, its subjects' statuses counted (the one way every page, report
    and the API show it)."""
    rows = [row for row, _ in situation.challenge_subjects(number)]
    return rollup_data(situation.status.challenges[number], rows)
