"""Template context shared by every page: the caisse's brand, the user's role, and for a network
user the caisses they may choose from."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest

from cpog.store.contracts import caisses, default_caisse_code
from cpog.store.roles import role_of
from cpog.web import page_cache
from cpog.web.roles import caisse_of_user, can_see_network
from cpog.web.scoping import PARAMETER, resolved_caisse


def brand(request: HttpRequest) -> dict[str, Any]:
    role = role_of(request.user)
    user = request.user
    context: dict[str, Any] = {
        "brand_name": settings.BRAND_NAME,
        "brand_color": settings.BRAND_COLOR,
        "brand_logo": settings.BRAND_LOGO,
        "user_role": role,
        "user_sees_network": can_see_network(user) if user.is_authenticated else False,
        "user_display_name": (user.get_full_name() or user.get_username())
        if user.is_authenticated
        else "",
    }
    # Forms that write a caisse's data post to the caisse they show: a network user who chose
    # another caisse in another tab meanwhile still writes where the page said (decision 017).
    # (A caisse user always writes their own: their forms need no parameter.)
    resolved = resolved_caisse(request)
    network = user.is_authenticated and caisse_of_user(user) is None
    context["caisse_query"] = f"?{urlencode({PARAMETER: resolved})}" if network and resolved else ""
    if network:
        # A network user chooses the caisse they read: the header's « Caisse : … » selector.
        current = resolved_caisse(request) or default_caisse_code()
        choices = [
            (entry.code, f"{entry.code} — {entry.name}", entry.code == current)
            for entry in caisses()
        ]
        context["caisse_choices"] = choices if len(choices) > 1 else []  # nothing to choose
    if page_cache.rendering_for_cache(request):
        # this processor runs after Django's csrf one, so its placeholder wins
        context.update(page_cache.placeholders(request))
    return context
