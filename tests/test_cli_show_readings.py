"""``cpog show --challenge`` tells where each figure comes from and how the text was read, in the
same words as the web pages and ``cpog status`` (cpog.steering.provenance_text)."""

from __future__ import annotations

import pytest

from cpog.cli.main import run
from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.steering import provenance_text, stated_baseline


def show(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.delenv("CPOG_CONTRACT", raising=False)
    monkeypatch.setenv("COLUMNS", "400")
    assert run(["show", *args]) == 0
    return " ".join(capsys.readouterr().out.replace("\u00a0", " ").split())


def test_readings_provenance_and_weights(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    output = show(capsys, monkeypatch, "--challenge", "8")
    contract = load_contract(default_contract_path())
    departs = next(m for _, _, m in contract.measures() if m.id.startswith("d08-r1"))
    words = " ".join(provenance_text(stated_baseline(departs)).replace("\u00a0", " ").split())
    assert words.startswith("moyenne de plusieurs années énoncée par le texte signé")
    assert f"Référence 3,55 % en 2022 : {words}" in output
    assert "Lecture (confiance élevée) : Le taux annuel de départs volontaires" in output
    assert "< 3 % par an en 2027" in output
    output = show(capsys, monkeypatch, "--challenge", "5")
    assert "Prend les valeurs de l'indicateur COG 08-29" in output
    assert "À confirmer — lien avec l'indicateur (confiance moyenne)" in output
    assert "À confirmer — année de la cible (confiance moyenne)" in output
    assert "COG 08-29 (compté avec la mesure d05-r2-delai-prestations)" in output
    assert "COG 08-31 (poids 1)" in output
