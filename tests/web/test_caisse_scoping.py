"""Users scoped to a caisse see their caisse only, on every route (issue 12, decision 017).

A store holds two caisses: « 79 » and a clone « 86 » whose names carry a marker of their own
(organisation, défis, a value's comment, the accounts' names). Every page of the URL
configuration (read from ``get_resolver()``, as the permissions matrix does) and every operation
of the API (read from the OpenAPI document) is requested, GET and POST:

- by the 79 user: no answer holds an 86 marker; asking ``?caisse=86`` is refused (403);
- by the 86 user: no answer holds a 79 marker (a route reading « the only contract », the
  installation's 79, would show its markers here); asking ``?caisse=79`` is refused;
- by the network user: ``?caisse=86`` reads 86 and ``?caisse=79`` reads 79, never the other.

A new route is requested like the others: it passes only if it follows the request's caisse. The
exemptions below hold no caisse data, each with its reason.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse
from test_permissions_matrix import Route, routes

from cpog.contract.model import Contract
from cpog.periods import parse_period
from cpog.store.models import AuditEvent
from cpog.web.models import ApiToken, UserScope

MARK = {"79": "Marqueur79", "86": "Marqueur86"}
OTHER = {"79": "86", "86": "79"}

# Routes with no caisse data, not checked for markers (still refused with another ?caisse=).
NO_CAISSE_DATA = {
    "theme",  # the stylesheet: the installation's brand colours
    "favicon",  # a redirect to the icon
    "login",  # the sign-in form
    "logout",  # signing out
    "oidc-start",  # single sign-on's button: a redirect to the identity provider (decision 025)
    "oidc-callback",  # the identity provider's answer: signs in, or a refusal page
    "api:openapi-json",  # the API's description, no figure
    "api:openapi-view",  # its browsable page
    "api:api-root",  # 404
    "health",  # /sante: the installation's database and data folder, for a supervisor
    # « Mot de passe oublié ? » (decision 026): forms and messages, no figure
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# The Django admin is the installation's technical administration, for staff only (decision
# 017: a staff account is an installation administrator, whatever its caisse); its pages are
# refused with another ?caisse= like every page, but not read for markers.
ADMIN_PREFIX = "admin:"


def _marked(contract: Contract, code: str) -> Contract:
    mark = MARK[code]
    organisation = contract.organisation.model_copy(
        update={"code": code, "name": f"Caf {mark}", "short_name": f"Caf {mark}"}
    )
    challenges = [c.model_copy(update={"title": f"{c.title} {mark}"}) for c in contract.challenges]
    return contract.model_copy(
        update={
            "id": f"caf-{code}-2023-2027",
            "organisation": organisation,
            "challenges": challenges,
        }
    )


@dataclass
class World:
    contracts: dict[str, Contract]
    users: dict[str, User]  # « 79 », « 86 », « reseau »
    keys: dict[str, str]
    indicator: str
    measure: str
    action: str
    campaigns: dict[str, int]  # a campaign of each caisse (decision 026)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    from django.conf import settings

    from cpog import clock
    from cpog.contract import default_contract_path
    from cpog.contract.loader import load_contract
    from cpog.store.campaigns import open_campaign
    from cpog.store.contracts import store_contract
    from cpog.store.demo import load_demo
    from cpog.store.values import NewValue, record_values

    hashers = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    shipped = load_contract(default_contract_path())
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            contracts = {code: _marked(shipped, code) for code in ("79", "86")}
            for contract in contracts.values():
                store_contract(contract, "test", "test:setup")
                load_demo(contract, clock.today())
            indicator = contracts["79"].indicators[0]
            for code, contract in contracts.items():
                record_values(
                    contract.id,
                    code,
                    [
                        NewValue(
                            "indicator",
                            indicator.id,
                            parse_period("2026"),
                            Decimal("1"),
                            comment=f"valeur {MARK[code]}",
                        )
                    ],
                    source="saisie",
                    user=f"agent-{MARK[code]}",
                )
            users = {
                who: User.objects.create_superuser(f"agent-{MARK.get(who, who)}", "", "x")
                for who in ("79", "86", "reseau")
            }
            UserScope.objects.create(user=users["79"], caisse_code="79")
            UserScope.objects.create(user=users["86"], caisse_code="86")
            UserScope.objects.create(user=users["reseau"], network=True)
            keys = {who: ApiToken.issue(user, f"jeton {who}")[1] for who, user in users.items()}
            challenge = contracts["79"].challenges[0]
            measure = next(m.id for r in challenge.targeted_results for m in r.measures)
            campaigns = {
                code: open_campaign(
                    contract.id,
                    code,
                    parse_period("2026-11"),
                    date(2026, 11, 1),
                    date(2026, 12, 15),
                    [("indicator", indicator.id)],
                    "test",
                ).id
                for code, contract in contracts.items()
            }
            yield World(
                contracts,
                users,
                keys,
                indicator.id,
                measure,
                challenge.actions[0].id,
                campaigns,
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            settings.PASSWORD_HASHERS = hashers


def _kwargs(route: Route, world: World, who: str) -> dict[str, Any]:
    converters = route.pattern_obj.pattern.converters
    names = list(converters) or list(route.pattern_obj.pattern.regex.groupindex)
    own = world.users[who]
    values: dict[str, Any] = {
        "number": 1,
        "kind": "values",
        "fmt": "xlsx",
        "year": 2025,
        "month": "2026-11",
        "token_id": ApiToken.objects.filter(user=own).values_list("pk", flat=True).first(),
        "key": "0" * 32,
        "user_id": own.pk,
        "definition": "cog-08-29",
        "subject_id": world.measure if route.key == "measure" else world.indicator,
        "action_id": world.action,
        "app_label": "web",
        "content_type_id": "1",
        "object_id": "1",
        "id": "1",
        "url": "nulle-part/",
        "campaign_id": world.campaigns.get(who, world.campaigns["79"]),
        "uidb64": "MQ",
        "token": "jeton-invalide",
    }
    return {name: values[name] for name in names}


def _url(route: Route, world: World, who: str) -> str:
    if route.key.endswith(":catch_all"):
        return "/admin/nulle-part/"
    if route.key.endswith(":object_redirect"):
        return "/" + route.pattern.split("<", 1)[0] + "1/"
    return reverse(route.key, kwargs=_kwargs(route, world, who))


def _text(response: Any) -> str:
    """What a reader can find in the answer: the page, the JSON, the workbook's cells. A PDF's
    text is not searchable as bytes (glyph ids): its status is checked, and its content is the
    page's context, read here as ``?format=json``."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            return " ".join(
                workbook.read(n).decode("utf-8", "replace") for n in workbook.namelist()
            )
    return content.decode("utf-8", "replace")


def _page_routes() -> list[Route]:
    return [r for r in routes() if not (r.key.startswith("api:") and r.key not in NO_CAISSE_DATA)]


def _client(world: World, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client


def _with(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


@pytest.mark.parametrize("who", ["79", "86"])
def test_a_caisse_user_reads_their_caisse_on_every_page(db: None, world: World, who: str) -> None:
    client = _client(world, who)
    wrong = []
    shown = set()  # routes showing the caisse's own marker
    for route in _page_routes():
        url = _url(route, world, who)
        if route.key in NO_CAISSE_DATA or route.key.startswith(ADMIN_PREFIX):
            continue
        for variant in (url, _with(url, "format=json"), _with(url, "format=pdf")):
            response = client.get(variant)
            if response.status_code >= 500 or MARK[OTHER[who]] in _text(response):
                wrong.append(f"{variant} ({route.key}) : {response.status_code}")
            if MARK[who] in _text(response):
                shown.add(route.key)
        # the page's form, sent empty: refused or done, in the user's caisse only
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.post(url)
        if response.status_code >= 500 or MARK[OTHER[who]] in _text(response):
            wrong.append(f"POST {url} ({route.key}) : {response.status_code}")
        for event in AuditEvent.objects.filter(pk__gt=last):
            if (event.after or {}).get("caisse") != who:
                wrong.append(f"POST {url} ({route.key}) : écrit pour {event.after}")
        if route.key == "account":  # another caisse's account: not found, never shown
            other = world.users[OTHER[who]].pk
            response = client.get(reverse("account", kwargs={"user_id": other}))
            if response.status_code not in (403, 404):
                wrong.append(f"compte de l'autre caisse : {response.status_code}")
    assert wrong == [], f"caisse {who} :\n" + "\n".join(wrong)
    assert {"dashboard", "challenges", "challenge", "indicator", "history", "accounts"} <= shown


@pytest.mark.parametrize("who", ["79", "86"])
def test_another_caisse_is_refused_on_every_page(db: None, world: World, who: str) -> None:
    client = _client(world, who)
    other = OTHER[who]
    wrong = []
    for route in _page_routes():
        if route.key.startswith("api:"):
            continue  # the API's own pages: the operations are checked below
        url = _with(_url(route, world, who), f"caisse={other}")
        before = AuditEvent.objects.count()
        for response in (client.get(url), client.post(url)):
            if response.status_code != 403 or MARK[other] in _text(response):
                wrong.append(f"{url} ({route.key}) : {response.status_code}")
        if AuditEvent.objects.count() != before:
            wrong.append(f"{url} ({route.key}) : écriture")
    assert wrong == [], f"caisse {who} demandant {other} :\n" + "\n".join(wrong)
    refused = client.get(f"/?caisse={other}")
    assert "limité à la caisse « " + who + " »" in refused.content.decode()


# A network administrator manages every caisse's accounts, and the network pages compare every
# caisse (decision 018): these pages list them all, to network users only.
EVERY_CAISSE = {"accounts", "account-new", "account", "network", "network-indicator"}


def _without_selector(text: str) -> str:
    """The page without the header's « Caisse : … » selector, which names every caisse."""
    return re.sub(r'<form class="caisse-choice".*?</form>', "", text, flags=re.S)


def test_the_network_user_reads_each_caisse_on_every_page(db: None, world: World) -> None:
    client = _client(world, "reseau")
    wrong = []
    shown: dict[str, set[str]] = {"79": set(), "86": set()}  # routes showing the caisse's marker
    for route in _page_routes():
        if route.key in NO_CAISSE_DATA | EVERY_CAISSE or route.key.startswith(ADMIN_PREFIX):
            continue
        for code in ("86", "79"):
            # a campaign belongs to one caisse: the network user reads each caisse's own
            owner = code if route.key == "campaign" else "reseau"
            url = _with(_url(route, world, owner), f"caisse={code}")
            for variant in (url, _with(url, "format=json")):
                response = client.get(variant)
                text = _without_selector(_text(response))
                if response.status_code >= 500 or MARK[OTHER[code]] in text:
                    wrong.append(f"{variant} ({route.key}) : {response.status_code}")
                if MARK[code] in text:
                    shown[code].add(route.key)
    assert wrong == [], "réseau :\n" + "\n".join(wrong)
    # and each caisse's own figures are there: the pages that name the caisse's défis and values
    assert shown["79"] == shown["86"] and {"dashboard", "challenges", "indicator"} <= shown["86"]


def test_the_network_users_choice_is_kept_and_an_unknown_caisse_is_not_found(
    db: None, world: World
) -> None:
    client = _client(world, "reseau")
    page = client.get("/defis/?caisse=86").content.decode()
    assert "Marqueur86" in page and '<option value="86" selected>' in page
    assert "Marqueur86" in client.get("/defis/").content.decode()  # kept in the session
    assert "Marqueur79" not in client.get("/defis/?format=json").content.decode()
    unknown = client.get("/defis/?caisse=971")
    assert unknown.status_code == 404
    assert "Caisse inconnue : « 971 »" in unknown.content.decode()
    # a caisse user sees no selector
    assert "choix-caisse" not in _client(world, "79").get("/defis/").content.decode()
    # the network user's forms post to the caisse they show (another tab may choose another)
    form = client.get(f"/indicateurs/{world.indicator}/?caisse=86").content.decode()
    assert f'action="/indicateurs/{world.indicator}/?caisse=86"' in form


# --- the API -----------------------------------------------------------------------------


def _operations(world: World) -> list[tuple[str, str]]:
    schema = _client(world, "79").get("/api/v1/openapi.json").json()
    return sorted(
        (method.upper(), path if path.startswith("/api") else "/api/v1" + path)
        for path, item in schema["paths"].items()
        for method in item
    )


def _api_url(path: str, world: World) -> str:
    return path.format(indicator_id=world.indicator, subject=world.indicator, number=1)


def _api_body(path: str, world: World) -> str:
    """A value for the caisse's indicator; a target list that validation refuses."""
    if path.endswith("/values"):
        return json.dumps(
            [{"identifiant": world.indicator, "periode": "cumul à fin octobre 2026", "valeur": "2"}]
        )
    return "[]"


def _api(world: World, who: str, method: str, url: str, path: str) -> Any:
    client = Client(headers={"Authorization": f"Bearer {world.keys[who]}"})
    if method == "GET":
        return client.get(url)
    return client.post(url, data=_api_body(path, world), content_type="application/json")


# The network's routes compare every caisse, for network users only (decision 018).
NETWORK_OPERATIONS = ("/api/v1/reseau/",)


def test_every_api_operation_follows_the_tokens_caisse(db: None, world: World) -> None:
    wrong = []
    for method, path in _operations(world):
        url = _api_url(path, world)
        if path.startswith(NETWORK_OPERATIONS):
            for who in ("79", "86"):
                if _api(world, who, method, url, path).status_code != 403:
                    wrong.append(f"{method} {url} ({who}) : réseau non refusé")
            if _api(world, "reseau", method, url, path).status_code != 200:
                wrong.append(f"{method} {url} (réseau) : refusé")
            continue
        for who in ("79", "86"):
            other = OTHER[who]
            before = AuditEvent.objects.count()
            refused = _api(world, who, method, _with(url, f"caisse={other}"), path)
            if refused.status_code != 403 or refused.json()["ok"] is not False:
                wrong.append(f"{method} {url}?caisse={other} ({who}) : {refused.status_code}")
            if AuditEvent.objects.count() != before:
                wrong.append(f"{method} {url}?caisse={other} ({who}) : écriture")
            own = _api(world, who, method, url, path)
            # an empty target list is refused by validation (422): not by the caisse
            if own.status_code not in (200, 422) or MARK[other] in _text(own):
                wrong.append(f"{method} {url} ({who}) : {own.status_code}")
            for code in ("79", "86"):
                network = _api(world, "reseau", "GET", _with(url, f"caisse={code}"), path)
                if method == "GET" and (
                    network.status_code != 200 or MARK[OTHER[code]] in _text(network)
                ):
                    wrong.append(f"GET {url}?caisse={code} (réseau) : {network.status_code}")
    assert wrong == [], "\n".join(wrong)
    assert _api(world, "reseau", "GET", "/api/v1/contract?caisse=971", "").status_code == 404


def test_api_writes_land_in_the_callers_caisse(db: None, world: World) -> None:
    from cpog.store.models import Measurement

    def written(code: str) -> list[str]:
        return list(
            Measurement.objects.filter(
                contract_id=world.contracts[code].id, scope_code=code, source="api"
            ).values_list("value", flat=True)
        )

    path = "/api/v1/values"
    response = _api(world, "86", "POST", path + "?confirmer=true", path)
    assert response.status_code == 200, response.content
    assert written("86") == [Decimal("2")] and written("79") == []
    response = _api(world, "reseau", "POST", path + "?caisse=79&confirmer=true", path)
    assert response.status_code == 200 and written("79") == [Decimal("2")]


def test_the_history_shows_the_caisses_own_events(db: None, world: World) -> None:
    for who in ("79", "86"):
        page = _client(world, who).get("/historique/").content.decode()
        assert f"agent-{MARK[who]}" in page and MARK[OTHER[who]] not in page


# --- imports -----------------------------------------------------------------------------


def _values_file() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = "identifiant;période;valeur\nCOG 01-05;2024;201\n"
    return SimpleUploadedFile("valeurs.csv", rows.encode("utf-8"), content_type="text/csv")


def test_an_import_lands_in_the_previewed_caisse(
    db: None, world: World, settings: Any, tmp_path: Any
) -> None:
    """A network user checks a file for 86, then chooses 79 in another tab: confirming the
    preview still writes into 86, the caisse the preview named."""
    from cpog.store.models import ImportBatch, Measurement

    settings.DATA_DIR = tmp_path
    client = _client(world, "reseau")
    preview = client.post(
        "/import/?caisse=86", {"etape": "verifier", "kind": "values", "file": _values_file()}
    )
    body = preview.content.decode()
    assert preview.status_code == 200 and "(caisse 86)" in body
    stored = re.search(r'name="stored" value="([^"]+)"', body)
    assert stored is not None and 'action="/import/?caisse=86"' in body
    client.get("/?caisse=79")  # the other tab
    done = client.post(
        "/import/?caisse=86",
        {"etape": "confirmer", "kind": "values", "stored": stored[1], "name": "valeurs.csv"},
    )
    assert done.status_code == 302
    batch = ImportBatch.objects.get(file_name="valeurs.csv")
    assert batch.contract_id == world.contracts["86"].id
    assert set(Measurement.objects.filter(batch=batch).values_list("scope_code", flat=True)) == {
        "86"
    }
    event = AuditEvent.objects.filter(entity_type="measurement", context="valeurs.csv").first()
    assert event is not None and event.after["caisse"] == "86"
    # the 79 user cannot send a file to 86
    refused = _client(world, "79").post(
        "/import/?caisse=86", {"etape": "verifier", "kind": "values", "file": _values_file()}
    )
    assert refused.status_code == 403


def test_a_page_write_lands_in_the_chosen_caisse(db: None, world: World) -> None:
    from cpog.store.models import ActionState

    data = {
        "owner": "Service petite enfance",
        "start_date": "01/02/2024",
        "due_date": "31/12/2027",
        "status": "in_progress",
        "progress": "55",
        "milestone_label": "",
        "milestone_due": "",
        "comment_on": "",
        "comment": "",
    }
    url = f"/actions/{world.action}/"
    ActionState.objects.all().delete()
    response = _client(world, "reseau").post(f"{url}?caisse=86", data)
    assert response.status_code in (200, 302), response.content
    [state] = ActionState.objects.filter(action_id=world.action)
    assert state.contract_id == world.contracts["86"].id and state.progress == 55
    event = AuditEvent.objects.filter(entity_type="action_state").latest("pk")
    assert event.after["caisse"] == "86"
    # the 86 user's own write: 86 again; the 79 user's: 79
    _client(world, "79").post(url, {**data, "progress": "20"})
    mine = ActionState.objects.get(action_id=world.action, contract_id=world.contracts["79"].id)
    assert mine.progress == 20
    assert ActionState.objects.get(contract_id=world.contracts["86"].id).progress == 55


def test_the_technical_administration_is_the_networks_in_a_store_of_several_caisses(
    db: None, world: World
) -> None:
    """Its tables hold every caisse's rows: a caisse's administrator is kept out, and cannot
    make themselves a network user there."""
    for who in ("79", "86"):
        client = _client(world, who)
        for url in ("/admin/", "/admin/store/measurement/", "/admin/web/userscope/"):
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url
            assert MARK[OTHER[who]] not in _text(response)
    network = _client(world, "reseau")
    assert network.get("/admin/store/measurement/").status_code == 200


def test_a_network_admin_sets_pilots_in_the_accounts_own_caisse(db: None, world: World) -> None:
    """Looking at 79, a network administrator makes an 86 account pilot of défi n°1: the défi is
    86's, whatever caisse the page was showing."""
    from cpog.web.models import ChallengePilot

    pilot = User.objects.create_user("pilote-86", "", "x")
    UserScope.objects.create(user=pilot, caisse_code="86")
    client = _client(world, "reseau")
    page = client.get(f"/comptes/{pilot.pk}/?caisse=79")
    assert page.status_code == 200 and MARK["86"] in _text(page)  # 86's défis offered
    number = world.contracts["86"].challenges[0].number
    response = client.post(
        f"/comptes/{pilot.pk}/?caisse=79",
        {"operation": "role", "role-role": "pilote", "role-challenges": [str(number)]},
    )
    assert response.status_code in (200, 302), response.status_code
    rows = ChallengePilot.objects.filter(user=pilot)
    assert [(r.contract_id, r.challenge_number) for r in rows] == [
        (world.contracts["86"].id, number)
    ]
