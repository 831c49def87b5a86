"""What the first run prints about the administrator, and the favicon every browser asks for."""

from __future__ import annotations

import pytest
from django.test import Client

from cpog.cli.store_commands import first_run_lines


def test_the_password_stands_alone_on_its_line_with_how_to_change_it() -> None:
    lines = first_run_lines("Xy3-abcdefghijklmnop")
    assert "    Xy3-abcdefghijklmnop" in lines  # nothing else on its line, never wrapped
    alone = lines.index("    Xy3-abcdefghijklmnop")
    assert lines[alone - 1] == "" and lines[alone + 1] == ""
    assert "Pour le changer : cpog user password admin" in lines
    assert all(len(line) <= 72 for line in lines if "Xy3" not in line)


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_svg_icon() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/cpog/favicon.svg"
    icon = Client().get(response["Location"])
    icon.close()  # a file response: its file is closed with it
    assert icon.status_code == 200
