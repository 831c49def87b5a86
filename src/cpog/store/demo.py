"""Filling a store with the generated demonstration history (``cpog demo``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from cpog.contract.model import Contract
from cpog.demo import (
    DEFAULT_SEED,
    DEMO_LABEL,
    DemoAction,
    DemoValue,
    generate,
    generate_actions,
)
from cpog.demo_territories import COMMENT, split_by_commune
from cpog.errors import CpogError
from cpog.ingest.value_rule import Cell, RawEntry, check_values, subjects_of
from cpog.scope import STORE_TERRITORY
from cpog.store.actions import save_update
from cpog.store.imports import StoredSeries
from cpog.store.models import ActionState, Measurement, Target
from cpog.store.territories import caisse_territories
from cpog.store.values import NewTarget, NewValue, record_targets, record_values

DEMO_USER = "démonstration"
DEMO_CONTEXT = "cpog demo"


class RealDataPresent(CpogError):
    pass


class DemoInProduction(CpogError):
    pass


def refuse_in_production() -> None:
    """Demo data is never written in production (decision 022), whatever the path to it."""
    from cpog.store.bootstrap import production

    if production():
        raise DemoInProduction(
            f"Les {DEMO_LABEL} ne sont jamais chargées en production (CPOG_PRODUCTION=1). "
            "Pour retirer celles d'un premier lancement : cpog demo --retirer."
        )


@dataclass(frozen=True)
class DemoOutcome:
    values: int
    targets: int
    commune_values: int = 0  # of a few indicators, by commune (cpog.demo_territories)


def load_demo(contract: Contract, as_of: date, *, by_commune: bool = False) -> DemoOutcome:
    """Write the demo history up to ``as_of``, and with ``by_commune`` the values by commune of
    :mod:`cpog.demo_territories` (what ``cpog demo`` and the first start write); refuses a store
    that holds real values; refused in production."""
    refuse_in_production()
    scope = contract.organisation.code
    real = Measurement.objects.filter(contract_id=contract.id).exclude(
        source=Measurement.Source.DEMO
    )
    if real.exists():
        raise RealDataPresent(
            f"La base contient déjà {real.count()} valeur(s) réelle(s) : les {DEMO_LABEL} ne "
            "sont chargées que dans une base vide de valeurs réelles."
        )
    data = generate(contract, as_of)
    confirmed = _unusual(contract, data.values, as_of)
    with transaction.atomic():
        values = record_values(
            contract.id,
            scope,
            [
                NewValue(
                    v.subject_type,
                    v.subject_id,
                    v.period,
                    v.value,
                    status=v.status,
                    comment=v.comment,
                    confirmed_unusual=(v.subject_type, v.subject_id, v.period) in confirmed,
                )
                for v in data.values
            ],
            source=Measurement.Source.DEMO,
            user=DEMO_USER,
        )
        targets = record_targets(
            contract.id,
            scope,
            [
                NewTarget(
                    t.subject_type,
                    t.subject_id,
                    t.year,
                    t.value,
                    t.kind,
                    Target.Provenance.DEMO,
                    t.comparator,
                    t.reason,
                )
                for t in data.targets
            ],
            user=DEMO_USER,
        )
        communes = _commune_values(contract, data.values) if by_commune else 0
    return DemoOutcome(len(values), len(targets), communes)


def _commune_values(contract: Contract, values: list[DemoValue]) -> int:
    """The demo values by commune (:mod:`cpog.demo_territories`) of a caisse whose code is a
    département's; none for another caisse (no geography to split over)."""
    try:
        geography = caisse_territories(contract).geography
    except (ValueError, CpogError):
        return 0
    units = {i.id: i.unit or "" for i in contract.indicators}
    by_commune: dict[str, list[NewValue]] = {}
    for v in split_by_commune(values, geography, units, DEFAULT_SEED):
        by_commune.setdefault(v.code, []).append(
            NewValue(
                v.subject_type,
                v.subject_id,
                v.period,
                v.value,
                v.numerator,
                v.denominator,
                comment=COMMENT,
            )
        )
    written = 0
    for code, rows in sorted(by_commune.items()):
        written += len(
            record_values(
                contract.id,
                code,
                rows,
                source=Measurement.Source.DEMO,
                user=DEMO_USER,
                scope_type=STORE_TERRITORY,
            )
        )
    return written


def _unusual(
    contract: Contract, values: list[DemoValue], as_of: date
) -> set[tuple[str, str, object]]:
    """The demo values the value rule finds unusual (a jump in their series), stored as
    confirmed: as a user who confirmed them at entry would have, so that the demo data exported
    to Excel re-import without a question."""
    subjects = subjects_of(contract)
    items = [
        (subjects[v.subject_id], RawEntry(v.period.key, Cell(str(v.value), v.value)))
        for v in values
        if v.subject_id in subjects
    ]
    kept = [v for v in values if v.subject_id in subjects]
    return {
        (v.subject_type, v.subject_id, v.period)
        for v, (entry, _) in zip(
            kept, check_values(items, as_of, StoredSeries(contract)), strict=True
        )
        if entry is not None and entry.unusual
    }


def load_demo_actions(contract: Contract, as_of: date) -> int:
    """Write the demo follow-up of the actions never followed up (an action someone has followed
    is left as it is), through the actions' own service, as its pilots would have written it:
    update after update, each with the progress reached then, the milestones, then the state on
    ``as_of``. The number of actions written. Refused in production."""
    refuse_in_production()
    followed = set(
        ActionState.objects.filter(contract_id=contract.id).values_list("action_id", flat=True)
    )
    written = 0
    with transaction.atomic():
        for action in generate_actions(contract, as_of):
            if action.action_id in followed or not action.followed:
                continue
            for data in _action_steps(action):
                save_update(
                    contract.id, action.action_id, data, DEMO_USER, as_of, context=DEMO_CONTEXT
                )
            written += 1
    return written


def _action_steps(action: DemoAction) -> list[dict[str, object]]:
    """The successive updates that lead to ``action``'s state: one per dated update (the state
    « en cours » at the progress reached then) or milestone, the last one with the final state."""
    steps = max(len(action.updates), len(action.milestones), 1)
    found: list[dict[str, object]] = []
    for i in range(steps):
        final = i == steps - 1
        update = action.updates[i] if i < len(action.updates) else None
        milestone = action.milestones[i] if i < len(action.milestones) else None
        reached = [u.progress for u in action.updates[: i + 1]]
        data: dict[str, object] = {
            "owner": action.owner,
            "start_date": action.start_date,
            "due_date": action.due_date,
            "status": action.status if final else "in_progress",
            "progress": action.progress if final else (reached[-1] if reached else 0),
        }
        if update is not None:
            data |= {"comment": update.text, "comment_on": update.on}
        if milestone is not None:
            data |= {
                "milestone_label": milestone.label,
                "milestone_due": milestone.due_date,
                "milestone_done_on": milestone.done_on,
            }
        found.append(data)
    return found
