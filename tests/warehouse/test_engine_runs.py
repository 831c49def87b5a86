"""The engine: the period × territory grid, skipped definitions, parameters, empty ranges, and
the definitions checked against the contract."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from engine_tiny import connect, dec, spec

from cpog.contract import default_contract_path
from cpog.contract.loader import read_contract
from cpog.contract.model import Contract
from cpog.warehouse.definitions import (
    DefinitionError,
    Grain,
    Measure,
    all_definitions,
    definition_for,
    parse_definition,
)
from cpog.warehouse.engine import audit_script, check_against, compute, value_of

_COUNT = """/*
subject: indicator/cog-10-41
version: 1
label: Réclamations closes (essai)
measure: {measure}
grain: year_to_date
tables: [reclamations]
*/
SELECT p.periode, t.territoire, COUNT(*) AS numerateur, NULL AS denominateur
FROM reclamations AS r
JOIN territoires AS t ON t.commune = r.commune
JOIN periodes AS p ON r.close_le BETWEEN p.debut AND p.fin
GROUP BY p.periode, t.territoire
"""


def _contract() -> Contract:
    contract = read_contract(default_contract_path()).contract
    assert contract is not None
    return contract


def test_value_of() -> None:
    assert value_of(Measure.RATIO, dec("1"), dec("3")) == dec("33.333333")
    assert value_of(Measure.MEAN, dec("7"), dec("2")) == dec("3.500000")
    assert value_of(Measure.RATIO, dec("0"), dec("0")) is None  # non calculable, not 0
    assert value_of(Measure.MEAN, dec("0"), None) is None
    assert value_of(Measure.SUM, dec("0"), None) == dec("0")


def test_sum_over_nothing_is_zero_and_ratio_over_nothing_is_not_computable() -> None:
    connection = connect(reclamations=[{"recue_le": "2025-02-01", "close_le": "2025-02-05"}])
    count = parse_definition(_COUNT.format(measure="count"), "essai.sql")
    computation = compute(
        connection, [count, definition_for("cog-08-25")], spec("2025-01", "2025-02")
    )
    found = {(r.definition, r.period_key): r for r in computation.results}
    assert found[("essai", "2025-01")].value == Decimal(0)  # nothing closed yet: 0
    assert found[("essai", "2025-01")].denominator is None
    assert found[("essai", "2025-02")].value == Decimal(1)
    assert found[("cog-08-25", "2025-01")].value is None  # ratio over nothing
    assert found[("cog-08-25", "2025-02")].value == dec("100")
    assert computation.skipped == {}
    assert computation.parameters["cog-08-25"] == {"jours": "calendaires", "delai_max": 10}


def test_a_definition_without_its_extracts_is_skipped() -> None:
    connection = connect(reclamations=[{"recue_le": "2025-02-01", "close_le": "2025-02-05"}])
    definitions = [definition_for(code) for code in ("cog-08-25", "cog-08-29", "cog-08-33")]
    seen: list[str] = []
    computation = compute(
        connection, definitions, spec("2025-02", "2025-02"), lambda d: seen.append(d.name)
    )
    assert computation.skipped == {
        "cog-08-29": "extrait absent : demarches",
        "cog-08-33": "extraits absents : pieces, demarches",
    }
    assert {r.definition for r in computation.results} == {"cog-08-25"}
    assert sorted(seen) == ["cog-08-25", "cog-08-29", "cog-08-33"]  # progress for every one
    assert set(computation.parameters) == {"cog-08-25"}


def test_unknown_and_refused_parameters() -> None:
    connection = connect(reclamations=[])
    definitions = [definition_for("cog-08-25")]
    with pytest.raises(DefinitionError, match="Paramètre inconnu : delai_maxi"):
        compute(connection, definitions, spec("2025-01", "2025-01", delai_maxi=5))
    with pytest.raises(DefinitionError, match="Paramètres inconnus : a, b"):
        compute(connection, definitions, spec("2025-01", "2025-01", a=1, b=2))
    with pytest.raises(
        DefinitionError, match="valeur « ouvrables » refusée pour le paramètre jours"
    ):
        compute(connection, definitions, spec("2025-01", "2025-01", jours="ouvrables"))
    with pytest.raises(DefinitionError, match="attend un nombre entier"):
        compute(connection, definitions, spec("2025-01", "2025-01", delai_max="dix"))
    # A parameter another definition of the run has is fine.
    both = [*definitions, definition_for("cog-08-33")]
    compute(
        connect(reclamations=[], pieces=[], demarches=[]),
        both,
        spec("2025-01", "2025-01", unite="demarches"),
    )


def test_a_range_without_periods_gives_no_result() -> None:
    connection = connect(reclamations=[{"recue_le": "2025-02-01", "close_le": "2025-02-05"}])
    yearly = replace(definition_for("cog-08-25"), grain=Grain.YEAR)
    # January to November: no December, so no year.
    assert compute(connection, [yearly], spec("2025-01", "2025-11")).results == ()
    # The last month before the first: no period at all.
    assert (
        compute(connection, [definition_for("cog-08-25")], spec("2025-03", "2025-01")).results == ()
    )


def test_a_range_before_the_data_gives_the_grid() -> None:
    connection = connect(reclamations=[{"recue_le": "2025-02-01", "close_le": "2025-02-05"}])
    results = compute(connection, [definition_for("cog-08-25")], spec("2020-01", "2020-02")).results
    assert [(r.period_key, r.numerator, r.denominator, r.value) for r in results] == [
        ("2020-01", 0, 0, None),
        ("2020-02", 0, 0, None),
    ]


def test_every_shipped_definition_agrees_with_the_contract() -> None:
    assert check_against(_contract(), all_definitions()) == []
    assert check_against(_contract()) == []


def test_check_against_names_each_disagreement() -> None:
    contract = _contract()
    base = definition_for("cog-08-25")
    problems = check_against(
        contract,
        [
            replace(base, subject_id="cog-99-99", path="a.sql"),
            replace(base, measure=Measure.MEAN, path="b.sql"),  # « % » wants a ratio
            replace(definition_for("cog-08-29"), measure=Measure.RATIO, path="c.sql"),  # jours
            replace(base, grain=Grain.MONTH, path="d.sql"),  # monthly year to date
            replace(definition_for("cog-08-33"), grain=Grain.YEAR_TO_DATE, path="e.sql"),
            replace(base, subject_type="figure", subject_id="kf-inconnu", path="f.sql"),
            replace(
                base,
                subject_type="figure",
                subject_id="kf-part-monoparents",
                path="g.sql",
                grain=Grain.YEAR,
            ),
            replace(
                base,
                subject_type="figure",
                subject_id="kf-allocataires",
                path="h.sql",
                grain=Grain.YEAR,
            ),  # a count of allocataires, not a ratio
            replace(base, subject_type="chose", path="i.sql"),
        ],
    )
    assert problems == [
        "a.sql (indicator/cog-99-99) : aucun indicateur « cog-99-99 » au contrat.",
        "b.sql (indicator/cog-08-25) : l'unité est « % » mais la mesure est « mean »"
        " (attendu : ratio).",
        "c.sql (indicator/cog-08-29) : la mesure « ratio » donne des pourcentages, mais l'unité"
        " est « jours ».",
        "d.sql (indicator/cog-08-25) : grain « month » ; attendu « year_to_date » d'après la"
        " périodicité et le cumul du sujet.",
        "e.sql (indicator/cog-08-33) : grain « year_to_date » ; attendu « month » d'après la"
        " périodicité et le cumul du sujet.",
        "f.sql (figure/kf-inconnu) : aucun chiffre clé « kf-inconnu » au diagnostic.",
        "h.sql (figure/kf-allocataires) : la mesure « ratio » donne des pourcentages, mais"
        " l'unité est « allocataires ».",
        "i.sql (chose/cog-08-25) : type de sujet « chose » inconnu (attendu : indicator, figure"
        " ou measure).",
    ]


def test_annual_indicators_want_a_yearly_grain() -> None:
    base = definition_for("cog-08-25")
    problems = check_against(_contract(), [replace(base, subject_id="cog-10-42", path="x.sql")])
    assert problems == [
        "x.sql (indicator/cog-10-42) : grain « year_to_date » ; attendu « year » d'après la"
        " périodicité et le cumul du sujet."
    ]


def test_the_auditors_script_computes_the_data_end(tmp_path: Path) -> None:
    # A definition reading :fin_donnees: complaints closed up to the data's end (10/02/2025).
    text = _COUNT.format(measure="count").replace(
        "GROUP BY", "WHERE r.close_le < :fin_donnees\nGROUP BY"
    )
    definition = parse_definition(text, "essai.sql")
    connection = connect(
        reclamations=[
            {"recue_le": "2025-02-01", "close_le": "2025-02-05"},
            {"recue_le": "2025-02-01", "close_le": "2025-02-10"},  # the last day: not before it
        ]
    )
    connection.execute(f"COPY reclamations TO '{tmp_path / 'reclamations.parquet'}'")
    script = audit_script(definition, spec("2025-02", "2025-02"), folder=str(tmp_path))
    assert "CREATE OR REPLACE TABLE fin_donnees" in script
    assert duckdb.connect().execute(script).fetchall() == [("2025-02", "79", 1, None)]
