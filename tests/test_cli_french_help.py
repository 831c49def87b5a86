"""The command line's help and usage errors in French: Typer's and click's own words too."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import click
import pytest
import typer

from cpog.cli import main as cli_main
from cpog.cli.french_help import french_type

# Typer's and click's English, as it shows in a help page or a usage error.
ENGLISH = re.compile(
    r"\bUsage\b|Show this message|\bCommands\b|\bdefault:|\brequired\]|\bMissing\b"
    r"|No such option|\bTry '|\bError\b|\bAborted\b|<str>|<int|<path>|COMMAND \[ARGS\]"
)


def run_main(*args: str) -> subprocess.CompletedProcess[str]:
    """The real console entry point, as ``cpog`` runs it."""
    return subprocess.run(
        [sys.executable, "-m", "cpog.cli.main", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
        check=False,
        timeout=120,
    )


def _commands() -> list[list[str]]:
    """Every command and sub-command of ``cpog``, as a list of words."""
    root = typer.main.get_command(cli_main.app)
    found: list[list[str]] = [[]]

    def walk(group: click.Group | object, path: list[str]) -> None:
        for name, command in sorted(getattr(group, "commands", {}).items()):
            found.append([*path, name])
            walk(command, [*path, name])

    walk(root, [])
    return found


def test_cpog_help_is_french() -> None:
    done = run_main("--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Utilisation : cpog [OPTIONS] COMMANDE [ARGUMENTS]...")
    assert "Commandes:" in done.stdout and "Affiche cette aide et quitte." in done.stdout
    assert not ENGLISH.search(done.stdout), ENGLISH.search(done.stdout)


def test_cpog_status_help_is_french() -> None:
    done = run_main("status", "--help")
    assert done.returncode == 0, done.stderr
    assert "Utilisation : cpog status [OPTIONS]" in done.stdout
    assert "[par défaut : table]" in done.stdout
    assert "<texte>" in done.stdout and "<entier>" in done.stdout
    assert not ENGLISH.search(done.stdout), ENGLISH.search(done.stdout)


def test_a_wrong_option_and_a_missing_argument_are_told_in_french() -> None:
    wrong = run_main("status", "--bogus")
    assert wrong.returncode == 2
    assert wrong.stderr.splitlines() == [
        "Erreur : option « --bogus » inconnue",
        "Aide : cpog status --help",
    ]
    missing = run_main("user", "create")
    assert missing.returncode == 2
    assert "argument « IDENTIFIANT » manquant" in missing.stderr
    for done in (wrong, missing):
        assert not ENGLISH.search(done.stdout + done.stderr)


def test_every_command_help_is_french(capsys: pytest.CaptureFixture[str]) -> None:
    commands = _commands()
    assert ["status"] in commands and ["user", "create"] in commands
    for words in commands:
        assert cli_main.run([*words, "--help"]) == 0, words
        shown = capsys.readouterr()
        text = shown.out + shown.err
        assert "Utilisation : cpog" in text, words
        assert not ENGLISH.search(text), (words, ENGLISH.search(text))


def test_a_group_without_its_command_shows_its_french_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli_main.run(["user"])
    shown = capsys.readouterr()
    text = shown.out + shown.err
    assert "Commandes:" in text and "create" in text
    assert not ENGLISH.search(text)


def test_metavars_name_french_types() -> None:
    assert french_type("<int range>") == "<entier borné>"
    assert french_type("<list[str]>") == "<liste[texte]>"
    assert french_type("<path>") == "<chemin>"
