"""« Mot de passe oublié ? »: the link arrives at a real SMTP server (aiosmtpd on loopback, started
by the test), is followed with the test client, sets a new password that then signs in
(issue 13, decision 026). No account enumeration, no mail bomb, audited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from cpog.store.models import AuditEvent
from cpog.web import mail
from smtp_server import Received, free_port, smtp_server, use

NEW = "une toute nouvelle phrase secrète"
LINK = re.compile(r"http://testserver(/reinitialiser/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def smtp(settings: Any) -> Iterator[Received]:
    with smtp_server() as server:
        use(settings, server)
        yield server


@pytest.fixture
def account(db: None) -> User:
    user = User.objects.create_user("mdupont", "m.dupont@caf79.example", "ancien mot de passe 1")
    user.first_name, user.last_name = "Marie", "Dupont"
    user.save()
    return user


def _ask(client: Client, email: str) -> Any:
    return client.post("/mot-de-passe-oublie/", {"email": email}, follow=True)


def test_a_reset_link_by_mail_sets_a_new_password(account: User, smtp: Received) -> None:
    client = Client()
    login = client.get("/connexion/").content.decode()
    assert 'href="/mot-de-passe-oublie/"' in login and "Mot de passe oublié ?" in login
    done = _ask(client, "M.Dupont@caf79.example")
    assert "Demande enregistrée" in done.content.decode()
    (message,) = smtp.messages
    assert smtp.recipients == [["m.dupont@caf79.example"]]
    assert Received.subject(message) == "Nouveau mot de passe pour cpog"
    body = Received.body(message)
    assert body.startswith("Bonjour Marie Dupont,")
    assert "le compte « mdupont » de cpog (testserver)" in body
    found = LINK.search(body)
    assert found, body
    # the link, followed: Django swaps the token for a session, then the form
    page = client.get(found.group(1), follow=True)
    assert "Nouveau mot de passe" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    weak = client.post(form_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and "trop court" in weak.content.decode()
    assert not AuditEvent.objects.filter(action="password_reset").exists()
    changed = client.post(form_url, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert "Mot de passe changé" in changed.content.decode()
    account.refresh_from_db()
    assert account.check_password(NEW)
    event = AuditEvent.objects.get(entity_type="user_account", action="password_reset")
    assert event.user == "mdupont" and NEW not in str(event.after)
    # the link is used: it no longer works
    again = Client().get(found.group(1), follow=True).content.decode()
    assert "Ce lien n'est pas valable" in again
    # and the new password signs in, through the login page (and django-axes)
    signed = Client().post("/connexion/", {"username": "mdupont", "password": NEW})
    assert signed.status_code == 302 and signed["Location"] == "/"


def test_same_answer_for_an_unknown_address_and_no_mail_bomb(account: User, smtp: Received) -> None:
    client = Client()
    unknown = _ask(client, "personne@caf79.example").content.decode()
    known = _ask(client, "m.dupont@caf79.example").content.decode()
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|hx-headers=\'[^\']+\'')
    assert strip.sub("", unknown) == strip.sub("", known)
    assert len(smtp.messages) == 1
    for _ in range(3):  # asked again and again within the quarter of an hour: nothing more
        assert "Demande enregistrée" in _ask(client, "m.dupont@caf79.example").content.decode()
    assert len(smtp.messages) == 1
    asked = AuditEvent.objects.filter(entity_type="user_account", action="reset_asked")
    assert [(e.entity_id, e.user) for e in asked] == [("mdupont", "mdupont")]


def test_accounts_without_a_usable_password_get_nothing(account: User, smtp: Received) -> None:
    account.set_unusable_password()  # an account of the identity provider (single sign-on)
    account.save()
    User.objects.create_user("inactif", "inactif@caf79.example", "x", is_active=False)
    for address in ("m.dupont@caf79.example", "inactif@caf79.example"):
        assert "Demande enregistrée" in _ask(Client(), address).content.decode()
    assert smtp.messages == []


def test_with_sending_off_the_page_says_so_and_sends_nothing(account: User, settings: Any) -> None:
    settings.EMAIL_BACKEND = mail.DISABLED_BACKEND
    page = Client().get("/mot-de-passe-oublie/").content.decode()
    assert "L'envoi de courriels n'est pas configuré sur ce serveur" in page
    refused = Client().post("/mot-de-passe-oublie/", {"email": "m.dupont@caf79.example"})
    assert refused.status_code == 503
    assert "Demande enregistrée" not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="reset_asked").exists()


def test_the_link_is_built_on_cpog_url_when_it_is_set(
    account: User, smtp: Received, settings: Any
) -> None:
    settings.CPOG_URL = "https://cpog.caf79.example"
    _ask(Client(), "m.dupont@caf79.example")
    body = Received.body(smtp.messages[0])
    found = re.search(r"https://cpog\.caf79\.example(/reinitialiser/[^/\s]+/[^/\s]+/)", body)
    assert found, body
    assert "testserver" not in body and "de cpog (cpog.caf79.example)" in body
    page = Client().get(found.group(1), follow=True).content.decode()
    assert "Nouveau mot de passe" in page


def test_an_smtp_failure_records_nothing_and_says_so_in_french(
    account: User, smtp: Received, capsys: Any
) -> None:
    smtp.refusal = "554 5.7.1 Refusé pour l'essai"
    refused = Client().post("/mot-de-passe-oublie/", {"email": "m.dupont@caf79.example"})
    assert refused.status_code == 503
    page = refused.content.decode()
    assert "Le courriel n'a pas pu être envoyé" in page and "Demande enregistrée" not in page
    assert not AuditEvent.objects.filter(action="reset_asked").exists()
    assert (
        "Mot de passe oublié : courriel non envoyé au compte « mdupont »" in capsys.readouterr().err
    )
    # the server is back: asking again at once sends the link (no cool-off started)
    smtp.refusal = ""
    assert "Demande enregistrée" in _ask(Client(), "m.dupont@caf79.example").content.decode()
    assert len(smtp.messages) == 1
    assert AuditEvent.objects.filter(action="reset_asked").count() == 1


def test_an_unreachable_smtp_server_is_a_french_503(account: User, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 5
    refused = Client().post("/mot-de-passe-oublie/", {"email": "m.dupont@caf79.example"})
    assert refused.status_code == 503
    assert "Le courriel n'a pas pu être envoyé" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="reset_asked").exists()


def test_a_reset_does_not_unlock_a_locked_account(
    account: User, smtp: Received, settings: Any
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        failed = Client().post("/connexion/", {"username": "mdupont", "password": "pas-le-bon"})
    assert failed.status_code == 429
    client = Client()
    _ask(client, "m.dupont@caf79.example")
    found = LINK.search(Received.body(smtp.messages[0]))
    assert found
    form_url = client.get(found.group(1), follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    account.refresh_from_db()
    assert account.check_password(NEW)
    # still locked until the cool-off ends: the reset is no way round the lockout
    locked = Client().post("/connexion/", {"username": "mdupont", "password": NEW})
    assert locked.status_code == 429
    assert "Connexion temporairement bloquée" in locked.content.decode()
