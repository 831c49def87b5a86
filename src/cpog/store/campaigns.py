"""Reporting campaigns in the store (decision 026): opening, closing, the reminders sent. Every
write is audited with the caisse it is for; the rules of what a campaign awaits are in
:mod:`cpog.contexts.campaigns`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from cpog.errors import CpogError
from cpog.formatting import fr_date
from cpog.periods import Period
from cpog.records import CampaignRecord, SentRecord
from cpog.steering import SubjectKey
from cpog.store import audit
from cpog.store.models import Campaign, CampaignReminder

ENTITY = "campaign"
REMINDER_ENTITY = "campaign_reminder"


class UnknownCampaign(CpogError):
    """No campaign of that number for the caisse."""


class CampaignClosed(CpogError):
    """The campaign is closed: no reminder, no second closing."""


def as_record(campaign: Campaign) -> CampaignRecord:
    return CampaignRecord(
        id=campaign.pk,
        caisse_code=campaign.caisse_code,
        contract_id=campaign.contract_id,
        period_key=campaign.period_key,
        opens_on=campaign.opens_on,
        due_on=campaign.due_on,
        subjects=tuple(_key(text) for text in campaign.subjects),
        state=campaign.state,
        created_by=campaign.created_by,
        closed_on=campaign.closed_on,
    )


def _key(text: str) -> SubjectKey:
    subject_type, _, subject_id = text.partition(":")
    return subject_type, subject_id


def _snapshot(campaign: Campaign) -> dict[str, Any]:
    return {
        "period": campaign.period_key,
        "opens_on": campaign.opens_on.isoformat(),
        "due_on": campaign.due_on.isoformat(),
        "subjects": len(campaign.subjects),
        "state": campaign.state,
    }


def open_campaign(
    contract_id: str,
    caisse: str,
    period: Period,
    opens_on: date,
    due_on: date,
    subjects: Sequence[SubjectKey],
    user: str,
    context: str = "",
) -> CampaignRecord:
    """Store an open campaign, audited."""
    with transaction.atomic():
        campaign = Campaign.objects.create(
            contract_id=contract_id,
            caisse_code=caisse,
            period_key=period.key,
            opens_on=opens_on,
            due_on=due_on,
            subjects=[f"{t}:{i}" for t, i in subjects],
            created_by=user,
        )
        audit.record(
            ENTITY,
            str(campaign.pk),
            "create",
            user,
            after=_snapshot(campaign),
            context=context,
            caisse=caisse,
        )
    return as_record(campaign)


def campaigns(caisse: str | None) -> list[CampaignRecord]:
    """The campaigns of ``caisse`` (None: every caisse), latest due date first."""
    query = Campaign.objects.all()
    if caisse is not None:
        query = query.filter(caisse_code=caisse)
    return [as_record(c) for c in query]


def campaign(campaign_id: int, caisse: str | None) -> CampaignRecord:
    """Campaign ``campaign_id`` of ``caisse`` (None: any caisse); another caisse's is unknown."""
    query = Campaign.objects.filter(pk=campaign_id)
    if caisse is not None:
        query = query.filter(caisse_code=caisse)
    found = query.first()
    if found is None:
        where = f" pour la caisse « {caisse} »" if caisse is not None else ""
        raise UnknownCampaign(f"Campagne n°{campaign_id} introuvable{where}.")
    return as_record(found)


def close_campaign(campaign_id: int, caisse: str | None, user: str, today: date) -> CampaignRecord:
    """Close a campaign, audited; closing a closed one is refused in French."""
    with transaction.atomic():
        query = Campaign.objects.select_for_update().filter(pk=campaign_id)
        if caisse is not None:
            query = query.filter(caisse_code=caisse)
        found = query.first()
        if found is None:
            raise UnknownCampaign(f"Campagne n°{campaign_id} introuvable.")
        if found.state == Campaign.State.CLOSED:
            raise CampaignClosed(
                f"La campagne n°{campaign_id} est déjà close"
                f" (depuis le {fr_date(found.closed_on)})."
                if found.closed_on
                else f"La campagne n°{campaign_id} est déjà close."
            )
        before = _snapshot(found)
        found.state = Campaign.State.CLOSED
        found.closed_by = user
        found.closed_on = today
        found.save(update_fields=["state", "closed_by", "closed_on"])
        audit.record(
            ENTITY,
            str(found.pk),
            "close",
            user,
            before=before,
            after=_snapshot(found),
            caisse=found.caisse_code,
        )
    return as_record(found)


def sent_reminders(campaign_id: int) -> list[SentRecord]:
    return [
        SentRecord(r.recipient, r.sent_on, r.kind)
        for r in CampaignReminder.objects.filter(campaign_id=campaign_id)
    ]


def claim_reminder(
    campaign: CampaignRecord,
    recipient: str,
    email: str,
    kind: str,
    today: date,
    subjects: Sequence[SubjectKey],
    user: str,
) -> int | None:
    """Claim the reminder of ``recipient`` for today: its row is written, and committed, before
    the e-mail is sent, so that no transaction (on SQLite, a lock on every writer) is held across
    the SMTP conversation. None when one is already recorded (another run got there first). The
    caller then sends, and calls :func:`reminder_sent`, or :func:`release_reminder` when the
    sending fails."""
    try:
        with transaction.atomic():
            row = CampaignReminder.objects.create(
                campaign_id=campaign.id,
                recipient=recipient,
                email=email,
                kind=kind,
                sent_on=today,
                sent_by=user,
                subjects=[f"{t}:{i}" for t, i in subjects],
            )
    except IntegrityError:
        return None
    return int(row.pk)


def release_reminder(claim: int) -> None:
    """The sending failed: the claim goes, and a later run sends the reminder."""
    CampaignReminder.objects.filter(pk=claim).delete()


def reminder_sent(
    campaign: CampaignRecord,
    recipient: str,
    kind: str,
    today: date,
    subjects: Sequence[SubjectKey],
    user: str,
) -> None:
    """Audit a reminder the SMTP server has taken."""
    audit.record(
        REMINDER_ENTITY,
        f"{campaign.id}:{recipient}",
        "send",
        user,
        after={
            "campaign": campaign.id,
            "recipient": recipient,
            "kind": kind,
            "day": today.isoformat(),
            "subjects": len(subjects),
        },
        caisse=campaign.caisse_code,
    )
