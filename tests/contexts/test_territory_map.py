"""The map context: classes at the quantiles with French labels, an EPCI without a value made
from its communes by a ratio of sums, territories without a value listed, the spec coloured by
class with the class letters drawn."""

from __future__ import annotations

from memory_reader import MemoryReader, default_contract

from cpog.assess.aggregate import Part
from cpog.contexts.serialize import to_data
from cpog.contexts.territory_map import (
    NO_VALUE,
    _breaks,
    class_labels,
    class_of,
    territory_map_context,
)
from cpog.geography import geography_of

DELAY = ("indicator", "cog-08-29")  # jours: a ratio
BIRTHS = ("figure", "kf-naissances")  # a count
NIORTAIS = "200041317"


def _reader() -> MemoryReader:
    geography = geography_of("79")
    epcis = [e.code for e in geography.epcis]
    reader = MemoryReader()
    # every EPCI but the Niortais has its own value: 10, 11, … 16 jours
    delay = {
        code: {"2026-09": Part(code, 10.0 + i, 10.0 + i, 1.0), "2026-08": Part(code, 9.0)}
        for i, code in enumerate(c for c in epcis if c != NIORTAIS)
    }
    # two communes of the Niortais, one of 100 days over 10 files, one of 20 over 10 files:
    # the EPCI's value is 120 / 20 = 6 jours, not the mean of 10 and 2
    delay["79191"] = {"2026-09": Part("79191", 10.0, 100.0, 10.0)}
    delay["79003"] = {"2026-09": Part("79003", 2.0, 20.0, 10.0)}
    births = {c.code: {"2025": Part(c.code, 12.0)} for c in geography.communes[:200]}
    reader.territories_ = {DELAY: delay, BIRTHS: births}
    return reader


def test_classes_at_quantiles_with_french_labels() -> None:
    bounds = _breaks([6.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0])
    assert len(bounds) == 6 and bounds[0] == 6.0 and bounds[-1] == 16.0
    # as few decimals as keep the bounds apart, one at least (none when all are whole)
    labels = class_labels([12.5, 12.54, 15.25], "jours")
    assert labels == ["de 12,50 à 12,54\u00a0jours", "de 12,54 à 15,25\u00a0jours"]
    assert class_labels([12.5, 14.0], "jours") == ["de 12,5 à 14,0\u00a0jours"]
    assert class_labels([3.0, 5.0], "%") == ["de 3 à 5\u00a0%"]
    assert class_labels([1.0, 1.0], "jours") == ["1\u00a0jour"]
    assert [class_of(v, [1.0, 2.0, 3.0]) for v in (1.0, 1.5, 2.0, 3.0)] == [0, 0, 1, 1]


def test_epci_map_aggregates_the_niortais_from_its_communes_by_ratio_of_sums() -> None:
    context = territory_map_context(default_contract(), _reader(), "cog-08-29", "epci")
    assert (context.subject_id, context.level, context.period_key) == (
        "cog-08-29",
        "epci",
        "2026-09",
    )
    assert [p.key for p in context.periods] == ["2026-09", "2026-08"]
    assert context.period_label == "septembre 2026"
    assert "ratio des sommes" in context.method_label
    by_code = {t.code: t for t in context.territories}
    assert len(by_code) == 8
    niortais = by_code[NIORTAIS]
    assert niortais.aggregated and niortais.value == 6.0
    assert (niortais.numerator, niortais.denominator) == (120.0, 20.0)
    assert niortais.note == "agrégé de 2 communes sur 40"
    assert niortais.value_text == "6\u00a0jours" and niortais.letter == "A"
    assert not context.missing
    assert [c.letter for c in context.classes] == ["A", "B", "C", "D", "E"]
    assert sum(c.count for c in context.classes) == 8
    assert context.classes[0].label.startswith("de 6,0 à ")
    assert all(t.class_label in {c.label for c in context.classes} for t in context.territories)
    highest = max(context.territories, key=lambda t: t.value or 0)
    assert highest.letter == "E" and highest.value_text == "16\u00a0jours"


def test_commune_map_lists_the_communes_without_a_value() -> None:
    context = territory_map_context(default_contract(), _reader(), "kf-naissances", "commune")
    assert context.subject_type == "figure" and context.period_key == "2025"
    assert len(context.territories) == 252
    assert len(context.missing) == 52
    empty = [t for t in context.territories if t.value is None]
    assert {t.value_text for t in empty} == {NO_VALUE} and {t.letter for t in empty} == {""}
    # all communes have the same value: one class
    assert [(c.letter, c.label, c.count) for c in context.classes] == [
        ("A", "12\u00a0naissances", 200)
    ]
    assert "somme" in context.method_label


def test_the_spec_colours_by_class_and_draws_the_letters() -> None:
    context = territory_map_context(default_contract(), _reader(), "cog-08-29", "epci")
    spec = context.chart
    assert spec is not None and context.chart_file == "carte.svg"
    features = spec["data"]["values"]
    assert len(features) == 8
    niortais = next(f for f in features if f["properties"]["code"] == NIORTAIS)["properties"]
    assert niortais["valeur_texte"] == "6\u00a0jours (agrégé de 2 communes sur 40)"
    assert niortais["lettre"] == "A" and niortais["classe"].startswith("A : de 6,0 à ")
    shapes, letters = spec["layer"]
    assert shapes["mark"]["type"] == "geoshape"
    domain = shapes["encoding"]["color"]["scale"]["domain"]
    assert domain == [f"{c.letter} : {c.label}" for c in context.classes]
    assert letters["encoding"]["text"]["field"] == "properties.lettre"
    assert spec["projection"]["type"] == "mercator"
    # French names in the JSON of the page
    data = to_data(context)
    assert data["niveau"] == "epci" and data["territoires"][0]["lettre"]
    assert data["graphique_fichier"] == "carte.svg"


def test_without_territory_values_the_page_says_what_to_run() -> None:
    context = territory_map_context(default_contract(), MemoryReader(), "", "commune")
    assert context.chart is None and not context.subjects
    assert "cpog compute" in context.message
