from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from cpog.web.views.common import page


@login_required
def challenge_list(request: HttpRequest) -> HttpResponse:
    return page(request, "web/todo.html", "challenges", "Défis")


@login_required
def challenge_page(request: HttpRequest, number: int) -> HttpResponse:
    return page(request, "web/todo.html", "challenges", "Défi")
