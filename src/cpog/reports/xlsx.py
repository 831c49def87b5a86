"""The Excel export: :class:`cpog.contexts.export.ExportContext` written as a workbook (xlsxwriter).

One sheet per subject, French headers, typed cells (numbers with a French display of their unit,
real dates shown dd/mm/yyyy), frozen header rows, filters. The « valeurs » sheet has the columns
of the import template and holds the values in force, so that ``cpog import values`` reads the
file back unchanged (a rate is stored 93.5 with the format ``0.0" %"``: shown « 93,5 % », read
back 93.5, not a percentage cell to convert).

Deterministic: the document's properties are fixed and its creation date is the date of
situation, so the same data give the same file content.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from cpog.clock import TIME_ZONE
from cpog.contexts.export import ExportContext
from cpog.contexts.status_rows import StatusRowData
from cpog.ingest.imports import VALUE_COLUMNS

NBSP = "\u00a0"
YES, NO = "oui", "non"
MAX_DECIMALS = 6  # the store keeps six decimals
MAX_WIDTH = 60

Cell = str | int | float | bool | date | None


class _Formats:
    """The workbook's formats, created once each."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.header = book.add_format(
            {"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.text = book.add_format({"num_format": "@"})
        self.day = book.add_format({"num_format": "dd/mm/yyyy"})
        self.integer = book.add_format({"num_format": "0"})  # years, défis: 2024, not 2 024
        self.moment = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
        # progress is in percent already (81.3): the « % » is a literal, not Excel's ×100
        self.progress = book.add_format({"num_format": f'0.0"{NBSP}%"'})
        self.whole_percent = book.add_format({"num_format": f'0"{NBSP}%"'})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.bold = book.add_format({"bold": True})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self._numbers: dict[tuple[int, bool], Format] = {}

    def number(self, value: float, unit: str | None) -> Format:
        """« 1 234,5 », « 93,5 % »: the decimals the value has (up to six), the % of a rate
        as a literal suffix (the value stays 93.5)."""
        exponent = Decimal(format(value, ".15g")).normalize().as_tuple().exponent
        decimals = min(MAX_DECIMALS, max(0, -exponent)) if isinstance(exponent, int) else 0
        percent = (unit or "").strip() == "%"
        key = (decimals, percent)
        found = self._numbers.get(key)
        if found is None:
            code = "#,##0" + ("." + "0" * decimals if decimals else "")
            if percent:
                code += f'"{NBSP}%"'
            found = self._numbers[key] = self.book.add_format({"num_format": code})
        return found


class _Sheet:
    """A sheet written row after row (constant memory), its column widths measured meanwhile."""

    def __init__(self, book: Workbook, formats: _Formats, name: str, headers: Sequence[str]):
        self.sheet: Worksheet = book.add_worksheet(name)
        self.formats = formats
        self.row = 0
        self.widths = [max(8, min(MAX_WIDTH, len(h) + 2)) for h in headers]
        self.headers = list(headers)
        self.sheet.set_row(0, None, formats.header)
        for col, header in enumerate(headers):
            self.sheet.write_string(0, col, header, formats.header)
        self.row = 1

    def add(self, cells: Sequence[Cell | tuple[Cell, Format]]) -> None:
        for col, cell in enumerate(cells):
            value, fmt = cell if isinstance(cell, tuple) else (cell, None)
            shown = self._write(col, value, fmt)
            if shown > self.widths[col]:
                self.widths[col] = min(MAX_WIDTH, shown)
        self.row += 1

    def _write(self, col: int, value: Cell, fmt: Format | None) -> int:
        sheet, row, f = self.sheet, self.row, self.formats
        if value is None or value == "":
            return 0
        if isinstance(value, bool):
            sheet.write_string(row, col, YES if value else NO)
            return 4
        if isinstance(value, int):
            sheet.write_number(row, col, value, fmt or f.integer)
            return len(str(value)) + 2
        if isinstance(value, float):
            sheet.write_number(row, col, value, fmt or f.number(value, None))
            return len(f"{value:,.6g}") + 2
        if isinstance(value, datetime):
            local = value.astimezone(TIME_ZONE) if value.tzinfo else value  # as the pages show it
            sheet.write_datetime(row, col, local.replace(tzinfo=None), fmt or f.moment)
            return 17
        if isinstance(value, date):
            sheet.write_datetime(row, col, datetime.combine(value, time()), fmt or f.day)
            return 11
        sheet.write_string(row, col, value, fmt or f.text)
        return len(value) + 2

    def close(self, filters: bool = True, freeze_cols: int = 0) -> None:
        for col, width in enumerate(self.widths):
            self.sheet.set_column(col, col, width)
        self.sheet.freeze_panes(1, freeze_cols)
        if filters:
            self.sheet.autofilter(0, 0, max(0, self.row - 1), len(self.headers) - 1)


def _num(value: float | None, unit: str | None, formats: _Formats) -> Cell | tuple[Cell, Format]:
    return None if value is None else (value, formats.number(value, unit))


def _progress(value: float | None, formats: _Formats) -> Cell | tuple[Cell, Format]:
    return None if value is None else (value, formats.progress)


def _about(book: Workbook, f: _Formats, context: ExportContext) -> None:
    about = context.about
    sheet = book.add_worksheet("À propos")
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 110)
    sheet.write_string(0, 0, "Export Excel de cpog", f.title)
    lines: list[tuple[str, Cell, Format | None]] = [
        ("Contrat", about.contract_title, None),
        ("Organisme", about.organisation, None),
        ("Version du contrat", about.contract_version, f.integer),
        ("Date de situation", about.as_of, None),
        ("Empreinte des données", about.fingerprint, None),
        (
            "Données",
            "données de démonstration (générées, pas des chiffres réels)"
            if about.demo
            else "données enregistrées dans cpog",
            None,
        ),
    ]
    row = 2
    for label, value, fmt in lines:
        sheet.write_string(row, 0, label, f.bold)
        if isinstance(value, date):
            sheet.write_datetime(row, 1, datetime.combine(value, time()), f.day)
        elif isinstance(value, int):
            sheet.write_number(row, 1, value, fmt)
        else:
            sheet.write_string(row, 1, str(value), f.wrap)
        row += 1
    row += 1
    sheet.write_string(row, 0, "Feuille", f.header)
    sheet.write_string(row, 1, "Ce qu'elle contient", f.header)
    for note in about.sheets:
        row += 1
        sheet.write_string(row, 0, note.name, f.bold)
        sheet.write_string(row, 1, note.description, f.wrap)
    sheet.activate()


def _referential(book: Workbook, f: _Formats, context: ExportContext) -> None:
    s = _Sheet(
        book,
        f,
        "Contrat",
        [
            "type",
            "identifiant",
            "défi",
            "rattachement",
            "libellé",
            "unité",
            "sens",
            "type de mesure",
            "référence",
            "année de référence",
            "cible",
            "année de la cible",
            "indicateur lié",
        ],
    )
    for item in context.referential:
        s.add(
            [
                item.kind_label,
                item.item_id,
                item.challenge,
                item.attached_to,
                item.label,
                item.unit,
                item.direction_label,
                item.measure_kind_label,
                _num(item.baseline_value, item.unit, f),
                item.baseline_year,
                _num(item.target_value, item.unit, f),
                item.target_year,
                item.indicator,
            ]
        )
    s.close(freeze_cols=2)


def _indicators(book: Workbook, f: _Formats, context: ExportContext) -> None:
    s = _Sheet(
        book,
        f,
        "Indicateurs",
        [
            "code",
            "identifiant",
            "libellé",
            "famille",
            "nature",
            "type",
            "unité",
            "sens",
            "périodicité",
            "cumul",
            "cible",
            "valeur de la cible",
            "année de la cible",
            "mode de calcul",
            "numérateur",
            "dénominateur",
            "source des données",
            "défis",
            "à confirmer",
        ],
    )
    for i in context.indicators:
        s.add(
            [
                i.code,
                i.subject_id,
                i.label,
                i.family,
                i.nature_label,
                i.type_label,
                i.unit,
                i.direction_label,
                i.periodicity_label,
                i.cumulation_label,
                i.target_label,
                _num(i.target_value, i.unit, f),
                i.target_year,
                i.calculation_method,
                i.numerator,
                i.denominator,
                i.data_source,
                ", ".join(str(n) for n in i.challenges),
                " ; ".join(i.to_confirm),
            ]
        )
    s.close(freeze_cols=1)


def _targets(book: Workbook, f: _Formats, context: ExportContext) -> None:
    s = _Sheet(
        book,
        f,
        "Cibles",
        [
            "type",
            "identifiant",
            "libellé",
            "année",
            "valeur",
            "unité",
            "type de cible",
            "comparateur",
            "provenance",
            "motif",
            "fixée par",
            "fixée le",
            "en vigueur",
        ],
    )
    for t in context.targets:
        s.add(
            [
                t.subject_type_label,
                t.code,
                t.label,
                t.year,
                _num(t.value, t.unit, f),
                t.unit,
                t.kind_label,
                t.comparator,
                t.provenance_label,
                t.reason,
                t.set_by,
                t.set_at,
                t.in_force,
            ]
        )
    s.close(freeze_cols=2)


def _values(book: Workbook, f: _Formats, context: ExportContext) -> None:
    """The import template's columns, the values in force: read back unchanged."""
    s = _Sheet(book, f, "valeurs", VALUE_COLUMNS)
    for v in context.values:
        if not v.in_force:
            continue
        s.add(
            [
                v.code,
                v.label,
                v.period_label,
                _num(v.value, v.unit, f),
                _num(v.numerator, None, f),
                _num(v.denominator, None, f),
                v.status_label,
                v.comment,
            ]
        )
    s.close(freeze_cols=1)


def _revisions(book: Workbook, f: _Formats, context: ExportContext) -> None:
    s = _Sheet(
        book,
        f,
        "Révisions des valeurs",
        [
            "type",
            "identifiant",
            "libellé",
            "période",
            "fin de période",
            "valeur",
            "unité",
            "numérateur",
            "dénominateur",
            "statut",
            "source",
            "fichier importé",
            "commentaire",
            "enregistrée par",
            "enregistrée le",
            "en vigueur",
        ],
    )
    for v in context.values:
        s.add(
            [
                v.subject_type_label,
                v.code,
                v.label,
                v.period_label,
                v.period_end,
                _num(v.value, v.unit, f),
                v.unit,
                _num(v.numerator, None, f),
                _num(v.denominator, None, f),
                v.status_label,
                v.source_label,
                v.batch_file,
                v.comment,
                v.recorded_by,
                v.recorded_at,
                v.in_force,
            ]
        )
    s.close(freeze_cols=2)


def _status_cells(r: StatusRowData, f: _Formats, years: list[int]) -> list[Any]:
    by_year = {v.year: v.label for v in r.years}
    unit = (
        "%" if r.unit is None and r.current is not None and "%" in r.current.value_text else r.unit
    )
    return [
        r.subject_type_label,
        r.code,
        r.label,
        r.challenge,
        r.family,
        r.unit,
        None if r.current is None else r.current.period_label,
        None if r.current is None else _num(r.current.value, unit, f),
        None if r.current is None else r.current.provisional,
        _num(r.expected, unit, f),
        None if r.annual_target is None else _num(r.annual_target.value, unit, f),
        None if r.final_target is None else _num(r.final_target.value, unit, f),
        _progress(r.progress_annual, f),
        _progress(r.progress_global, f),
        r.status_label,
        r.lateness.label,
        r.lateness.days_late or None,
        None if r.projection is None else r.projection.value_text,
        *[by_year.get(year) for year in years],
    ]


def _statuses(book: Workbook, f: _Formats, context: ExportContext) -> None:
    families = {i.subject_id: i.family for i in context.indicators}
    years = context.contract_years
    s = _Sheet(
        book,
        f,
        "Statuts",
        [
            "type",
            "identifiant",
            "libellé",
            "défi",
            "famille",
            "unité",
            "période",
            "valeur",
            "provisoire",
            "valeur attendue",
            "cible de l'année",
            "cible finale",
            "avancement de l'année",
            "avancement global",
            "statut",
            "saisie",
            "jours de retard",
            "projection",
            *[f"objectif {year}" for year in years],
        ],
    )
    for r in context.statuses:
        cells = _status_cells(r, f, years)
        cells[4] = families.get(r.subject_id, r.family)
        s.add(cells)
    s.close(freeze_cols=2)


def _actions(book: Workbook, f: _Formats, context: ExportContext) -> None:
    s = _Sheet(
        book,
        f,
        "Actions",
        [
            "défi",
            "action",
            "libellé",
            "état",
            "responsable",
            "début",
            "échéance",
            "avancement",
            "en retard",
            "mise à jour par",
            "mise à jour le",
        ],
    )
    for a in context.actions:
        s.add(
            [
                a.challenge,
                a.action_id,
                a.label,
                a.status_label,
                a.owner,
                a.start_date,
                a.due_date,
                (a.progress, f.whole_percent),
                a.late,
                a.updated_by,
                a.updated_at,
            ]
        )
    s.close(freeze_cols=2)


def write_workbook(context: ExportContext, target: Path) -> None:
    """Write the export to a file: rows are flushed as they are written (constant memory), the
    strings inline, so a file and a download (:func:`workbook_bytes`) have the same bytes."""
    book = xlsxwriter.Workbook(
        str(target),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    about = context.about
    book.set_properties(
        {
            "title": f"Export cpog — {about.contract_title}",
            "subject": f"Situation au {about.as_of:%d/%m/%Y}",
            "author": "cpog",
            "company": about.organisation,
            "keywords": f"empreinte {about.fingerprint}",
            "comments": "Export Excel de cpog",
            "created": datetime.combine(about.as_of, time()),
        }
    )
    formats = _Formats(book)
    _about(book, formats, context)
    _referential(book, formats, context)
    _indicators(book, formats, context)
    _targets(book, formats, context)
    _values(book, formats, context)
    _revisions(book, formats, context)
    _statuses(book, formats, context)
    _actions(book, formats, context)
    book.close()


def workbook_bytes(context: ExportContext) -> bytes:
    """The workbook's content (the app's download), written through a temporary file."""
    with tempfile.TemporaryDirectory(prefix="cpog-export-") as folder:
        path = Path(folder) / "cpog.xlsx"
        write_workbook(context, path)
        return path.read_bytes()
