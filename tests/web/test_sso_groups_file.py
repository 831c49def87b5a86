"""The groups file of single sign-on and its settings (decision 025): French messages naming
file, line and value; what several groups give together."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.store.roles import Role
from cpog.web import sso_config, sso_mapping

GOOD = """\
groupes:
  DIRECTION:
    role: controle_gestion
  PILOTES-1:
    role: pilote
    defis: [1]
  PILOTES-2-3:
    role: pilote
    defis: [3, 2]
  LECTEURS-79:
    role: lecteur
    caisse: "79"
  RESEAU:
    role: lecteur
    caisse: reseau
"""


@pytest.fixture
def contract(db: None) -> Any:
    from cpog.contract import default_contract_path
    from cpog.store.contracts import current_contract, load_contract_version

    load_contract_version(default_contract_path(), "test:setup")
    return current_contract()[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "groupes.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(sso_mapping.MappingError) as caught:
        sso_mapping.checked(path)
    return caught.value.messages


def test_a_good_file_is_read(tmp_path: Path, contract: Any) -> None:
    mapping = sso_mapping.checked(write(tmp_path, GOOD))
    assert mapping.rules["PILOTES-2-3"] == sso_mapping.GroupRule(
        "PILOTES-2-3", Role.PILOTE, (2, 3), "", 7, 9, 7
    )
    assert mapping.rules["RESEAU"].caisse == "reseau"


def test_every_mistake_is_told_with_file_line_and_value(tmp_path: Path, contract: Any) -> None:
    path = write(
        tmp_path,
        """\
groupes:
  CHEFS:
    role: chef
  PILOTES:
    role: pilote
    defis: [1, 99]
  AILLEURS:
    role: lecteur
    caisse: "12"
  LECTEURS:
    role: lecteur
    couleur: bleu
  DIRECTION:
    role: controle_gestion
    defis: [2]
  RESEAU-PILOTES:
    role: pilote
    defis: [1]
    caisse: reseau
""",
    )
    known = ", ".join(str(c.number) for c in contract.challenges)
    assert problems(path) == [
        f"{path}, ligne 3 : rôle « chef » inconnu "
        "(rôles : administrateur, controle_gestion, pilote, lecteur).",
        f"{path}, ligne 6 : groupe « PILOTES » : défi n°99 inconnu dans le contrat "
        f"« {contract.id} » (défis : {known}).",
        f"{path}, ligne 9 : groupe « AILLEURS » : caisse « 12 » inconnue "
        "(caisses : 79 ; ou « reseau »).",
        f"{path}, ligne 12 : clé « couleur » inconnue (clés : role, defis, caisse).",
        f"{path}, ligne 15 : défis pilotés pour le rôle « controle_gestion » : seulement pour "
        "le rôle « pilote ».",
        f"{path}, ligne 18 : groupe « RESEAU-PILOTES » : des défis pilotés demandent une caisse, "
        "pas « reseau ».",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("groupes: [a, b]\n", "une clé « groupes: » est attendue"),
        ("groupes:\n  A:\n    role: 'pilote\n", "guillemet non fermé"),
        ("groupes:\n  A: lecteur\n", "ligne 2 : groupe « A » : « role: » attendu en dessous."),
        ("groupes:\n  A:\n    defis: [1]\n", "ligne 2 : « role: » manquant"),
        ("groupes:\n  A:\n    role: pilote\n    defis: un\n", "ligne 4 : défis « un »"),
        (
            "groupes:\n  A:\n    role: lecteur\n  A:\n    role: pilote\n",
            "ligne 4 : clé « A » en double",
        ),
    ],
)
def test_form_mistakes(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(sso_mapping.MappingError) as caught:
        sso_mapping.read(write(tmp_path, text))
    assert expected in str(caught.value)


def test_what_several_groups_give(tmp_path: Path) -> None:
    mapping = sso_mapping.read(write(tmp_path, GOOD))
    both = sso_mapping.grant(mapping, ["PILOTES-1", "PILOTES-2-3", "INCONNU"], "79")
    assert both.role == Role.PILOTE and both.caisse == "79"
    assert both.challenges == {("79", 1), ("79", 2), ("79", 3)}
    assert both.groups == ("PILOTES-1", "PILOTES-2-3")
    strongest = sso_mapping.grant(mapping, ["LECTEURS-79", "DIRECTION", "PILOTES-1"], "79")
    assert (strongest.role, strongest.caisse) == (Role.CONTROLE, "79")
    assert sso_mapping.grant(mapping, ["LECTEURS-79", "RESEAU"], "79").caisse is None
    nothing = sso_mapping.grant(mapping, ["COMPTABILITE"], "79")
    assert nothing.role is None and not nothing.challenges


EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "oidc-groupes.exemple.yaml"


def test_no_role_of_one_group_with_the_scope_of_another() -> None:
    """The shipped example: contrôle de gestion of the installation's caisse and lecteur of the
    network give contrôle de gestion of that caisse, not over every caisse (an escalation no
    single group grants); the network comes only with the lecteur role."""
    mapping = sso_mapping.read(EXAMPLE)
    mixed = sso_mapping.grant(mapping, ["CAF79-CPOG-CONTROLE-DE-GESTION", "CNAF-CPOG-RESEAU"], "79")
    assert (mixed.role, mixed.caisse) == (Role.CONTROLE, "79")
    assert mixed.groups == ("CAF79-CPOG-CONTROLE-DE-GESTION", "CNAF-CPOG-RESEAU")
    network = sso_mapping.grant(mapping, ["CNAF-CPOG-RESEAU", "CAF79-CPOG-LECTEURS"], "79")
    assert (network.role, network.caisse) == (Role.LECTEUR, None)  # same role: the widest scope


def test_no_caisse_is_the_installations_before_comparing() -> None:
    """A group without ``caisse`` is the installation's caisse: beside a group of caisse 79 in an
    installation of caisse 86, its role goes with caisse 86, never with 79."""
    mapping = sso_mapping.read(EXAMPLE)
    groups = ["CAF79-CPOG-CONTROLE-DE-GESTION", "CAF79-CPOG-LECTEURS"]
    elsewhere = sso_mapping.grant(mapping, groups, "86")
    assert (elsewhere.role, elsewhere.caisse) == (Role.CONTROLE, "86")
    home = sso_mapping.grant(mapping, groups, "79")
    assert (home.role, home.caisse) == (Role.CONTROLE, "79")
    # Défis come only from the pilot groups of the chosen caisse.
    pilot = sso_mapping.grant(mapping, ["CAF79-CPOG-PILOTES-DEFI-1", "CAF79-CPOG-LECTEURS"], "86")
    assert (pilot.role, pilot.caisse, pilot.challenges) == (Role.PILOTE, "86", {("86", 1)})


def test_defis_only_from_the_pilot_groups_of_the_chosen_caisse(tmp_path: Path) -> None:
    mapping = sso_mapping.read(
        write(
            tmp_path,
            "groupes:\n  P79:\n    role: pilote\n    defis: [1]\n    caisse: '79'\n"
            "  P86:\n    role: pilote\n    defis: [2]\n    caisse: '86'\n"
            "  C79:\n    role: controle_gestion\n    caisse: '79'\n",
        )
    )
    given = sso_mapping.grant(mapping, ["P79", "P86", "C79"], "79")
    assert (given.role, given.caisse) == (Role.CONTROLE, "79")
    assert given.challenges == {("79", 1)}


def test_two_caisses_are_refused(tmp_path: Path) -> None:
    mapping = sso_mapping.read(
        write(
            tmp_path,
            "groupes:\n  A:\n    role: lecteur\n    caisse: '79'\n"
            "  B:\n    role: lecteur\n    caisse: '86'\n",
        )
    )
    with pytest.raises(sso_mapping.ScopeConflict, match=r"plusieurs caisses \(79, 86\)"):
        sso_mapping.grant(mapping, ["A", "B"])


# --- settings -----------------------------------------------------------------------------------


def test_configuration_from_the_environment(tmp_path: Path) -> None:
    groups = write(tmp_path, GOOD)
    assert sso_config.from_environment({}) is None
    conf = sso_config.from_environment(
        {
            "CPOG_OIDC_ISSUER": "https://sso.caf.example/realms/caf/",
            "CPOG_OIDC_CLIENT_ID": "cpog",
            "CPOG_OIDC_CLIENT_SECRET": "s3cret",
            "CPOG_OIDC_GROUPES": str(groups),
        }
    )
    assert conf is not None
    assert conf.discovery_url == (
        "https://sso.caf.example/realms/caf/.well-known/openid-configuration"
    )
    assert (conf.name, conf.groups_claim, conf.link_accounts) == ("l'annuaire", "groups", False)
    assert sso_config.local_accounts({}) is True
    # http:// outside production only (a provider on the test machine, say)
    plain = sso_config.from_environment(
        {
            "CPOG_OIDC_ISSUER": "http://localhost:8080",
            "CPOG_OIDC_CLIENT_ID": "cpog",
            "CPOG_OIDC_CLIENT_SECRET": "s3cret",
            "CPOG_OIDC_GROUPES": str(groups),
            "CPOG_PRODUCTION": "0",
        }
    )
    assert plain is not None and plain.issuer == "http://localhost:8080"
    assert sso_config.local_accounts({"CPOG_COMPTES_LOCAUX": "0"}) is False


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"CPOG_OIDC_CLIENT_ID": "cpog"},
            "CPOG_OIDC_CLIENT_ID est posé mais CPOG_OIDC_ISSUER est vide",
        ),
        ({"CPOG_OIDC_ISSUER": "sso.caf.example"}, "CPOG_OIDC_ISSUER=sso.caf.example : une adresse"),
        (
            {"CPOG_OIDC_ISSUER": "https://sso.caf.example", "CPOG_OIDC_CLIENT_ID": "cpog"},
            "CPOG_OIDC_CLIENT_SECRET, CPOG_OIDC_GROUPES sont obligatoires aussi",
        ),
        (
            {
                "CPOG_OIDC_ISSUER": "https://sso.caf.example",
                "CPOG_OIDC_CLIENT_ID": "cpog",
                "CPOG_OIDC_CLIENT_SECRET": "s",
                "CPOG_OIDC_GROUPES": "/nulle/part.yaml",
            },
            "CPOG_OIDC_GROUPES=/nulle/part.yaml : fichier introuvable",
        ),
        (
            {"CPOG_OIDC_ISSUER": "http://sso.caf.example", "CPOG_PRODUCTION": "1"},
            "CPOG_OIDC_ISSUER=http://sso.caf.example : en production \\(CPOG_PRODUCTION=1\\), "
            "l'adresse du fournisseur d'identité doit commencer par https://",
        ),
    ],
)
def test_configuration_mistakes(env: dict[str, str], expected: str) -> None:
    with pytest.raises(sso_config.SsoConfigError, match=expected):
        sso_config.from_environment(env)
    with pytest.raises(sso_config.SsoConfigError, match="CPOG_COMPTES_LOCAUX=non : 0 ou 1"):
        sso_config.local_accounts({"CPOG_COMPTES_LOCAUX": "non"})


def test_a_bad_configuration_stops_the_start(tmp_path: Path) -> None:
    env = {**os.environ, "CPOG_DATA_DIR": str(tmp_path), "CPOG_OIDC_ISSUER": "https://sso.example"}
    for name in ("CPOG_OIDC_CLIENT_ID", "CPOG_OIDC_CLIENT_SECRET", "CPOG_OIDC_GROUPES"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", "import cpog.settings"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured: CPOG_OIDC_ISSUER est posé : CPOG_OIDC_CLIENT_ID" in done.stderr


def test_the_check_command(tmp_path: Path, contract: Any) -> None:
    runner = CliRunner()
    good = runner.invoke(app, ["sso", "verifier", str(write(tmp_path, GOOD))])
    assert good.exit_code == 0, good.output
    assert "5 groupes de l'annuaire, tous valides." in good.output
    assert "PILOTES-2-3 : Pilote de défi, défis n°2, 3" in good.output
    bad = tmp_path / "mauvais.yaml"
    bad.write_text("groupes:\n  A:\n    role: chef\n", encoding="utf-8")
    refused = runner.invoke(app, ["sso", "verifier", str(bad)])
    assert refused.exit_code == 1
    assert f"{bad}, ligne 3 : rôle « chef » inconnu" in refused.output
