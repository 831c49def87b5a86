from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from cpog.web.views.common import page


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    return page(request, "web/todo.html", "actions", "Actions")


@login_required
def action_page(request: HttpRequest, action_id: str) -> HttpResponse:
    return page(request, "web/todo.html", "actions", "Action")
