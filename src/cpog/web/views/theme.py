"""/theme.css: the caisse's main colour, from settings, as a stylesheet (no inline style)."""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT = "#1f4e79"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def usable_brand_colour(colour: str) -> str:
    """The configured colour if white text on it reaches 4.5:1 (WCAG AA), else the default."""
    if not _HEX.match(colour):
        return DEFAULT
    contrast = 1.05 / (_luminance(colour) + 0.05)
    return colour if contrast >= 4.5 else DEFAULT


@cache_control(max_age=300)
def theme(request: HttpRequest) -> HttpResponse:
    colour = usable_brand_colour(settings.BRAND_COLOR)
    return HttpResponse(f":root {{ --brand: {colour}; }}\n", content_type="text/css")
