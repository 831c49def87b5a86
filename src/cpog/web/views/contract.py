from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from cpog.web.views.common import page


@login_required
def contract_page(request: HttpRequest) -> HttpResponse:
    return page(request, "web/todo.html", "contract", "Contrat")
