"""Downloads of the steering data: the Excel export (the same workbook as ``cpog export xlsx``)."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.views.decorators.http import require_GET

from cpog.contexts.export import export_context
from cpog.reports.xlsx import workbook_bytes
from cpog.store.reader import StoreReader
from cpog.web.views.common import steering

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    """Every role may read it: the workbook holds what the pages show, at today's date."""
    situation = steering(request)
    context = export_context(situation, StoreReader())
    name = f"cpog-{situation.as_of:%Y-%m-%d}.xlsx"
    return FileResponse(
        io.BytesIO(workbook_bytes(context)), as_attachment=True, filename=name, content_type=XLSX
    )
