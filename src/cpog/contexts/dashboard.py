"""Tableau de bord, for the board: one sentence on where the contract stands; the indicators and
the targeted results counted apart, each as a stacked bar of statuses; one tile per défi (its
state and why, its most late item, a sparkline of its progress); one « À traiter » list; the
overdue actions and the latest updates.

« À traiter » holds every subject that is off track (« à surveiller », « en retard », « non
atteint »), has no value yet (« non renseigné »), or whose value is late to enter. Its order,
most serious first:

1. « non atteint », then « en retard », then « à surveiller », then « non renseigné », then the
   others (listed only because their value is late to enter);
2. within a status, the largest shortfall against the value expected at the date first (the gap
   relative to the expected value, in the direction the subject should go); no gap known: after;
3. then an analysis still awaited before one written;
4. then the code.

A défi tile's « most late item » is its first item in that order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from cpog import vocabulary
from cpog.assess import assess
from cpog.assess.rollup import roll_up
from cpog.assess.trajectory import year_end
from cpog.assess.types import Status
from cpog.assess.wording import change_text, display_unit, lateness_text, value_text
from cpog.contexts.actions import ActionRow, overdue_actions
from cpog.contexts.challenges import (
    BEHIND,
    ON_TRACK,
    challenge_summary,
    challenge_why,
    plural,
    status_words,
    targeted_result_statuses,
)
from cpog.contexts.history import EventData, event_rows
from cpog.contexts.reader import EventRecord
from cpog.contexts.rollups import RollUpData, rollup_data
from cpog.contexts.serialize import record
from cpog.contexts.situation import Situation
from cpog.contexts.sparklines import ProgressPoint, progress_description, progress_sparkline
from cpog.contract.model import Direction
from cpog.formatting import fr_date
from cpog.steering import StatusRow, policy_of

UPDATES = 6  # latest updates shown
# The order of « À traiter » (see the module's doc): a status's rank, smaller first.
TODO_ORDER = {
    Status.NON_ATTEINT: 0,
    Status.EN_RETARD: 1,
    Status.A_SURVEILLER: 2,
    Status.NON_RENSEIGNE: 3,
}
OTHER_RANK = len(TODO_ORDER)


@record
class StatusSegment:
    """A part of a stacked bar: ``share`` and ``offset`` in percent of the bar."""

    status: str
    status_label: str
    count: int
    share: float
    offset: float
    words: str  # « 6 conformes »


@record
class StatusBar:
    key: str  # "resultats", "indicateurs"
    title: str
    total: int
    segments: list[StatusSegment]
    description: str  # the bar in words: « 35 résultats visés : 6 atteints, 22 conformes… »


@record
class FamilyData:
    id: str
    title: str
    rollup: RollUpData


@record
class TodoItem:
    """A subject to deal with: where it is, what was expected, what it aims at, who pilots it."""

    subject_type: str
    subject_id: str
    code: str
    label: str
    challenges: list[int]
    status: str
    status_label: str
    value_text: str | None
    period_label: str | None
    expected_text: str | None
    target_text: str | None
    gap: float | None  # value − expected, in the subject's unit (points for a percentage)
    gap_text: str | None
    shortfall: float | None  # share of the expected value missed (> 0: behind), for the order
    pilots: list[str]
    analysis_state: str  # "written", "awaited", "none" (not off track)
    analysis_label: str
    late_entry: bool
    lateness_label: str


@record
class ChallengeTile:
    number: int
    title: str
    rollup: RollUpData
    why: str
    n_targeted: int
    most_late: TodoItem | None
    progress: list[ProgressPoint]
    chart: dict[str, Any] | None  # the sparkline (cpog.contexts.sparklines)
    chart_description: str


@record
class DashboardContext:
    as_of: date
    contract_title: str
    organisation: str
    sentence: str
    bars: list[StatusBar]
    tiles: list[ChallengeTile]
    todo: list[TodoItem]
    families: list[FamilyData]
    overdue_actions: list[ActionRow]
    updates: list[EventData]


# --- counts -------------------------------------------------------------------------------


def status_bar(
    key: str, title: str, statuses: Sequence[Status], noun: tuple[str, str]
) -> StatusBar:
    total = len(statuses)
    segments, offset = [], 0.0
    for status in Status:
        n = statuses.count(status)
        if not n:
            continue
        share = 100 * n / total
        segments.append(
            StatusSegment(
                status.value,
                vocabulary.STATUS[status],
                n,
                round(share, 2),
                round(offset, 2),
                f"{n} {status_words(status, n)}",
            )
        )
        offset += share
    words = ", ".join(s.words for s in segments) or "aucun"
    return StatusBar(key, title, total, segments, f"{plural(total, *noun)} : {words}.")


def _result_statuses(situation: Situation) -> list[Status]:
    return [
        status
        for c in situation.contract.challenges
        for _, status in targeted_result_statuses(situation, c.targeted_results)
    ]


def _indicator_statuses(situation: Situation) -> list[Status]:
    return [r.assessment.status for r in situation.status.rows if r.subject_type == "indicator"]


def _group(statuses: Sequence[Status]) -> tuple[int, int, int, int]:
    """(on track, behind, without value, not assessed)."""
    return (
        sum(s in ON_TRACK for s in statuses),
        sum(s in BEHIND for s in statuses),
        statuses.count(Status.NON_RENSEIGNE),
        statuses.count(Status.SANS_CIBLE),
    )


def _subject_verb(counts: list[tuple[int, str, str]], many: str, one: str) -> str | None:
    """« 4 résultats visés et 3 indicateurs sont », « 1 indicateur est » (zeros left out)."""
    parts = [plural(n, s, p) for n, s, p in counts if n]
    if not parts:
        return None
    verb = many if len(parts) > 1 or sum(n for n, _, _ in counts) > 1 else one
    return f"{' et '.join(parts)} {verb}"


def contract_sentence(as_of: date, results: Sequence[Status], indicators: Sequence[Status]) -> str:
    """Where the contract stands, in one sentence: « Au 27/11/2026, 31 résultats visés sur 35 et
    18 indicateurs sur 28 évalués sont atteints, en avance ou conformes ; 4 résultats visés et
    8 indicateurs sont à surveiller ou en retard ; 1 résultat visé et 2 indicateurs n'ont pas
    encore de valeur. » (indicators « sans cible » are followed, not assessed)."""
    r_on, r_behind, r_none, r_free = _group(results)
    i_on, i_behind, i_none, i_free = _group(indicators)
    r_total, i_total = len(results) - r_free, len(indicators) - i_free
    r_noun, i_noun = ("résultat visé", "résultats visés"), ("indicateur", "indicateurs")
    on_track = []
    if r_total:
        on_track.append(f"{plural(r_on, *r_noun)} sur {r_total}")
    if i_total:
        on_track.append(f"{plural(i_on, *i_noun)} sur {i_total} évalués")
    many = r_on + i_on > 1 or len(on_track) > 1
    state = "atteints, en avance ou conformes" if many else "atteint, en avance ou conforme"
    parts = [f"{' et '.join(on_track)} {'sont' if many else 'est'} {state}"]
    behind = _subject_verb([(r_behind, *r_noun), (i_behind, *i_noun)], "sont", "est")
    parts.append(
        f"{behind} à surveiller, en retard ou non atteints"
        if behind and (r_behind + i_behind > 1)
        else f"{behind} à surveiller, en retard ou non atteint"
        if behind
        else "aucun n'est à surveiller ni en retard"
    )
    missing = _subject_verb(
        [(r_none, *r_noun), (i_none, *i_noun)], "n'ont pas encore", "n'a pas encore"
    )
    if missing:
        parts.append(f"{missing} de valeur")
    return f"Au {fr_date(as_of)}, {' ; '.join(parts)}."


# --- à traiter ----------------------------------------------------------------------------


def _needs_attention(row: StatusRow) -> bool:
    a = row.assessment
    return a.status in TODO_ORDER or (a.freshness.is_late and a.subject.assessed)


def late_to_enter(row: StatusRow) -> bool:
    """Whether « À traiter » lists the row as late to enter (its ``late_entry``): the one answer
    the reporting campaigns reuse (cpog.contexts.campaigns)."""
    return _needs_attention(row) and row.assessment.freshness.is_late


def _shortfall(row: StatusRow) -> float | None:
    a = row.assessment
    if a.current is None or a.expected is None or a.expected == 0:
        return None
    gap = (a.current.value - a.expected) / abs(a.expected)
    if a.subject.direction is Direction.DOWN:
        return gap
    if a.subject.direction is Direction.UP:
        return -gap
    return abs(gap)


def todo_item(
    situation: Situation, row: StatusRow, challenges: list[int], pilots: list[str]
) -> TodoItem:
    a = row.assessment
    unit = display_unit(a.subject)
    gap = None if a.current is None or a.expected is None else a.current.value - a.expected
    final = a.final_target
    if situation.needs_analysis(row):
        written = situation.analysis_of(row)
        analysis = "written" if written is not None and written.complete else "awaited"
    else:
        analysis = "none"
    return TodoItem(
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        code=row.code,
        label=row.label,
        challenges=challenges,
        status=a.status.value,
        status_label=vocabulary.STATUS[a.status],
        value_text=None if a.current is None else value_text(a.current.value, unit),
        period_label=None if a.current is None else str(a.current.period),
        expected_text=None if a.expected is None else value_text(a.expected, unit),
        target_text=None if final is None else f"{value_text(final.value, unit)} en {final.year}",
        gap=gap,
        gap_text=None if gap is None else change_text(gap, "points" if unit == "%" else unit),
        shortfall=_shortfall(row),
        pilots=pilots,
        analysis_state=analysis,
        analysis_label=vocabulary.ANALYSIS_STATE[analysis],
        late_entry=a.freshness.is_late,
        lateness_label=lateness_text(a.freshness) if a.freshness.is_late else "",
    )


def todo_key(item: TodoItem) -> tuple[int, int, float, int, str]:
    """The order of « À traiter » (see the module's doc)."""
    rank = TODO_ORDER.get(Status(item.status), OTHER_RANK)
    known = 0 if item.shortfall is not None else 1
    return (
        rank,
        known,
        -(item.shortfall or 0.0),
        0 if item.analysis_state == "awaited" else 1,
        item.code,
    )


def todo_list(situation: Situation, pilots: Mapping[int, Sequence[str]]) -> list[TodoItem]:
    challenges_of: dict[tuple[str, str], list[int]] = {}
    for c in situation.contract.challenges:
        for row, _ in situation.challenge_subjects(c.number):
            challenges_of.setdefault((row.subject_type, row.subject_id), []).append(c.number)
    items = []
    for row in situation.status.rows:
        if not _needs_attention(row):
            continue
        numbers = challenges_of.get((row.subject_type, row.subject_id), [])
        names = list(dict.fromkeys(n for c in numbers for n in pilots.get(c, ())))
        items.append(todo_item(situation, row, numbers, names))
    return sorted(items, key=todo_key)


# --- progress over time -------------------------------------------------------------------


def progress_dates(situation: Situation) -> list[tuple[date, str]]:
    """The ends of the contract's past years (« fin 2024 »), then the date of situation."""
    period = situation.contract.period
    as_of = situation.as_of
    found = [
        (year_end(y), f"fin {y}")
        for y in range(period.start, min(as_of.year, period.end + 1))
        if year_end(y) < as_of
    ]
    return [*found, (as_of, f"au {fr_date(as_of)}")]


def challenge_progress(situation: Situation) -> dict[int, list[ProgressPoint]]:
    """Each défi's average progress at :func:`progress_dates`, from the same values assessed at
    each date (a value entered later for an earlier period counts)."""
    policy = policy_of(situation.contract)
    rows = situation.status.rows
    result: dict[int, list[ProgressPoint]] = {c.number: [] for c in situation.contract.challenges}
    for day, label in progress_dates(situation):
        if day == situation.as_of:
            assessed = {(r.subject_type, r.subject_id): r.assessment for r in rows}
        else:
            assessed = {
                (r.subject_type, r.subject_id): assess(r.assessment.subject, r.series, day, policy)
                for r in rows
            }
        for number in result:
            rolled = roll_up(
                [
                    (assessed[(row.subject_type, row.subject_id)], item.weight)
                    for row, item in situation.challenge_subjects(number)
                ]
            )
            if rolled.progress is not None:
                result[number].append(ProgressPoint(day, label, rolled.progress))
    return result


# --- the page -----------------------------------------------------------------------------


def dashboard_context(
    situation: Situation,
    events: Iterable[EventRecord],
    pilots: Mapping[int, Sequence[str]] | None = None,
) -> DashboardContext:
    """``events``: the latest writes, newest first (``Reader.recent_events(UPDATES)``);
    ``pilots``: the names of each défi's pilots (the web app knows them)."""
    contract, status = situation.contract, situation.status
    rows = status.rows
    results, indicators = _result_statuses(situation), _indicator_statuses(situation)
    todo = todo_list(situation, pilots or {})
    progress = challenge_progress(situation)
    tiles = []
    for c in contract.challenges:
        summary = challenge_summary(situation, c)
        name = f"du défi n°{c.number}"
        tiles.append(
            ChallengeTile(
                number=c.number,
                title=c.title,
                rollup=summary.rollup,
                why=challenge_why(situation, c.number),
                n_targeted=len(c.targeted_results),
                most_late=next((t for t in todo if c.number in t.challenges), None),
                progress=progress[c.number],
                chart=progress_sparkline(name, progress[c.number]),
                chart_description=progress_description(name, progress[c.number])
                if progress[c.number]
                else "",
            )
        )
    return DashboardContext(
        as_of=situation.as_of,
        contract_title=contract.short_title,
        organisation=contract.organisation.name,
        sentence=contract_sentence(situation.as_of, results, indicators),
        bars=[
            status_bar(
                "resultats", "Résultats visés", results, ("résultat visé", "résultats visés")
            ),
            status_bar("indicateurs", "Indicateurs", indicators, ("indicateur", "indicateurs")),
        ],
        tiles=tiles,
        todo=todo,
        families=[
            FamilyData(
                f.id,
                f.title,
                rollup_data(status.families[f.id], [r for r in rows if r.family == f.id]),
            )
            for f in contract.catalogue
            if f.id in status.families
        ],
        overdue_actions=overdue_actions(situation),
        updates=event_rows(events, contract),
    )
