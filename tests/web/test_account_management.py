"""« Comptes » (issue 10): the administrator manages accounts without the Django admin, through
one audited service (cpog.web.accounts) that ``cpog user`` shares."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from cpog.audit_text import event_sentence
from cpog.store.models import AuditEvent
from cpog.store.roles import Role, role_of
from cpog.web import accounts
from cpog.web.models import ChallengePilot

GOOD = "une phrase de passe assez longue"


def account_events(username: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(entity_type="user_account", entity_id=username))[::-1]


# --- the service ------------------------------------------------------------------------------


def test_create_change_deactivate_and_reset_are_audited_without_the_password(
    users: Any, steering_data: Any
) -> None:
    user = accounts.create(
        "mdupont",
        Role.PILOTE,
        GOOD,
        "admin",
        challenges=[4],
        contract_id=steering_data.id,
        first_name="Marie",
        last_name="Dupont",
    )
    assert role_of(user) == Role.PILOTE and accounts.piloted(user) == (4,)
    assert accounts.change_role(
        user, Role.PILOTE, "admin", challenges=[4, 5], contract_id=steering_data.id
    )
    assert not accounts.change_role(  # the same again: nothing written
        user, Role.PILOTE, "admin", challenges=[4, 5], contract_id=steering_data.id
    )
    assert accounts.change_role(user, Role.LECTEUR, "admin", contract_id=steering_data.id)
    assert accounts.piloted(user) == ()  # défis are a pilot's only
    assert accounts.set_active(user, False, "admin")
    assert not accounts.set_active(user, False, "admin")
    user.refresh_from_db()
    assert role_of(user) is None and accounts.stored_role(user) == Role.LECTEUR
    assert accounts.set_active(user, True, "admin")
    accounts.set_password(user, "une autre phrase de passe", "admin")
    assert User.objects.get(username="mdupont").check_password("une autre phrase de passe")

    events = account_events("mdupont")
    assert [e.action for e in events] == [
        "create", "update", "update", "deactivate", "reactivate", "password_reset",
    ]  # fmt: skip
    assert {e.user for e in events} == {"admin"}
    assert events[0].after == {
        "username": "mdupont",
        "name": "Marie Dupont",
        "email": "",
        "role": "pilote",
        "challenges": [4],
        "active": True,
        "scope": "caisse 79",  # the account's caisse (decision 017)
        "caisse": "79",
    }
    assert (events[1].before["challenges"], events[1].after["challenges"]) == ([4], [4, 5])
    text = " ".join(str(e.before) + str(e.after) for e in events)
    assert GOOD not in text and "une autre phrase" not in text and "pbkdf2" not in text.lower()
    sentences = [event_sentence(e, steering_data) for e in events]
    assert sentences[0] == "Compte « mdupont » : Pilote de défi, défi n°4 (création)"
    assert sentences[1] == "Compte « mdupont » : Pilote de défi, défis n°4, 5 (modification)"
    assert sentences[3] == "Compte « mdupont » (désactivation)"
    assert sentences[5] == "Compte « mdupont » (nouveau mot de passe)"


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("", "Identifiant : de 1 à 150 caractères."),
        ("marie dupont", "Identifiant : sans espace"),
        ("marie/dupont", "lettres, chiffres et « @ . + - _ » seulement"),
        ("PILOTE", "Le compte « PILOTE » existe déjà"),  # the same login, capitals aside
    ],
)
def test_a_bad_login_is_refused_and_nothing_written(
    users: Any, username: str, message: str
) -> None:
    count = User.objects.count()
    with pytest.raises(accounts.AccountError) as refused:
        accounts.create(username, Role.LECTEUR, GOOD, "admin")
    assert refused.value.field == "username" and message in str(refused.value)
    assert User.objects.count() == count and not account_events(username)


def test_passwords_follow_djangos_validators(users: Any) -> None:
    with pytest.raises(accounts.AccountError) as refused:
        accounts.create("court", Role.LECTEUR, "court", "admin")
    assert refused.value.field == "password1"
    assert "Ce mot de passe est trop court." in " ".join(refused.value.messages)
    with pytest.raises(accounts.AccountError):
        accounts.set_password(users.lecteur, "123456789012345", "admin")
    assert not User.objects.filter(username="court").exists()
    assert not AuditEvent.objects.filter(entity_type="user_account").exists()
    for _ in range(20):  # a generated password always passes
        accounts.check_password(accounts.generated_password(), users.lecteur)


def test_defis_only_for_a_pilot_and_of_the_contract(users: Any, steering_data: Any) -> None:
    with pytest.raises(accounts.AccountError, match="seulement pour le rôle"):
        accounts.create("x1", Role.LECTEUR, GOOD, "admin", challenges=[1], contract_id="c")
    with pytest.raises(accounts.AccountError, match="Défi n°42 inconnu"):
        accounts.check_challenges([42], [c.number for c in steering_data.challenges], "c")
    assert not User.objects.filter(username="x1").exists()


def test_the_last_active_administrator_stays(users: Any, steering_data: Any) -> None:
    admin = users.admin
    with pytest.raises(accounts.AccountError, match="dernier administrateur actif"):
        accounts.change_role(admin, Role.CONTROLE, "cli:root")
    with pytest.raises(accounts.AccountError, match="dernier administrateur actif"):
        accounts.set_active(admin, False, "cli:root")
    with pytest.raises(accounts.AccountError, match="votre propre compte"):
        accounts.set_active(admin, False, "admin")
    admin.refresh_from_db()
    assert admin.is_superuser and admin.is_active
    second = accounts.create("admin2", Role.ADMIN, GOOD, "admin")
    assert second.is_staff and second.is_superuser
    assert accounts.set_active(admin, False, "admin2")  # now there is another one
    with pytest.raises(accounts.AccountError, match="dernier administrateur actif"):
        accounts.change_role(second, Role.LECTEUR, "cli:root")
    assert [e.action for e in account_events("admin")] == ["deactivate"]


# --- the pages --------------------------------------------------------------------------------


def test_the_list_names_roles_defis_states_and_last_logins(client_for: Any) -> None:
    response = client_for("admin").get("/comptes/")
    assert response.status_code == 200
    html = response.content.decode()
    row = re.search(
        r"<tr>\s*<th scope=\"row\"><a href=\"/comptes/\d+/\">pilote</a>.*?</tr>", html, re.S
    )
    assert row is not None
    assert "Pilote de défi" in row.group(0) and "n°1" in row.group(0) and "jamais" in row.group(0)
    assert "4 comptes, dont 4 actifs" in html
    assert 'href="/comptes/"' in html and ">Comptes</a>" in html  # in the navigation


@pytest.mark.parametrize("who", ["controle", "pilote", "lecteur"])
def test_only_the_administrator_manages_accounts(client_for: Any, users: Any, who: str) -> None:
    client = client_for(who)
    assert ">Comptes</a>" not in client.get("/").content.decode()
    for url in ("/comptes/", "/comptes/nouveau/", f"/comptes/{users.lecteur.pk}/"):
        assert client.get(url).status_code == 403
    response = client.post(
        "/comptes/nouveau/",
        {"username": "intrus", "role": "administrateur", "password_mode": "generer"},
    )
    assert response.status_code == 403 and not User.objects.filter(username="intrus").exists()
    assert Client().get("/comptes/").status_code == 302  # sign in first


def test_create_a_pilot_with_a_generated_password_shown_once(
    client_for: Any, steering_data: Any
) -> None:
    client = client_for("admin")
    form = client.get("/comptes/nouveau/").content.decode()
    assert "Défi n°4 — " in form and 'name="csrfmiddlewaretoken"' in form
    response = client.post(
        "/comptes/nouveau/",
        {
            "username": "pilote4",
            "first_name": "Paul",
            "last_name": "Martin",
            "role": "pilote",
            "challenges": ["4"],
            "password_mode": "generer",
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    shown = re.search(r'id="account-password" class="token-key" value="([^"]+)"', html)
    assert shown is not None and "il ne sera plus jamais affiché" in html
    user = User.objects.get(username="pilote4")
    assert user.check_password(shown.group(1)) and role_of(user) == Role.PILOTE
    assert set(
        ChallengePilot.objects.filter(user=user).values_list("contract_id", "challenge_number")
    ) == {(steering_data.id, 4)}
    again = client.get(f"/comptes/{user.pk}/").content.decode()
    assert shown.group(1) not in again  # never shown again
    assert account_events("pilote4")[0].user == "admin"


def test_errors_are_next_to_their_fields_and_nothing_is_written(client_for: Any) -> None:
    response = client_for("admin").post(
        "/comptes/nouveau/",
        {
            "username": "mauvais login",
            "role": "pilote",
            "password_mode": "saisir",
            "password1": GOOD,
            "password2": "autre chose",
            "email": "pas-une-adresse",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    for field, message in (
        ("username", "Identifiant : sans espace"),
        ("challenges", "cochez au moins un défi pour un pilote"),
        ("password2", "Les deux mots de passe diffèrent"),
        ("email", "Adresse électronique : saisissez une adresse valide."),
    ):
        assert re.search(rf'id="id_{field}_error">\s*<li>[^<]*{re.escape(message)}', html), field
    assert "rien n'a été enregistré" in html
    assert GOOD not in html  # a password is never sent back
    assert not User.objects.filter(username__startswith="mauvais").exists()
    assert not AuditEvent.objects.filter(entity_type="user_account").exists()


def test_a_typed_password_the_validators_refuse(client_for: Any) -> None:
    response = client_for("admin").post(
        "/comptes/nouveau/",
        {
            "username": "lise",
            "role": "lecteur",
            "password_mode": "saisir",
            "password1": "court",
            "password2": "court",
        },
    )
    assert response.status_code == 400
    assert "Ce mot de passe est trop court." in response.content.decode()
    assert not User.objects.filter(username="lise").exists()


def test_change_role_deactivate_reactivate_and_reset_from_the_page(
    client_for: Any, users: Any
) -> None:
    client = client_for("admin")
    url = f"/comptes/{users.lecteur.pk}/"
    response = client.post(
        url, {"operation": "role", "role-role": "pilote", "role-challenges": ["2", "4"]}
    )
    assert response.status_code == 302
    assert accounts.piloted(users.lecteur) == (2, 4) and role_of(users.lecteur) == Role.PILOTE
    page = client.get(url).content.decode()
    assert "Rôle de « lecteur » enregistré : Pilote de défi, pilote des défis n°2, 4." in page

    assert client.post(url, {"operation": "desactiver"}).status_code == 302
    users.lecteur.refresh_from_db()
    assert not users.lecteur.is_active
    signed_in = Client()
    signed_in.force_login(users.controle)
    assert signed_in.get("/").status_code == 200
    assert client.post(url, {"operation": "reactiver"}).status_code == 302

    refused = client.post(
        url, {"operation": "mot-de-passe", "mdp-password1": GOOD, "mdp-password2": GOOD + "x"}
    )
    assert (
        refused.status_code == 400
        and "Les deux mots de passe diffèrent" in refused.content.decode()
    )
    done = client.post(
        url, {"operation": "mot-de-passe", "mdp-password1": GOOD, "mdp-password2": GOOD}
    )
    assert done.status_code == 302
    assert User.objects.get(pk=users.lecteur.pk).check_password(GOOD)
    assert [e.action for e in account_events("lecteur")] == [
        "update", "deactivate", "reactivate", "password_reset",
    ]  # fmt: skip


def test_a_deactivated_account_can_no_longer_sign_in_nor_use_its_session(
    client_for: Any, users: Any
) -> None:
    session = client_for("pilote")
    assert session.get("/").status_code == 200
    accounts.set_active(users.pilote, False, "admin")
    assert session.get("/").status_code == 302  # signed out
    answer = Client().post(
        "/connexion/", {"username": "pilote", "password": "mot-de-passe-de-test-1"}
    )
    assert answer.status_code == 200  # the form again


def test_the_administrator_cannot_lose_the_last_administrator_from_the_page(
    client_for: Any, users: Any
) -> None:
    client = client_for("admin")
    url = f"/comptes/{users.admin.pk}/"
    response = client.post(url, {"operation": "role", "role-role": "lecteur"})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        r'id="id_role-role_error">\s*<li>« admin » est le dernier administrateur', html
    )
    response = client.post(url, {"operation": "desactiver"})
    assert response.status_code == 400 and "votre propre compte" in response.content.decode()
    users.admin.refresh_from_db()
    assert users.admin.is_superuser and users.admin.is_active


def test_the_django_admin_speaks_french_and_points_to_comptes(client_for: Any, users: Any) -> None:
    client = client_for("admin")
    html = client.get("/admin/").content.decode()
    assert 'href="/comptes/"' in html
    for words in ("Connexions refusées", "Comptes des utilisateurs", "Rôles", "Versions du contrat",
                  "Historique des écritures", "Valeurs", "Cibles"):  # fmt: skip
        assert words in html, words
    assert ">Axes<" not in html and ">Axes (" not in html
    users_page = client.get("/admin/auth/user/").content.decode()
    assert "Pilote de défi" in users_page and "n°1" in users_page
    roles = client.get("/admin/web/rolegroup/").content.decode()
    assert "Contrôle de gestion" in roles
    # no account is deleted, even from the admin
    assert client.post(f"/admin/auth/user/{users.lecteur.pk}/delete/").status_code == 403
    assert User.objects.filter(pk=users.lecteur.pk).exists()


def test_changes_in_the_django_admin_are_audited_too(client_for: Any, users: Any) -> None:
    client = client_for("admin")
    response = client.post(
        f"/admin/auth/user/{users.lecteur.pk}/password/",
        {"password1": GOOD, "password2": GOOD, "usable_password": "true"},
    )
    assert response.status_code == 302
    events = account_events("lecteur")
    assert [(e.action, e.context) for e in events] == [("password_reset", "administration")]
