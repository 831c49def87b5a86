"""The défis: the list with each défi's roll-up, and the page (and report sheet) of one défi —
its fiche, its targeted results with their measures, trajectories and charts, its actions, the
analyses of its subjects off track, its partners and linked indicators.

The subjects of a défi are :meth:`Situation.challenge_subjects`'s, nowhere else."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cpog import vocabulary
from cpog.assess import targets_by_year
from cpog.assess.policy import Policy
from cpog.assess.trajectory import expected_value, year_end
from cpog.assess.types import Status
from cpog.assess.wording import (
    display_unit,
    lateness_text,
    measure_done_text,
    measure_target_text,
    value_text,
)
from cpog.assess.years import year_value
from cpog.contexts.actions import ActionRow, action_rows
from cpog.contexts.charts import trajectory_chart
from cpog.contexts.rollups import (
    RollUpData,
    StatusCount,
    challenge_rollup,
    status_counts,
)
from cpog.contexts.serialize import record
from cpog.contexts.situation import Situation
from cpog.contexts.status_rows import ProjectionData, StatusRowData, status_row
from cpog.contract.model import ChallengeFile, Item, Measure, MeasureKind, TargetedResult
from cpog.steering import StatusRow, provenance_text

UNQUANTIFIED = (MeasureKind.MILESTONE, MeasureKind.TREND)
# What makes a défi « à surveiller » or worse, most serious first; then the subjects without value.
BEHIND = (Status.NON_ATTEINT, Status.EN_RETARD, Status.A_SURVEILLER)
ON_TRACK = (Status.ATTEINT, Status.EN_AVANCE, Status.CONFORME)


# --- the state of a targeted result and why a défi stands where it does ----------------------


def result_status(statuses: list[Status]) -> Status:
    """The status of a targeted result: the least favourable of its measures' (a result is only
    as good as its weakest measure; « non renseigné » when one has no value yet). Measures
    « sans cible » are left out; a result whose measures all are is « sans cible »."""
    judged = [s for s in statuses if s is not Status.SANS_CIBLE]
    if not judged:
        return Status.SANS_CIBLE if statuses else Status.NON_RENSEIGNE
    order = list(Status)
    return max(judged, key=order.index)


def targeted_result_statuses(
    situation: Situation, results: list[TargetedResult]
) -> list[tuple[TargetedResult, Status]]:
    """Each targeted result with its status (:func:`result_status`); results without any
    measure in the situation are left out."""
    found = []
    for targeted in results:
        rows = [situation.row("measure", m.id) for m in targeted.measures]
        statuses = [r.assessment.status for r in rows if r is not None]
        if statuses:
            found.append((targeted, result_status(statuses)))
    return found


def plural(count: int, singular: str, several: str) -> str:
    """« 1 résultat visé », « 2 résultats visés », « 0 résultat visé »."""
    return f"{count} {singular if count <= 1 else several}"


def status_words(status: Status, count: int) -> str:
    """A status as an adjective agreed with ``count`` masculine subjects: « en retard »,
    « conformes », « non renseignés »."""
    label = vocabulary.STATUS[status].lower()
    if count > 1 and not label.startswith(("à ", "en ", "sans ")):
        label += "s"
    return label


def _behind_text(statuses: list[Status], singular: str, several: str) -> str | None:
    """« 2 résultats visés sur 7 en retard, 1 à surveiller » (None: none behind or missing)."""
    parts = []
    for status in (*BEHIND, Status.NON_RENSEIGNE):
        n = statuses.count(status)
        if n:
            parts.append((n, status_words(status, n)))
    if not parts:
        return None
    (n, words), rest = parts[0], parts[1:]
    head = f"{plural(n, singular, several)} sur {len(statuses)} {words}"
    return ", ".join([head, *(f"{m} {w}" for m, w in rest)])


def challenge_why(situation: Situation, number: int) -> str:
    """Why the défi has its status, from its subjects' statuses — what follows the status
    (« À surveiller ») on the pages: « 2 résultats visés sur 7 en retard ; 1 indicateur lié sur
    3 à surveiller. » Counted: its targeted results (:func:`result_status`) and the linked
    indicators that weigh in its roll-up."""
    challenge = situation.contract.challenge(number)
    if challenge is None:
        raise KeyError(number)
    results = [s for _, s in targeted_result_statuses(situation, challenge.targeted_results)]
    indicators = [
        row.assessment.status
        for row, item in situation.challenge_subjects(number)
        if row.subject_type == "indicator" and item.weight > 0 and row.assessment.subject.assessed
    ]
    parts = [
        text
        for text in (
            _behind_text(results, "résultat visé", "résultats visés"),
            _behind_text(indicators, "indicateur lié", "indicateurs liés"),
        )
        if text
    ]
    if not parts:
        counted = [plural(len(results), "résultat visé", "résultats visés")]
        if indicators:
            counted.append(plural(len(indicators), "indicateur lié", "indicateurs liés"))
        many = len(results) + len(indicators) > 1
        verb = "sont" if many else "est"
        state = "atteints, en avance ou conformes" if many else "atteint, en avance ou conforme"
        return f"{' et '.join(counted)} {verb} {state}."
    return f"{' ; '.join(parts)}."


@record
class ChallengeRef:
    number: int
    title: str


# --- list ---------------------------------------------------------------------------------


@record
class ChallengeSummary:
    number: int
    title: str
    rollup: RollUpData
    n_results: int  # measures of its targeted results
    result_counts: list[StatusCount]  # those measures by status


@record
class ChallengeListContext:
    as_of: date
    challenges: list[ChallengeSummary]


def challenge_summary(situation: Situation, challenge: ChallengeFile) -> ChallengeSummary:
    subjects = [row for row, _ in situation.challenge_subjects(challenge.number)]
    measures = [r for r in subjects if r.subject_type == "measure"]
    return ChallengeSummary(
        number=challenge.number,
        title=challenge.title,
        rollup=challenge_rollup(situation, challenge.number),
        n_results=len(measures),
        result_counts=status_counts(measures),
    )


def challenge_list_context(situation: Situation) -> ChallengeListContext:
    return ChallengeListContext(
        as_of=situation.as_of,
        challenges=[challenge_summary(situation, c) for c in situation.contract.challenges],
    )


# --- one défi -----------------------------------------------------------------------------


@record
class ItemData:
    text: str
    items: list[ItemData]


@record
class ObjectiveData:
    id: str
    text: str
    items: list[ItemData]


@record
class QuoteData:
    text: str
    author: str | None


@record
class TrajectoryRow:
    year: int
    value: float | None
    expected: float | None
    target: float | None


@record
class AnalysisData:
    """An off-track subject of the défi and its pilot's analysis for the current period
    (``complete`` false: still awaited)."""

    subject_type: str
    subject_id: str
    code: str
    label: str
    period: str
    period_label: str
    status: str
    status_label: str
    complete: bool  # both the analysis and the corrective action are written
    analysis: str
    risks: str
    corrective_action: str
    author: str
    created_at: datetime | None


@record
class MeasureData:
    id: str
    label: str
    kind: str
    kind_label: str
    unit: str | None  # the unit values are shown with (« % » for a milestone)
    row: StatusRowData
    baseline_text: str
    baseline_origin: str
    target_text: str
    done_text: str  # milestones and trends: what there is instead of a chart
    quantified: bool
    projection: ProjectionData | None  # none for a milestone (% done is not projected)
    reading: str | None
    confidence_label: str
    chart: dict[str, Any] | None
    chart_description: str
    table: list[TrajectoryRow]


@record
class ResultData:
    id: str
    text: str
    measures: list[MeasureData]


@record
class IndicatorData:
    row: StatusRowData
    family_title: str
    weight: float
    counted_with: str | None  # the measure of the défi that takes its values


@record
class MissingInput:
    subject_type: str | None  # none: not in the contract's status
    subject_id: str
    label: str
    reason: str


@record
class ChallengeContext:
    as_of: date
    number: int
    title: str
    rollup: RollUpData
    why: str  # why it has its status (challenge_why)
    todo: list[StatusRowData]  # what is behind, without value or late to enter, most serious first
    diagnosis: list[str]
    results_2018_2022: list[str]
    objectives: list[ObjectiveData]
    partners: list[str]
    quote: QuoteData | None
    results: list[ResultData]
    actions: list[ActionRow]
    indicators: list[IndicatorData]
    missing: list[MissingInput]
    analyses: list[AnalysisData]
    has_charts: bool
    previous: ChallengeRef | None
    next: ChallengeRef | None


def item_data(item: Item) -> ItemData:
    return ItemData(item.text, [item_data(i) for i in item.items])


def _baseline(row: StatusRow) -> tuple[str, str]:
    base = row.assessment.subject.baseline
    if base is None:
        return "—", provenance_text(row.baseline)
    text = f"{value_text(base.value, row.assessment.subject.unit)} ({base.year})"
    return text, provenance_text(row.baseline)


def trajectory_table(row: StatusRow) -> list[TrajectoryRow]:
    """Per year: the year's value, the expected trajectory and the year's target."""
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


def measure_data(measure: Measure, row: StatusRow) -> MeasureData:
    assessment = row.assessment
    baseline_text, baseline_origin = _baseline(row)
    quantified = measure.kind not in UNQUANTIFIED
    data = status_row(row)
    chart = trajectory_chart(assessment, row.series) if quantified else None
    return MeasureData(
        id=measure.id,
        label=measure.label,
        kind=measure.kind.value,
        kind_label=vocabulary.MEASURE_KIND[measure.kind],
        unit=display_unit(assessment.subject),
        row=data,
        baseline_text=baseline_text,
        baseline_origin=baseline_origin,
        target_text=measure_target_text(measure, assessment),
        done_text=measure_done_text(measure, assessment),
        quantified=quantified,
        projection=None if measure.kind is MeasureKind.MILESTONE else data.projection,
        reading=measure.reading or None,
        confidence_label=vocabulary.CONFIDENCE[measure.confidence],
        chart=chart,
        chart_description=str(chart.get("description", measure.label)) if chart else "",
        table=trajectory_table(row) if quantified else [],
    )


def analysis_data(situation: Situation, row: StatusRow) -> AnalysisData:
    """The row's analysis for its current period, or an awaited one."""
    current = row.assessment.current
    assert current is not None  # an off-track row has a value (Situation.needs_analysis)
    written = situation.analysis_of(row)
    complete = written is not None and written.complete
    return AnalysisData(
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        code=row.code,
        label=row.label,
        period=current.period.key,
        period_label=str(current.period),
        status=row.assessment.status.value,
        status_label=vocabulary.STATUS[row.assessment.status],
        complete=complete,
        analysis=written.analysis if written else "",
        risks=written.risks if written else "",
        corrective_action=written.corrective_action if written else "",
        author=written.author if written else "",
        created_at=written.created_at if written else None,
    )


def _missing(situation: Situation, number: int) -> list[MissingInput]:
    """The subjects of the défi that are not « renseignés », with what is awaited."""
    result = []
    for subject_id in dict.fromkeys(situation.status.challenges[number].missing):
        row = situation.row("measure", subject_id) or situation.row("indicator", subject_id)
        if row is None:
            result.append(MissingInput(None, subject_id, subject_id, "introuvable"))
            continue
        result.append(
            MissingInput(
                row.subject_type,
                row.subject_id,
                f"{row.code} — {row.label}",
                lateness_text(row.assessment.freshness),
            )
        )
    return result


def _severity(row: StatusRow) -> int:
    """Non atteint, en retard, à surveiller, non renseigné, then the rest (late to enter)."""
    order = (*BEHIND, Status.NON_RENSEIGNE)
    status = row.assessment.status
    return order.index(status) if status in order else len(order)


def challenge_context(situation: Situation, number: int) -> ChallengeContext:
    """The page of défi ``number`` (:class:`KeyError` when the contract has none)."""
    contract = situation.contract
    challenge = contract.challenge(number)
    if challenge is None:
        raise KeyError(number)
    subjects = situation.challenge_subjects(number)
    rows = {(row.subject_type, row.subject_id): row for row, _ in subjects}
    results = [
        ResultData(
            targeted.id,
            targeted.text,
            [
                measure_data(m, rows[("measure", m.id)])
                for m in targeted.measures
                if ("measure", m.id) in rows
            ],
        )
        for targeted in challenge.targeted_results
    ]
    families = {f.id: f.title for f in contract.catalogue}
    indicators = [
        IndicatorData(
            status_row(row), families.get(row.family or "", "—"), item.weight, item.counted_with
        )
        for row, item in subjects
        if row.subject_type == "indicator"
    ]
    behind = [
        row
        for row, _ in subjects
        if row.assessment.status in (*BEHIND, Status.NON_RENSEIGNE)
        or (row.assessment.freshness.is_late and row.assessment.subject.assessed)
    ]
    numbers = [c.number for c in contract.challenges]
    index = numbers.index(number)
    before = contract.challenges[index - 1] if index > 0 else None
    after = contract.challenges[index + 1] if index + 1 < len(numbers) else None
    return ChallengeContext(
        as_of=situation.as_of,
        number=number,
        title=challenge.title,
        rollup=challenge_rollup(situation, number),
        why=challenge_why(situation, number),
        todo=[status_row(r) for r in sorted(behind, key=_severity)],
        diagnosis=list(challenge.diagnosis),
        results_2018_2022=list(challenge.results_2018_2022),
        objectives=[
            ObjectiveData(o.id, o.text, [item_data(i) for i in o.items])
            for o in challenge.objectives
        ],
        partners=[p.name for p in challenge.partners],
        quote=None
        if challenge.quote is None
        else QuoteData(challenge.quote.text, challenge.quote.author),
        results=results,
        actions=action_rows(situation, [challenge]),
        indicators=indicators,
        missing=_missing(situation, number),
        analyses=[
            analysis_data(situation, row) for row, _ in subjects if situation.needs_analysis(row)
        ],
        has_charts=any(m.quantified for r in results for m in r.measures),
        previous=None if before is None else ChallengeRef(before.number, before.title),
        next=None if after is None else ChallengeRef(after.number, after.title),
    )
