"""The off-track rule: an indicator or result « à surveiller », « en retard » or, after the
contract, « non atteint » for a period needs its pilot's analysis and corrective action; until both
are written it shows as missing."""

from __future__ import annotations

from cpog.assess.types import Status
from cpog.contract.model import Contract
from cpog.steering import StatusRow
from cpog.store.models import Analysis

OFF_TRACK = (Status.A_SURVEILLER, Status.EN_RETARD, Status.NON_ATTEINT)


def needs_analysis(row: StatusRow) -> bool:
    return row.assessment.status in OFF_TRACK and row.assessment.current is not None


def missing_analyses(contract: Contract, rows: list[StatusRow]) -> list[StatusRow]:
    off = [r for r in rows if needs_analysis(r)]
    if not off:
        return []
    done = set(
        Analysis.objects.filter(contract_id=contract.id)
        .exclude(analysis="")
        .exclude(corrective_action="")
        .values_list("subject_type", "subject_id", "period_key")
    )
    return [
        r
        for r in off
        if (r.subject_type, r.subject_id, r.assessment.current.period.key) not in done  # type: ignore[union-attr]
    ]
