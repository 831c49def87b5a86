"""Contrat: the signed text as encoded — metadata, preamble, commitments, diagnosis, key
figures, priorities, the défis and the corrections the encoded text applies."""

from __future__ import annotations

from collections.abc import Iterable

from cpog.assess.wording import value_text
from cpog.contexts.challenges import ChallengeRef, ItemData, item_data
from cpog.contexts.reader import ValueRecord
from cpog.contexts.serialize import record
from cpog.contract.model import Block, Contract, KeyFigure, Organisation
from cpog.periods import PeriodError, parse_period


def period_label(key: str) -> str:
    try:
        return str(parse_period(key))
    except PeriodError:
        return key


@record
class BlockData:
    """A paragraph, optionally followed by bullets (either may be absent)."""

    text: str | None
    items: list[ItemData]


@record
class OrganisationData:
    name: str
    short_name: str
    code: str
    address: str | None


@record
class SignatoryData:
    name: str
    role: str
    organisation: str


@record
class ThemeData:
    id: str
    title: str
    blocks: list[BlockData]


@record
class AxisData:
    id: str
    number: str
    title: str
    themes: list[ThemeData]


@record
class SectionData:
    id: str
    title: str
    blocks: list[BlockData]


@record
class OrientationData:
    id: str
    title: str
    text: str | None


@record
class FigureRow:
    id: str
    label: str
    value: float
    value_text: str  # French format, with its unit
    when: str  # year, or the period as written
    scope: str
    section_id: str
    section_title: str
    quote: str
    # the latest value computed from the extracts (cpog compute), beside the signed one
    computed: str = ""  # « calculé à partir des extraits : 65 362 allocataires en 2023 »
    computed_value: float | None = None
    computed_period: str = ""


@record
class CorrectionData:
    where: str
    original: str
    corrected: str
    reason: str


@record
class TocEntry:
    anchor: str
    title: str


@record
class ContractPageContext:
    title: str
    short_title: str
    start: int
    end: int
    organisation: OrganisationData
    counterpart: OrganisationData
    parent: str
    signed_on: str | None
    signatories: list[SignatoryData]
    toc: list[TocEntry]
    preamble: list[BlockData]
    caf_title: str
    caf_intro: list[BlockData]
    caf_axes: list[AxisData]
    cnaf_title: str
    cnaf_blocks: list[BlockData]
    diagnosis_title: str
    diagnosis_intro: list[BlockData]
    diagnosis_sections: list[SectionData]
    figures: list[FigureRow]
    priorities_intro: list[BlockData]
    orientations: list[OrientationData]
    priorities_closing: list[BlockData]
    challenges: list[ChallengeRef]
    corrections: list[CorrectionData]


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


def _blocks(blocks: list[Block]) -> list[BlockData]:
    return [BlockData(b.text, [item_data(i) for i in b.items]) for b in blocks]


def _organisation(o: Organisation) -> OrganisationData:
    return OrganisationData(o.name, o.short_name, o.code, o.address)


def latest_computed(values: Iterable[ValueRecord]) -> dict[str, ValueRecord]:
    """Per key figure, the value in force of its latest period, when it was computed."""
    latest: dict[str, ValueRecord] = {}
    for value in values:
        if value.subject_type != "figure" or not value.current:
            continue
        known = latest.get(value.subject_id)
        if known is None or value.period_key > known.period_key:
            latest[value.subject_id] = value
    return {k: v for k, v in latest.items() if v.source == "computed"}


def figure_row(
    figure: KeyFigure, sections: dict[str, str], computed: ValueRecord | None = None
) -> FigureRow:
    when = figure.period or (str(figure.year) if figure.year else "—")
    if figure.period and figure.year:
        when = f"{figure.period} ({figure.year})"
    return FigureRow(
        id=figure.id,
        label=figure.label,
        value=figure.value,
        value_text=value_text(figure.value, figure.unit),
        when=when,
        scope=figure.scope,
        section_id=figure.section,
        section_title=sections.get(figure.section, ""),
        quote=figure.quote,
        computed=(
            f"calculé à partir des extraits : {value_text(computed.value, figure.unit)}"
            f" en {period_label(computed.period_key)}"
            if computed is not None
            else ""
        ),
        computed_value=computed.value if computed is not None else None,
        computed_period=computed.period_key if computed is not None else "",
    )


def contract_page_context(
    contract: Contract, figure_values: Iterable[ValueRecord] = ()
) -> ContractPageContext:
    """``figure_values``: the stored values of the key figures (:meth:`StoreReader.
    figure_values`), so that each signed figure shows its latest computed value."""
    computed = latest_computed(figure_values)
    diagnosis, caf, cnaf = contract.diagnosis, contract.commitments.caf, contract.commitments.cnaf
    sections = {s.id: s.title for s in diagnosis.sections}
    return ContractPageContext(
        title=contract.title,
        short_title=contract.short_title,
        start=contract.period.start,
        end=contract.period.end,
        organisation=_organisation(contract.organisation),
        counterpart=_organisation(contract.counterpart),
        parent=contract.parent,
        signed_on=contract.signed_on,
        signatories=[SignatoryData(s.name, s.role, s.organisation) for s in contract.signatories],
        toc=list(TOC),
        preamble=_blocks(contract.preamble),
        caf_title=caf.title,
        caf_intro=_blocks(caf.intro),
        caf_axes=[
            AxisData(
                a.id,
                a.number,
                a.title,
                [ThemeData(t.id, t.title, _blocks(t.blocks)) for t in a.themes],
            )
            for a in caf.axes
        ],
        cnaf_title=cnaf.title,
        cnaf_blocks=_blocks(cnaf.blocks),
        diagnosis_title=diagnosis.title,
        diagnosis_intro=_blocks(diagnosis.intro),
        diagnosis_sections=[
            SectionData(s.id, s.title, _blocks(s.blocks)) for s in diagnosis.sections
        ],
        figures=[figure_row(f, sections, computed.get(f.id)) for f in diagnosis.key_figures],
        priorities_intro=_blocks(diagnosis.priorities.intro),
        orientations=[
            OrientationData(o.id, o.title, o.text) for o in diagnosis.priorities.orientations
        ],
        priorities_closing=_blocks(diagnosis.priorities.closing),
        challenges=[ChallengeRef(c.number, c.title) for c in contract.challenges],
        corrections=[
            CorrectionData(k.where, k.original, k.corrected, k.reason) for k in contract.corrections
        ],
    )
