"""Reporting campaigns for the page and the command (decision 026): who pilots what, the links
to the entry pages, sending the reminders. The rules are in :mod:`cpog.contexts.campaigns`, the
records in :mod:`cpog.store.campaigns`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from cpog import clock
from cpog.contexts.campaigns import (
    CampaignContext,
    CampaignError,
    Pilot,
    Reminder,
    campaign_context,
    campaign_subjects,
    check_dates,
    chosen_subjects,
    due_reminders,
    reminder_body,
    reminder_subject,
)
from cpog.contexts.situation import Situation, situation
from cpog.periods import Period
from cpog.records import CampaignRecord
from cpog.store import campaigns as store
from cpog.store.contracts import contract_of_caisse
from cpog.store.reader import StoreReader
from cpog.store.roles import Role
from cpog.web import mail
from cpog.web.models import ChallengePilot
from cpog.web.roles import caisse_of_user


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def pilots_of(contract_id: str) -> list[Pilot]:
    """The active pilots of the contract's défis, in name order."""
    numbers: dict[int, set[int]] = {}
    users = {}
    query = ChallengePilot.objects.filter(contract_id=contract_id, user__is_active=True)
    for pilot in query.select_related("user"):
        numbers.setdefault(pilot.user_id, set()).add(pilot.challenge_number)
        users[pilot.user_id] = pilot.user
    found = [
        Pilot(u.get_username(), _name(u), u.email or "", frozenset(numbers[pk]))
        for pk, u in users.items()
    ]
    return sorted(found, key=lambda p: (p.name.casefold(), p.username))


def controllers_of(caisse: str) -> list[Pilot]:
    """The caisse's active contrôle de gestion accounts (the summary after the due date)."""
    users = get_user_model().objects.filter(is_active=True, groups__name=Role.CONTROLE.value)
    return [
        Pilot(u.get_username(), _name(u), u.email or "", frozenset())
        for u in users.order_by("username")
        if caisse_of_user(u) == caisse
    ]


def entry_path_for(caisse: str) -> Callable[[str, str], str]:
    def entry_path(subject_type: str, subject_id: str) -> str:
        name = "measure" if subject_type == "measure" else "indicator"
        return f"{reverse(name, kwargs={'subject_id': subject_id})}?caisse={caisse}"

    return entry_path


def situation_of(caisse: str, today: date | None = None) -> Situation:
    """The caisse's contract at ``today`` (today by default): the dashboard's situation."""
    _, contract = contract_of_caisse(caisse)
    return situation(StoreReader(), contract, today or clock.today())


def context_of(campaign: CampaignRecord, found: Situation | None = None) -> CampaignContext:
    found = found or situation_of(campaign.caisse_code)
    return campaign_context(
        found,
        campaign,
        pilots_of(found.contract.id),
        store.sent_reminders(campaign.id),
        entry_path_for(campaign.caisse_code),
    )


def open_campaign(
    caisse: str,
    period: Period,
    due_on: date,
    opens_on: date | None,
    subjects: Sequence[str],
    user: str,
) -> CampaignRecord:
    """Open a campaign of ``caisse`` for ``period``: the subjects named, or by default those
    whose value for the period is expected. Bad dates or subjects raise CampaignError."""
    today = clock.today()
    opens_on = opens_on or today
    check_dates(period, opens_on, due_on)
    found = situation_of(caisse, today)
    rows = (
        chosen_subjects(found, period, subjects) if subjects else campaign_subjects(found, period)
    )
    if not rows:
        raise CampaignError(f"Aucune valeur attendue pour {period} : aucune campagne ouverte.")
    return store.open_campaign(
        found.contract.id,
        caisse,
        period,
        opens_on,
        due_on,
        [(r.subject_type, r.subject_id) for r in rows],
        user,
    )


@dataclass(frozen=True)
class Outcome:
    """The reminders of a run: sent (or, in a trial, that would be sent)."""

    context: CampaignContext
    sent: list[Reminder]
    skipped: list[Reminder]  # another run recorded them first


def plan(
    campaign: CampaignRecord, *, now: bool = False, found: Situation | None = None
) -> tuple[CampaignContext, list[Reminder]]:
    """The campaign's context today and the reminders due (``now``: « Relancer maintenant »);
    ``found``: the caisse's situation today, when the caller has it."""
    found = found or situation_of(campaign.caisse_code)
    pilots = pilots_of(found.contract.id)
    sent = store.sent_reminders(campaign.id)
    ctx = campaign_context(found, campaign, pilots, sent, entry_path_for(campaign.caisse_code))
    reminders = due_reminders(
        ctx,
        pilots,
        controllers_of(campaign.caisse_code),
        sent,
        now=now,
        days_before=settings.CAMPAIGN_DAYS_BEFORE,
        days_after=settings.CAMPAIGN_DAYS_AFTER,
    )
    return ctx, reminders


def send_reminders(campaign: CampaignRecord, user: str, *, now: bool = False) -> Outcome:
    """Send the reminders due today. Each is claimed (recorded and committed) before it is sent,
    so that no database transaction is held across the SMTP conversation, audited once sent, and
    its claim removed when the sending fails (then this raises, and a later run sends it): a
    second run the same day sends nothing new. Raises :class:`cpog.web.mail.MailOff` before
    anything when sending is off."""
    mail.check_sending()
    base = mail.site_url()
    ctx, reminders = plan(campaign, now=now)
    sent, skipped = [], []
    today = ctx.as_of
    for reminder in reminders:
        keys = [(line.subject_type, line.subject_id) for line in reminder.lines]
        claim = store.claim_reminder(
            campaign, reminder.recipient, reminder.email, reminder.kind, today, keys, user
        )
        if claim is None:
            skipped.append(reminder)
            continue
        try:
            mail.send(
                reminder_subject(ctx, reminder),
                reminder_body(ctx, reminder, base),
                [reminder.email],
            )
        except BaseException:
            store.release_reminder(claim)
            raise
        store.reminder_sent(campaign, reminder.recipient, reminder.kind, today, keys, user)
        sent.append(reminder)
    return Outcome(ctx, sent, skipped)
