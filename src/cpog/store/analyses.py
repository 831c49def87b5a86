"""The one writer of the pilots' analyses: an analysis of a subject for a period, with its risks
and corrective action, written and audited in one transaction (all or nothing)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cpog.periods import Period
from cpog.store import audit
from cpog.store.locks import lock_analyses
from cpog.store.models import Analysis


def record_analysis(
    contract_id: str,
    subject_type: str,
    subject_id: str,
    period: Period,
    *,
    analysis: str,
    risks: str = "",
    corrective_action: str = "",
    user: str,
    context: str = "saisie",
    at: datetime | None = None,
) -> int:
    """Write an analysis and its audit event; nothing is written if either fails. Returns the
    analysis's id."""
    with transaction.atomic():
        lock_analyses(contract_id, subject_type, subject_id)
        written = Analysis.objects.create(
            contract_id=contract_id,
            subject_type=subject_type,
            subject_id=subject_id,
            period_key=period.key,
            analysis=analysis,
            risks=risks.strip(),
            corrective_action=corrective_action,
            author=user,
            created_at=at or timezone.now(),
        )
        audit.record(
            "analysis",
            f"{subject_type}:{subject_id}:{period.key}",
            "create",
            user,
            after={
                "id": written.pk,
                "analysis": written.analysis,
                "risks": written.risks,
                "corrective_action": written.corrective_action,
            },
            caisse=audit.caisse_of(contract_id),
            context=context,
        )
    return int(written.pk)
