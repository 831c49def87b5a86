"""Reporting campaigns and their reminders, sent to a real SMTP server (aiosmtpd on loopback)
started by the test, whose received messages are read back (issue 13, decision 026).

The shipped contract with the demo data, « today » 27/11/2026: October's monthly values are in
(but for a few late ones), November's are not yet due. The pilot pilots défi n°1."""

from __future__ import annotations

import html
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from cpog.audit_text import event_sentence
from cpog.cli.main import app
from cpog.contexts.dashboard import dashboard_context
from cpog.periods import PeriodUnit
from cpog.steering import challenges_of_subject
from cpog.store.models import AuditEvent, Campaign, CampaignReminder
from cpog.web import mail
from cpog.web.campaigns import context_of, situation_of
from smtp_server import Received, smtp_server, use

runner = CliRunner()
SITE = "https://cpog.caf79.example"
PILOTED = 8


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def smtp(settings: Any) -> Iterator[Received]:
    """cpog's mail settings pointed at a real SMTP server on loopback."""
    with smtp_server() as server:
        use(settings, server)
        settings.CPOG_URL = SITE
        yield server


@pytest.fixture
def people(users: Any, steering_data: Any) -> Any:
    """The pilot has an address and pilots défi n°8 too (a monthly indicator, COG 12-49)."""
    from cpog.web.models import ChallengePilot

    ChallengePilot.objects.create(
        user=users.pilote, contract_id=steering_data.id, challenge_number=PILOTED
    )
    users.pilote.first_name, users.pilote.last_name = "Paule", "Pilote"
    users.pilote.email = "paule.pilote@caf79.example"
    users.pilote.save()
    users.controle.email = "controle@caf79.example"
    users.controle.save()
    return users


def _open(period: str, due: str, *extra: str) -> Campaign:
    code, output = run("campagne", "ouvrir", period, "--echeance", due, *extra)
    assert code == 0, output
    assert "ouverte pour" in output
    return Campaign.objects.latest("pk")


def _record(campaign: Campaign) -> Any:
    from cpog.store.campaigns import as_record

    return as_record(campaign)


def _pilot_subjects(contract: Any, campaign: Campaign) -> set[str]:
    """The campaign's subjects of the défis the pilot pilots."""
    return {
        key.partition(":")[2]
        for key in campaign.subjects
        if {1, PILOTED} & challenges_of_subject(contract, *key.split(":"))
    }


def test_reminders_before_and_after_the_due_date_reach_the_smtp_server(
    steering_data: Any, people: Any, smtp: Received, today: Any
) -> None:
    campaign = _open("novembre 2026", "04/12/2026")  # today 27/11/2026 is J-7
    own = _pilot_subjects(steering_data, campaign)
    assert own, "the pilot's défis have monthly subjects awaited for November"
    code, output = run("campagne", "relancer")
    assert code == 0, output
    assert "1 relance envoyée le 27/11/2026." in output
    (message,) = smtp.messages
    assert smtp.recipients == [["paule.pilote@caf79.example"]]
    assert (
        Received.subject(message) == "[cpog] Valeurs de novembre 2026 à saisir avant le 04/12/2026"
    )
    assert message["From"] == "cpog <cpog@caf79.example>"
    body = Received.body(message)
    assert body.startswith("Bonjour Paule Pilote,")
    assert "dont l'échéance est le 04/12/2026" in body
    for subject_id in own:
        page = "mesures" if f"measure:{subject_id}" in campaign.subjects else "indicateurs"
        assert f"Saisir : {SITE}/{page}/{subject_id}/?caisse=79" in body
    assert body.count(": valeur de novembre 2026") == len(own)
    # the same day again: nothing new, whoever runs it
    code, output = run("campagne", "relancer")
    assert code == 0 and "Aucune relance due le 27/11/2026." in output
    assert len(smtp.messages) == 1
    sent = CampaignReminder.objects.get()
    assert (sent.recipient, sent.kind, str(sent.sent_on)) == ("pilote", "avant", "2026-11-27")
    assert AuditEvent.objects.filter(entity_type="campaign_reminder", user__startswith="cli:")
    # a day with no reminder scheduled
    today("28/11/2026")
    assert run("campagne", "relancer")[1].startswith("Aucune relance due le 28/11/2026.")
    # J+1: the pilot again (late now for the campaign), and a summary to the contrôle de gestion
    today("05/12/2026")
    code, output = run("campagne", "relancer", "--campagne", str(campaign.pk))
    assert code == 0 and "2 relances envoyées le 05/12/2026." in output, output
    late = Received.body(smtp.to("paule.pilote@caf79.example")[-1])
    assert "dont l'échéance était le 04/12/2026" in late
    (summary,) = smtp.to("controle@caf79.example")
    assert Received.subject(summary) == (
        "[cpog] Valeurs manquantes de novembre 2026 après l'échéance du 04/12/2026"
    )
    text = Received.body(summary)
    assert "(pilote : Paule Pilote)" in text
    assert f"Suivi de la campagne : {SITE}/campagnes/{campaign.pk}/?caisse=79" in text


def test_a_failed_sending_leaves_no_claim_and_the_next_run_sends(
    steering_data: Any, people: Any, smtp: Received
) -> None:
    _open("novembre 2026", "04/12/2026")  # today 27/11/2026 is J-7
    smtp.refusal = "451 4.3.0 Indisponible pour l'essai"
    code, output = run("campagne", "relancer")
    assert code == 1 and "envoi impossible" in output, output
    assert smtp.messages == []
    assert not CampaignReminder.objects.exists()  # the claim is gone
    assert not AuditEvent.objects.filter(entity_type="campaign_reminder").exists()
    smtp.refusal = ""
    code, output = run("campagne", "relancer")
    assert code == 0 and "1 relance envoyée le 27/11/2026." in output, output
    assert len(smtp.messages) == 1 and CampaignReminder.objects.count() == 1
    assert AuditEvent.objects.filter(entity_type="campaign_reminder", action="send").count() == 1


def test_a_missed_day_is_caught_up_by_the_next_run(
    steering_data: Any, people: Any, smtp: Received, today: Any
) -> None:
    campaign = _open("novembre 2026", "04/12/2026")  # J-7 is 27/11/2026: the server was down
    today("29/11/2026")
    code, output = run("campagne", "relancer")
    assert code == 0 and "1 relance envoyée le 29/11/2026." in output, output
    (sent,) = CampaignReminder.objects.filter(campaign=campaign)
    assert (sent.recipient, sent.kind) == ("pilote", "avant")
    today("30/11/2026")  # caught up: nothing more until J-1
    assert run("campagne", "relancer")[1].startswith("Aucune relance due le 30/11/2026.")


def test_no_transaction_is_held_while_the_smtp_server_is_spoken_to(
    transactional_db: None, steering_data: Any, people: Any, smtp: Received, monkeypatch: Any
) -> None:
    from django.db import connection

    from cpog.web import campaigns

    campaign = _open("novembre 2026", "04/12/2026")
    seen: list[tuple[bool, int]] = []
    real_send = mail.send

    def send(*args: Any, **kwargs: Any) -> None:
        # the claim is committed (seen from outside any transaction) before the e-mail goes
        seen.append((connection.in_atomic_block, CampaignReminder.objects.count()))
        real_send(*args, **kwargs)

    monkeypatch.setattr(campaigns.mail, "send", send)
    outcome = campaigns.send_reminders(_record(campaign), "test")
    assert len(outcome.sent) == 1 and seen == [(False, 1)]


def test_trial_prints_what_would_be_sent_and_sends_nothing(
    steering_data: Any, people: Any, smtp: Received
) -> None:
    _open("novembre 2026", "04/12/2026")
    code, output = run("campagne", "relancer", "--essai")
    assert code == 0, output
    assert "Essai, campagne n°" in output
    assert "à paule.pilote@caf79.example (Paule Pilote), « [cpog] Valeurs de novembre" in output
    assert "1 relance serait envoyée le 27/11/2026 (essai : rien n'est envoyé)." in output
    assert smtp.messages == [] and not CampaignReminder.objects.exists()


def test_the_campaign_marks_late_what_the_dashboard_lists_as_late(
    steering_data: Any, people: Any
) -> None:
    campaign = _open("octobre 2026", "15/11/2026", "--ouverture", "01/11/2026")
    situation = situation_of("79")
    ctx = context_of(_record(campaign))
    dashboard = dashboard_context(situation, [])
    awaited = {tuple(key.split(":")) for key in campaign.subjects}
    late_on_dashboard = {
        (item.subject_type, item.subject_id) for item in dashboard.todo if item.late_entry
    } & awaited
    late_in_campaign = {(line.subject_type, line.subject_id) for line in ctx.lines if line.late}
    assert late_in_campaign, "the demo leaves some of October's values late"
    assert late_in_campaign == late_on_dashboard
    by_key = {(i.subject_type, i.subject_id): i for i in dashboard.todo}
    for line in ctx.lines:
        if line.late:  # and worded the same way
            assert (
                line.lateness_label == by_key[(line.subject_type, line.subject_id)].lateness_label
            )
    entered = {(line.subject_type, line.subject_id) for line in ctx.lines if line.entered}
    assert ctx.totals.expected == len(awaited)
    assert ctx.totals.entered == len(entered) and ctx.totals.late == len(late_in_campaign)
    assert ctx.totals.text == (
        f"{len(awaited)} valeurs attendues, {len(entered)} saisies, "
        f"{len(late_in_campaign)} en retard"
    )


def test_bad_campaigns_are_refused_in_french_and_nothing_is_stored(steering_data: Any) -> None:
    cases = [
        (("13/2026", "--echeance", "15/01/2027"), "Période non reconnue : « 13/2026 »"),
        (
            ("cumul à fin mars 2026", "--echeance", "15/01/2027"),
            "Période « cumul à fin mars 2026 » : un mois, un trimestre ou une année est attendu.",
        ),
        (("2026-12", "--echeance", "31/12/2026"), "elle doit suivre la fin de la période"),
        (("2026-12", "--echeance", "15/01/2027", "--sujets", "zzz"), "Sujet inconnu : « zzz »"),
        (("2026-12", "--echeance", "32/01/2027"), "--echeance"),
        (("2026-12", "--echeance", "15/01/2027", "--caisse", "971"), "Caisse inconnue : « 971 »"),
    ]
    for args, message in cases:
        code, output = run("campagne", "ouvrir", *args)
        assert code == 2, (args, output)
        assert message in output, (args, output)
    assert not Campaign.objects.exists()
    assert not AuditEvent.objects.filter(entity_type="campaign").exists()
    assert run("campagne", "relancer") == (0, "Aucune campagne ouverte : aucune relance.\n")
    assert run("campagne", "liste") == (0, "Aucune campagne.\n")


def test_open_with_chosen_subjects_list_and_close(steering_data: Any) -> None:
    row = next(
        r
        for r in situation_of("79").status.rows
        if r.subject_type == "indicator" and r.assessment.subject.period_unit == PeriodUnit.MONTH
    )
    campaign = _open("2026-12", "15/01/2027", "--sujets", row.code)
    assert campaign.subjects == [f"indicator:{row.subject_id}"]
    created = AuditEvent.objects.get(entity_type="campaign", action="create")
    assert created.user.startswith("cli:") and created.after["caisse"] == "79"
    assert event_sentence(created, steering_data) == (
        f"Campagne de saisie n°{campaign.pk}, décembre 2026 : échéance le 15/01/2027, 1 sujet"
        " (création)"
    )
    code, output = run("campagne", "liste")
    assert code == 0 and f"n°{campaign.pk}  caisse 79  décembre 2026" in output
    assert "1 valeur attendue, 0 saisie, 0 en retard" in output
    assert run("campagne", "clore", str(campaign.pk))[0] == 0
    code, output = run("campagne", "clore", str(campaign.pk))
    assert code == 1 and "déjà close (depuis le 27/11/2026)" in output
    code, output = run("campagne", "relancer", "--campagne", str(campaign.pk))
    assert code == 1 and "est close : aucune relance" in output
    assert AuditEvent.objects.filter(entity_type="campaign", action="close").count() == 1


# --- production without SMTP ---------------------------------------------------------------


def test_without_smtp_in_production_nothing_pretends_to_be_sent(
    steering_data: Any, people: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = mail.DISABLED_BACKEND
    settings.CPOG_URL = SITE
    _open("novembre 2026", "04/12/2026")
    code, output = run("campagne", "relancer")
    assert code == 1
    assert "Envoi de courriels désactivé : CPOG_EMAIL_HOST" in output
    assert "Aucun courriel n'a été envoyé" in output
    assert not CampaignReminder.objects.exists()
    # the trial still shows what is due
    assert (
        "à paule.pilote@caf79.example (Paule Pilote)" in run("campagne", "relancer", "--essai")[1]
    )


def test_production_links_need_cpog_url(steering_data: Any, people: Any, settings: Any) -> None:
    settings.PRODUCTION = True
    settings.CPOG_URL = ""
    _open("novembre 2026", "04/12/2026")
    code, output = run("campagne", "relancer")
    assert code == 1 and "CPOG_URL n'est pas renseigné" in output
    assert not CampaignReminder.objects.exists()


def _backend(tmp_path: Any, **env: str) -> str:
    """EMAIL_BACKEND as the settings choose it in a fresh process."""
    base = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "cpog.settings",
        "CPOG_DATA_DIR": str(tmp_path),
        "CPOG_TODAY": "27/11/2026",
    }
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **env},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_settings_choose_the_backend(tmp_path: Any) -> None:
    production = {"CPOG_PRODUCTION": "1", "CPOG_SECRET_KEY": "x" * 50}
    assert _backend(tmp_path, **production) == mail.DISABLED_BACKEND
    assert _backend(tmp_path) == "django.core.mail.backends.console.EmailBackend"
    smtp = _backend(tmp_path, **production, CPOG_EMAIL_HOST="smtp.caf79.example")
    assert smtp == "django.core.mail.backends.smtp.EmailBackend"


# --- the pages ----------------------------------------------------------------------------


def test_campaign_pages_remind_now_and_close(
    steering_data: Any, people: Any, smtp: Received, client_for: Any
) -> None:
    campaign = _open("novembre 2026", "04/12/2026")
    controle = client_for("controle")
    listing = controle.get("/campagnes/").content.decode()
    assert "<caption" in listing and f'href="/campagnes/{campaign.pk}/"' in listing
    page = controle.get(f"/campagnes/{campaign.pk}/").content.decode()
    ctx = context_of(_record(campaign))
    assert ctx.totals.text in page and "<caption" in page and 'scope="col"' in page
    assert "Paule Pilote" in page and "Relancer maintenant" in page
    assert 'href="/campagnes/"' in controle.get("/").content.decode()  # the menu entry
    # pilots and readers neither see nor send
    for who in ("pilote", "lecteur"):
        assert client_for(who).get(f"/campagnes/{campaign.pk}/").status_code == 403
        refused = client_for(who).post(f"/campagnes/{campaign.pk}/", {"operation": "relancer"})
        assert refused.status_code == 403
    assert smtp.messages == []
    # « Relancer maintenant »: whatever the schedule, once a day
    done = controle.post(f"/campagnes/{campaign.pk}/", {"operation": "relancer"}, follow=True)
    assert "1 relance envoyée." in done.content.decode()
    assert smtp.recipients == [["paule.pilote@caf79.example"]]
    event = AuditEvent.objects.get(entity_type="campaign_reminder")
    assert event.user == "controle" and event.after["caisse"] == "79"
    assert event_sentence(event, steering_data) == (
        f"Relance de la campagne de saisie n°{campaign.pk} à « pilote » : 1 valeur"
        " (relance immédiate, envoi)"
    )
    again = controle.post(f"/campagnes/{campaign.pk}/", {"operation": "relancer"}, follow=True)
    assert "Aucune relance envoyée" in again.content.decode() and len(smtp.messages) == 1
    page = controle.get(f"/campagnes/{campaign.pk}/").content.decode()
    assert "27/11/2026" in page.split("Dernière relance", 1)[1]
    # « Clore »
    closed = controle.post(f"/campagnes/{campaign.pk}/", {"operation": "clore"}, follow=True)
    assert f"Campagne n°{campaign.pk} — novembre 2026 close." in closed.content.decode()
    campaign.refresh_from_db()
    assert campaign.state == "close" and campaign.closed_by == "controle"
    assert "Relancer maintenant" not in controle.get(f"/campagnes/{campaign.pk}/").content.decode()
    assert controle.post(f"/campagnes/{campaign.pk}/", {"operation": "rien"}).status_code == 400


def test_a_campaign_of_another_caisse_is_not_found(
    steering_data: Any, people: Any, client_for: Any
) -> None:
    from cpog.store.campaigns import UnknownCampaign
    from cpog.store.campaigns import campaign as stored

    campaign = _open("novembre 2026", "04/12/2026")
    Campaign.objects.filter(pk=campaign.pk).update(caisse_code="86")
    assert client_for("controle").get(f"/campagnes/{campaign.pk}/").status_code == 404
    assert f'href="/campagnes/{campaign.pk}/"' not in (
        client_for("controle").get("/campagnes/").content.decode()
    )
    with pytest.raises(UnknownCampaign, match="introuvable pour la caisse « 79 »"):
        stored(campaign.pk, "79")


def test_a_campaign_is_opened_from_the_page_with_the_cli_s_rules(
    steering_data: Any, people: Any, client_for: Any
) -> None:
    controle = client_for("controle")
    form = controle.get("/campagnes/").content.decode()
    assert 'name="periode"' in form and 'value="octobre 2026"' in form  # the month just ended
    refusals = [
        ({"periode": "13/2026", "echeance": "15/01/2027"}, "Période non reconnue : « 13/2026 »"),
        (
            {"periode": "cumul à fin mars 2026", "echeance": "15/01/2027"},
            "Période « cumul à fin mars 2026 » : un mois, un trimestre ou une année est attendu.",
        ),
        ({"periode": "2026-12", "echeance": "31/12/2026"}, "doit suivre la fin de la période"),
        ({"periode": "2026-12", "echeance": "32/01/2027"}, "Échéance de saisie : Date non"),
        ({"periode": "2026-12", "echeance": ""}, "Échéance de saisie : champ obligatoire."),
        (
            {"periode": "2026-12", "echeance": "15/01/2027", "sujets": "zzz"},
            "Sujet inconnu : « zzz »",
        ),
        (
            {"periode": "2026-12", "echeance": "15/01/2027", "ouverture": "16/01/2027"},
            "Échéance du 15/01/2027 avant l'ouverture du 16/01/2027.",
        ),
    ]
    for data, message in refusals:
        refused = controle.post("/campagnes/", data)
        page = html.unescape(refused.content.decode())
        assert refused.status_code == 400, (data, page)
        summary = page.split('role="alert"', 1)[1].split("</div>", 1)[0]
        assert message in summary and "rien n'a été enregistré" in summary, (data, summary)
    for who in ("pilote", "lecteur"):
        data = {"periode": "novembre 2026", "echeance": "04/12/2026"}
        assert client_for(who).post("/campagnes/", data).status_code == 403
    assert not Campaign.objects.exists()
    assert not AuditEvent.objects.filter(entity_type="campaign").exists()

    # the same default subjects as `cpog campagne ouvrir`, audited under the person's name
    done = controle.post("/campagnes/", {"periode": "novembre 2026", "echeance": "04/12/2026"})
    opened = Campaign.objects.get()
    assert done.status_code == 302
    assert done.headers["Location"] == f"/campagnes/{opened.pk}/?caisse=79"
    by_cli = _open("novembre 2026", "04/12/2026")
    assert sorted(opened.subjects) == sorted(by_cli.subjects)
    assert (opened.opens_on.isoformat(), opened.due_on.isoformat()) == ("2026-11-27", "2026-12-04")
    assert opened.created_by == "controle"
    created = AuditEvent.objects.get(entity_type="campaign", entity_id=str(opened.pk))
    assert created.user == "controle" and created.after["caisse"] == "79"
    shown = controle.get(done.headers["Location"]).content.decode()
    ctx = context_of(_record(opened))
    assert (
        f"Campagne n°{opened.pk} — novembre 2026 ouverte : du 27/11/2026 au 04/12/2026, "
        f"{ctx.totals.text}." in shown
    )
