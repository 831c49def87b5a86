"""Removing the demonstration data (``cpog demo --retirer``, decision 022): a server first
started with the demo is cleaned before real use, without touching anything real.

Only rows the demo marks as its own are removed:

- values of source « démonstration » (the caisse's, by commune, and the demo network's);
- targets of provenance « démonstration »;
- the action follow-up the demo wrote (:data:`~cpog.store.demo.DEMO_USER` as its author): an
  action last written by the demo is removed whole; on an action someone followed up since,
  only the demo's progress notes and milestones go;
- analyses and import batches written by the demo user (none today; any later demo's);
- the demo network's caisses (:mod:`cpog.store.network_demo`): their contract versions, loaded
  by the demo user, with every row of theirs — unless a real row (a value entered, an account of
  that caisse…) uses the contract, which then stays;
- the audit events of the demo user.

All in one transaction, recorded by one audit event naming who removed what (which also moves
the pages' data state: :func:`cpog.web.page_cache.data_state`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.apps import apps
from django.db import transaction
from django.db.models import Q, QuerySet

from cpog.errors import CpogError
from cpog.store import audit
from cpog.store.demo import DEMO_USER
from cpog.store.models import (
    ActionMilestone,
    ActionState,
    ActionUpdate,
    Analysis,
    AuditEvent,
    Campaign,
    ContractVersion,
    ImportBatch,
    Measurement,
    OpenDataValue,
    PeriodLock,
    ReportSnapshot,
    Target,
)

ENTITY = "demo_data"  # the audit event of a removal
CONTEXT = "cpog demo --retirer"


@dataclass(frozen=True)
class DemoRows:
    """How many rows of each kind are (or were) demonstration data."""

    values: int = 0
    targets: int = 0
    actions: int = 0  # action states removed whole
    action_lines: int = 0  # progress notes and milestones
    analyses: int = 0
    batches: int = 0
    caisses: int = 0  # of the demo network
    contract_versions: int = 0
    audit_events: int = 0
    kept_contracts: tuple[str, ...] = field(default=())  # demo network contracts real rows use

    @property
    def total(self) -> int:
        return sum(v for k, v in asdict(self).items() if isinstance(v, int))

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if isinstance(v, int)}


@dataclass(frozen=True)
class _Plan:
    contracts: list[str]  # demo network contracts removed whole
    kept: list[str]
    values: QuerySet[Measurement]
    targets: QuerySet[Target]
    states: QuerySet[ActionState]
    updates: QuerySet[ActionUpdate]
    milestones: QuerySet[ActionMilestone]
    analyses: QuerySet[Analysis]
    batches: QuerySet[ImportBatch]
    versions: QuerySet[ContractVersion]
    events: QuerySet[AuditEvent]


def _demo_contracts() -> tuple[list[str], list[str]]:
    """The demo network's contracts (every version loaded by the demo user): those that can go
    whole, and those a real row uses, which stay."""
    loaded = ContractVersion.objects.values_list("contract_id", flat=True)
    demo = set(loaded.filter(loaded_by=DEMO_USER)) - set(loaded.exclude(loaded_by=DEMO_USER))
    if not demo:
        return [], []
    used: set[str] = set()
    real_rows: list[QuerySet] = [  # type: ignore[type-arg]
        Measurement.objects.exclude(source=Measurement.Source.DEMO),
        Target.objects.exclude(set_by=DEMO_USER),
        ActionState.objects.exclude(updated_by=DEMO_USER),
        Analysis.objects.exclude(author=DEMO_USER),
        ImportBatch.objects.exclude(created_by=DEMO_USER),
        ReportSnapshot.objects.all(),
        PeriodLock.objects.all(),
        Campaign.objects.all(),
        # the web's rows, read through the app registry (the store never imports the web)
        apps.get_model("web", "ChallengePilot").objects.all(),
    ]
    for rows in real_rows:
        found = rows.filter(contract_id__in=demo).values_list("contract_id", flat=True)
        used.update(found.distinct())
    caisses = dict(
        ContractVersion.objects.filter(contract_id__in=demo).values_list(
            "contract_id", "caisse_code"
        )
    )
    scoped = set(
        apps.get_model("web", "UserScope")
        .objects.filter(caisse_code__in=set(caisses.values()))
        .values_list("caisse_code", flat=True)
    )
    used.update(c for c, code in caisses.items() if code in scoped)
    return sorted(demo - used), sorted(demo & used)


def _plan() -> _Plan:
    contracts, kept = _demo_contracts()
    whole = Q(contract_id__in=contracts)
    states = ActionState.objects.filter(Q(updated_by=DEMO_USER) | whole)
    milestone_ids = [
        int(entity_id.rsplit(":", 1)[1])
        for entity_id in AuditEvent.objects.filter(
            entity_type="action_milestone", action="create", user=DEMO_USER
        ).values_list("entity_id", flat=True)
        if entity_id.rsplit(":", 1)[-1].isdigit()
    ]
    kept_versions = Q()
    for contract_id in kept:
        kept_versions |= Q(entity_type="contract_version", entity_id__startswith=f"{contract_id}:")
    events = AuditEvent.objects.filter(user=DEMO_USER)
    if kept:
        events = events.exclude(kept_versions)
    return _Plan(
        contracts=contracts,
        kept=kept,
        values=Measurement.objects.filter(Q(source=Measurement.Source.DEMO) | whole),
        targets=Target.objects.filter(Q(provenance=Target.Provenance.DEMO) | whole),
        states=states,
        updates=ActionUpdate.objects.filter(Q(author=DEMO_USER) | Q(state__in=states)),
        milestones=ActionMilestone.objects.filter(Q(pk__in=milestone_ids) | Q(state__in=states)),
        analyses=Analysis.objects.filter(Q(author=DEMO_USER) | whole),
        batches=ImportBatch.objects.filter(Q(created_by=DEMO_USER) | whole),
        versions=ContractVersion.objects.filter(whole),
        events=events,
    )


def _counted(plan: _Plan) -> DemoRows:
    return DemoRows(
        values=plan.values.count(),
        targets=plan.targets.count(),
        actions=plan.states.count(),
        action_lines=plan.updates.count() + plan.milestones.count(),
        analyses=plan.analyses.count(),
        batches=plan.batches.count(),
        caisses=plan.versions.values("caisse_code").distinct().count(),
        contract_versions=plan.versions.count(),
        audit_events=plan.events.count(),
        kept_contracts=tuple(plan.kept),
    )


class DemoInFrozenYear(CpogError):
    """Demonstration values lie in a frozen year: removing them would change that year without
    a motif (decision 027)."""


def check_no_frozen_year(plan: _Plan | None = None) -> None:
    """Refuse, in French, when demonstration values to remove lie in a frozen year."""
    plan = plan or _plan()
    for lock in PeriodLock.objects.order_by("year"):
        count = plan.values.filter(contract_id=lock.contract_id, period_end__year=lock.year).count()
        if count:
            raise DemoInFrozenYear(
                f"L'année {lock.year} est figée et contient {count} valeur(s) de démonstration :"
                f" la démonstration ne peut pas être retirée sans changer la revue figée. Dégelez"
                f" d'abord l'année (cpog report unfreeze --annee {lock.year} --motif …)."
            )


def demo_rows() -> DemoRows:
    """What :func:`remove_demo` would remove now (for the confirmation)."""
    return _counted(_plan())


def remove_demo(user: str) -> DemoRows:
    """Remove every demonstration row in one transaction and record it; what was removed."""
    with transaction.atomic():
        plan = _plan()
        removed = _counted(plan)
        if not removed.total:
            return removed
        check_no_frozen_year(plan)
        # Milestones and notes first (their action states may stay), then the states, then the
        # values and targets, which the batches protect, then the contracts and the events.
        plan.updates.delete()
        plan.milestones.delete()
        plan.states.delete()
        plan.analyses.delete()
        plan.values.delete()
        plan.targets.delete()
        still_used = {
            batch
            for model in (Measurement, Target, OpenDataValue)
            for batch in model.objects.order_by().values_list("batch_id", flat=True).distinct()
        }
        plan.batches.exclude(pk__in=still_used - {None}).delete()
        plan.versions.delete()
        plan.events.delete()
        audit.record(
            ENTITY,
            "retrait",
            "delete",
            user,
            before=removed.counts(),
            context=CONTEXT,
        )
    return removed
