"""Défis: the list with each défi's roll-up, and the page of one défi
(:mod:`cpog.contexts.challenges`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from cpog.contexts.challenges import challenge_context, challenge_list_context
from cpog.web.page_cache import cached_page
from cpog.web.views.common import page, steering


@login_required
@cached_page
def challenge_list(request: HttpRequest) -> HttpResponse:
    ctx = challenge_list_context(steering(request))
    return page(request, "web/challenges.html", "challenges", "Défis", record=ctx, ctx=ctx)


@login_required
@cached_page
def challenge_page(request: HttpRequest, number: int) -> HttpResponse:
    situation = steering(request)
    if situation.contract.challenge(number) is None:
        raise Http404(f"Le défi n°{number} n'existe pas dans ce contrat.")
    ctx = challenge_context(situation, number)
    title = f"Défi n°{number} — {ctx.title}"
    return page(request, "web/challenge.html", "challenges", title, record=ctx, ctx=ctx)
