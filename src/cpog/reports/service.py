"""The reports from the store: read the situation at the report's date, build its context,
render it, keep a snapshot of what it printed (cpog.store.snapshots). Used by ``cpog report``
and the web downloads."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from cpog import clock
from cpog.contexts.annual import (
    ReportError,
    StatusChange,
    StatusEntry,
    annual_review,
    check_year,
    entries_from_data,
    review_date,
    status_changes,
    status_entries,
)
from cpog.contexts.board import board_date, board_report, parse_month
from cpog.contexts.serialize import to_data
from cpog.contexts.situation import situation
from cpog.contract.model import Contract
from cpog.formatting import fr_date
from cpog.reports.render import render_data
from cpog.store import period_locks, snapshots
from cpog.store.contracts import current_contract
from cpog.store.reader import StoreReader

# The same context gives the same PDF: the latest renderings are kept by fingerprint, so that a
# report downloaded again while nothing changed is not laid out again.
_RENDERED: dict[tuple[str, str], bytes] = {}
_KEEP = 8


def _render(serialized: dict[str, object], template: str) -> bytes:
    key = (template, str(serialized["empreinte"]))
    pdf = _RENDERED.get(key)
    if pdf is None:
        pdf = render_data(serialized, template)
        if len(_RENDERED) >= _KEEP:
            _RENDERED.pop(next(iter(_RENDERED)))
        _RENDERED[key] = pdf
    return pdf


@dataclass(frozen=True)
class Report:
    pdf: bytes
    kind: str
    period: str
    as_of_text: str
    fingerprint: str
    note: str  # French: where the figures come from (current data, a snapshot)


def annual(
    year: int, user: str, *, from_snapshot: bool = False, contract: Contract | None = None
) -> Report:
    """The annual review of ``year`` of ``contract`` (default: the store's default caisse's);
    from the latest snapshot of that review when asked. A frozen year's review is always its
    frozen snapshot (decision 027), with what changed since its freezing in the note."""
    contract = contract or current_contract()[1]
    today = clock.today()
    check_year(contract.period.start, contract.period.end, year, today)
    lock = period_locks.frozen(contract.id, year)
    if lock is not None:
        kept = snapshots.get(lock.snapshot_id)
        pdf = _render(kept.context, "annual")
        changes = changed_since_freezing(contract, lock, kept)
        note = f"{lock.text} (instantané) ; {changes.text}"
        return Report(pdf, "annual", str(year), fr_date(kept.as_of), kept.fingerprint, note)
    if from_snapshot:
        found = snapshots.latest(contract.id, "annual", str(year))
        if found is None:
            raise ReportError(
                f"Aucun instantané du bilan {year} : produire d'abord le bilan sans "
                "--depuis-instantane."
            )
        pdf = _render(found.context, "annual")
        note = f"bilan tel qu'édité le {fr_date(found.created_at.date())} (instantané)"
        return Report(pdf, "annual", str(year), fr_date(found.as_of), found.fingerprint, note)
    report, _ = _annual_from_data(contract, year, today, user)
    return report


def _annual_from_data(
    contract: Contract, year: int, today: date, user: str
) -> tuple[Report, snapshots.SnapshotRecord]:
    """The review of ``year`` from today's data, rendered and kept as a snapshot."""
    reader = StoreReader()
    data = situation(reader, contract, review_date(year, today))
    earlier = snapshots.latest(contract.id, "annual", str(year - 1))
    previous = None
    if earlier is not None:
        previous = (
            f"bilan {year - 1} tel qu'édité le {fr_date(earlier.created_at.date())} "
            f"(situation au {fr_date(earlier.as_of)})",
            entries_from_data(earlier.statuses),
        )
    context = annual_review(data, reader, year, previous)
    serialized = to_data(context)
    pdf = _render(serialized, "annual")
    kept, _ = snapshots.store(contract.id, "annual", str(year), serialized, user)
    report = Report(
        pdf, "annual", str(year), context.as_of_text, context.fingerprint, "données actuelles"
    )
    return report, kept


def freeze_annual(year: int, user: str, *, contract: Contract | None = None) -> Report:
    """Produce the annual review of the closed year ``year`` from today's data and freeze it:
    its snapshot becomes THE review of the year, and the year's values change only with a
    motif (:mod:`cpog.store.period_locks`)."""
    contract = contract or current_contract()[1]
    today = clock.today()
    check_year(contract.period.start, contract.period.end, year, today)
    if year >= today.year:
        raise ReportError(
            f"L'année {year} n'est pas close : sa revue annuelle ne peut pas encore être figée."
        )
    existing = period_locks.frozen(contract.id, year)
    if existing is not None:
        raise ReportError(f"L'année {year} est déjà figée ({existing.text}) : rien n'a changé.")
    read_at = period_locks.reading_started()  # before the data is read: see freeze
    report, kept = _annual_from_data(contract, year, today, user)
    lock = period_locks.freeze(contract.id, year, kept.id, user, data_read_at=read_at)
    return replace(report, note=f"{lock.text} (instantané)")


@dataclass(frozen=True)
class SinceFreezing:
    """What changed in a frozen year since its review was frozen."""

    values: int  # value revisions of the year recorded after the freezing
    statuses: list[StatusChange]

    @property
    def text(self) -> str:
        """« aucune valeur modifiée depuis le gel » or « 2 valeurs modifiées depuis le gel
        (avec motif), 1 statut changé »."""
        if not self.values:
            return "aucune valeur modifiée depuis le gel"
        s = "s" if self.values > 1 else ""
        count = len(self.statuses)
        return (
            f"{self.values} valeur{s} modifiée{s} depuis le gel (avec motif), "
            f"{count} statut{'s' if count > 1 else ''} changé{'s' if count > 1 else ''}"
        )


def changed_since_freezing(
    contract: Contract, lock: period_locks.FrozenReview, frozen: snapshots.SnapshotRecord
) -> SinceFreezing:
    """The value revisions of the frozen year since its freezing, and the statuses that
    today's data give at the frozen review's date of situation and that differ from it."""
    values = period_locks.changed_since(lock)
    if not values:
        return SinceFreezing(0, [])
    now = situation(StoreReader(), contract, frozen.as_of)
    return SinceFreezing(values, what_changed_since(frozen, status_entries(now.status.rows)))


def board(month: str, user: str, *, contract: Contract | None = None) -> Report:
    """The comité de direction's report of ``month`` (« 2026-11 ») of ``contract`` (default: the
    store's default caisse's)."""
    contract = contract or current_contract()[1]
    year, number = parse_month(month)
    as_of = board_date(year, number, contract.period.start, contract.period.end, clock.today())
    reader = StoreReader()
    context = board_report(situation(reader, contract, as_of), reader, year, number)
    serialized = to_data(context)
    pdf = _render(serialized, "board")
    snapshots.store(contract.id, "board", context.month, serialized, user)
    return Report(
        pdf, "board", context.month, context.as_of_text, context.fingerprint, "données actuelles"
    )


def what_changed_since(
    snapshot: snapshots.SnapshotRecord, current: list[StatusEntry]
) -> list[StatusChange]:
    """The statuses of ``current`` (today's data at the snapshot's date of situation) that
    differ from those the snapshot printed."""
    return status_changes(current, entries_from_data(snapshot.statuses))


__all__ = [
    "Report",
    "ReportError",
    "SinceFreezing",
    "annual",
    "board",
    "changed_since_freezing",
    "freeze_annual",
]
