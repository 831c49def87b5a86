"""Where a défi stands: its roll-up and the status row of each of its subjects (the API's
``/challenges/{n}/status`` and ``cpog status --defi N``)."""

from __future__ import annotations

from datetime import date

from cpog.contexts.rollups import RollUpData, challenge_rollup
from cpog.contexts.serialize import record
from cpog.contexts.situation import Situation
from cpog.contexts.status_rows import StatusRowData, status_row


@record
class RolledSubjectData:
    """A subject of the défi with its weight in the roll-up; ``counted_with`` names the
    measure an indicator is counted with (weight 0 here, the measure counts)."""

    weight: float
    counted_with: str | None
    row: StatusRowData


@record
class ChallengeStatusData:
    as_of: date
    number: int
    title: str
    rollup: RollUpData
    subjects: list[RolledSubjectData]


def challenge_status(situation: Situation, number: int) -> ChallengeStatusData | None:
    """The défi ``number`` at the situation's date, or None when the contract has none."""
    challenge = situation.challenge_of(number)
    if challenge is None:
        return None
    subjects = situation.challenge_subjects(number)
    return ChallengeStatusData(
        as_of=situation.as_of,
        number=number,
        title=challenge.title,
        rollup=challenge_rollup(situation, number),
        subjects=[
            RolledSubjectData(item.weight, item.counted_with, status_row(row))
            for row, item in subjects
        ],
    )
