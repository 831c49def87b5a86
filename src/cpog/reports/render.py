"""Contexts → PDF with Typst. The context's JSON (the one serializer, French field names) and
its charts as SVG (vl-convert, from the same Vega-Lite specs as the web pages) are written to a
temporary folder with the template, which reads them with ``json(...)`` and ``image(...)``.

Reproducible: Typst sees only the fonts shipped in ``fonts/`` (system fonts ignored), no
``@preview`` package, and a timestamp taken from the date of situation, never the clock: the
same data give the same bytes. PDF/A-2b, with the document title and an outline of headings.
"""

from __future__ import annotations

import calendar
import copy
import json
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from cpog.contexts.serialize import to_data

HERE = Path(__file__).parent
FONTS = HERE / "fonts"
TEMPLATES = HERE / "templates"
FONT_FAMILY = "DejaVu Sans"
CHART_WIDTH = 440
CHART_KEY, CHART_FILE_KEY = "graphique", "graphique_fichier"


class RenderError(RuntimeError):
    """Typst or vl-convert refused to render; the message says which."""


def _charts(data: Any) -> Iterator[dict[str, Any]]:
    """Every object of the JSON that carries a chart spec and its file name."""
    if isinstance(data, dict):
        if isinstance(data.get(CHART_KEY), dict) and data.get(CHART_FILE_KEY):
            yield data
        for value in data.values():
            yield from _charts(value)
    elif isinstance(data, list):
        for value in data:
            yield from _charts(value)


def printable(spec: dict[str, Any]) -> dict[str, Any]:
    """The web page's spec for paper: a fixed width (no container) and the shipped font; a spec
    may give its own printed size (``usermeta.impression``: a map keeps its proportions)."""
    spec = copy.deepcopy(spec)
    size = spec.get("usermeta", {}).get("impression", {})
    spec["width"] = size.get("largeur", CHART_WIDTH)
    spec["height"] = size.get("hauteur", 170)
    spec.setdefault("config", {})["font"] = FONT_FAMILY
    return spec


_FONTS_REGISTERED = False


def chart_svg(spec: dict[str, Any]) -> str:
    global _FONTS_REGISTERED
    import vl_convert

    if not _FONTS_REGISTERED:
        vl_convert.register_font_directory(str(FONTS))
        _FONTS_REGISTERED = True
    svg: str = vl_convert.vegalite_to_svg(printable(spec))
    return svg


def _timestamp(as_of: date) -> int:
    """Noon UTC of the date of situation: the PDF's creation date, the same for the same data."""
    return calendar.timegm((as_of.year, as_of.month, as_of.day, 12, 0, 0))


def render_data(data: dict[str, Any], template: str, *, charts: bool = True) -> bytes:
    """Render the JSON form of a context with ``templates/<template>.typ``. Without ``charts``,
    the same document without its charts (the benchmark's baseline)."""
    data = copy.deepcopy(data)
    with tempfile.TemporaryDirectory(prefix="cpog-rapport-") as folder:
        root = Path(folder)
        for holder in _charts(data):
            spec = holder[CHART_KEY]
            name = str(holder[CHART_FILE_KEY])
            if charts:
                (root / name).write_text(chart_svg(spec), encoding="utf-8")
            else:
                holder[CHART_FILE_KEY] = None
            holder[CHART_KEY] = None  # the template reads the SVG, not the spec
        (root / "donnees.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=None), encoding="utf-8"
        )
        for source in TEMPLATES.glob("*.typ"):
            shutil.copyfile(source, root / source.name)
        as_of = _as_of(data)
        try:
            import typst

            pdf: bytes = typst.compile(
                str(root / f"{template}.typ"),
                root=str(root),
                font_paths=[str(FONTS)],
                ignore_system_fonts=True,
                pdf_standards=["a-2b"],
                timestamp=_timestamp(as_of),
            )
        except Exception as error:  # typst.TypstError carries the template's line
            detail = getattr(error, "diagnostic", None) or error
            raise RenderError(f"Le rapport n'a pas pu être mis en page : {detail}") from error
    return pdf


def _as_of(data: dict[str, Any]) -> date:
    text = data.get("date_de_situation")
    return date.fromisoformat(text) if isinstance(text, str) else date(2000, 1, 1)


def render_pdf(context: Any, template: str, *, charts: bool = True) -> bytes:
    """The PDF of a context (any ``@record`` context; ``template``: annual, board or page)."""
    return render_data(to_data(context), template, charts=charts)
