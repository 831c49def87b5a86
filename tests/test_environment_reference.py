"""The reference of the environment variables is generated from cpog.environment, lists every
variable the code reads, and docs/parametres.md is its current text."""

from __future__ import annotations

import re
from pathlib import Path

from cpog.cli.main import run
from cpog.environment import BY_NAME, GROUPS, VARIABLES, reference_markdown

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"[\"'`]((?:CPOG_[A-Z0-9_]+)|DATABASE_URL)[\"'`]")


def names_in_code() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "cpog").rglob("*"):
        if path.suffix in {".py", ".html", ".typ", ".yaml"}:
            found |= set(NAME.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_variable_the_code_names_is_in_the_reference() -> None:
    missing = sorted(names_in_code() - set(BY_NAME))
    assert not missing, f"variables lues mais absentes de cpog.environment : {missing}"


def test_every_variable_in_the_reference_is_read_somewhere() -> None:
    listed_only = sorted(set(BY_NAME) - names_in_code())
    assert not listed_only, f"variables décrites mais lues nulle part : {listed_only}"


def test_names_are_unique_and_groups_known() -> None:
    assert len(BY_NAME) == len(VARIABLES)
    assert {variable.group for variable in VARIABLES} <= set(GROUPS)


def test_the_document_is_the_generated_reference() -> None:
    document = (ROOT / "docs" / "parametres.md").read_text(encoding="utf-8")
    assert document == reference_markdown() + "\n", (
        "docs/parametres.md n'est plus à jour : cpog parametres > docs/parametres.md"
    )


def test_the_command_prints_the_reference(capsys) -> None:
    assert run(["parametres"]) == 0
    printed = capsys.readouterr().out
    assert "| `CPOG_SECRET_KEY` |" in printed
    assert printed.startswith("# Paramètres d'environnement")


def test_values_hide_secrets(capsys, monkeypatch) -> None:
    monkeypatch.setenv("CPOG_SECRET_KEY", "ne-pas-montrer")
    monkeypatch.setenv("CPOG_BRAND_NAME", "Caf de test")
    assert run(["parametres", "--valeurs"]) == 0
    printed = capsys.readouterr().out
    assert "CPOG_SECRET_KEY=(masqué)" in printed
    assert "ne-pas-montrer" not in printed
    assert "CPOG_BRAND_NAME=Caf de test" in printed
