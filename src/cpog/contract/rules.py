"""Rules that span the files of a contract folder (layer 3 of ``cpog check``).

Each rule is a small function over the loaded folder that returns issues; they all run, so every
problem is reported at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from cpog import vocabulary
from cpog.contract.issues import Issue, Layer
from cpog.contract.model import (
    CafCommitmentsFile,
    CatalogueFile,
    ChallengeFile,
    Comparator,
    ContractFile,
    Cumulation,
    DiagnosisFile,
    Direction,
    IndicatorFile,
    Measure,
    MeasureKind,
    TargetKind,
)
from cpog.contract.units import known_units
from cpog.formatting import fr_number, fr_signed

if TYPE_CHECKING:
    from cpog.contract.loader import LoadResult, ParsedFile

Rule = Callable[["LoadResult"], Iterator[Issue]]


def _issue(file: str, line: int | None, message: str, rule: str) -> Issue:
    return Issue(file, line, message, rule, Layer.RULES)


def _challenges(result: LoadResult) -> list[tuple[ParsedFile, ChallengeFile]]:
    return [(p, p.model) for p in result.files.values() if isinstance(p.model, ChallengeFile)]


def _indicators(result: LoadResult) -> list[tuple[ParsedFile, IndicatorFile]]:
    return [(p, p.model) for p in result.files.values() if isinstance(p.model, IndicatorFile)]


def _head(result: LoadResult) -> ContractFile:
    model = result.files["contract.yaml"].model
    assert isinstance(model, ContractFile)
    return model


def _measures(result: LoadResult) -> Iterator[tuple[ParsedFile, int, int, Measure]]:
    for parsed, challenge in _challenges(result):
        for r, targeted in enumerate(challenge.targeted_results):
            for m, measure in enumerate(targeted.measures):
                yield parsed, r, m, measure


def _ids(result: LoadResult) -> Iterator[tuple[str, str, int | None]]:
    """Every id a contract declares, with its file and line."""
    for name, parsed in result.files.items():
        model = parsed.model
        if isinstance(model, ChallengeFile):
            yield model.id, name, parsed.line("id")
            for key in ("objectives", "actions", "partners", "targeted_results"):
                for n, item in enumerate(getattr(model, key)):
                    yield item.id, name, parsed.line(key, n, "id")
            for r, targeted in enumerate(model.targeted_results):
                for m, measure in enumerate(targeted.measures):
                    yield measure.id, name, parsed.line("targeted_results", r, "measures", m, "id")
        elif isinstance(model, IndicatorFile):
            yield model.id, name, parsed.line("id")
        elif isinstance(model, CafCommitmentsFile):
            for a, axis in enumerate(model.axes):
                yield axis.id, name, parsed.line("axes", a, "id")
                for t, theme in enumerate(axis.themes):
                    yield theme.id, name, parsed.line("axes", a, "themes", t, "id")
        elif isinstance(model, CatalogueFile):
            for f, family in enumerate(model.families):
                yield family.id, name, parsed.line("families", f, "id")
                for g, group in enumerate(family.groups):
                    yield group.id, name, parsed.line("families", f, "groups", g, "id")
        elif isinstance(model, DiagnosisFile):
            for s, section in enumerate(model.sections):
                yield section.id, name, parsed.line("sections", s, "id")
            for k, figure in enumerate(model.key_figures):
                yield figure.id, name, parsed.line("key_figures", k, "id")
            for o, orientation in enumerate(model.priorities.orientations):
                yield orientation.id, name, parsed.line("priorities", "orientations", o, "id")


def unique_ids(result: LoadResult) -> Iterator[Issue]:
    seen: dict[str, tuple[str, int | None]] = {}
    for ident, file, line in _ids(result):
        if ident in seen:
            first_file, first_line = seen[ident]
            where = f"{first_file}, ligne {first_line}" if first_line else first_file
            yield _issue(file, line, f"identifiant « {ident} » déjà utilisé ({where})", "unique-id")
        else:
            seen[ident] = (file, line)


def unique_challenge_numbers(result: LoadResult) -> Iterator[Issue]:
    seen: dict[int, str] = {}
    for parsed, challenge in _challenges(result):
        if challenge.number in seen:
            yield _issue(
                parsed.name,
                parsed.line("number"),
                f"défi n°{challenge.number} déjà décrit dans {seen[challenge.number]}",
                "unique-challenge-number",
            )
        seen[challenge.number] = parsed.name


def catalogue_matches_files(result: LoadResult) -> Iterator[Issue]:
    parsed = result.files["indicators/catalogue.yaml"]
    assert isinstance(parsed.model, CatalogueFile)
    files = {model.id: p.name for p, model in _indicators(result)}
    listed: set[str] = set()
    for f, family in enumerate(parsed.model.families):
        for g, group in enumerate(family.groups):
            for n, ident in enumerate(group.indicators):
                line = parsed.line("families", f, "groups", g, "indicators", n)
                if ident in listed:
                    yield _issue(
                        parsed.name,
                        line,
                        f"indicateur « {ident} » listé deux fois",
                        "catalogue-duplicate",
                    )
                listed.add(ident)
                if ident not in files:
                    yield _issue(
                        parsed.name,
                        line,
                        f"indicateur « {ident} » sans fichier indicators/{ident}.yaml",
                        "catalogue-reference",
                    )
    for ident, name in sorted(files.items()):
        if ident not in listed:
            yield _issue(
                name,
                result.files[name].line("id"),
                f"indicateur « {ident} » absent de indicators/catalogue.yaml",
                "catalogue-reference",
            )


def indicator_references(result: LoadResult) -> Iterator[Issue]:
    known = {model.id for _, model in _indicators(result)}
    for parsed, challenge in _challenges(result):
        for n, link in enumerate(challenge.indicators):
            if link.indicator not in known:
                yield _issue(
                    parsed.name,
                    parsed.line("indicators", n, "indicator"),
                    f"indicateur « {link.indicator} » inconnu",
                    "indicator-reference",
                )
    for parsed, r, m, measure in _measures(result):
        if measure.indicator is not None and measure.indicator not in known:
            yield _issue(
                parsed.name,
                parsed.line("targeted_results", r, "measures", m, "indicator"),
                f"mesure « {measure.id} » : indicateur « {measure.indicator} » inconnu",
                "indicator-reference",
            )


def key_figure_sections(result: LoadResult) -> Iterator[Issue]:
    parsed = result.files["diagnosis.yaml"]
    model = parsed.model
    sections = {s.id for s in getattr(model, "sections", [])}
    for k, figure in enumerate(getattr(model, "key_figures", [])):
        if figure.section not in sections:
            yield _issue(
                parsed.name,
                parsed.line("key_figures", k, "section"),
                f"chiffre clé « {figure.id} » : section « {figure.section} » inconnue",
                "section-reference",
            )


def years_in_period(result: LoadResult) -> Iterator[Issue]:
    period = _head(result).period
    if period.start > period.end:
        yield _issue(
            "contract.yaml",
            result.files["contract.yaml"].line("period"),
            f"période {period.start}-{period.end} : début après la fin",
            "period",
        )
        return  # every year would be reported as outside a period that cannot contain any
    span = f"{period.start}-{period.end}"
    for parsed, r, m, measure in _measures(result):
        at = ("targeted_results", r, "measures", m)
        if (
            measure.target
            and measure.target.year is not None
            and not (period.start <= measure.target.year <= period.end)
        ):
            yield _issue(
                parsed.name,
                parsed.line(*at, "target", "year"),
                f"mesure « {measure.id} » : année cible {measure.target.year} hors de "
                f"la période du contrat ({span})",
                "year-in-period",
            )
        if measure.baseline:
            last = measure.target.year if measure.target and measure.target.year else period.end
            if measure.baseline.year > last:
                yield _issue(
                    parsed.name,
                    parsed.line(*at, "baseline", "year"),
                    f"mesure « {measure.id} » : année de référence "
                    f"{measure.baseline.year} postérieure à l'année cible {last}",
                    "year-in-period",
                )
    for parsed, indicator in _indicators(result):
        for key, year in (
            ("from_year", indicator.target.from_year),
            ("year", indicator.target.year),
        ):
            if year is not None and not period.start <= year <= period.end:
                yield _issue(
                    parsed.name,
                    parsed.line("target", key),
                    f"indicateur « {indicator.id} » : année {year} hors de la période "
                    f"du contrat ({span})",
                    "year-in-period",
                )
        if indicator.type_from_year is not None and not (
            period.start <= indicator.type_from_year <= period.end
        ):
            yield _issue(
                parsed.name,
                parsed.line("type_from_year"),
                f"indicateur « {indicator.id} » : année {indicator.type_from_year} hors "
                f"de la période du contrat ({span})",
                "year-in-period",
            )


_NEEDS_VALUE = {
    MeasureKind.LEVEL,
    MeasureKind.CUMULATIVE_COUNT,
    MeasureKind.RELATIVE_CHANGE,
    MeasureKind.POINT_CHANGE,
}
_NO_VALUE = {MeasureKind.TREND, MeasureKind.MILESTONE}


def measure_shape(result: LoadResult) -> Iterator[Issue]:
    """Each kind of measure has the fields its evaluation needs, and no others."""
    for parsed, r, m, measure in _measures(result):
        line = parsed.line("targeted_results", r, "measures", m, "kind")
        value = measure.target.value if measure.target else None
        reference = measure.target.reference if measure.target else None
        name = f"mesure « {measure.id} » ({measure.kind.value})"
        if measure.kind in _NEEDS_VALUE and value is None:
            yield _issue(
                parsed.name,
                line,
                f"{name} : valeur cible (target.value) obligatoire",
                "measure-shape",
            )
        if measure.kind == MeasureKind.THRESHOLD and value is None and reference is None:
            yield _issue(
                parsed.name,
                line,
                f"{name} : seuil (target.value) ou référence (target.reference) obligatoire",
                "measure-shape",
            )
        if measure.kind in _NO_VALUE and value is not None:
            yield _issue(
                parsed.name,
                line,
                f"{name} : pas de valeur cible pour ce type de mesure",
                "measure-shape",
            )
        if measure.kind == MeasureKind.MILESTONE and measure.unit is not None:
            yield _issue(parsed.name, line, f"{name} : un jalon n'a pas d'unité", "measure-shape")
        if measure.kind != MeasureKind.MILESTONE and measure.unit is None:
            yield _issue(parsed.name, line, f"{name} : unité (unit) obligatoire", "measure-shape")


def direction_consistency(result: LoadResult) -> Iterator[Issue]:
    """Baseline, target and comparator agree with the direction of improvement."""
    for parsed, r, m, measure in _measures(result):
        at = ("targeted_results", r, "measures", m)
        target = measure.target.value if measure.target else None
        name = f"mesure « {measure.id} »"
        up, down = measure.direction == Direction.UP, measure.direction == Direction.DOWN
        sense = vocabulary.DIRECTION[measure.direction]
        if measure.kind in {MeasureKind.RELATIVE_CHANGE, MeasureKind.POINT_CHANGE} and target:
            if (up and target < 0) or (down and target > 0):
                yield _issue(
                    parsed.name,
                    parsed.line(*at, "target", "value"),
                    f"{name} : variation {fr_signed(target)} contraire au sens « {sense} »",
                    "direction",
                )
        elif target is not None and measure.baseline is not None:
            base = measure.baseline.value
            wrong = (up and target <= base) or (down and target >= base)
            if measure.direction == Direction.MAINTAIN:
                wrong = False
            if wrong:
                yield _issue(
                    parsed.name,
                    parsed.line(*at, "target", "value"),
                    f"{name} : cible {fr_number(target)} et référence {fr_number(base)} "
                    f"incohérentes avec le sens « {sense} »",
                    "direction",
                )
        if measure.comparator is not None:
            against = (up and measure.comparator in {Comparator.LT, Comparator.LE}) or (
                down and measure.comparator in {Comparator.GT, Comparator.GE}
            )
            if against:
                yield _issue(
                    parsed.name,
                    parsed.line(*at, "comparator"),
                    f"{name} : comparateur « {measure.comparator.value} » contraire au "
                    f"sens « {sense} »",
                    "direction",
                )
        if measure.kind == MeasureKind.CUMULATIVE_COUNT and not up:
            yield _issue(
                parsed.name,
                parsed.line(*at, "direction"),
                f"{name} : un cumul de créations ne peut que croître (direction: up)",
                "direction",
            )


def known_unit_names(result: LoadResult) -> Iterator[Issue]:
    units = known_units([u.id for u in _head(result).units])
    for parsed, r, m, measure in _measures(result):
        if measure.unit is not None and measure.unit not in units:
            yield _issue(
                parsed.name,
                parsed.line("targeted_results", r, "measures", m, "unit"),
                f"unité « {measure.unit} » inconnue (déclarez-la dans contract.yaml, "
                "rubrique units)",
                "unit",
            )
    for parsed, indicator in _indicators(result):
        if indicator.unit not in units:
            yield _issue(
                parsed.name,
                parsed.line("unit"),
                f"unité « {indicator.unit} » inconnue (déclarez-la dans contract.yaml, "
                "rubrique units)",
                "unit",
            )
    diagnosis = result.files["diagnosis.yaml"]
    for k, figure in enumerate(getattr(diagnosis.model, "key_figures", [])):
        if figure.unit not in units:
            yield _issue(
                diagnosis.name,
                diagnosis.line("key_figures", k, "unit"),
                f"unité « {figure.unit} » inconnue (déclarez-la dans contract.yaml, "
                "rubrique units)",
                "unit",
            )


def indicator_target_shape(result: LoadResult) -> Iterator[Issue]:
    for parsed, indicator in _indicators(result):
        target = indicator.target
        line = parsed.line("target", "kind")
        if target.kind == TargetKind.FIXED and (target.value is None or target.year is None):
            yield _issue(
                parsed.name,
                line,
                f"indicateur « {indicator.id} » : une cible fixe "
                "demande une valeur (value) et une année (year)",
                "indicator-target",
            )
        needs_year = {
            TargetKind.INDIVIDUALISED_FROM,
            TargetKind.COG_THEN_INDIVIDUALISED,
            TargetKind.FROM_YEAR,
        }
        if target.kind in needs_year and target.from_year is None:
            yield _issue(
                parsed.name,
                line,
                f"indicateur « {indicator.id} » : cible « "
                f"{target.kind.value} » sans année de début (from_year)",
                "indicator-target",
            )
        if target.kind == TargetKind.NONE and target.as_written:
            yield _issue(
                parsed.name,
                line,
                f"indicateur « {indicator.id} » : cible écrite « "
                f"{target.as_written} » mais type « none »",
                "indicator-target",
            )


MEASURE_READINGS = frozenset(
    {
        "indicator",
        "baseline",
        "baseline.value",
        "baseline.year",
        "target",
        "target.value",
        "target.year",
        "unit",
        "direction",
        "comparator",
        "per_year",
        "kind",
    }
)
_NOT_PER_YEAR = {MeasureKind.CUMULATIVE_COUNT, MeasureKind.MILESTONE, MeasureKind.TREND}


def _range_issue(
    name: str, line: int | None, owner: str, low: float | None, high: float | None
) -> Iterator[Issue]:
    if low is not None and high is not None and low > high:
        yield _issue(
            name,
            line,
            f"{owner} : plage de valeurs vide (min {fr_number(low)} > max {fr_number(high)})",
            "readings",
        )


def readings(result: LoadResult) -> Iterator[Issue]:
    """Readings to confirm name a real field; value ranges are not empty; « par an » and yearly
    totals are used where they mean something."""
    for parsed, r, m, measure in _measures(result):
        at = ("targeted_results", r, "measures", m)
        name = f"mesure « {measure.id} »"
        for n, item in enumerate(measure.to_confirm):
            if item.field not in MEASURE_READINGS:
                yield _issue(
                    parsed.name,
                    parsed.line(*at, "to_confirm", n, "field"),
                    f"{name} : lecture à confirmer sur un champ inconnu « {item.field} » "
                    f"(champs possibles : {', '.join(sorted(MEASURE_READINGS))})",
                    "readings",
                )
        if measure.value_range is not None:
            yield from _range_issue(
                parsed.name,
                parsed.line(*at, "value_range"),
                name,
                measure.value_range.min,
                measure.value_range.max,
            )
        if measure.per_year and measure.kind in _NOT_PER_YEAR:
            yield _issue(
                parsed.name,
                parsed.line(*at, "per_year"),
                f"{name} ({measure.kind.value}) : « par an » ne s'applique pas à ce type de mesure",
                "readings",
            )
    for parsed, indicator in _indicators(result):
        name = f"indicateur « {indicator.id} »"
        if indicator.value_range is not None:
            yield from _range_issue(
                parsed.name,
                parsed.line("value_range"),
                name,
                indicator.value_range.min,
                indicator.value_range.max,
            )
        if indicator.yearly_total and indicator.cumulation is not Cumulation.YEAR_TO_DATE:
            yield _issue(
                parsed.name,
                parsed.line("yearly_total"),
                f"{name} : un total annuel (yearly_total) suppose des valeurs cumulées depuis "
                "le 1er janvier (cumulation: year_to_date)",
                "readings",
            )


RULES: list[Rule] = [
    unique_ids,
    unique_challenge_numbers,
    catalogue_matches_files,
    indicator_references,
    key_figure_sections,
    years_in_period,
    measure_shape,
    direction_consistency,
    known_unit_names,
    indicator_target_shape,
    readings,
]


def run_rules(result: LoadResult) -> list[Issue]:
    return [issue for rule in RULES for issue in rule(result)]
