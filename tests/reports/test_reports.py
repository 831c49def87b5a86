"""The annual review and the comité's report as PDF: content (pdftotext), pages not blank
(pdftoppm), the same data give the same bytes, snapshots stored and reused, CLI errors."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.contexts.annual import AnnualReviewContext, ReportError, annual_review, review_date
from cpog.contexts.board import BoardContext, board_report
from cpog.contexts.serialize import json_schema, to_data
from cpog.contexts.situation import situation
from cpog.periods import Period
from cpog.reports import service
from cpog.reports.render import render_data, render_pdf
from cpog.store.models import AuditEvent, ReportSnapshot
from cpog.store.reader import StoreReader

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text as pdftotext (poppler-utils) reads it."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext absent (apt-get install poppler-utils)")
    path = tmp_path / "rapport.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return done.stdout


def _annual(contract: Any) -> AnnualReviewContext:
    reader = StoreReader()
    data = situation(reader, contract, review_date(2025, datetime(2026, 11, 27).date()))
    return annual_review(data, reader, 2025)


def norm(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def _grey_pages(pdf: bytes, tmp_path: Path, first: int, last: int) -> list[bytes]:
    """Pages rendered as PGM (pdftoppm -gray), their pixels."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm absent (apt-get install poppler-utils)")
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    prefix = tmp_path / "page"
    subprocess.run(
        [
            "pdftoppm",
            "-gray",
            "-r",
            "30",
            "-f",
            str(first),
            "-l",
            str(last),
            str(path),
            str(prefix),
        ],
        check=True,
    )
    pixels = []
    for image in sorted(tmp_path.glob("page*.pgm")):
        data = image.read_bytes()
        # P5 header: magic, width, height, maxval, then the bytes
        match = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        assert match is not None
        pixels.append(data[match.end() :])
    return pixels


def _variance(pixels: bytes) -> float:
    mean = sum(pixels) / len(pixels)
    return sum((p - mean) ** 2 for p in pixels[::7]) / len(pixels[::7])


def test_annual_review_pdf_holds_the_defis_the_annex_and_the_figures(
    steering_data: Any, tmp_path: Path
) -> None:
    report = service.annual(2025, "test")
    text = pdf_text(report.pdf, tmp_path)
    flat = norm(text)
    for challenge in steering_data.challenges:
        assert norm(challenge.title) in flat, challenge.title
    codes = [i.code for i in steering_data.indicators if i.code]
    assert len(codes) == 28
    for code in codes:
        assert code in flat, code
    # figures of the demo fixture as the pages print them
    context = _annual(steering_data)
    line = context.challenges[0].results[0].lines[0]
    assert line.row.current is not None
    assert norm(f"{line.row.current.value_text} ({line.row.current.period_label})") in flat
    assert norm(line.baseline_text) in flat and norm(line.target_text) in flat
    assert "Situation au 31/03/2026" in flat
    assert "Données de démonstration" in flat
    assert "Bilan annuel 2025 du CPOG" in flat
    assert "Annexe : indicateurs" in flat and "Annexe : méthode" in flat
    assert re.search(r"Page 1 sur \d+", flat)
    assert context.fingerprint in flat
    # cover and a défi sheet with its charts are not blank
    for pixels in _grey_pages(report.pdf, tmp_path, 1, 5):
        assert _variance(pixels) > 20
    # PDF/A-2b, the document's title and an outline of headings
    assert b"/Outlines" in report.pdf
    assert b"<pdfaid:part>2</pdfaid:part>" in report.pdf
    assert b"<pdfaid:conformance>B</pdfaid:conformance>" in report.pdf
    # only the fonts shipped with cpog, embedded
    (tmp_path / "fonts.pdf").write_bytes(report.pdf)
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "fonts.pdf")], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    assert fonts and all("+DejaVuSans" in line and " yes " in line for line in fonts), fonts
    info = subprocess.run(["pdfinfo", "-"], input=report.pdf, capture_output=True, check=True)
    assert b"Bilan annuel 2025 du CPOG" in info.stdout
    assert b"2026" in info.stdout  # the creation date is the date of situation, not today


def test_same_data_same_bytes(steering_data: Any) -> None:
    reader = StoreReader()
    data = situation(reader, steering_data, datetime(2026, 11, 27).date())
    first = render_pdf(board_report(data, reader, 2026, 11), "board")
    again = render_pdf(board_report(data, reader, 2026, 11), "board")
    assert first == again
    assert first.startswith(b"%PDF")


def test_board_report_says_what_is_late_and_what_is_awaited(
    steering_data: Any, tmp_path: Path
) -> None:
    report = service.board("2026-11", "test")
    flat = norm(pdf_text(report.pdf, tmp_path))
    assert "Tableau de bord du comité de direction — novembre 2026" in flat
    assert "Ce qui est en retard, et pourquoi" in flat
    assert "Ce qui a bougé ce mois-ci" in flat
    assert "Analyses attendues" in flat
    pages = subprocess.run(["pdfinfo", "-"], input=report.pdf, capture_output=True, check=True)
    count = int(re.search(rb"Pages:\s+(\d+)", pages.stdout).group(1))  # type: ignore[union-attr]
    assert 2 <= count <= 4


def test_every_context_renders_as_pdf_with_the_generic_template(
    steering_data: Any, tmp_path: Path
) -> None:
    reader = StoreReader()
    data = situation(reader, steering_data, datetime(2026, 11, 27).date())
    board = board_report(data, reader, 2026, 11)
    pdf = render_data(to_data(board), "page")
    flat = norm(pdf_text(pdf, tmp_path))
    assert board.title in flat
    for kind in (AnnualReviewContext, BoardContext):  # French names throughout the schema
        schema = json_schema(kind)
        assert "fingerprint" not in str(schema) and "empreinte" in str(schema)


def test_a_snapshot_is_stored_once_and_gives_back_the_review_as_printed(
    steering_data: Any,
) -> None:
    from cpog.store.values import NewValue, record_values

    first = service.annual(2025, "test")
    assert ReportSnapshot.objects.filter(kind="annual", period="2025").count() == 1
    assert AuditEvent.objects.filter(entity_type="report_snapshot").count() == 1
    service.annual(2025, "test")  # same data: not stored again
    assert ReportSnapshot.objects.filter(kind="annual", period="2025").count() == 1

    # a later revision of a 2025 value changes the review from the current data…
    indicator = next(i for i in steering_data.indicators if i.periodicity.value == "annual")
    record_values(
        steering_data.id,
        steering_data.organisation.code,
        [NewValue("indicator", indicator.id, Period.year_of(2025), Decimal("1"))],
        source="manual",
        user="test",
    )
    revised = service.annual(2025, "test")
    assert revised.fingerprint != first.fingerprint
    assert ReportSnapshot.objects.filter(kind="annual", period="2025").count() == 2
    # …the first edition is stored: asked from its snapshot, the latest is given back as printed
    again = service.annual(2025, "test", from_snapshot=True)
    assert again.fingerprint == revised.fingerprint
    assert again.pdf == revised.pdf


def test_the_review_compares_with_the_previous_review_as_printed(
    steering_data: Any, tmp_path: Path
) -> None:
    before = service.annual(2025, "test")
    assert "situation recalculée au 31/03/2025" in norm(pdf_text(before.pdf, tmp_path))
    service.annual(2024, "test")  # the review of 2024 printed: 2025's compares with it
    after = service.annual(2025, "test")
    assert after.fingerprint != before.fingerprint
    assert "bilan 2024 tel qu'édité le" in norm(pdf_text(after.pdf, tmp_path))


def test_what_changed_since_a_snapshot(steering_data: Any) -> None:
    from cpog.contexts.annual import StatusEntry, entries_from_data
    from cpog.store import snapshots

    service.board("2026-11", "test")
    snap = snapshots.latest(steering_data.id, "board", "2026-11")
    assert snap is not None
    printed = entries_from_data(snap.statuses)
    assert len(printed) == len(steering_data.indicators) + len(steering_data.measures())
    assert service.what_changed_since(snap, printed) == []
    first = printed[0]
    other = "conforme" if first.status == "en_retard" else "en_retard"
    moved = [
        StatusEntry(e.subject_type, e.subject_id, e.code, e.label, other, "autre") if i == 0 else e
        for i, e in enumerate(printed)
    ]
    changes = service.what_changed_since(snap, moved)
    assert [(c.code, c.status_before, c.status) for c in changes] == [
        (first.code, first.status, other)
    ]


def test_review_year_outside_the_contract_is_refused(steering_data: Any) -> None:
    with pytest.raises(ReportError, match="hors du contrat"):
        service.annual(2031, "test")
    with pytest.raises(ReportError, match="n'a pas commencé"):
        service.board("2026-12", "test")
    with pytest.raises(ReportError, match="illisible"):
        service.board("novembre", "test")


runner = CliRunner()


@pytest.mark.django_db(transaction=True)
def test_cli_errors_are_french_and_fail(tmp_path: Path) -> None:
    assert runner.invoke(app, ["load"]).exit_code == 0
    result = runner.invoke(
        app, ["report", "annual", "--year", "2031", "-o", str(tmp_path / "b.pdf")]
    )
    assert result.exit_code != 0 and "hors du contrat (2023-2027)" in norm(result.output)
    result = runner.invoke(
        app, ["report", "board", "--month", "2027-01", "-o", str(tmp_path / "c.pdf")]
    )
    assert result.exit_code != 0 and "n'a pas commencé" in norm(result.output)
    missing = tmp_path / "absent" / "b.pdf"
    result = runner.invoke(app, ["report", "annual", "--year", "2025", "-o", str(missing)])
    assert result.exit_code != 0 and "n'existe pas" in norm(result.output)
    result = runner.invoke(
        app,
        [
            "report",
            "annual",
            "--year",
            "2024",
            "--depuis-instantane",
            "-o",
            str(tmp_path / "d.pdf"),
        ],
    )
    assert result.exit_code != 0 and "Aucun instantané du bilan 2024" in norm(result.output)
    result = runner.invoke(
        app, ["report", "board", "--month", "2026-10", "-o", str(tmp_path / "e.pdf")]
    )
    assert result.exit_code == 0, norm(result.output)
    assert (tmp_path / "e.pdf").read_bytes().startswith(b"%PDF")
