"""Défis: the list with each défi's roll-up, and the page of one défi — its fiche, its targeted
results with their measures, trajectories and charts, its actions and linked indicators."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from cpog import vocabulary
from cpog.assess import targets_by_year
from cpog.assess.policy import Policy
from cpog.assess.trajectory import expected_value, period_fraction, year_end
from cpog.assess.types import Assessment, Projection, RollUp, Status
from cpog.assess.wording import (
    change_text,
    direction_text,
    display_unit,
    lateness_text,
    milestone_text,
    value_text,
)
from cpog.assess.years import year_value
from cpog.contexts.charts import trajectory_chart
from cpog.contexts.situation import Situation
from cpog.contract.model import (
    ChallengeFile,
    Comparator,
    Contract,
    Direction,
    Measure,
    MeasureKind,
)
from cpog.steering import StatusRow, provenance_text
from cpog.store.models import ActionState
from cpog.web.page_cache import cached_page
from cpog.web.views.common import page, steering

COMPARATOR_WORDS = {
    Comparator.LT: "inférieure à ",
    Comparator.LE: "au plus ",
    Comparator.GE: "au moins ",
    Comparator.GT: "supérieure à ",
    Comparator.EQ: "",
}
UNQUANTIFIED = (MeasureKind.MILESTONE, MeasureKind.TREND)


# --- list ---------------------------------------------------------------------------------


@dataclass
class ChallengeSummary:
    number: int
    title: str
    url: str
    rollup: RollUp
    counts: list[tuple[Status, int]]
    n_results: int
    n_filled: int


def _counts(rows: list[StatusRow]) -> list[tuple[Status, int]]:
    counter = Counter(r.assessment.status for r in rows)
    return [(s, counter[s]) for s in Status if counter[s]]


def build_list(request: HttpRequest) -> list[ChallengeSummary]:
    data = steering(request)
    result = []
    for c in data.contract.challenges:
        rollup = data.status.challenges[c.number]
        measures = [
            r for r in data.status.rows if r.subject_type == "measure" and r.challenge == c.number
        ]
        result.append(
            ChallengeSummary(
                number=c.number,
                title=c.title,
                url=f"/defis/{c.number}/",
                rollup=rollup,
                counts=_counts(measures),
                n_results=len(measures),
                n_filled=rollup.n_filled,
            )
        )
    return result


@login_required
@cached_page
def challenge_list(request: HttpRequest) -> HttpResponse:
    return page(request, "web/challenges.html", "challenges", "Défis", rows=build_list(request))


# --- one défi -----------------------------------------------------------------------------


@dataclass
class TrajectoryRow:
    year: int
    value: float | None
    expected: float | None
    target: float | None


@dataclass
class MeasureView:
    measure: Measure
    row: StatusRow
    kind_label: str
    baseline_text: str
    baseline_origin: str
    target_text: str
    done_text: str  # milestones and trends: what there is instead of a chart
    quantified: bool
    chart_id: str = ""
    chart: dict[str, Any] | None = None
    chart_description: str = ""
    table: list[TrajectoryRow] = field(default_factory=list)
    unit: str | None = None
    confidence_label: str = ""

    @property
    def assessment(self) -> Assessment:
        return self.row.assessment

    @property
    def projection(self) -> Projection | None:
        """A trend projected to the contract's end; meaningless for a milestone (% done)."""
        if self.measure.kind is MeasureKind.MILESTONE:
            return None
        return self.row.assessment.projection


@dataclass
class ResultView:
    id: str
    text: str
    measures: list[MeasureView]


@dataclass
class ActionView:
    id: str
    text: str
    status_label: str
    progress: int | None
    due_date: Any = None
    owner: str = ""


@dataclass
class IndicatorView:
    row: StatusRow
    family_title: str
    weight: float
    counted_with: str | None = None  # the measure of the défi that takes its values


@dataclass
class MissingInput:
    id: str
    label: str
    url: str
    reason: str


@dataclass
class ChallengeContext:
    challenge: ChallengeFile
    rollup: RollUp
    results: list[ResultView]
    actions: list[ActionView]
    indicators: list[IndicatorView]
    missing: list[MissingInput]
    n_filled: int
    has_charts: bool
    previous: ChallengeFile | None
    next: ChallengeFile | None


def target_text(measure: Measure, assessment: Assessment) -> str:
    """The target as written, then the level it means: '+ 15 points (soit 78 % en 2027)'."""
    unit = assessment.subject.unit
    final = assessment.final_target
    written = measure.target
    year = final.year if final else (written.year if written and written.year else None)
    when = f" en {year}" if year else ""
    per_year = ""
    if measure.per_year:
        per_year = " par an"
        if year:
            per_year, when = f" par an, chaque année jusqu'en {year}", ""
    kind = measure.kind
    if kind is MeasureKind.TREND:
        return f"{direction_text(measure.direction)} attendue (pas de valeur chiffrée)"
    if kind is MeasureKind.MILESTONE:
        return f"réalisé{when or ' avant la fin du contrat'}"
    if written is not None and written.reference and written.value is None:
        return f"{written.reference}{when}"
    if kind in (MeasureKind.POINT_CHANGE, MeasureKind.RELATIVE_CHANGE):
        change = final.written if final else (written.value if written else None)
        if change is None:
            return "non précisée"
        text = change_text(change, "points" if kind is MeasureKind.POINT_CHANGE else "%")
        text += per_year
        level = final.value if final else (written.implied_level if written else None)
        if level is not None:
            at = f" en {year}" if year else ""
            text += f" (soit {value_text(level, unit)}{at})"
        elif when:
            text += when
        if (
            written is not None
            and written.implied_level is not None
            and (final is None or abs(written.implied_level - final.value) > 1e-6)
        ):
            text += f", niveau indiqué par le texte : {value_text(written.implied_level, unit)}"
        return text
    if final is None:
        if written is not None and written.value is not None:
            return f"{value_text(written.value, unit)}{per_year}{when}"
        return "non précisée"
    words = COMPARATOR_WORDS.get(final.comparator, "")
    return f"{words}{value_text(final.value, unit)}{per_year}{when} ({final.source.label_fr})"


def _baseline(row: StatusRow) -> tuple[str, str]:
    base = row.assessment.subject.baseline
    if base is None:
        return "—", provenance_text(row.baseline)
    text = f"{value_text(base.value, row.assessment.subject.unit)} ({base.year})"
    return text, provenance_text(row.baseline)


def _done_text(measure: Measure, assessment: Assessment) -> str:
    """What a milestone or a trend has done, in words: « jalon : 60 % réalisé (2025) »."""
    current = assessment.current
    if measure.kind is MeasureKind.MILESTONE:
        if current is None:
            return "jalon : non renseigné"
        return f"jalon : {milestone_text(current.value)} ({current.period})"
    if measure.kind is MeasureKind.TREND:
        base = assessment.subject.baseline
        if current is None:
            return "non renseignée"
        if base is None or base.value == 0:
            return f"dernière valeur {value_text(current.value, measure.unit)} ({current.period})"
        # a total cumulated since 1 January is compared at its annual pace, as the status is
        pace = current.value / period_fraction(assessment.subject, current.period)
        change = round((pace / base.value - 1) * 100, 1)
        expected = (
            "au moins le niveau de référence"
            if measure.direction is Direction.MAINTAIN
            else f"{direction_text(measure.direction)} attendue"
        )
        return f"{change_text(change, '%')} depuis {base.year} ({expected})"
    return ""


def _table(row: StatusRow) -> list[TrajectoryRow]:
    subject = row.assessment.subject
    targets = targets_by_year(subject)
    known = sorted(row.series, key=lambda o: o.period)
    policy = Policy()  # the value of a year does not depend on thresholds
    values = {
        y: found.value
        for y in sorted({o.period.end.year for o in known})
        if (found := year_value(subject, known, y, policy)) is not None
    }
    start = subject.baseline.year if subject.baseline else subject.contract_start - 1
    years = range(min([start, *values]), max([subject.contract_end, *values]) + 1)
    result = []
    for year in years:
        expected = expected_value(subject, year_end(year)) if targets else None
        target = targets.get(year)
        result.append(
            TrajectoryRow(year, values.get(year), expected, target.value if target else None)
        )
    return result


def _measure_view(measure: Measure, row: StatusRow) -> MeasureView:
    assessment = row.assessment
    baseline_text, baseline_origin = _baseline(row)
    quantified = measure.kind not in UNQUANTIFIED
    view = MeasureView(
        measure=measure,
        row=row,
        kind_label=vocabulary.MEASURE_KIND[measure.kind],
        baseline_text=baseline_text,
        baseline_origin=baseline_origin,
        target_text=target_text(measure, assessment),
        done_text=_done_text(measure, assessment),
        quantified=quantified,
        unit=display_unit(assessment.subject),
        confidence_label=vocabulary.CONFIDENCE[measure.confidence],
    )
    if quantified:
        spec = trajectory_chart(assessment, row.series)
        view.chart_id = f"chart-{measure.id}"
        view.chart = spec
        view.chart_description = str(spec.get("description", measure.label))
        view.table = _table(row)
    return view


def _actions(contract: Contract, challenge: ChallengeFile) -> list[ActionView]:
    states = {
        s.action_id: s
        for s in ActionState.objects.filter(
            contract_id=contract.id, action_id__in=[a.id for a in challenge.actions]
        )
    }
    result = []
    for action in challenge.actions:
        state = states.get(action.id)
        if state is None:
            result.append(ActionView(action.id, action.text, "non démarrée", None))
        else:
            result.append(
                ActionView(
                    action.id,
                    action.text,
                    state.get_status_display(),
                    state.progress,
                    state.due_date,
                    state.owner,
                )
            )
    return result


def _missing(data: Situation, rollup: RollUp) -> list[MissingInput]:
    """The subjects of the défi that are not « renseignés », with what is awaited."""
    result = []
    for subject_id in dict.fromkeys(rollup.missing):
        row = data.row("measure", subject_id) or data.row("indicator", subject_id)
        if row is None:
            result.append(MissingInput(subject_id, subject_id, "", "introuvable"))
            continue
        url = (
            f"/mesures/{row.subject_id}/"
            if row.subject_type == "measure"
            else f"/indicateurs/{row.subject_id}/"
        )
        reason = lateness_text(row.assessment.freshness)
        result.append(MissingInput(row.subject_id, f"{row.code} — {row.label}", url, reason))
    return result


def build_challenge(request: HttpRequest, challenge: ChallengeFile) -> ChallengeContext:
    data = steering(request)
    contract = data.contract
    rollup = data.status.challenges[challenge.number]
    results = []
    for targeted in challenge.targeted_results:
        views = []
        for measure in targeted.measures:
            row = data.row("measure", measure.id)
            if row is not None:
                views.append(_measure_view(measure, row))
        results.append(ResultView(targeted.id, targeted.text, views))
    families = {f.id: f.title for f in contract.catalogue}
    indicators = [
        IndicatorView(row, families.get(row.family or "", "—"), item.weight, item.counted_with)
        for row, item in data.status.challenge_rows(challenge.number)
        if row.subject_type == "indicator"
    ]
    numbers = [c.number for c in contract.challenges]
    index = numbers.index(challenge.number)
    return ChallengeContext(
        challenge=challenge,
        rollup=rollup,
        results=results,
        actions=_actions(contract, challenge),
        indicators=indicators,
        missing=_missing(data, rollup),
        n_filled=rollup.n_filled,
        has_charts=any(m.quantified for r in results for m in r.measures),
        previous=contract.challenges[index - 1] if index > 0 else None,
        next=contract.challenges[index + 1] if index + 1 < len(numbers) else None,
    )


@login_required
@cached_page
def challenge_page(request: HttpRequest, number: int) -> HttpResponse:
    challenge = steering(request).contract.challenge(number)
    if challenge is None:
        raise Http404(f"Le défi n°{number} n'existe pas dans ce contrat.")
    return page(
        request,
        "web/challenge.html",
        "challenges",
        f"Défi n°{number} — {challenge.title}",
        ctx=build_challenge(request, challenge),
    )
