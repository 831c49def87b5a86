"""The CTG file of a caisse: read, checked against the département, every problem in French
with file, line and code (decision 020)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpog.geography import geography_of
from cpog.territories import CtgError, default_ctg_path, read_ctg

GOOD = """\
# Conventions territoriales globales de la Caf des Deux-Sèvres
ctg:
  - code: ctg-nord
    nom: CTG du Nord Deux-Sèvres
    epci: ["247900798", "200040244"]
  - code: ctg-niort
    nom: CTG de Niort
    communes: ["79191", 79003]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ctg.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file(tmp_path: Path) -> None:
    ctgs = read_ctg(_write(tmp_path, GOOD), geography_of("79"))
    assert [(c.code, c.name, c.line) for c in ctgs] == [
        ("ctg-nord", "CTG du Nord Deux-Sèvres", 3),
        ("ctg-niort", "CTG de Niort", 6),
    ]
    assert ctgs[1].communes == ("79191", "79003")  # a number is read as its digits


def test_every_problem_named_with_its_line(tmp_path: Path) -> None:
    text = """\
ctg:
  - code: ctg-nord
    nom: CTG du Nord
    epci: ["247900798"]
  - code: CTG Sud
    nom: Sud
    communes: ["79999"]
  - code: ctg-nord
    communes: ["79191"]
    couleur: bleu
  - code: ctg-thouars
    nom: Thouars
    communes: ["79329"]
"""
    with pytest.raises(CtgError) as raised:
        read_ctg(_write(tmp_path, text), geography_of("79"))
    problems = raised.value.problems
    assert "ctg.yaml, ligne 5 : code « CTG Sud » invalide" in problems[0]
    assert any(
        p.startswith("ctg.yaml, ligne 7 : commune « 79999 » inconnue dans le département 79")
        for p in problems
    )
    assert "ctg.yaml, ligne 8 : code « ctg-nord » déjà employé ligne 2." in problems
    assert any("ligne 8 : « nom » manquant" in p for p in problems)
    assert "ctg.yaml, ligne 10 : clé « couleur » inconnue" in " ".join(problems)
    # Thouars (79329) is in the Thouarsais, already in ctg-nord
    assert any(
        p.startswith(
            "ctg.yaml, ligne 11 : la commune 79329 (Thouars) est déjà dans la CTG « ctg-nord »"
        )
        for p in problems
    )
    assert str(raised.value).startswith("Fichier des CTG refusé :")


def test_an_unknown_epci_and_a_broken_file(tmp_path: Path) -> None:
    text = "ctg:\n  - code: ctg-a\n    nom: A\n    epci: ['200000172']\n"
    with pytest.raises(CtgError, match="ligne 4 : EPCI « 200000172 » inconnu"):
        read_ctg(_write(tmp_path, text), geography_of("79"))
    with pytest.raises(CtgError, match=r"ctg\.yaml, ligne"):
        read_ctg(_write(tmp_path, "ctg:\n  - code: [\n"), geography_of("79"))


def test_the_file_s_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CPOG_CTG", raising=False)
    assert default_ctg_path(tmp_path) == tmp_path / "ctg.yaml"
    monkeypatch.setenv("CPOG_CTG", str(tmp_path / "autre.yaml"))
    assert default_ctg_path(tmp_path) == tmp_path / "autre.yaml"
