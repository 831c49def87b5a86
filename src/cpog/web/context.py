"""Template context shared by every page: the caisse's brand and the user's role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cpog.web.roles import role_of


def brand(request: HttpRequest) -> dict[str, Any]:
    role = role_of(request.user)
    return {
        "brand_name": settings.BRAND_NAME,
        "brand_color": settings.BRAND_COLOR,
        "brand_logo": settings.BRAND_LOGO,
        "user_role": role,
    }
