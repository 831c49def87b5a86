"""Typed model of a CPOG contract.

One pydantic model per kind of file in a contract folder (see docs/contract-format.md), plus the
assembled :class:`Contract` that ``cpog export`` writes. Models forbid unknown keys so that a
typo in a file is reported, not silently dropped.

Identifiers are stable slugs: values, targets and action states stored later point to them, so an id
must never be reused for something else.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

FORMAT_VERSION = 1

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", min_length=1, max_length=80)]
Text = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, use_enum_values=False)


# --- shared text structures ---------------------------------------------------------------


def _coerce_items(value: Any) -> Any:
    """Bullets may be written as plain strings; nested ones as {text, items}."""
    if not isinstance(value, list):
        return value
    return [{"text": v} if isinstance(v, str) else v for v in value]


class Item(Strict):
    """A bullet, with its nested bullets kept."""

    text: Text
    items: list[Item] = Field(default_factory=list)

    @field_validator("items", mode="before")
    @classmethod
    def _items_may_be_strings(cls, value: Any) -> Any:
        return _coerce_items(value)


class Block(Strict):
    """A paragraph, optionally followed by a bullet list. Either part may be absent."""

    text: str | None = None
    items: list[Item] = Field(default_factory=list)

    @field_validator("items", mode="before")
    @classmethod
    def _items_may_be_strings(cls, value: Any) -> Any:
        return _coerce_items(value)


# --- contract.yaml ------------------------------------------------------------------------


class Organisation(Strict):
    name: Text
    short_name: Text
    code: Text = Field(description="Code of the caisse (département number for a Caf).")
    address: str | None = None


class Signatory(Strict):
    role: Text
    name: Text
    organisation: Text


class ContractPeriod(Strict):
    start: int = Field(ge=1990, le=2100)
    end: int = Field(ge=1990, le=2100)


class UnitDefinition(Strict):
    """A unit that a contract adds to the units cpog knows (see cpog.contract.units)."""

    id: Text = Field(description="The unit as written after a number from 2 on: 'crèches'.")
    label: Text
    singular: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "The unit after 0 or 1: 'crèche'. Left out, French rule: each word before 'par' or "
            "'de' loses a final s or x; symbols, acronyms and 'indice' stay."
        ),
    )

    def model_post_init(self, context: Any, /) -> None:
        # Values are worded far from any contract object (value_text(value, unit)): the
        # singulars of the contracts read in this process are kept where units are worded.
        if self.singular is not None:
            from cpog.contract.units import declare_singular  # units imports this module

            declare_singular(self.id, self.singular)


class ContractFile(Strict):
    """contract.yaml: who signs what, for which period."""

    id: Slug
    title: Text
    short_title: Text
    organisation: Organisation
    counterpart: Organisation
    period: ContractPeriod
    parent: Text = Field(description="The national convention this contract declines (COG).")
    signed_on: str | None = Field(
        default=None, description="Signature date (JJ/MM/AAAA) when the text states it."
    )
    signatories: list[Signatory]
    preamble: list[Block]
    units: list[UnitDefinition] = Field(default_factory=list)


# --- commitments/caf.yaml and commitments/cnaf.yaml ----------------------------------------


class Theme(Strict):
    id: Slug
    title: Text
    blocks: list[Block]


class Axis(Strict):
    id: Slug
    number: Text = Field(description="Number as written, e.g. 'I'.")
    title: Text
    themes: list[Theme]


class CafCommitmentsFile(Strict):
    """commitments/caf.yaml: the Caf's commitments, axis → theme → blocks."""

    title: Text
    intro: list[Block] = Field(default_factory=list)
    axes: list[Axis]


class CnafCommitmentsFile(Strict):
    """commitments/cnaf.yaml: the national fund's commitments."""

    title: Text
    blocks: list[Block]


# --- diagnosis.yaml -----------------------------------------------------------------------


class KeyFigure(Strict):
    id: Slug
    label: Text
    value: float
    unit: Text
    year: int | None = Field(default=None, ge=1990, le=2100)
    period: str | None = Field(
        default=None, description="Period as written when it is not a single year."
    )
    scope: Text = Field(description="What the figure counts over, e.g. 'Deux-Sèvres'.")
    section: Slug = Field(description="Diagnosis section id the figure comes from.")
    quote: Text = Field(description="The sentence of the signed text that states the figure.")


class DiagnosisSection(Strict):
    id: Slug
    title: Text
    blocks: list[Block]


class Orientation(Strict):
    id: Slug
    title: Text
    text: str | None = None


class Priorities(Strict):
    intro: list[Block] = Field(default_factory=list)
    orientations: list[Orientation]
    closing: list[Block] = Field(default_factory=list)


class DiagnosisFile(Strict):
    """diagnosis.yaml: the territorial diagnosis, its key figures and the priorities."""

    title: Text
    intro: list[Block] = Field(default_factory=list)
    sections: list[DiagnosisSection]
    key_figures: list[KeyFigure]
    priorities: Priorities


# --- challenges/NN-*.yaml -----------------------------------------------------------------


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"
    MAINTAIN = "maintain"


class MeasureKind(StrEnum):
    LEVEL = "level"  # reach a value (e.g. 5 crèches AVIP)
    CUMULATIVE_COUNT = "cumulative_count"  # count created since the start (e.g. 100 places)
    RELATIVE_CHANGE = "relative_change"  # change in % of the baseline (e.g. +10 %)
    POINT_CHANGE = "point_change"  # change in points of a rate (e.g. +15 points)
    THRESHOLD = "threshold"  # stay beyond a bound (e.g. below 10 %)
    TREND = "trend"  # a direction without a figure (e.g. "augmentation du nombre")
    MILESTONE = "milestone"  # qualitative: done or not done


class Basis(StrEnum):
    STATED = "stated"  # the signed text states it here
    STATED_ELSEWHERE = "stated_elsewhere"  # the signed text states it in another section
    DERIVED = "derived"  # computed from stated figures (e.g. 78 % - 15 points)
    AVERAGE = "average"  # a mean the text states over several years (e.g. 3,55 % par an 2018-2022)
    TO_CONFIRM = "to_confirm"  # a default chosen by cpog, to be confirmed by the Caf


class Confidence(StrEnum):
    HIGH = "H"
    MEDIUM = "M"
    LOW = "L"
    NOT_FOUND = "NF"


class Comparator(StrEnum):
    LT = "lt"
    LE = "le"
    GE = "ge"
    GT = "gt"
    EQ = "eq"


class ToConfirm(Strict):
    """A field whose value is cpog's default, not a fact stated by the contract."""

    field: Text
    confidence: Confidence
    note: Text


class ValueRange(Strict):
    """The values a quantity can take; entries outside are refused at every door.

    Left out, the range follows the unit (see :func:`cpog.contract.units.default_range`): 0 to 100
    for a rate in %, 0 or more for counts, délais and amounts. A quantity that can be negative (an
    evolution rate, a balance) says so here.
    """

    min: float | None = None
    max: float | None = None


class Baseline(Strict):
    value: float
    year: int = Field(ge=1990, le=2100)
    basis: Basis = Basis.STATED
    note: str | None = None


class MeasureTarget(Strict):
    value: float | None = Field(
        default=None,
        description="Level, count, % change or points depending on the measure kind.",
    )
    year: int | None = Field(
        default=None, ge=1990, le=2100, description="Defaults to the contract's end year."
    )
    reference: str | None = Field(
        default=None, description="A benchmark instead of a value, e.g. 'moyenne nationale'."
    )
    implied_level: float | None = Field(
        default=None,
        description="Level the text gives beside a change, e.g. 78 for '+15 points (78%)'.",
    )
    basis: Basis = Field(
        default=Basis.STATED, description="Where the target's value and year come from."
    )
    note: str | None = Field(default=None, description="Why, when the basis is not 'stated'.")


class Measure(Strict):
    """One quantity that says whether a targeted result is met."""

    id: Slug
    label: Text
    kind: MeasureKind
    unit: str | None = Field(default=None, description="Unit of the measured quantity.")
    direction: Direction
    comparator: Comparator | None = None
    per_year: bool = Field(default=False, description="The target applies to each year.")
    baseline: Baseline | None = None
    target: MeasureTarget | None = None
    indicator: Slug | None = Field(
        default=None,
        description=(
            "Indicator that measures it: the measure takes that indicator's values (one subject, "
            "counted once per défi) and keeps its own target."
        ),
    )
    value_range: ValueRange | None = None
    reading: str | None = Field(default=None, description="How the text was read, and doubts.")
    confidence: Confidence = Confidence.HIGH
    to_confirm: list[ToConfirm] = Field(
        default_factory=list,
        description="Readings of this measure to confirm: link to an indicator, target year …",
    )


class TargetedResult(Strict):
    id: Slug
    text: Text
    measures: list[Measure]


class Objective(Strict):
    id: Slug
    text: Text
    items: list[Item] = Field(default_factory=list)

    @field_validator("items", mode="before")
    @classmethod
    def _items_may_be_strings(cls, value: Any) -> Any:
        return _coerce_items(value)


class Action(Strict):
    id: Slug
    text: Text


class Partner(Strict):
    id: Slug
    name: Text


class Quote(Strict):
    text: Text
    author: str | None = None


class IndicatorLink(Strict):
    indicator: Slug
    weight: float = Field(default=1.0, ge=0)
    basis: Basis = Basis.TO_CONFIRM


class ChallengeFile(Strict):
    """challenges/NN-*.yaml: one fiche défi."""

    id: Slug
    number: int = Field(ge=1, le=99)
    title: Text
    diagnosis: list[Text] = Field(default_factory=list)
    results_2018_2022: list[Text] = Field(default_factory=list)
    objectives: list[Objective]
    actions: list[Action]
    partners: list[Partner]
    targeted_results: list[TargetedResult]
    quote: Quote | None = None
    indicators: list[IndicatorLink] = Field(default_factory=list)


# --- indicators/catalogue.yaml and indicators/*.yaml ---------------------------------------


class IndicatorGroup(Strict):
    id: Slug
    title: str | None = Field(default=None, description="Sub-group heading, if the table has one.")
    indicators: list[Slug]


class Family(Strict):
    id: Slug
    title: Text
    groups: list[IndicatorGroup]


class CatalogueFile(Strict):
    """indicators/catalogue.yaml: families and sub-groups, in the signed order."""

    families: list[Family]


class Nature(StrEnum):
    COG = "cog"
    HORS_COG = "hors_cog"


class IndicatorType(StrEnum):
    RESULT = "result"
    MONITORING = "monitoring"


class TargetKind(StrEnum):
    COG = "cog"  # national COG target
    INDIVIDUALISED = "individualised"  # target set for this caisse
    INDIVIDUALISED_FROM = "individualised_from"  # national until from_year, then individualised
    COG_THEN_INDIVIDUALISED = "cog_then_individualised"
    NATIONAL = "national"  # national target outside the COG
    FIXED = "fixed"  # a value written in the contract (e.g. 100 % in 2027)
    FROM_YEAR = "from_year"  # a target exists from from_year, kind not stated
    NONE = "none"


class IndicatorTarget(Strict):
    kind: TargetKind
    as_written: str | None = Field(default=None, description="The 'Cible' cell, verbatim.")
    from_year: int | None = Field(default=None, ge=1990, le=2100)
    value: float | None = None
    year: int | None = Field(default=None, ge=1990, le=2100)


class Periodicity(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    ANNUAL = "annual"


class Cumulation(StrEnum):
    NONE = "none"  # the value of the period itself
    YEAR_TO_DATE = "year_to_date"  # cumulated from 1 January
    SNAPSHOT = "snapshot"  # a stock at the end of the period


class Reference(Strict):
    text: Text
    source: str | None = None


class IndicatorFile(Strict):
    """indicators/<id>.yaml: one row of the indicator tables, with its definition."""

    id: Slug
    code: str | None = Field(default=None, pattern=r"^COG \d{2}-\d{2}$")
    code_as_written: str | None = None
    label: Text
    nature: Nature
    type: IndicatorType
    type_as_written: Text
    type_from_year: int | None = Field(default=None, ge=1990, le=2100)
    target: IndicatorTarget
    unit: Text
    direction: Direction
    periodicity: Periodicity
    cumulation: Cumulation = Cumulation.NONE
    yearly_total: bool | None = Field(
        default=None,
        description=(
            "A year-to-date value grows through the year toward a yearly total (a count, an "
            "amount, a share of a yearly quota). Left out: true for units that add up."
        ),
    )
    value_range: ValueRange | None = None
    availability_lag_days: int = Field(default=30, ge=0, le=730)
    calculation_method: Text
    numerator: str | None = None
    denominator: str | None = None
    data_source: Text
    to_confirm: list[ToConfirm] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)


# --- corrections.yaml ---------------------------------------------------------------------


class Correction(Strict):
    original: Text
    corrected: Text
    where: Text
    reason: Text


class CorrectionsFile(Strict):
    """corrections.yaml: typos of the signed text that the encoded contract corrects."""

    corrections: list[Correction]


# --- policy.yaml (optional) ----------------------------------------------------------------


class PolicyFile(Strict):
    """policy.yaml: the caisse's own assessment thresholds (see cpog.assess.policy); keys left
    out keep the shipped default."""

    ahead: float | None = None
    on_track: float | None = None
    watch: float | None = None
    relative_tolerance: float | None = None
    maintain_tolerance: float | None = None
    stale_grace_days: int | None = None
    unusual_change: float | None = None
    unusual_spread: float | None = None
    ytd_profile: str | None = None


# --- the assembled contract ---------------------------------------------------------------


class Commitments(Strict):
    caf: CafCommitmentsFile
    cnaf: CnafCommitmentsFile


class Indicator(IndicatorFile):
    family: Slug
    group: Slug


class Contract(Strict):
    """The whole contract, normalised: what ``cpog export --format json`` writes."""

    format_version: int = FORMAT_VERSION
    id: Slug
    title: Text
    short_title: Text
    organisation: Organisation
    counterpart: Organisation
    period: ContractPeriod
    parent: Text
    signed_on: str | None = None
    signatories: list[Signatory]
    preamble: list[Block]
    units: list[UnitDefinition] = Field(default_factory=list)
    commitments: Commitments
    diagnosis: DiagnosisFile
    challenges: list[ChallengeFile]
    catalogue: list[Family]
    indicators: list[Indicator]
    corrections: list[Correction] = Field(default_factory=list)
    policy: PolicyFile | None = None

    def challenge(self, number: int) -> ChallengeFile | None:
        return next((c for c in self.challenges if c.number == number), None)

    def indicator(self, key: str) -> Indicator | None:
        """Find an indicator by id or by code, written loosely ('COG-08-25', 'cog 08-25')."""
        wanted = _loose(key)
        if not wanted:
            return None
        found = self._indicator_index.get(wanted)
        if found is not None and any(i is found for i in self.indicators):
            return found
        # The index is built once per contract; a list changed since is searched in full.
        return next(
            (i for i in self.indicators if wanted in {_loose(i.id), _loose(i.code or "")} - {""}),
            None,
        )

    @cached_property
    def _indicator_index(self) -> dict[str, Indicator]:
        index: dict[str, Indicator] = {}
        for indicator in reversed(self.indicators):  # the first one wins, as in a search
            for key in (_loose(indicator.code or ""), _loose(indicator.id)):
                if key:
                    index[key] = indicator
        return index

    def measures(self) -> list[tuple[ChallengeFile, TargetedResult, Measure]]:
        return [(c, r, m) for c in self.challenges for r in c.targeted_results for m in r.measures]


def _loose(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())
