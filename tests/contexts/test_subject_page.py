"""The page of an indicator or a measure (issue 10), without a database: the values table by
pages, the readings to confirm with their confidence in words, the chart only when there is
something to draw."""

from __future__ import annotations

import re

from memory_reader import demo_reader

from cpog.contexts.serialize import to_data
from cpog.contexts.subject import (
    PER_PAGE,
    SubjectContext,
    confidence_in_words,
    subject_context,
    value_page,
    values_by_period,
)

MONTHLY = "cog-08-32"  # 58 monthly periods in the demo: three pages
WORDS_IN_NOTES = "datamining-metier"  # its notes say « (§1, confiance L) »


def _page(subject_type: str, subject_id: str, page: int = 1) -> SubjectContext:
    reader = demo_reader()
    ctx = subject_context(reader.situation(), reader, subject_type, subject_id, page=page)
    assert ctx is not None
    return ctx


def test_values_by_pages_of_24_periods_newest_first() -> None:
    first, second, third = (_page("indicator", MONTHLY, n) for n in (1, 2, 3))
    assert first.value_pages.period_count == 58 and first.value_pages.pages == 3
    assert PER_PAGE == 24 and first.value_pages.page_numbers == [1, 2, 3]
    assert [len(p.periods) for p in (first, second, third)] == [24, 24, 10]
    assert first.periods[0].period_label == "octobre 2026"
    assert second.periods[0].period_label == "octobre 2024"
    assert third.periods[-1].period_label == "janvier 2022"
    assert second.value_pages.shown_periods == "périodes 25 à 48 sur 58"
    # every period once, in order, over the pages
    keys = [p.period for ctx in (first, second, third) for p in ctx.periods]
    assert len(set(keys)) == 58
    # the revisions are still all counted
    assert first.revision_count == second.revision_count >= 58


def test_a_page_out_of_range_shows_the_nearest() -> None:
    assert _page("indicator", MONTHLY, 0).value_pages.page == 1
    assert _page("indicator", MONTHLY, 99).value_pages.page == 3
    assert value_page([], 5)[1].page == 1
    assert value_page([], 1)[1].shown_periods == "aucune période"


def test_a_short_series_is_one_page() -> None:
    reader = demo_reader()
    ctx = _page("measure", "d01-r1-places-eaje")
    assert ctx.value_pages.pages == 1 and ctx.value_pages.shown_periods == "4 périodes"
    contract = reader.situation().contract
    values = reader.values(contract, reader.situation().scope, ("measure", "d01-r1-places-eaje"))
    assert len(ctx.periods) == len(values_by_period(values, "places"))


def test_confidence_in_words_never_a_letter() -> None:
    assert confidence_in_words("(§1, confiance L) ; à confirmer") == (
        "(§1, confiance faible) ; à confirmer"
    )
    assert confidence_in_words("confiance M, confiance H") == "confiance moyenne, confiance élevée"
    assert confidence_in_words("confiance NF") == "confiance non trouvée dans le texte"
    assert confidence_in_words("la confiance en soi") == "la confiance en soi"
    ctx = _page("indicator", WORDS_IN_NOTES)
    notes = [n for d in ctx.definition for n in d.notes] + ctx.other_notes
    assert notes and ctx.to_confirm_count == len(notes)
    text = " ".join(notes)
    assert "confiance faible" in text
    assert not re.search(r"confiance (L|M|H|NF)\b", text)


def test_every_page_says_its_confidence_in_words() -> None:
    reader = demo_reader()
    situation = reader.situation()
    for row in situation.status.rows:
        ctx = subject_context(situation, reader, row.subject_type, row.subject_id)
        assert ctx is not None
        text = " ".join([n for d in ctx.definition for n in d.notes] + ctx.other_notes)
        assert not re.search(r"confiance (L|M|H|NF)\b", text), row.subject_id


def test_no_chart_when_there_is_nothing_to_draw() -> None:
    reader = demo_reader()
    situation = reader.situation()
    without = [
        ctx
        for row in situation.status.rows
        if (ctx := subject_context(situation, reader, row.subject_type, row.subject_id))
        and ctx.chart is None
    ]
    assert without and all(not c.periods and c.situation.final_target == "—" for c in without)
    assert _page("indicator", MONTHLY).chart is not None


def test_the_json_names_the_pages_in_french() -> None:
    data = to_data(_page("indicator", MONTHLY, 2))
    assert data["pages_des_valeurs"] == {
        "page": 2,
        "pages": 3,
        "periodes_par_page": 24,
        "nombre_de_periodes": 58,
        "liste_des_pages": [1, 2, 3],
        "periodes_visibles": "périodes 25 à 48 sur 58",
    }
    assert data["nombre_de_lectures_a_confirmer"] >= 0
