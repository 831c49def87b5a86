"""Contrat: the signed text as encoded — metadata, preamble, commitments, diagnosis, key figures,
priorities and the corrections the encoded text applies."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from cpog.assess.wording import value_text
from cpog.contract.model import Contract, KeyFigure
from cpog.web.page_cache import cached_page
from cpog.web.views.common import page, steering


@dataclass
class FigureRow:
    id: str
    label: str
    value: str  # French format, with its unit
    when: str  # year, or the period as written
    scope: str
    section_id: str
    section_title: str
    quote: str


@dataclass
class ChallengeLink:
    number: int
    title: str
    url: str


@dataclass
class TocEntry:
    anchor: str
    title: str


@dataclass
class ContractContext:
    contract: Contract
    toc: list[TocEntry]
    figures: list[FigureRow]
    challenges: list[ChallengeLink]


TOC = [
    TocEntry("informations", "Informations générales"),
    TocEntry("preambule", "Préambule"),
    TocEntry("engagements-caf", "Les engagements de la Caf"),
    TocEntry("engagements-cnaf", "Les engagements de la Cnaf"),
    TocEntry("diagnostic", "Le diagnostic territorial"),
    TocEntry("chiffres-cles", "Chiffres clés"),
    TocEntry("orientations", "Les orientations prioritaires"),
    TocEntry("defis", "Les défis"),
    TocEntry("corrections", "Corrections du texte signé"),
]


def _figure(figure: KeyFigure, sections: dict[str, str]) -> FigureRow:
    when = figure.period or (str(figure.year) if figure.year else "—")
    if figure.period and figure.year:
        when = f"{figure.period} ({figure.year})"
    return FigureRow(
        id=figure.id,
        label=figure.label,
        value=value_text(figure.value, figure.unit),
        when=when,
        scope=figure.scope,
        section_id=figure.section,
        section_title=sections.get(figure.section, ""),
        quote=figure.quote,
    )


def build(request: HttpRequest) -> ContractContext:
    contract = steering(request).contract
    sections = {s.id: s.title for s in contract.diagnosis.sections}
    return ContractContext(
        contract=contract,
        toc=TOC,
        figures=[_figure(f, sections) for f in contract.diagnosis.key_figures],
        challenges=[
            ChallengeLink(c.number, c.title, f"/defis/{c.number}/") for c in contract.challenges
        ],
    )


@login_required
@cached_page
def contract_page(request: HttpRequest) -> HttpResponse:
    return page(request, "web/contract.html", "contract", "Contrat", ctx=build(request))
