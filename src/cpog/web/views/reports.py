"""« Rapports »: the annual review and the comité's report as PDF downloads, and the list of the
reports already produced (their snapshots) with what changed since. Read like the dashboard:
every signed-in role."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cpog import clock, vocabulary
from cpog.contexts.annual import ReportError, status_entries
from cpog.contexts.situation import situation
from cpog.errors import CpogError
from cpog.formatting import fr_date, fr_month
from cpog.reports import service
from cpog.store import period_locks, snapshots
from cpog.store.reader import StoreReader
from cpog.store.roles import Role, role_of
from cpog.web import roles
from cpog.web.scoping import PARAMETER, resolved_caisse
from cpog.web.views.common import page, steering


@dataclass(frozen=True)
class SnapshotLine:
    kind_label: str
    period: str
    as_of_text: str
    created_text: str
    created_by: str
    changes: int


def _pdf(report: service.Report, name: str) -> HttpResponse:
    response = HttpResponse(report.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _user(request: HttpRequest) -> str:
    return str(request.user.get_username())


@login_required
@require_GET
def annual_pdf(request: HttpRequest, year: int) -> HttpResponse:
    try:
        report = service.annual(
            year,
            _user(request),
            from_snapshot=request.GET.get("depuis") == "instantane",
            contract=steering(request).contract,
        )
    except ReportError as error:
        raise Http404(str(error)) from None
    return _pdf(report, f"bilan-{year}.pdf")


@login_required
@require_GET
def board_pdf(request: HttpRequest, month: str) -> HttpResponse:
    try:
        report = service.board(month, _user(request), contract=steering(request).contract)
    except ReportError as error:
        raise Http404(str(error)) from None
    return _pdf(report, f"comite-{report.period}.pdf")


@dataclass(frozen=True)
class FrozenLine:
    """A frozen year on the page: when and by whom, and what changed since."""

    year: int
    text: str  # « revue annuelle 2025 figée le 27/11/2026 par dupont »
    since_text: str  # « aucune valeur modifiée depuis le gel », « 2 valeurs modifiées … »
    values_changed: int


@login_required
@require_GET
def reports_page(request: HttpRequest) -> HttpResponse:
    return _reports(request)


def _reports(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    data = steering(request)
    contract, today = data.contract, data.as_of
    years = [y for y in range(contract.period.start, contract.period.end + 1) if y <= today.year]
    months = []
    year, month = today.year, today.month
    for _ in range(6):
        months.append(
            (f"{year:04d}-{month:02d}", fr_month(today.replace(year=year, month=month, day=1)))
        )
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    reader = StoreReader()
    lines = []
    for snap in snapshots.listing(contract.id)[:10]:  # one situation each: the latest ten
        now = situation(reader, contract, snap.as_of)
        lines.append(
            SnapshotLine(
                kind_label=vocabulary.REPORT_KIND[snap.kind],
                period=snap.period,
                as_of_text=fr_date(snap.as_of),
                created_text=fr_date(snap.created_at.date()),
                created_by=snap.created_by,
                changes=len(service.what_changed_since(snap, status_entries(now.status.rows))),
            )
        )
    frozen: dict[int, FrozenLine] = {}
    for year, lock in sorted(period_locks.frozen_years(contract.id).items()):
        since = service.changed_since_freezing(contract, lock, snapshots.get(lock.snapshot_id))
        frozen[year] = FrozenLine(year, lock.text, since.text, since.values)
    closed = [y for y in years if y < today.year]
    snapshot_years = {s.period for s in snapshots.listing(contract.id) if s.kind == "annual"}
    response = page(
        request,
        "web/reports.html",
        "reports",
        "Rapports",
        frozen=frozen,
        can_freeze=roles.can_write_targets(request.user),
        can_unfreeze=role_of(request.user) == Role.ADMIN,
        to_freeze=[y for y in closed if y not in frozen],
        freeze_error=error,
        months=months,
        annual_rows=[(y, frozen.get(y), str(y) in snapshot_years) for y in years],
        lines=lines,
        today_text=fr_date(clock.today()),
    )
    response.status_code = status
    return response


def _caisse_query(request: HttpRequest) -> str:
    """Back to the caisse the form wrote (a network user's choice, decision 017)."""
    code = resolved_caisse(request)
    network = roles.caisse_of_user(request.user) is None
    return f"?{urlencode({PARAMETER: code})}" if network and code else ""


# --- freezing the annual review of a year (decision 027) -------------------------------------


@login_required
@require_POST
def freeze_annual(request: HttpRequest, year: int) -> HttpResponse:
    """Freeze the annual review of ``year`` (direction's side: contrôle de gestion and
    administrator), after the user ticked the confirmation."""
    roles.require(roles.can_write_targets(request.user), "figer la revue annuelle")
    if request.POST.get("confirmer") != "oui":
        return _reports(
            request,
            f"Revue annuelle {year} non figée : cochez la case de confirmation.",
            400,
        )
    try:
        report = service.freeze_annual(year, _user(request), contract=steering(request).contract)
    except (ReportError, CpogError) as error:
        return _reports(request, f"Revue annuelle {year} non figée : {error}", 400)
    messages.success(
        request,
        f"{report.note[:1].upper()}{report.note[1:]} : les valeurs de {year} ne changent plus"
        " qu'avec un motif.",
    )
    return redirect(reverse("reports") + _caisse_query(request))


@login_required
@require_POST
def unfreeze_annual(request: HttpRequest, year: int) -> HttpResponse:
    """Unfreeze the year (administrator only), with a reason."""
    roles.require(role_of(request.user) == Role.ADMIN, "dégeler la revue annuelle")
    motif = request.POST.get("motif", "")[:1000]
    try:
        was = period_locks.unfreeze(steering(request).contract.id, year, _user(request), motif)
    except CpogError as error:
        return _reports(request, f"Année {year} non dégelée : {error}", 400)
    messages.success(request, f"Année {year} dégelée ({was.text}).")
    return redirect(reverse("reports") + _caisse_query(request))
