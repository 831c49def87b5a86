"""``cpog show`` in French without leftovers: every view (contract, --challenge, --indicator)
speaks in words, signs with a typographic minus and writes units in the right number."""

from __future__ import annotations

import re

import pytest

from cpog.cli.main import run

# Enum values of the contract, which the command must never print as such.
RAW_WORDS = re.compile(
    r"\b(monthly|quarterly|half_yearly|annual|year_to_date|snapshot|up|down|maintain|"
    r"level|cumulative_count|relative_change|point_change|threshold|trend|milestone|"
    r"individualised(_from)?|cog_then_individualised|hors_cog|result|monitoring)\b"
)


def show(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.delenv("CPOG_CONTRACT", raising=False)
    monkeypatch.setenv("COLUMNS", "300")  # one table row per line
    assert run(["show", *args]) == 0
    return capsys.readouterr().out.replace("\u00a0", " ")


def test_summary(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    output = show(capsys, monkeypatch)
    assert "Les défis" in output and "Les indicateurs" in output
    assert not RAW_WORDS.search(output)


def test_indicator_in_words(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    output = show(capsys, monkeypatch, "--indicator", "COG 08-29")
    for words in (
        "│ Nature                 │ COG",
        "│ Cible                  │ Individualisée",
        "│ Sens                   │ Baisse",
        "│ Périodicité            │ Mensuelle",
        "│ Cumul                  │ Cumul depuis le 1er janvier",
        "│ Délai de disponibilité │ 30 jours après la fin de la période",
        "à confirmer (confiance faible) :",
    ):
        assert words in output, words
    assert "(confiance L) :" not in output
    table = output.split("Méthode de calcul")[0]  # the contract's own texts follow
    assert not RAW_WORDS.search(table), RAW_WORDS.search(table)


def test_indicator_without_written_target(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    output = show(capsys, monkeypatch, "--indicator", "ctg-schema-accueil-jeune-enfant")
    assert "│ Nature                 │ Hors COG" in output
    assert "│ Cumul                  │ Situation en fin de période" in output


def test_challenge_targets_signed_and_plural(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    creches = show(capsys, monkeypatch, "--challenge", "1")
    assert "1 crèche (2022) → 5 crèches en 2027" in creches
    assert "100 places en 2027" in creches and "10 MAM en 2027" in creches
    assert "Niveau à atteindre" in creches and "Nombre cumulé depuis le début du contrat" in creches
    housing = show(capsys, monkeypatch, "--challenge", "4")
    assert "+15 points (soit 78 %) en 2027" in housing and "+10 % en 2027" in housing
    assert "Évolution en % de la valeur de référence" in housing
    staff = show(capsys, monkeypatch, "--challenge", "8")
    assert "−5 % par an en 2027" in staff
    assert "3,55 % (2022) → < 3 % par an en 2027" in staff
    overpayments = show(capsys, monkeypatch, "--challenge", "6")
    assert "−2 % en 2027" in overpayments
    for output in (creches, housing, staff, overpayments):
        measures = output.split("Résultats visés et mesures")[1]
        rows = [line.split("│") for line in measures.splitlines() if line.count("│") == 5]
        kinds, targets = [r[3] for r in rows], [r[4] for r in rows]  # the signed text aside
        assert rows
        assert not any("− " in t or "+ " in t or "-" in t for t in targets)  # « −5 », « +15 »
        assert not any(RAW_WORDS.search(cell) for cell in kinds + targets)
