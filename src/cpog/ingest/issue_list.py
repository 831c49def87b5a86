"""The full list of an import's errors as a CSV file that Excel opens as it is (French Excel:
``;`` separator, UTF-8 with a BOM), for the web page's download and ``cpog import … --erreurs``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from cpog.ingest.bounds import fr_count
from cpog.ingest.tables import MAX_KEPT_ISSUES, CellIssue

__all__ = ["COLUMNS", "issues_csv"]

COLUMNS = ["fichier", "ligne", "colonne", "valeur", "motif"]
_FORMULA = ("=", "+", "@", "\t", "\r")  # a cell Excel would run as a formula


def _safe(text: str) -> str:
    """A value as text: one starting like a formula is quoted, so Excel shows, never runs, it."""
    if text.startswith(_FORMULA) or (text.startswith("-") and not text[1:2].isdigit()):
        return "'" + text
    return text


def issues_csv(issues: Sequence[CellIssue], total: int) -> bytes:
    """The CSV of ``issues``; when some were only counted (``total`` more than kept), a last line
    says how many are missing."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for issue in issues:
        writer.writerow(
            [
                issue.file,
                issue.line or "",
                _safe(issue.column),
                _safe(issue.value),
                _safe(issue.message.strip()),
            ]
        )
    if total > len(issues):
        missing = total - len(issues)
        writer.writerow(
            [
                "",
                "",
                "",
                "",
                f"… et {fr_count(missing)} autre{'s' if missing > 1 else ''} erreur"
                f"{'s' if missing > 1 else ''} non listée{'s' if missing > 1 else ''} (seules les"
                f" {fr_count(MAX_KEPT_ISSUES)} premières sont gardées) : corrigez celles-ci et"
                " importez à nouveau",
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
