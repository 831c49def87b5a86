"""« Diagnostic et données ouvertes par territoire »: the diagnosis's key figures beside the
Cnaf's open data (data.caf.fr), for the département, each EPCI or each commune, year by year.

:data:`FIGURE_SOURCES` is the one place saying which published field stands for which key
figure. The published files do not define the figures as the contract does (Caf only, no MSA;
households rounded to 5 by commune; a quotient-familial bracket is not the low-income threshold),
so every mapping is marked « correspondance à confirmer » unless the domain notes state it.

The reference value of a territory and a year is the key figure's computed value for that
territory (cpog compute, stored as values of subject type figure) or, for the département, the
caisse's; failing that, for the département, the figure of the signed contract when it names
that year. The open-data value of a commune is read as published; an EPCI's is the sum of its
communes' (a count sums, and a sum with a commune missing is not given: cpog.assess.
aggregate, decision 016), the département's is the département file's
when imported, else the sum of its communes. The gap is open data − reference.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from cpog import vocabulary
from cpog.assess.aggregate import Method, Part, aggregate
from cpog.contexts.serialize import record
from cpog.contract.model import Contract, KeyFigure
from cpog.formatting import fr_number, fr_percent, fr_signed
from cpog.geography import Geography
from cpog.ingest.opendata import OpenDataPoint
from cpog.vocabulary import OPEN_DATA_REFERENCE, OPEN_DATASET

__all__ = [
    "FIGURE_SOURCES",
    "FigureSource",
    "OpenDataContext",
    "OpenDataReader",
    "open_data_context",
]

TO_CONFIRM = "correspondance à confirmer"


@dataclass(frozen=True)
class FigureSource:
    """How a key figure of the diagnosis reads in the open data. ``fields``: the published
    field, in order of preference (the first one the store holds is read); ``below``: only the
    quotient-familial brackets entirely below this amount (€) are summed."""

    figure: str
    commune_dataset: str
    department_dataset: str
    fields: tuple[str, ...]
    note: str
    to_confirm: bool = True
    below: int | None = None


FIGURE_SOURCES: tuple[FigureSource, ...] = (
    FigureSource(
        "kf-allocataires",
        "s_ben_com_f",
        "s_ben_dep",
        ("indfoy_ndur",),
        "Foyers allocataires de la Caf ayant un droit versable en décembre (indfoy_ndur),"
        " hors MSA ; par commune, arrondis à 5 (la somme des communes diffère un peu du total).",
    ),
    FigureSource(
        "kf-allocataires-bas-revenus",
        "ndur_s_qf_400_com_f",
        "",
        ("indfoy_ndur", "ndur_foy"),
        "Foyers allocataires de quotient familial inférieur à 800 € en décembre (tranches de"
        " qf_400) : le seuil de bas revenus du diagnostic (revenu par unité de consommation)"
        " n'est pas un quotient familial.",
        below=800,
    ),
)


class OpenDataReader(Protocol):
    """What the context reads of the store (cpog.store.opendata.OpenDataStoreReader)."""

    def open_data(self, wanted: Iterable[tuple[str, str]]) -> list[OpenDataPoint]: ...

    def figure_values(
        self, contract: Contract, subject_ids: Iterable[str]
    ) -> dict[tuple[str, str, str], float]: ...


@record
class FigureMapping:
    figure: str
    label: str
    datasets: list[str]  # « s_ben_com_f (Toutes prestations, par commune) »
    published_fields: list[str]
    note: str
    to_confirm: bool


@record
class OpenDataRow:
    code: str
    name: str
    level: str  # « département », « EPCI », « commune »
    year: int
    figure: str
    label: str
    reference_value: float | None
    reference_text: str
    reference_source: str
    open_value: float | None
    open_text: str
    open_source: str
    gap: float | None
    gap_text: str
    to_confirm: bool


@record
class OpenDataContext:
    by_level: str  # « epci » or « commune »
    year: int | None  # the year asked, None: every year
    available_years: list[int]
    mappings: list[FigureMapping]
    rows: list[OpenDataRow]
    empty_text: str  # why there is no row, or ""


_NUMBER = re.compile(r"\d[\d\s\u00a0\u202f]*")


def bracket_below(label: str, bound: int) -> bool | None:
    """Whether the quotient-familial bracket ``label`` lies entirely below ``bound`` (€):
    « < 400 € » and « 400 - 799 € » are below 800, « 800 - 1199 € » and « >= 4000 € » are not;
    None when the label cannot be read."""
    numbers = [int(re.sub(r"\D", "", n)) for n in _NUMBER.findall(label)]
    text = label.casefold()
    if not numbers:
        return None
    if any(mark in text for mark in (">", "≥", "plus", "sup", "et +")):
        return False
    if "<" in text or "moins" in text or "inf" in text:
        return numbers[0] <= bound
    if len(numbers) >= 2:
        return numbers[1] < bound
    return None


def _year(period: str) -> int | None:
    """« 2022 » → 2022; « 2022-12 » (the state of December) → 2022; another month: None."""
    if len(period) == 4 and period.isdigit():
        return int(period)
    if len(period) == 7 and period.endswith("-12") and period[:4].isdigit():
        return int(period[:4])
    return None


@dataclass
class _Published:
    communes: dict[tuple[str, int], Decimal]
    department: dict[int, Decimal]
    commune_field: str
    department_field: str


def _published(source: FigureSource, points: list[OpenDataPoint], department: str) -> _Published:
    def field_of(dataset: str) -> str:
        present = {p.field for p in points if p.dataset == dataset}
        return next((f for f in source.fields if f in present), "")

    commune_field = field_of(source.commune_dataset)
    department_field = field_of(source.department_dataset) if source.department_dataset else ""
    communes: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    totals: dict[int, Decimal] = {}
    for point in points:
        year = _year(point.period)
        if year is None:
            continue
        if point.dataset == source.commune_dataset and point.field == commune_field:
            if source.below is not None and not bracket_below(point.category, source.below):
                continue
            communes[(point.territory, year)] += point.value
        elif (
            point.dataset == source.department_dataset
            and point.field == department_field
            and point.territory == f"dep-{department}"
        ):
            totals[year] = point.value
    return _Published(dict(communes), totals, commune_field, department_field)


def _gap(reference: float | None, published: float | None) -> tuple[float | None, str]:
    if reference is None or published is None:
        return None, "—"
    gap = published - reference
    text = fr_signed(round(gap, 1))
    if reference:
        text += f" ({'+' if gap >= 0 else ''}{fr_percent(gap / reference * 100)})"
    return gap, text


def _shown(value: float | None) -> str:
    return "—" if value is None else fr_number(round(value, 1))


def open_data_context(
    reader: OpenDataReader,
    contract: Contract,
    geography: Geography,
    *,
    by: str = "epci",
    year: int | None = None,
) -> OpenDataContext:
    """The key figures beside the open data for the département and each EPCI (``by`` epci) or
    each commune (``by`` commune); ``year``: one year only."""
    if by not in ("epci", "commune"):
        raise ValueError(f"Découpage inconnu : « {by} » (attendu : epci ou commune).")
    figures = {f.id: f for f in contract.diagnosis.key_figures}
    sources = [s for s in FIGURE_SOURCES if s.figure in figures]
    department = geography.department
    caisse = contract.organisation.code
    points = reader.open_data(
        (dataset, field)
        for s in sources
        for dataset in (s.commune_dataset, s.department_dataset)
        if dataset
        for field in s.fields
    )
    computed = reader.figure_values(contract, [s.figure for s in sources])
    rows: list[OpenDataRow] = []
    mappings: list[FigureMapping] = []
    every_year: set[int] = set()
    for source in sources:
        figure = figures[source.figure]
        mine = [
            p for p in points if p.dataset in (source.commune_dataset, source.department_dataset)
        ]
        published = _published(source, mine, department)
        mappings.append(_mapping(source, figure, published))
        years = (
            {y for _, y in published.communes}
            | set(published.department)
            | {int(p[:4]) for (s, _, p) in computed if s == source.figure and p[:4].isdigit()}
            | ({figure.year} if figure.year else set())
        )
        every_year |= years
        for shown_year in sorted(years):
            if year is not None and shown_year != year:
                continue
            rows.extend(
                _rows(source, figure, published, computed, geography, caisse, by, shown_year)
            )
    empty = ""
    if not rows:
        empty = (
            "Aucune donnée ouverte ni valeur calculée pour ces chiffres clés"
            + (f" en {year}" if year is not None else "")
            + " : importez un fichier de data.caf.fr avec « cpog import opendata FICHIER »."
        )
    return OpenDataContext(by, year, sorted(every_year), mappings, rows, empty)


def _mapping(source: FigureSource, figure: KeyFigure, published: _Published) -> FigureMapping:
    datasets = [d for d in (source.commune_dataset, source.department_dataset) if d]
    return FigureMapping(
        source.figure,
        figure.label,
        [f"{d} ({OPEN_DATASET[d]})" for d in datasets],
        list(source.fields),
        source.note,
        source.to_confirm,
    )


def _rows(
    source: FigureSource,
    figure: KeyFigure,
    published: _Published,
    computed: dict[tuple[str, str, str], float],
    geography: Geography,
    caisse: str,
    by: str,
    year: int,
) -> list[OpenDataRow]:
    period = f"{year:04d}"
    dep_code = f"dep-{geography.department}"

    def reference(*codes: str) -> tuple[float | None, str]:
        for code in codes:
            value = computed.get((source.figure, code, period))
            if value is not None:
                return value, OPEN_DATA_REFERENCE["computed"]
        return None, ""

    def summed(codes: list[str]) -> tuple[float | None, str]:
        """The sum of the communes (a count sums; an incomplete sum is not given, it says so:
        cpog.assess.aggregate), and where it comes from; ("", None) when none is published."""
        parts = [
            Part(c, float(v)) for c in codes if (v := published.communes.get((c, year))) is not None
        ]
        if not parts:
            return None, ""
        total = aggregate(parts, Method.SUM, expected=codes)
        if total.value is None:
            return None, f"{source.commune_dataset} : {total.reason} sur {len(codes)}"
        count = total.parts
        return total.value, (
            f"{source.commune_dataset}, somme de {count} commune{'s' if count > 1 else ''}"
        )

    def row(
        code: str,
        name: str,
        level: str,
        ref: tuple[float | None, str],
        value: float | None,
        origin: str,
    ) -> OpenDataRow | None:
        if ref[0] is None and value is None and not origin:
            return None
        gap, gap_text = _gap(ref[0], value)
        return OpenDataRow(
            code,
            name,
            vocabulary.SCOPE_KIND[level],
            year,
            source.figure,
            figure.label,
            ref[0],
            _shown(ref[0]),
            ref[1],
            value,
            _shown(value),
            origin,
            gap,
            gap_text,
            source.to_confirm,
        )

    found: list[OpenDataRow] = []
    # The département: the caisse's computed value, else the signed figure of that year.
    dep_ref = reference(caisse, dep_code)
    if dep_ref[0] is None and figure.year == year:
        dep_ref = (figure.value, OPEN_DATA_REFERENCE["signed"])
    if year in published.department:
        dep_value: float | None = float(published.department[year])
        dep_origin = f"{source.department_dataset}, {published.department_field}"
    else:
        dep_value, dep_origin = summed([c.code for c in geography.communes])
    first = row(
        dep_code,
        f"Département {geography.department}",
        "departement",
        dep_ref,
        dep_value,
        dep_origin,
    )
    if first is not None:
        found.append(first)
    if by == "epci":
        members: dict[str, list[str]] = defaultdict(list)
        for commune in geography.communes:
            members[commune.epci].append(commune.code)
        for epci in geography.epcis:
            value, origin = summed(members.get(epci.code, []))
            line = row(epci.code, epci.name, "epci", reference(epci.code), value, origin)
            if line is not None:
                found.append(line)
    else:
        for commune in geography.communes:
            raw = published.communes.get((commune.code, year))
            value = None if raw is None else float(raw)
            origin = "" if raw is None else f"{source.commune_dataset}, {published.commune_field}"
            line = row(
                commune.code, commune.name, "commune", reference(commune.code), value, origin
            )
            if line is not None:
                found.append(line)
    return found
