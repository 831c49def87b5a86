"""Frozen annual reviews and the lock of their year (decision 027).

Freezing the annual review of year N marks one report snapshot (:mod:`cpog.store.snapshots`) as
THE review of year N of a contract (:class:`PeriodLock`), audited with who and when. From then
on, a value whose period ends in year N changes only with a motif (« motif de la
modification »): :func:`guard` is called by :func:`cpog.store.values.write_plan`, where every
door converges (the form, the imports, the API, ``cpog compute``, the demo loader), so none
escapes it. A justified change is a normal revision carrying its motif, and its audit event is
flagged with the frozen year. Unfreezing is for an administrator, with a reason, audited.

Targets are not locked: changing a target already set requires a motif anyway (the imports
and the API refuse a change without one), and the frozen review keeps the targets it printed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from cpog.errors import CpogError
from cpog.formatting import fr_date
from cpog.periods import Period
from cpog.store import audit
from cpog.store.models import Measurement, PeriodLock, ReportSnapshot

# Under these keys of an audit event's ``after``: the frozen year a value belongs to, and why it
# was changed (a change to a frozen year).
FROZEN_YEAR_KEY = "frozen_year"
MOTIF_KEY = "motif"

HOW_TO_JUSTIFY = (
    "indiquez le motif de la modification (champ « Motif de la modification » du formulaire, "
    "colonne « motif » du fichier ou option --motif, champ « motif » de l'API)"
)
SHOWN = 5


class Planned(Protocol):
    @property
    def subject_id(self) -> str: ...

    @property
    def period(self) -> Period: ...

    @property
    def motif(self) -> str: ...


class FrozenYearRefused(CpogError):
    """Values of a frozen year without a motif: nothing is written."""

    def __init__(self, message: str, refused: list[tuple[Planned, FrozenReview]]) -> None:
        super().__init__(message)
        self.refused = refused  # each value refused, with its frozen review


class LockError(CpogError):
    """Freezing or unfreezing refused (no review to freeze, already frozen, no reason…)."""


@dataclass(frozen=True)
class FrozenReview:
    contract_id: str
    year: int
    snapshot_id: int
    frozen_by: str
    frozen_at: datetime

    @property
    def text(self) -> str:
        """« revue annuelle 2025 figée le 27/11/2026 par dupont »."""
        at = timezone.localtime(self.frozen_at).date()
        return f"revue annuelle {self.year} figée le {fr_date(at)} par {self.frozen_by}"


def _record(row: PeriodLock) -> FrozenReview:
    return FrozenReview(row.contract_id, row.year, row.snapshot_id, row.frozen_by, row.frozen_at)


def frozen_years(contract_id: str) -> dict[int, FrozenReview]:
    """The frozen years of a contract, each with its frozen review."""
    return {row.year: _record(row) for row in PeriodLock.objects.filter(contract_id=contract_id)}


def frozen(contract_id: str, year: int) -> FrozenReview | None:
    row = PeriodLock.objects.filter(contract_id=contract_id, year=year).first()
    return None if row is None else _record(row)


def year_of(period: Period) -> int:
    """The year a period belongs to for the lock: the year it ends in (the annual review of
    year N reads the periods that end in N)."""
    return period.end.year


def guard(contract_id: str, values: Iterable[Planned], motif: str = "") -> dict[int, FrozenReview]:
    """THE rule of the lock, on the write path: the frozen years the values touch. Raises
    :class:`FrozenYearRefused` (naming each subject and period, and how to justify) when one of
    them has neither its own motif nor ``motif``. Called inside the writer's transaction, after
    its lock: a refusal rolls the whole write back."""
    years = frozen_years(contract_id)
    if not years:
        return {}
    refused: list[tuple[Planned, FrozenReview]] = []
    touched: dict[int, FrozenReview] = {}
    for value in values:
        year = year_of(value.period)
        if year not in years:
            continue
        touched[year] = years[year]
        if not (value.motif or motif).strip():
            refused.append((value, years[year]))
    if refused:
        raise FrozenYearRefused(refused_text(refused), refused)
    return touched


def refused_text(refused: list[tuple[Planned, FrozenReview]]) -> str:
    """« 1 valeur d'une année figée sans motif : « cog-08-29 » pour T3 2025 (revue annuelle
    2025 figée le … par …). Rien n'a été enregistré ; indiquez le motif … »."""
    shown = "; ".join(
        f"« {value.subject_id} » pour {value.period} ({lock.text})"
        for value, lock in refused[:SHOWN]
    )
    more = f" et {len(refused) - SHOWN} autre(s)" if len(refused) > SHOWN else ""
    count = len(refused)
    plural = "s" if count > 1 else ""
    return (
        f"{count} valeur{plural} d'une année figée sans motif : {shown}{more}. "
        f"Rien n'a été enregistré ; {HOW_TO_JUSTIFY}."
    )


def line_text(lock: FrozenReview) -> str:
    """A file's line refused: « valeur de l'année figée 2025 (…) : indiquez le motif … »."""
    return (
        f"valeur de l'année figée {lock.year} ({lock.text}) : indiquez le motif de la "
        "modification (colonne « motif », option --motif ou champ « motif » de l'API)"
    )


def reading_started() -> datetime:
    """The instant a review's data starts being read, as the store times its rows (to pass to
    :func:`freeze` as ``data_read_at``)."""
    return timezone.now()


def freeze(
    contract_id: str,
    year: int,
    snapshot_id: int,
    user: str,
    data_read_at: datetime | None = None,
) -> FrozenReview:
    """Mark the snapshot ``snapshot_id`` (an annual review of ``year``) as THE frozen review of
    ``year``; audited. Refused when the year is frozen already. ``data_read_at``: when the
    review's data was read; the freeze dates from then, so a value written while the review was
    being made (not in it) counts as changed since the freeze instead of vanishing."""
    with transaction.atomic():
        snapshot = ReportSnapshot.objects.filter(
            pk=snapshot_id, contract_id=contract_id, kind=ReportSnapshot.Kind.ANNUAL
        ).first()
        if snapshot is None or snapshot.period != str(year):
            raise LockError(f"Aucune revue annuelle {year} à figer : produire d'abord le bilan.")
        existing = frozen(contract_id, year)
        if existing is not None:
            raise LockError(f"L'année {year} est déjà figée ({existing.text}) : rien n'a changé.")
        row = PeriodLock.objects.create(
            contract_id=contract_id,
            year=year,
            snapshot=snapshot,
            frozen_by=user,
            frozen_at=data_read_at or timezone.now(),
        )
        audit.record(
            "period_lock",
            f"annual:{year}",
            "freeze",
            user,
            after={
                "year": year,
                "snapshot": snapshot.pk,
                "as_of": snapshot.as_of.isoformat(),
                "fingerprint": snapshot.fingerprint,
            },
            context=f"revue annuelle {year} figée",
            caisse=audit.caisse_of(contract_id),
        )
    return _record(row)


def unfreeze(contract_id: str, year: int, user: str, reason: str) -> FrozenReview:
    """Lift the lock of ``year`` (an administrator's decision, with its reason); audited. The
    snapshot stays (every report printed is kept)."""
    if not reason.strip():
        raise LockError(
            f"Dégeler l'année {year} exige un motif : rien n'a changé (option --motif)."
        )
    with transaction.atomic():
        row = PeriodLock.objects.filter(contract_id=contract_id, year=year).first()
        if row is None:
            raise LockError(f"L'année {year} n'est pas figée : rien n'a changé.")
        was = _record(row)
        row.delete()
        audit.record(
            "period_lock",
            f"annual:{year}",
            "unfreeze",
            user,
            before={
                "year": year,
                "snapshot": was.snapshot_id,
                "frozen_by": was.frozen_by,
                "frozen_at": was.frozen_at.isoformat(),
            },
            after={MOTIF_KEY: reason.strip()},
            context=f"revue annuelle {year} dégelée",
            caisse=audit.caisse_of(contract_id),
        )
    return was


def changed_since(lock: FrozenReview) -> int:
    """How many value revisions of the frozen year were recorded after its freezing."""
    return Measurement.objects.filter(
        contract_id=lock.contract_id,
        period_end__year=lock.year,
        recorded_at__gt=lock.frozen_at,
    ).count()


__all__ = [
    "FROZEN_YEAR_KEY",
    "MOTIF_KEY",
    "FrozenReview",
    "FrozenYearRefused",
    "LockError",
    "changed_since",
    "freeze",
    "frozen",
    "frozen_years",
    "guard",
    "unfreeze",
    "year_of",
]
