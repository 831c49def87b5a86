"""Template context shared by every page: the caisse's brand and the user's role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cpog.store.roles import role_of
from cpog.web import page_cache
from cpog.web.roles import can_see_network


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
    if page_cache.rendering_for_cache(request):
        # this processor runs after Django's csrf one, so its placeholder wins
        context.update(page_cache.placeholders(request))
    return context
