"""The « Rapports » page and its PDF downloads: signed-in readers download, anonymous visitors
are sent to the login page, a month not begun is not found."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from cpog.store.models import ReportSnapshot
from cpog.web.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader_client(steering_data: Any, settings: Any) -> Client:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User.objects.create_user("lecteur", "lecteur@example.org", "mot-de-passe-de-test-1")
    user.groups.add(Group.objects.get_or_create(name=Role.LECTEUR.value)[0])
    client = Client()
    client.force_login(user)
    return client


def test_a_reader_downloads_the_reports_and_sees_them_listed(reader_client: Client) -> None:
    response = reader_client.get("/rapports/comite/2026-11.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="comite-2026-11.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    assert ReportSnapshot.objects.get(kind="board").created_by == "lecteur"

    page = reader_client.get("/rapports/").content.decode()
    assert "Bilan 2025 (PDF)" in page and "/rapports/bilan-annuel/2025.pdf" in page
    assert "Novembre 2026 (PDF)" in page
    assert "Tableau de bord du comité de direction" in page  # the snapshot listed
    assert 'href="/rapports/"' in page  # the navigation's link


def test_a_month_not_begun_is_not_found(reader_client: Client) -> None:
    assert reader_client.get("/rapports/comite/2027-02.pdf").status_code == 404
    assert reader_client.get("/rapports/bilan-annuel/2031.pdf").status_code == 404


def test_anonymous_visitors_are_sent_to_login(steering_data: Any) -> None:
    response = Client().get("/rapports/bilan-annuel/2025.pdf")
    assert response.status_code == 302 and "/connexion/" in response["Location"]
