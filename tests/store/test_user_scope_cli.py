"""``cpog user create --caisse/--reseau``, ``cpog user scope`` and ``cpog users`` (decision 017)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.contract.model import Contract
from cpog.web.models import UserScope

runner = CliRunner()
NAMES = ("vienne", "cnaf", "niort")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def _other(contract: Contract, code: str) -> Contract:
    organisation = contract.organisation.model_copy(
        update={"code": code, "name": "Caf de la Vienne"}
    )
    return contract.model_copy(update={"id": f"caf-{code}-2023-2027", "organisation": organisation})


def test_accounts_get_a_caisse_or_the_network(loaded: Contract, tmp_path: Path) -> None:
    from cpog.store.contracts import store_contract
    from cpog.store.models import AuditEvent

    store_contract(_other(loaded, "86"), "test", "test")
    secret = tmp_path / "mdp.txt"
    secret.write_text("une phrase de passe assez longue\n", encoding="utf-8")
    code, output = run(
        "user", "create", "vienne", "--caisse", "86", "--mot-de-passe-fichier", str(secret)
    )
    assert code == 0 and "Périmètre : caisse 86." in output
    code, output = run("user", "create", "cnaf", "--reseau", "--mot-de-passe-fichier", str(secret))
    assert code == 0 and "Périmètre : réseau (toutes les caisses)." in output
    code, output = run("user", "create", "niort", "--mot-de-passe-fichier", str(secret))
    assert code == 0 and "Périmètre : caisse 79." in output
    assert UserScope.objects.get(user__username="cnaf").network
    code, output = run("user", "create", "x", "--caisse", "86", "--reseau")
    assert code == 2 and "s'excluent" in output
    code, output = run("user", "scope", "niort", "--caisse", "971")
    assert code == 1 and "« 971 » inconnue" in output
    code, output = run("user", "scope", "niort", "--reseau")
    assert code == 0 and "réseau" in output
    event = AuditEvent.objects.filter(entity_id="niort").latest("id")
    assert event.after["scope"] == "réseau (toutes les caisses)"
    code, output = run("users")
    assert code == 0
    lines = {name: next(t for t in output.splitlines() if f" {name} " in t) for name in NAMES}
    assert "caisse 86" in lines["vienne"] and "réseau" in lines["cnaf"]
    assert "réseau" in lines["niort"]
