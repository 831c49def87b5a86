from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from cpog.web.views.common import page


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    return page(request, "web/todo.html", "indicators", "Indicateurs")


@login_required
def indicator_page(request: HttpRequest, subject_id: str) -> HttpResponse:
    return page(request, "web/todo.html", "indicators", "Indicateur")


@login_required
def measure_page(request: HttpRequest, subject_id: str) -> HttpResponse:
    return page(request, "web/todo.html", "challenges", "Résultat visé")
