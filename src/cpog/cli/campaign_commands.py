"""``cpog campagne ouvrir | relancer | clore | liste``: reporting campaigns and their reminders
(decision 026). « Today » is :func:`cpog.clock.today`; every write is audited under
``CPOG_USER`` (``cli:<compte système>`` by default)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cpog.cli.status_command import CaisseOption
from cpog.errors import CpogError
from cpog.formatting import fr_date

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

# --caisse of the commands that work on every caisse unless told
AnyCaisse = Annotated[
    str | None,
    typer.Option("--caisse", help="Code de la caisse ; par défaut, toutes les caisses."),
]

campaign_app = typer.Typer(
    help="Campagnes de saisie : ouvrir, relancer les pilotes par courriel, clore, lister.",
    no_args_is_help=True,
)


def _setup() -> None:
    from cpog.store.bootstrap import setup

    setup()


def _fail(error: Exception, code: int = 1) -> typer.Exit:
    err.print(escape(str(error)))
    return typer.Exit(code)


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    from cpog.ingest.numbers import DateError, parse_date

    try:
        return parse_date(text)
    except DateError as error:
        err.print(f"{option} : {escape(str(error))}")
        raise typer.Exit(2) from None


def _values(count: int) -> str:
    return f"{count} valeur{'s' if count > 1 else ''}"


def _caisse(caisse: str | None) -> str:
    from cpog.store.contracts import caisses, default_caisse_code

    if not caisse or not caisse.strip():
        return default_caisse_code()
    code = caisse.strip()
    if code not in {entry.code for entry in caisses()}:
        err.print(f"Caisse inconnue : « {escape(code)} » (aucun contrat de cette caisse).")
        raise typer.Exit(2)
    return code


@campaign_app.command("ouvrir", help="Ouvre une campagne de saisie pour une période.")
def open_command(
    period: Annotated[
        str,
        typer.Argument(
            metavar="PERIODE",
            help="Période des valeurs attendues : un mois (2026-10, octobre 2026), un trimestre "
            "(T3 2026) ou une année (2026).",
        ),
    ],
    due: Annotated[str, typer.Option("--echeance", help="Date limite de saisie (JJ/MM/AAAA).")],
    opens: Annotated[
        str | None,
        typer.Option("--ouverture", help="Date d'ouverture (JJ/MM/AAAA) ; par défaut aujourd'hui."),
    ] = None,
    subjects: Annotated[
        str | None,
        typer.Option(
            "--sujets",
            help="Codes ou identifiants des sujets, séparés par des virgules ; par défaut, tous "
            "ceux dont une valeur est attendue pour la période.",
        ),
    ] = None,
    caisse: CaisseOption = None,
) -> None:
    from cpog.contexts.campaigns import CampaignError, campaign_period, subject_names

    try:
        wanted = campaign_period(period)
    except CampaignError as error:
        raise _fail(error, 2) from None
    due_on = _date(due, "--echeance")
    assert due_on is not None  # a required option
    opens_on = _date(opens, "--ouverture")
    _setup()
    from cpog.store.bootstrap import current_user
    from cpog.web.campaigns import context_of, open_campaign

    code = _caisse(caisse)
    try:
        opened = open_campaign(
            code, wanted, due_on, opens_on, subject_names(subjects), current_user()
        )
    except CampaignError as error:
        raise _fail(error, 2) from None
    except CpogError as error:
        raise _fail(error) from None
    ctx = context_of(opened)
    out.print(
        f"Campagne n°{opened.id} ouverte pour {wanted} (caisse {code}) : du "
        f"{fr_date(opened.opens_on)} au {fr_date(opened.due_on)}, {ctx.totals.text}."
    )


@campaign_app.command("relancer", help="Envoie les relances du jour (ou les montre avec --essai).")
def remind_command(
    campaign_id: Annotated[
        int | None,
        typer.Option("--campagne", help="Numéro de la campagne ; par défaut, toutes les ouvertes."),
    ] = None,
    trial: Annotated[
        bool, typer.Option("--essai", help="Affiche ce qui serait envoyé, sans rien envoyer.")
    ] = False,
    caisse: AnyCaisse = None,
) -> None:
    _setup()
    from cpog import clock
    from cpog.contexts.campaigns import reminder_subject
    from cpog.store import campaigns as store
    from cpog.store.bootstrap import current_user
    from cpog.web import campaigns, mail

    code = _caisse(caisse) if caisse else None
    try:
        chosen = (
            [store.campaign(campaign_id, code)]
            if campaign_id is not None
            else [c for c in store.campaigns(code) if c.is_open]
        )
    except CpogError as error:
        raise _fail(error) from None
    if campaign_id is not None and not chosen[0].is_open:
        err.print(f"La campagne n°{campaign_id} est close : aucune relance.")
        raise typer.Exit(1)
    if not chosen:
        out.print("Aucune campagne ouverte : aucune relance.")
        return
    if not trial:
        try:
            mail.check_sending()
            mail.site_url()
        except mail.MailOff as error:
            raise _fail(error) from None
    today = clock.today()
    total = 0
    for campaign in chosen:
        if trial:
            ctx, reminders = campaigns.plan(campaign)
            for reminder in reminders:
                out.print(
                    f"Essai, campagne n°{campaign.id} : à {escape(reminder.email)} "
                    f"({escape(reminder.name)}), « {escape(reminder_subject(ctx, reminder))} », "
                    f"{_values(len(reminder.lines))} : "
                    + ", ".join(escape(line.code) for line in reminder.lines)
                )
            total += len(reminders)
            continue
        try:
            outcome = campaigns.send_reminders(campaign, current_user())
        except (mail.MailOff, OSError) as error:
            err.print(
                f"Campagne n°{campaign.id} : envoi impossible ({escape(str(error))}). "
                "Les relances non envoyées ne sont pas enregistrées."
            )
            raise typer.Exit(1) from None
        for reminder in outcome.sent:
            out.print(
                f"Campagne n°{campaign.id} : relance envoyée à {escape(reminder.email)} "
                f"({escape(reminder.name)}), {_values(len(reminder.lines))}."
            )
        total += len(outcome.sent)
    if total == 0:
        out.print(f"Aucune relance due le {fr_date(today)}.")
    elif trial:
        words = "relance serait envoyée" if total == 1 else "relances seraient envoyées"
        out.print(f"{total} {words} le {fr_date(today)} (essai : rien n'est envoyé).")
    else:
        words = "relance envoyée" if total == 1 else "relances envoyées"
        out.print(f"{total} {words} le {fr_date(today)}.")


@campaign_app.command("clore", help="Clôt une campagne : plus aucune relance.")
def close_command(
    campaign_id: Annotated[int, typer.Argument(metavar="ID", help="Numéro de la campagne.")],
) -> None:
    _setup()
    from cpog import clock
    from cpog.contexts.campaigns import title_of
    from cpog.store import campaigns as store
    from cpog.store.bootstrap import current_user

    try:
        closed = store.close_campaign(campaign_id, None, current_user(), clock.today())
    except CpogError as error:
        raise _fail(error) from None
    out.print(f"{title_of(closed)} : close le {fr_date(clock.today())}.")


@campaign_app.command("liste", help="Liste les campagnes : période, dates, état, avancement.")
def list_command(
    caisse: AnyCaisse = None,
) -> None:
    _setup()
    from cpog.store import campaigns as store
    from cpog.web.campaigns import context_of

    code = _caisse(caisse) if caisse else None
    found = store.campaigns(code)
    if not found:
        out.print("Aucune campagne.")
        return
    for campaign in found:
        ctx = context_of(campaign)
        out.print(
            f"n°{campaign.id}  caisse {campaign.caisse_code}  {ctx.period_label}  "
            f"ouverture {fr_date(campaign.opens_on)}  échéance {fr_date(campaign.due_on)}  "
            f"{ctx.state_label}  {ctx.totals.text}"
        )
