"""Reporting campaigns (« campagnes de saisie », decision 026): which values a campaign awaits,
from whom, which are entered, which are late, and which reminders are due today.

A campaign is for one caisse and one period (a month, a quarter or a year: the period the values
are for), with an opening date and a due date (« échéance »). Its subjects are, by default, those
that have a period of their own ending with the campaign's (:func:`period_ending_with`): a
monthly indicator's « octobre 2026 » in a campaign of October 2026; the monthly, quarterly and
yearly ones in a campaign of 2026 (their December, T4 and 2026 values). A measure that takes its
values from an indicator is not asked for: entering the indicator fills it.

For each subject:

- **saisie** (entered): the subject is « renseigné » for its campaign period — a value for that
  period or a later one (:func:`cpog.assess.staleness.covers`, the rule of completeness);
- **en retard** (late): not entered, and listed late by the dashboard's « À traiter »
  (:func:`cpog.contexts.dashboard.late_to_enter`: the one definition of lateness,
  :class:`cpog.assess.types.Freshness` ``is_late``, for the subjects the dashboard follows; worded
  by :func:`cpog.assess.wording.lateness_text`). The campaign's due date does not make a value
  late: it schedules the reminders.

The pilots concerned are those of the défis the subject belongs to (a subject of no piloted défi
is shown « sans pilote » and reminded to nobody but the contrôle de gestion).

Reminders (:func:`due_reminders`): while the campaign is open, on and after its opening date,

- before the due date, on the days set (J-7 and J-1 by default), to each pilot with a value
  missing;
- after it, on the days set (J+1 and J+7 by default), to each pilot with a value missing, and one
  summary to the contrôle de gestion;
- a day missed (the server down that morning) is caught up: a reminder is due when the most
  recent day set (:func:`last_scheduled`, not before the opening) is today or past, and the
  recipient has had no reminder of that kind (nor a « Relancer maintenant ») for the campaign
  since that day;
- at most one reminder per recipient, per campaign and per day, whatever asks for it (the daily
  timer, a second run, « Relancer maintenant »): two open campaigns of a caisse make two
  e-mails.

Plain Python: the store gives the records, the web layer the pilots and the links."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from cpog import vocabulary
from cpog.assess.staleness import covers, period_ending_with
from cpog.assess.wording import lateness_text, of_text
from cpog.contexts.challenges import plural
from cpog.contexts.dashboard import late_to_enter
from cpog.contexts.situation import Situation
from cpog.formatting import fr_date
from cpog.periods import Period, PeriodError, parse_period
from cpog.records import CampaignRecord, SentRecord
from cpog.steering import StatusRow, challenges_of_subject

OPEN = "ouverte"  # CampaignRecord.state
CLOSED = "close"

BEFORE = "avant"  # a reminder before the due date
AFTER = "apres"  # after it, to a pilot
SUMMARY = "synthese"  # after it, to the contrôle de gestion
NOW = "immediate"  # « Relancer maintenant »: whatever the day

DEFAULT_DAYS_BEFORE = (7, 1)
DEFAULT_DAYS_AFTER = (1, 7)


class CampaignError(ValueError):
    """A campaign that cannot be opened as asked; the message is in French, for users."""


@dataclass(frozen=True)
class Pilot:
    """A user who pilots défis of the campaign's contract."""

    username: str
    name: str
    email: str
    challenges: frozenset[int]


@dataclass(frozen=True)
class Line:
    """One subject awaited from one pilot (``pilot`` None: a subject no pilot pilots)."""

    subject_type: str
    subject_id: str
    code: str
    label: str
    period_label: str  # « octobre 2026 »: the subject's own period awaited
    pilot: str | None  # username
    pilot_name: str
    entered: bool
    late: bool
    lateness_label: str  # « valeur de septembre 2026 attendue le 30/10/2026 : 28 jours de retard »
    last_reminder: date | None
    entry_path: str  # the subject's page, where its value is entered

    @property
    def state_label(self) -> str:
        state = "entered" if self.entered else "late" if self.late else "awaited"
        return vocabulary.CAMPAIGN_VALUE_STATE[state]


@dataclass(frozen=True)
class Totals:
    expected: int
    entered: int
    late: int

    @property
    def text(self) -> str:
        """« 12 valeurs attendues, 9 saisies, 3 en retard »."""
        return (
            f"{plural(self.expected, 'valeur attendue', 'valeurs attendues')}, "
            f"{self.entered} {'saisie' if self.entered <= 1 else 'saisies'}, "
            f"{self.late} en retard"
        )


@dataclass(frozen=True)
class CampaignContext:
    """The campaign page and the reminders' source: one line per subject and pilot."""

    campaign: CampaignRecord
    as_of: date
    title: str  # « Campagne n°3 — octobre 2026 »
    period_label: str
    opens_text: str
    due_text: str
    state_label: str
    lines: list[Line]
    totals: Totals
    missing_by_pilot: dict[str, list[Line]] = field(default_factory=dict)


@dataclass(frozen=True)
class Reminder:
    """An e-mail to send: to a pilot (their missing values) or a summary to a controller."""

    recipient: str  # username
    name: str
    email: str
    kind: str
    lines: list[Line]


def title_of(campaign: CampaignRecord) -> str:
    return f"Campagne n°{campaign.id} — {parse_period(campaign.period_key)}"


def campaign_period(text: str) -> Period:
    """The period a campaign awaits, as written at every door (« octobre 2026 », « 2026-10 »,
    « T4 2026 », « 2026 »): a plain period, not a year-to-date cumulation."""
    try:
        period = parse_period(text)
    except PeriodError as error:  # « Période non reconnue : « … ». Formats acceptés : … »
        raise CampaignError(str(error)) from None
    if period.to_date:
        raise CampaignError(
            f"Période « {text.strip()} » : un mois, un trimestre ou une année est attendu."
        )
    return period


def subject_names(text: str | None) -> list[str]:
    """The subjects named in a list separated by commas (empty: the default subjects)."""
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def campaign_subjects(situation: Situation, period: Period) -> list[StatusRow]:
    """The subjects whose value for ``period`` is expected (see the module's doc)."""
    return [
        row
        for row in situation.status.rows
        if row.measured_by is None
        and period_ending_with(row.assessment.subject, period) is not None
    ]


def chosen_subjects(situation: Situation, period: Period, names: Sequence[str]) -> list[StatusRow]:
    """The subjects named by ``names`` (codes or identifiers); an unknown one, or one with no
    value for ``period``, is refused in French."""
    by_name: dict[str, StatusRow] = {}
    for row in situation.status.rows:
        by_name[row.subject_id.casefold()] = row
        by_name.setdefault(row.code.casefold(), row)
    found: list[StatusRow] = []
    for name in names:
        looked = by_name.get(name.strip().casefold())
        if looked is None:
            raise CampaignError(f"Sujet inconnu : « {name.strip()} ».")
        if period_ending_with(looked.assessment.subject, period) is None:
            raise CampaignError(
                f"Sujet « {looked.code} » : aucune valeur attendue pour {period} "
                "(sa périodicité ne tombe pas sur la fin de la période)."
            )
        if looked not in found:
            found.append(looked)
    return found


def check_dates(period: Period, opens_on: date, due_on: date) -> None:
    if due_on < opens_on:
        raise CampaignError(
            f"Échéance du {fr_date(due_on)} avant l'ouverture du {fr_date(opens_on)}."
        )
    if due_on <= period.end:
        raise CampaignError(
            f"Échéance du {fr_date(due_on)} : elle doit suivre la fin de la période {period} "
            f"({fr_date(period.end)})."
        )


def campaign_context(
    situation: Situation,
    campaign: CampaignRecord,
    pilots: Iterable[Pilot],
    sent: Iterable[SentRecord],
    entry_path: Callable[[str, str], str],
) -> CampaignContext:
    """``situation``: the caisse's contract at today's date (the dashboard's); ``pilots``: those of
    the contract; ``sent``: the campaign's reminders; ``entry_path(type, id)``: a subject's page."""
    period = parse_period(campaign.period_key)
    last_sent: dict[str, date] = {}
    for item in sent:
        if item.recipient not in last_sent or item.sent_on > last_sent[item.recipient]:
            last_sent[item.recipient] = item.sent_on
    pilots = list(pilots)
    lines: list[Line] = []
    entered_count = late_count = expected = 0
    for subject_type, subject_id in campaign.subjects:
        row = situation.row(subject_type, subject_id)
        if row is None:  # gone from the contract in force (an amendment): nothing to ask
            continue
        own = period_ending_with(row.assessment.subject, period)
        if own is None:
            continue
        fresh = row.assessment.freshness
        entered = covers(fresh.latest_period, own)
        late = not entered and late_to_enter(row)
        expected += 1
        entered_count += entered
        late_count += late
        numbers = challenges_of_subject(situation.contract, subject_type, subject_id)
        concerned: list[Pilot | None] = [p for p in pilots if p.challenges & numbers] or [None]
        for pilot in concerned:
            lines.append(
                Line(
                    subject_type=subject_type,
                    subject_id=subject_id,
                    code=row.code,
                    label=row.label,
                    period_label=str(own),
                    pilot=None if pilot is None else pilot.username,
                    pilot_name="sans pilote" if pilot is None else pilot.name,
                    entered=entered,
                    late=late,
                    lateness_label=lateness_text(fresh) if late else "",
                    last_reminder=None if pilot is None else last_sent.get(pilot.username),
                    entry_path=entry_path(subject_type, subject_id),
                )
            )
    missing: dict[str, list[Line]] = {}
    for line in lines:
        if line.pilot is not None and not line.entered:
            missing.setdefault(line.pilot, []).append(line)
    return CampaignContext(
        campaign=campaign,
        as_of=situation.as_of,
        title=title_of(campaign),
        period_label=str(period),
        opens_text=fr_date(campaign.opens_on),
        due_text=fr_date(campaign.due_on),
        state_label=vocabulary.CAMPAIGN_STATE[campaign.state],
        lines=lines,
        totals=Totals(expected, entered_count, late_count),
        missing_by_pilot=missing,
    )


def last_scheduled(
    campaign: CampaignRecord,
    today: date,
    days_before: Sequence[int] = DEFAULT_DAYS_BEFORE,
    days_after: Sequence[int] = DEFAULT_DAYS_AFTER,
) -> tuple[str, date] | None:
    """The most recent day set for reminders (J-7, J-1, J+1, J+7 by default) that is today or
    past and not before the opening, with its kind (BEFORE or AFTER); None while there is none,
    or when the campaign is closed."""
    if not campaign.is_open or today < campaign.opens_on:
        return None
    days = [(campaign.due_on - timedelta(days=d), BEFORE) for d in days_before]
    days += [(campaign.due_on + timedelta(days=d), AFTER) for d in days_after]
    past = [(day, kind) for day, kind in days if campaign.opens_on <= day <= today]
    if not past:
        return None
    day, kind = max(past)
    return kind, day


def reminder_kind(
    campaign: CampaignRecord,
    today: date,
    days_before: Sequence[int] = DEFAULT_DAYS_BEFORE,
    days_after: Sequence[int] = DEFAULT_DAYS_AFTER,
) -> str | None:
    """The kind of reminder today is set for (BEFORE or AFTER), or None (a day not set: only a
    missed one may still be due, see :func:`last_scheduled`)."""
    found = last_scheduled(campaign, today, days_before, days_after)
    return found[0] if found is not None and found[1] == today else None


def due_reminders(
    ctx: CampaignContext,
    pilots: Iterable[Pilot],
    controllers: Iterable[Pilot],
    sent: Iterable[SentRecord],
    *,
    now: bool = False,
    days_before: Sequence[int] = DEFAULT_DAYS_BEFORE,
    days_after: Sequence[int] = DEFAULT_DAYS_AFTER,
) -> list[Reminder]:
    """The reminders to send on ``ctx.as_of`` (see the module's doc); ``now``: « Relancer
    maintenant », whatever the day's schedule (still once per recipient per day). A recipient
    already reminded today, or without an e-mail address, gets nothing; a day set that was
    missed is caught up."""
    today, campaign = ctx.as_of, ctx.campaign
    if not campaign.is_open or today < campaign.opens_on:
        return []
    scheduled = last_scheduled(campaign, today, days_before, days_after)
    if scheduled is None and not now:
        return []
    sent = list(sent)
    reminded_today = {s.recipient for s in sent if s.sent_on == today}

    def caught_up(recipient: str, kind: str) -> bool:
        """Reminded of ``kind`` (or « maintenant ») since the last day set: nothing is due."""
        if now or scheduled is None:
            return False
        since = scheduled[1]
        return any(
            s.recipient == recipient and s.kind in (kind, NOW) and s.sent_on >= since for s in sent
        )

    kind = NOW if now or scheduled is None else scheduled[0]
    by_name = {p.username: p for p in pilots}
    reminders: list[Reminder] = []
    for username, lines in ctx.missing_by_pilot.items():
        pilot = by_name.get(username)
        if pilot is None or not pilot.email or username in reminded_today:
            continue
        if caught_up(username, kind):
            continue
        reminders.append(Reminder(username, pilot.name, pilot.email, kind, lines))
    if today > campaign.due_on and (now or kind == AFTER):
        missing = [line for lines in ctx.missing_by_pilot.values() for line in lines]
        missing += [line for line in ctx.lines if line.pilot is None and not line.entered]
        if missing:
            for controller in controllers:
                if (
                    controller.email
                    and controller.username not in reminded_today
                    and not caught_up(controller.username, SUMMARY)
                ):
                    reminders.append(
                        Reminder(
                            controller.username, controller.name, controller.email, SUMMARY, missing
                        )
                    )
    return reminders


def reminder_subject(ctx: CampaignContext, reminder: Reminder) -> str:
    period, due = of_text(ctx.period_label), ctx.due_text
    if reminder.kind == SUMMARY:
        return f"[cpog] Valeurs manquantes {period} après l'échéance du {due}"
    if ctx.as_of > ctx.campaign.due_on:
        return f"[cpog] Valeurs {period} en attente : échéance du {due} passée"
    return f"[cpog] Valeurs {period} à saisir avant le {due}"


def reminder_body(ctx: CampaignContext, reminder: Reminder, base_url: str) -> str:
    """The French text of a reminder: which values, for which period, the due date, a link to
    the page of each subject where its value is entered."""
    base = base_url.rstrip("/")
    period = of_text(ctx.period_label)
    lines = [f"Bonjour {reminder.name},", ""]
    if reminder.kind == SUMMARY:
        lines.append(
            f"L'échéance du {ctx.due_text} de la campagne de saisie {period} est passée."
            f" Les valeurs suivantes manquent encore ({ctx.totals.text}) :"
        )
    else:
        when = "était" if ctx.as_of > ctx.campaign.due_on else "est"
        lines.append(
            f"Dans la campagne de saisie {period}, dont l'échéance {when} le "
            f"{ctx.due_text}, les valeurs suivantes sont attendues de vous :"
        )
    lines.append("")
    for line in reminder.lines:
        text = f"- {line.code} {line.label} : valeur {of_text(line.period_label)}"
        if reminder.kind == SUMMARY:
            text += f" (pilote : {line.pilot_name})"
        if line.late:
            text += f" — en retard ({line.lateness_label})"
        lines.append(text)
        lines.append(f"  Saisir : {base}{line.entry_path}")
    lines += [
        "",
        f"Suivi de la campagne : {base}/campagnes/{ctx.campaign.id}/"
        f"?caisse={ctx.campaign.caisse_code}"
        if reminder.kind == SUMMARY
        else "Merci de saisir ces valeurs dans cpog.",
        "",
        "— cpog (message automatique, ne pas répondre)",
    ]
    return "\n".join(lines) + "\n"
