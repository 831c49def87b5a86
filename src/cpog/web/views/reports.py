"""« Rapports »: the annual review and the comité's report as PDF downloads, and the list of the
reports already produced (their snapshots) with what changed since. Read like the dashboard:
every signed-in role."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from cpog import clock, vocabulary
from cpog.contexts.annual import ReportError, status_entries
from cpog.contexts.situation import situation
from cpog.formatting import fr_date, fr_month
from cpog.reports import service
from cpog.store import snapshots
from cpog.store.reader import StoreReader
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


@login_required
@require_GET
def reports_page(request: HttpRequest) -> HttpResponse:
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
    return page(
        request,
        "web/reports.html",
        "reports",
        "Rapports",
        years=years,
        months=months,
        snapshot_years={s.period for s in snapshots.listing(contract.id) if s.kind == "annual"},
        lines=lines,
        today_text=fr_date(clock.today()),
    )
