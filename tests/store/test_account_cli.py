"""``cpog user`` and ``cpog token``: accounts and API tokens from the command line, in French,
passwords never printed, every refusal a non-zero exit that writes nothing (decision 008)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.contract.model import Contract
from cpog.store.models import AuditEvent
from cpog.store.roles import Role, role_of
from cpog.web.models import ApiToken, ChallengePilot

runner = CliRunner()
GOOD = "une phrase de passe assez longue"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input, env={"COLUMNS": "200"})
    return result.exit_code, result.output


def password_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "mdp.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def test_create_a_pilot_with_a_password_typed_twice(loaded: Contract) -> None:
    code, output = run(
        "user", "create", "mdupont", "--role", "pilote", "--defi", "3", "--defi", "5",
        input=f"{GOOD}\n{GOOD}\n",
    )  # fmt: skip
    assert code == 0, output
    assert "Compte créé — mdupont : Pilote de défi, pilote des défis n°3, 5." in output
    assert GOOD not in output
    user = User.objects.get(username="mdupont")
    assert user.check_password(GOOD) and role_of(user) == Role.PILOTE
    assert set(ChallengePilot.objects.values_list("contract_id", "challenge_number")) == {
        (loaded.id, 3),
        (loaded.id, 5),
    }


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court", "Ce mot de passe est trop court."),
        ("123456789012345", "Ce mot de passe est entièrement numérique."),
    ],
)
def test_a_weak_password_is_refused_in_french_and_nothing_created(
    db: None, tmp_path: Path, password: str, message: str
) -> None:
    code, output = run(
        "user", "create", "faible", "--mot-de-passe-fichier", password_file(tmp_path, password)
    )
    assert code == 1
    assert "Mot de passe refusé" in output and message in output
    assert password not in output.replace(message, "")
    assert not User.objects.filter(username="faible").exists()


def test_two_different_passwords_are_asked_again_in_french(db: None) -> None:
    code, output = run("user", "create", "x", input=f"{GOOD}\nautre chose\n{GOOD}\n{GOOD}\n")
    assert code == 0, output
    assert "Les deux mots de passe diffèrent : recommencez." in output
    assert GOOD not in output and "autre chose" not in output
    assert User.objects.get(username="x").check_password(GOOD)
    code, output = run("user", "create", "y", input="a1\nb1\n" * 3)
    assert code == 1 and "rien n'a été changé" in output
    assert not User.objects.filter(username="y").exists()


def test_refusals_name_what_is_wrong(loaded: Contract, tmp_path: Path) -> None:
    secret = password_file(tmp_path, GOOD)
    assert run("user", "create", "a", "--mot-de-passe-fichier", secret)[0] == 0
    code, output = run("user", "create", "a", "--mot-de-passe-fichier", secret)
    assert code == 1 and "Le compte « a » existe déjà" in output
    code, output = run("user", "create", "b", "--role", "chef", "--mot-de-passe-fichier", secret)
    assert code == 2 and "Rôle « chef » inconnu" in output
    code, output = run("user", "create", "c", "--role", "pilote", "--defi", "42")
    assert code == 2 and "Défi n°42 inconnu" in output
    code, output = run("user", "password", "personne", "--mot-de-passe-fichier", secret)
    assert code == 1 and "Utilisateur « personne » introuvable" in output
    code, output = run("user", "create", "d", "--mot-de-passe-fichier", str(tmp_path / "absent"))
    assert code == 1 and "Fichier de mot de passe introuvable" in output
    assert set(User.objects.values_list("username", flat=True)) == {"a"}


def test_change_a_password_from_standard_input(db: None, tmp_path: Path) -> None:
    run("user", "create", "lise", "--mot-de-passe-fichier", password_file(tmp_path, GOOD))
    code, output = run(
        "user", "password", "lise", "--mot-de-passe-fichier", "-", input="une autre phrase longue\n"
    )
    assert code == 0 and "Mot de passe de « lise » changé." in output
    assert User.objects.get(username="lise").check_password("une autre phrase longue")


def test_roles_are_given_and_taken_back(loaded: Contract, tmp_path: Path) -> None:
    run("user", "create", "paul", "--mot-de-passe-fichier", password_file(tmp_path, GOOD))
    user = User.objects.get(username="paul")
    assert role_of(user) == Role.LECTEUR
    code, output = run("user", "roles", "paul", "--piloter", "2")
    assert code == 2 and "n'est pas pilote" in output
    assert not ChallengePilot.objects.exists()
    code, output = run("user", "roles", "paul", "--ajouter", "pilote", "--piloter", "2")
    assert code == 0 and "paul : Pilote de défi, pilote des défis n°2." in output
    code, output = run("user", "roles", "paul", "--ajouter", "contrôle de gestion")
    assert code == 0 and role_of(User.objects.get(username="paul")) == Role.CONTROLE
    assert not user.groups.filter(name=Role.PILOTE.value).exists()  # one role at a time
    assert not ChallengePilot.objects.exists()  # another role takes the défis away
    code, output = run("user", "roles", "paul", "--ajouter", "administrateur")
    user = User.objects.get(username="paul")
    assert code == 0 and user.is_superuser and user.is_staff
    # the last administrator keeps the role, so that someone can still manage the accounts
    code, output = run("user", "roles", "paul", "--retirer", "administrateur")
    assert code == 1 and "dernier administrateur actif" in output
    assert User.objects.get(username="paul").is_superuser
    User.objects.create_superuser("autre-admin", "", GOOD)
    code, output = run("user", "roles", "paul", "--retirer", "administrateur")
    user = User.objects.get(username="paul")
    assert code == 0 and role_of(user) == Role.LECTEUR and not user.is_staff
    code, output = run("user", "roles", "paul", "--ne-plus-piloter", "2")
    assert code == 0 and not ChallengePilot.objects.exists()
    # every change is in the audit trail, as on the « Comptes » page
    events = AuditEvent.objects.filter(entity_type="user_account", entity_id="paul")
    assert [e.action for e in events.order_by("pk")] == ["create"] + ["update"] * 4
    assert [e.after["role"] for e in events.order_by("pk")] == [
        "lecteur", "pilote", "controle_gestion", "administrateur", "lecteur"
    ]  # fmt: skip


def test_deactivate_and_reactivate_from_the_command_line(loaded: Contract, tmp_path: Path) -> None:
    secret = password_file(tmp_path, GOOD)
    run("user", "create", "lea", "--mot-de-passe-fichier", secret)
    code, output = run("user", "deactivate", "lea")
    assert code == 0 and "Compte « lea » désactivé." in output
    assert not User.objects.get(username="lea").is_active
    code, output = run("user", "deactivate", "lea")
    assert code == 0 and "était déjà désactivé" in output
    code, output = run("user", "reactivate", "lea")
    assert code == 0 and User.objects.get(username="lea").is_active
    code, output = run("user", "password", "lea", "--mot-de-passe-fichier", secret)
    assert code == 0
    actions = list(
        AuditEvent.objects.filter(entity_type="user_account", entity_id="lea")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "deactivate", "reactivate", "password_reset"]
    every = AuditEvent.objects.filter(entity_type="user_account")
    assert all(GOOD not in str(e.before) + str(e.after) for e in every)


def test_tokens_created_listed_and_revoked(db: None, tmp_path: Path) -> None:
    run("user", "create", "bi", "--mot-de-passe-fichier", password_file(tmp_path, GOOD))
    code, output = run(
        "token", "create", "--utilisateur", "bi", "--nom", "script BI", "--expire", "27/02/2027"
    )
    assert code == 0, output
    key = re.search(r"cpog_[A-Za-z0-9_-]{40,}", output)
    assert key is not None
    token = ApiToken.objects.get()
    assert token.key_hash == ApiToken.digest(key.group()) and token.name == "script BI"
    assert "valable jusqu'au 27/02/2027 inclus" in output
    event = AuditEvent.objects.get(entity_type="api_token")
    assert event.action == "create" and event.user.startswith("cli:")

    code, output = run("token", "list", "--utilisateur", "bi")
    assert code == 0 and "script BI" in output and "27/02/2027" in output and "actif" in output
    assert key.group() not in output

    code, output = run("token", "revoke", str(token.pk))
    assert code == 0 and "révoqué" in output
    token.refresh_from_db()
    assert token.revoked_at is not None
    code, output = run("token", "revoke", str(token.pk))
    assert code == 0 and "était déjà révoqué" in output
    assert "révoqué" in run("token", "list")[1]


def test_token_refusals_are_french_and_write_nothing(db: None, tmp_path: Path) -> None:
    run("user", "create", "bi", "--mot-de-passe-fichier", password_file(tmp_path, GOOD))
    code, output = run("token", "create", "--utilisateur", "nul", "--nom", "x")
    assert code == 1 and "Utilisateur « nul » introuvable" in output
    code, output = run(
        "token", "create", "--utilisateur", "bi", "--nom", "x", "--expire", "01/01/2026"
    )
    assert code == 1 and "le 01/01/2026 est passé" in output
    code, output = run("token", "create", "--utilisateur", "bi", "--nom", "x", "--expire", "2027")
    assert code == 2 and "Date non reconnue" in output
    code, output = run("token", "create", "--utilisateur", "bi", "--nom", " ")
    assert code == 1 and "Nom du jeton" in output
    code, output = run("token", "revoke", "999")
    assert code == 1 and "Jeton n°999 introuvable" in output
    assert not ApiToken.objects.exists()
