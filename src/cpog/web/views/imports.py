from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from cpog.web.views.common import page


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    return page(request, "web/todo.html", "import", "Import")


@login_required
def template_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    return page(request, "web/todo.html", "import", "Import")
