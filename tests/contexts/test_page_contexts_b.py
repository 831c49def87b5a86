"""The indicators list and the indicator / measure page contexts, built without a database from
a small in-memory reader: filters, targets and verdicts in words, every revision of the values
with the one in force, analyses, and the French JSON of the same contexts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache

import pytest

from cpog.assess import Observation
from cpog.contexts.indicators import IndicatorsContext, indicators_context, trend_of
from cpog.contexts.reader import (
    ActionRecord,
    AnalysisRecord,
    BatchRecord,
    EventRecord,
    StoreState,
    TargetRecord,
    ValueRecord,
)
from cpog.contexts.serialize import to_data
from cpog.contexts.situation import Situation, situation
from cpog.contexts.subject import SubjectContext, subject_context
from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.contract.model import Contract
from cpog.periods import parse_period
from cpog.steering import StoredTarget, SubjectKey, signed_targets

AS_OF = date(2026, 11, 27)
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@cache
def contract() -> Contract:
    return load_contract(default_contract_path())


@dataclass
class Reader:
    """Just what these contexts read: the signed targets, and values in the order written."""

    values_: list[ValueRecord] = field(default_factory=list)
    analyses_: list[AnalysisRecord] = field(default_factory=list)
    targets_: dict[SubjectKey, list[StoredTarget]] = field(default_factory=dict)

    def add(
        self,
        subject: SubjectKey,
        period: str,
        value: float,
        *,
        status: str = "definitive",
        source: str = "manual",
        batch_file: str = "",
        comment: str = "",
        unusual: bool = False,
    ) -> None:
        at = T0 + timedelta(hours=len(self.values_))
        self.values_.append(
            ValueRecord(
                subject[0],
                subject[1],
                period,
                value,
                None,
                None,
                status,
                source,
                comment,
                "pilote",
                at,
                batch_id=1 if batch_file else None,
                batch_file=batch_file,
                confirmed_unusual=unusual,
            )
        )

    def state(self, contract: Contract) -> StoreState:
        return StoreState(1, "hash", "")

    def steering_inputs(
        self, contract: Contract, scope: str
    ) -> tuple[dict[SubjectKey, list[StoredTarget]], dict[SubjectKey, list[Observation]]]:
        targets: dict[SubjectKey, list[StoredTarget]] = {}
        for kind, subject_id, year, value, comparator in signed_targets(contract):
            targets.setdefault((kind, subject_id), []).append(
                StoredTarget(year, float(value), "fixed", comparator, "cpog")
            )
        for key, stored in self.targets_.items():
            targets.setdefault(key, []).extend(stored)
        latest: dict[tuple[str, str, str], ValueRecord] = {}
        for v in self.values_:
            latest[(v.subject_type, v.subject_id, v.period_key)] = v
        observations: dict[SubjectKey, list[Observation]] = {}
        for (kind, subject_id, key), v in latest.items():
            observations.setdefault((kind, subject_id), []).append(
                Observation(parse_period(key), v.value, provisional=v.status != "definitive")
            )
        return targets, observations

    def actions(self, contract: Contract) -> dict[str, ActionRecord]:
        return {}

    def analyses(self, contract: Contract) -> list[AnalysisRecord]:
        return list(self.analyses_)

    def recent_events(self, limit: int) -> list[EventRecord]:
        return []

    def values(
        self, contract: Contract, scope: str, subject: SubjectKey | None = None
    ) -> list[ValueRecord]:
        found = [v for v in self.values_ if subject in (None, (v.subject_type, v.subject_id))]
        latest = {(v.subject_type, v.subject_id, v.period_key): v for v in found}
        return [
            replace(v, current=latest[(v.subject_type, v.subject_id, v.period_key)] is v)
            for v in found
        ]

    def targets(
        self, contract: Contract, scope: str, subject: SubjectKey | None = None
    ) -> list[TargetRecord]:
        return []

    def batches(self, contract: Contract) -> list[BatchRecord]:
        return []

    def situation(self) -> Situation:
        return situation(self, contract(), AS_OF)


def page(reader: Reader, subject: SubjectKey) -> SubjectContext:
    ctx = subject_context(reader.situation(), reader, *subject)
    assert ctx is not None
    return ctx


ACTIONS = ("measure", "d03-r2-actions-arrivee-enfant")  # 7 actions a year, each year
DELAY = ("measure", "d05-r2-delai-prestations")  # takes the values of indicator cog-08-29


# --- the measure page ----------------------------------------------------------------------------


def test_measure_page_targets_and_each_closed_year_verdict() -> None:
    reader = Reader()
    reader.add(ACTIONS, "2023", 8)
    reader.add(ACTIONS, "2024", 5)
    reader.add(ACTIONS, "2025", 7)
    ctx = page(reader, ACTIONS)
    s = ctx.situation
    assert (s.status, s.status_label) == ("conforme", "Conforme")
    assert s.current == "7\u00a0actions" and s.current_period == "2025"
    assert s.annual_target == "7\u00a0actions par an en 2025 (cible fixée par le contrat)"
    assert s.final_target == "7\u00a0actions par an en 2027 (cible fixée par le contrat)"
    assert s.verdict == "objectif 2025 atteint"
    assert s.years == [
        "Objectif 2023 atteint : 8\u00a0actions pour une cible de 7\u00a0actions par an en 2023"
        " (cible fixée par le contrat).",
        "Objectif 2024 non atteint : 5\u00a0actions pour une cible de 7\u00a0actions par an en"
        " 2024 (cible fixée par le contrat).",
        "Objectif 2025 atteint : 7\u00a0actions pour une cible de 7\u00a0actions par an en 2025"
        " (cible fixée par le contrat).",
    ]
    assert [v.label for v in ctx.row.years] == [
        "objectif 2023 atteint",
        "objectif 2024 non atteint",
        "objectif 2025 atteint",
    ]
    definition = {d.label: d for d in ctx.definition}
    assert definition["Cible"].value == (
        "7\u00a0actions par an en 2027 (énoncée par le texte signé, confiance élevée)"
    )
    assert definition["Portée de la cible"].value == "chaque année du contrat"
    assert (definition["Défi"].link_page, definition["Défi"].link_id) == ("challenge", "3")
    assert [(c.number, c.title) for c in ctx.challenges] == [
        (3, "Epauler chaque parent, être présent au bon moment")
    ]
    assert ctx.kind_label == "Mesure d'un résultat visé" and ctx.values_from is None


def test_values_table_every_revision_newest_first_with_the_one_in_force() -> None:
    reader = Reader()
    reader.add(ACTIONS, "2024", 5)
    reader.add(ACTIONS, "2025", 6, status="provisional", comment="estimation")
    reader.add(ACTIONS, "2025", 7, source="import", batch_file="valeurs.csv", unusual=True)
    ctx = page(reader, ACTIONS)
    assert ctx.revision_count == 3
    assert [p.period for p in ctx.periods] == ["2025", "2024"]
    latest, replaced = ctx.periods[0].revisions
    assert (latest.value_text, latest.in_force, latest.status_label) == (
        "7\u00a0actions",
        True,
        "définitive",
    )
    assert latest.source_label == "import de fichier « valeurs.csv »"
    assert latest.confirmed_unusual
    assert (replaced.value_text, replaced.in_force, replaced.status_label) == (
        "6\u00a0actions",
        False,
        "provisoire",
    )
    assert (replaced.source_label, replaced.comment) == ("saisie", "estimation")
    assert ctx.periods[1].revisions[0].in_force
    assert ctx.situation.current == "7\u00a0actions"  # the status reads the revision in force


def test_a_measure_linked_to_an_indicator_lists_the_indicators_values() -> None:
    reader = Reader()
    reader.add(("indicator", "cog-08-29"), "2026-09", 15.5)
    reader.add(DELAY, "2026-09", 99)  # never shown: the measure takes the indicator's values
    ctx = page(reader, DELAY)
    assert ctx.values_from is not None
    assert (ctx.values_from.subject_id, ctx.values_from.code) == ("cog-08-29", "COG 08-29")
    assert [(p.period_label, [r.value for r in p.revisions]) for p in ctx.periods] == [
        ("septembre 2026", [15.5])
    ]
    linked = next(d for d in ctx.definition if d.label == "Indicateur qui la mesure")
    assert (linked.link_page, linked.link_id) == ("indicator", "cog-08-29")


def test_off_track_awaits_an_analysis_until_it_is_written_for_the_current_period() -> None:
    reader = Reader()
    reader.add(ACTIONS, "2024", 7)
    reader.add(ACTIONS, "2025", 3)
    ctx = page(reader, ACTIONS)
    assert ctx.off_track and ctx.missing_analysis
    assert ctx.row.status_label in ("À surveiller", "En retard")
    written = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)  # already the 27th in Paris
    reader.analyses_.append(
        AnalysisRecord(*ACTIONS, "2024", "Ancienne", "", "Rien", "pilote", written)
    )
    assert page(reader, ACTIONS).missing_analysis  # another period's analysis does not count
    reader.analyses_.append(
        AnalysisRecord(*ACTIONS, "2025", "Retard des partenaires", "", "", "pilote", written)
    )
    assert page(reader, ACTIONS).missing_analysis  # no corrective action yet
    reader.analyses_.append(
        AnalysisRecord(
            *ACTIONS, "2025", "Retard des partenaires", "r", "Relance", "pilote", written
        )
    )
    ctx = page(reader, ACTIONS)
    assert not ctx.missing_analysis
    assert ctx.analyses[0].title == "Analyse de 2025, écrite par pilote le 27/11/2026"
    assert [a.period for a in ctx.analyses] == ["2025", "2025", "2024"]


def test_unknown_subject_has_no_page() -> None:
    reader = Reader()
    assert subject_context(reader.situation(), reader, "measure", "inconnue") is None
    assert subject_context(reader.situation(), reader, "challenge", "1") is None


def test_subject_page_json_has_french_names() -> None:
    reader = Reader()
    reader.add(ACTIONS, "2025", 7)
    data = to_data(page(reader, ACTIONS))
    assert data["titre_page"] == "Actions collectives « arrivée de l'enfant » menées dans l'année"
    assert data["situation"]["objectif_annee"] == "objectif 2025 atteint"
    assert data["situation"]["objectifs"][-1].startswith("Objectif 2025 atteint :")
    revision = data["periodes"][0]["revisions"][0]
    assert (revision["en_vigueur"], revision["valeur_texte"], revision["enregistree_par"]) == (
        True,
        "7\u00a0actions",
        "pilote",
    )
    assert data["ligne"]["statut_libelle"] == "Conforme"
    assert data["graphique"]["$schema"].startswith("https://vega.github.io/schema/vega-lite/")


# --- the indicators list -------------------------------------------------------------------------


def listing(**filters: str) -> IndicatorsContext:
    reader = Reader()
    reader.targets_[("indicator", "cog-08-29")] = [
        StoredTarget(2027, 13, "individualised", "le", "cnaf_notification")
    ]
    reader.add(("indicator", "cog-08-29"), "2026-08", 16)
    reader.add(("indicator", "cog-08-29"), "2026-09", 15.5)
    return indicators_context(reader.situation(), **filters)


def test_list_has_every_indicator_by_family_in_the_contracts_order() -> None:
    ctx = listing()
    indicators = contract().indicators
    assert ctx.total == ctx.shown == len(indicators) and not ctx.active
    assert [f.id for f in ctx.families] == [f.id for f in contract().catalogue]
    assert sum(f.count for f in ctx.families) == len(indicators)
    row = next(
        r for f in ctx.families for g in f.groups for r in g.rows if r.row.subject_id == "cog-08-29"
    )
    assert row.row.current is not None and row.row.current.value_text == "15,5\u00a0jours"
    assert row.trend is not None and (row.trend.arrow, row.trend.text) == ("↘", "en baisse")
    assert row.target_text == "≤\u00a013\u00a0jours en 2027"  # the bound, as the contract has it
    assert (row.nature_label, row.type_label) == ("COG", "Résultat")
    unset = next(
        r for f in ctx.families for g in f.groups for r in g.rows if r.row.subject_id == "cog-08-30"
    )
    assert unset.target_text == "Individualisée (valeur non fixée)"


def test_list_filters_keep_matching_rows_and_show_the_choice() -> None:
    ctx = listing(statut="non_renseigne", nature="bogus", famille="inconnue")
    assert ctx.active  # the status filter; the unknown values are ignored
    rows = [r for f in ctx.families for g in f.groups for r in g.rows]
    assert len(rows) == ctx.shown < ctx.total
    assert {r.row.status for r in rows} == {"non_renseigne"}
    by_name = {f.name: f for f in ctx.filters}
    assert [c.label for c in by_name["statut"].choices if c.selected] == ["Non renseigné"]
    assert [c.value for c in by_name["nature"].choices if c.selected] == [""]
    assert [c.value for c in by_name["famille"].choices if c.selected] == [""]
    assert by_name["famille"].choices[0].label == "Tous"

    family = contract().catalogue[0]
    ctx = listing(famille=family.id)
    assert [f.id for f in ctx.families] == [family.id]
    assert ctx.shown == sum(len(g.indicators) for g in family.groups)


def test_list_json_has_french_names() -> None:
    data = to_data(listing(statut="en_retard"))
    assert set(data) == {
        "date_de_situation",
        "familles",
        "filtres",
        "affiches",
        "total",
        "filtre_actif",
    }
    assert data["filtres"][1]["nom"] == "statut"
    for family in data["familles"]:
        for group in family["rubriques"]:
            assert {r["ligne"]["statut"] for r in group["lignes"]} == {"en_retard"}


def test_trend_from_the_last_two_values() -> None:
    def obs(month: int, value: float) -> Observation:
        return Observation(parse_period(f"2026-{month:02d}"), value)

    trend = trend_of([obs(2, 5), obs(1, 3)])  # in period order, whatever the list's
    assert trend is not None and (trend.arrow, trend.text) == ("↗", "en hausse")
    assert trend_of([obs(1, 5)]) is None


@pytest.mark.parametrize("subject", [ACTIONS, DELAY, ("indicator", "cog-08-25")])
def test_every_subject_page_serializes(subject: SubjectKey) -> None:
    reader = Reader()
    assert to_data(page(reader, subject))["identifiant"] == subject[1]
