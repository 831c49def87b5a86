"""The audit trail in words (cpog.audit_text), without the web or a database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from cpog.audit_text import ContractWords, event_sentence
from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.contract.model import Contract

NBSP = "\u00a0"
# What the trail stores and a user must never read.
INTERNAL = re.compile(
    r"\b(create|revise|update|manual|import_batch|indicator:|measure:|individualised|"
    r"cnaf_notification|in_progress|not_started|provisional|definitive)\b"
)


@dataclass
class Event:
    entity_type: str
    entity_id: str
    action: str
    before: Any = None
    after: Any = None
    context: str = ""


@pytest.fixture(scope="module")
def words() -> ContractWords:
    return ContractWords(load_contract(default_contract_path()))


def said(event: Event, words: ContractWords) -> str:
    sentence = event_sentence(event, words)
    assert not INTERNAL.search(sentence), sentence
    return sentence.replace(NBSP, " ")


def test_a_revised_value_entered_on_the_page(words: ContractWords) -> None:
    event = Event(
        "measurement",
        "indicator:cog-08-32:2026-11",
        "revise",
        before={"value": "19.360000", "status": "provisional", "source": "manual"},
        after={"value": "13.5", "status": "provisional", "source": "manual"},
        context="manual",
    )
    sentence = said(event, words)
    assert sentence.startswith("COG 08-32 ")
    assert sentence.endswith(" — novembre 2026 : 19,36 → 13,5 jours (révision, saisie)")


def test_a_value_created_by_an_import(words: ContractWords) -> None:
    event = Event(
        "measurement",
        "measure:d01-r1-places-eaje:2025",
        "create",
        after={"value": "42", "status": "provisional", "source": "import"},
        context="valeurs-2025.xlsx",
    )
    assert said(event, words) == (
        "d01-r1 Places nouvelles nettes créées en EAJE depuis 2023 — 2025 : "
        "42 places (création, import valeurs-2025.xlsx)"
    )


def test_one_creche_an_index_and_a_status_made_definitive(words: ContractWords) -> None:
    one = Event(
        "measurement",
        "measure:d01-r3-creches-avip:2023",
        "create",
        after={"value": "1", "status": "provisional", "source": "api"},
        context="api",
    )
    assert said(one, words).endswith(" — 2023 : 1 crèche (création, API)")
    index = Event(
        "measurement",
        "measure:d08-r3-emissions-ges:2025",
        "revise",
        before={"value": "98.3", "status": "provisional", "source": "manual"},
        after={"value": "98.3", "status": "definitive", "source": "manual"},
        context="manual",
    )
    sentence = said(index, words)
    assert " — 2025 : indice 98,3, provisoire → définitive (révision, saisie)" in sentence
    ytd = Event(
        "measurement",
        "indicator:cog-08-29:2026-03-YTD",
        "create",
        after={"value": "1", "source": "manual"},
        context="manual",
    )
    assert "— cumul à fin mars 2026 : 1 jour (création, saisie)" in said(ytd, words)


def test_a_revised_individualised_target(words: ContractWords) -> None:
    event = Event(
        "target",
        "indicator:cog-08-29:2026:individualised",
        "revise",
        before={"value": "14"},
        after={
            "value": "13",
            "provenance": "cnaf_notification",
            "reason": "notification Cnaf du 12/03/2026",
        },
    )
    sentence = said(event, words)
    assert sentence.startswith("Cible 2026 de COG 08-29 Délai moyen de démarche")
    assert sentence.endswith(
        ": 14 → 13 jours (individualisée, notification de la Cnaf, "
        "motif : notification Cnaf du 12/03/2026)"
    )


def test_targets_of_changes_are_signed(words: ContractWords) -> None:
    ges = Event(
        "target",
        "measure:d08-r3-emissions-ges:2026:trajectory",
        "create",
        after={"value": "-3.33", "provenance": "derived", "reason": ""},
        context="cibles.csv",
    )
    assert said(ges, words).endswith(": −3,33 % (point de trajectoire, déduite, cibles.csv)")
    points = Event(
        "target",
        "measure:d04-r5-teleprocedures-logement:2027:fixed",
        "revise",
        before={"value": "10"},
        after={"value": "15", "provenance": "cpog"},
    )
    assert said(points, words).endswith(": +10 → +15 points (fixée par le contrat, CPOG signé)")


def test_a_target_written_by_cpog_load(words: ContractWords) -> None:
    event = Event(
        "target",
        "17",
        "create",
        after={"subject": "d01-r1-mam", "year": 2027, "value": "10"},
        context="cpog load",
    )
    assert said(event, words) == (
        "Cible 2027 de d01-r1 Maisons d'assistants maternels (MAM) ouvertes depuis 2023 : "
        "10 MAM (fixée par le contrat, chargement du contrat)"
    )


def test_contract_loads_and_amendments(words: ContractWords) -> None:
    contract: Contract = words.contract
    loaded = Event(
        "contract_version",
        f"{contract.id}:v1",
        "create",
        after={"hash": "abc", "amendment_date": "", "reason": ""},
    )
    assert said(loaded, words) == f"Chargement du contrat « {contract.short_title} » (version 1)"
    amended = Event(
        "contract_version",
        f"{contract.id}:v2",
        "create",
        after={"hash": "def", "amendment_date": "2026-03-12", "reason": "Avenant n°1"},
    )
    assert said(amended, words) == (
        f"Avenant du 12/03/2026 au contrat « {contract.short_title} » (version 2), "
        "motif : Avenant n°1"
    )


def test_actions(words: ContractWords) -> None:
    created = Event(
        "action_state",
        "d01-a1",
        "create",
        after={
            "owner": "Service petite enfance",
            "start_date": "2024-02-01",
            "due_date": None,
            "status": "in_progress",
            "progress": 40,
        },
        context="page de l'action",
    )
    sentence = said(created, words)
    assert sentence.startswith("Action d01-a1 « ")
    assert sentence.endswith(
        " : statut en cours, avancement 40 %, responsable Service petite enfance, "
        "début 01/02/2024 (création, page de l'action)"
    )
    updated = Event(
        "action_state",
        "d01-a1",
        "update",
        before={"status": "not_started", "progress": 0, "owner": "A"},
        after={"status": "in_progress", "progress": 40, "owner": "A"},
        context="administration",
    )
    assert said(updated, words).endswith(
        " : statut non démarrée → en cours, avancement 0 % → 40 % (modification, administration)"
    )
    milestone = Event(
        "action_milestone",
        "d01-a1:3",
        "create",
        after={"label": "Ouverture", "due_date": "2027-03-01"},
        context="page de l'action",
    )
    assert said(milestone, words).endswith(
        " : jalon « Ouverture » ajouté, échéance 01/03/2027 (création, page de l'action)"
    )
    point = Event(
        "action_update",
        "d01-a1:4",
        "create",
        after={"on": "2026-11-27", "text": "Point de décembre.", "progress": 40},
        context="page de l'action",
    )
    assert said(point, words).endswith(
        " : point d'avancement du 27/11/2026, avancement 40 % : « Point de décembre. » "
        "(création, page de l'action)"
    )


def test_an_analysis(words: ContractWords) -> None:
    event = Event(
        "analysis",
        "indicator:cog-08-29:2026-10",
        "create",
        after={"id": 1, "analysis": "Retard dû aux congés.", "corrective_action": "Renfort."},
        context="saisie",
    )
    assert said(event, words).endswith(
        " — octobre 2026 : analyse « Retard dû aux congés. », action corrective « Renfort. » "
        "(création, saisie)"
    )


def test_a_subject_the_contract_no_longer_has(words: ContractWords) -> None:
    event = Event(
        "measurement",
        "indicator:ancien-indicateur:2024",
        "create",
        after={"value": "3"},
        context="manual",
    )
    assert said(event, words) == (
        "indicateur « ancien-indicateur » (absent du contrat en vigueur) — 2024 : 3 "
        "(création, saisie)"
    )


def test_long_texts_are_cut(words: ContractWords) -> None:
    event = Event(
        "target",
        "indicator:cog-08-29:2026:national",
        "create",
        after={"value": "13", "reason": "x" * 500},
    )
    sentence = said(event, words)
    assert len(sentence) < 300 and sentence.endswith("…)")
