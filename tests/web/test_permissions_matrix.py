"""The permissions matrix: every route of the URL configuration and every operation of the API,
for every role, against an explicit table of who may do what (decision 004, decision 008).

The routes are read from ``get_resolver()`` and the operations from the OpenAPI document, not
typed here: a route that the tables below do not list fails ``test_every_route_is_in_the_table``,
so a new page or API call cannot escape the matrix. Each cell is a real request through the
middleware (sessions, CSRF, axes), with parameters taken from the loaded contract: the défi a
pilot pilots, and an indicator, a measure and an action of that défi.

Roles: ``anonyme``; ``lecteur``; ``pilote`` pilots défi n°1, the défi of every parameter;
``pilote_autre`` pilots défi n°2 only; ``controle`` (contrôle de gestion); ``admin`` (superuser).

Outcomes: ``ok`` 200 · ``login`` redirected to the sign-in page · ``admin_login`` redirected to
the admin's · ``admin_index`` sent to the admin's index · ``allowed`` not refused (no
401/403/login, no 5xx: an empty form answers 400 and an invalid API body 422, so nothing is
written) · ``denied`` 403 · ``missing`` 404 · ``unauth`` 401 · ``not_allowed`` 405 ·
``no_write`` not a 5xx and nothing written (a POST to a page that only reads) · ``written`` done
and audited. Every refused cell is also checked to write nothing to the audit trail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cpog.contract.model import Contract
from cpog.steering import challenges_of_subject
from cpog.store.models import AuditEvent
from cpog.store.roles import Role
from cpog.web.models import ApiToken

ROLES = ("anonyme", "lecteur", "pilote", "pilote_autre", "controle", "admin")
SIGNED_IN = ROLES[1:]
OWN_CHALLENGE = 1

# --- the expected table ------------------------------------------------------------------


def everyone(outcome: str) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome: str, anonymous: str = "login") -> dict[str, str]:
    return {"anonyme": anonymous, **dict.fromkeys(SIGNED_IN, outcome)}


def only(allowed: set[str], refused: str = "denied", anonymous: str = "login") -> dict[str, str]:
    return {
        "anonyme": anonymous,
        **{role: "allowed" if role in allowed else refused for role in SIGNED_IN},
    }


READ = signed_in("ok")
READ_ONLY_POST = signed_in("no_write")
CHALLENGE_WRITERS = only({"pilote", "controle", "admin"})  # the défi's pilot and the direction
DIRECTION = only({"controle", "admin"})  # imports and targets
ADMINISTRATOR = only({"admin"})  # « Comptes »: the administrator only
ADMINISTRATOR_READS = {**ADMINISTRATOR, "admin": "ok"}
NETWORK = signed_in("denied")
STEERING = {
    **only({"controle", "admin"}),
    "controle": "ok",
    "admin": "ok",
}  # campaigns  # the « Réseau » pages, for the users of one caisse
ISSUE_LIST = {**DIRECTION, "controle": "missing", "admin": "missing"}  # an unknown list's key

# Pages of cpog, by URL name: what GET and POST (with a valid CSRF token) give to each role.
PAGES: dict[str, dict[str, dict[str, str]]] = {
    "dashboard": {"GET": READ, "POST": READ_ONLY_POST},
    "theme": {"GET": everyone("ok"), "POST": everyone("no_write")},
    "favicon": {"GET": everyone("301"), "POST": everyone("301")},  # → the SVG icon, for all
    "login": {"GET": everyone("ok"), "POST": everyone("no_write")},  # empty form: refused
    # /sante, for a supervisor: no login, GET and HEAD only (decision 024)
    "health": {"GET": everyone("ok"), "POST": everyone("not_allowed")},
    "logout": {"GET": everyone("not_allowed"), "POST": everyone("no_write")},
    # Single sign-on (decision 025): off here (no CPOG_OIDC_ISSUER), so « introuvable »;
    # tests/web/test_sso_oidc.py covers them switched on, against a real provider.
    "oidc-start": {"GET": everyone("missing"), "POST": everyone("not_allowed")},
    "oidc-callback": {"GET": everyone("missing"), "POST": everyone("not_allowed")},
    "contract": {"GET": READ, "POST": READ_ONLY_POST},
    "challenges": {"GET": READ, "POST": READ_ONLY_POST},
    "challenge": {"GET": READ, "POST": READ_ONLY_POST},
    "indicators": {"GET": READ, "POST": READ_ONLY_POST},
    "indicator": {"GET": READ, "POST": CHALLENGE_WRITERS},
    "computation": {"GET": READ, "POST": READ_ONLY_POST},  # a definition's SQL: every reader
    "opendata": {"GET": READ, "POST": READ_ONLY_POST},  # open data beside the diagnosis
    "measure": {"GET": READ, "POST": CHALLENGE_WRITERS},
    "territory-map": {"GET": READ, "POST": READ_ONLY_POST},  # the map: every reader
    # The network of caisses: network users only; these users belong to the installation's
    # caisse (no UserScope row), so every role is refused (decision 018).
    "network": {"GET": NETWORK, "POST": NETWORK},
    "network-indicator": {"GET": NETWORK, "POST": NETWORK},
    "actions": {"GET": READ, "POST": READ_ONLY_POST},
    "action": {"GET": READ, "POST": CHALLENGE_WRITERS},
    "import": {"GET": READ, "POST": DIRECTION},
    "import-template": {"GET": READ, "POST": READ_ONLY_POST},
    # A refused file's full error list: importers only (an unknown key is « missing » to them).
    "import-issues": {"GET": ISSUE_LIST, "POST": ISSUE_LIST},
    "history": {"GET": READ, "POST": READ_ONLY_POST},
    "reports": {"GET": READ, "POST": signed_in("not_allowed")},
    "report-annual": {"GET": READ, "POST": signed_in("not_allowed")},
    "report-board": {"GET": READ, "POST": signed_in("not_allowed")},
    # Freezing the annual review (decision 027): the direction's side; unfreezing: the
    # administrator (an empty form is refused, nothing written).
    "report-freeze": {"GET": signed_in("not_allowed"), "POST": DIRECTION},
    "report-unfreeze": {"GET": signed_in("not_allowed"), "POST": ADMINISTRATOR},
    "export-xlsx": {"GET": READ, "POST": signed_in("not_allowed")},  # every reader
    # Everyone's own tokens (an empty form is refused with 400: « allowed », nothing written).
    "tokens": {"GET": READ, "POST": signed_in("allowed")},
    "token-revoke": {"GET": READ, "POST": signed_in("written")},  # one's own token
    # Accounts (an empty form or operation is refused with 400: « allowed », nothing written).
    "accounts": {"GET": ADMINISTRATOR_READS, "POST": {**ADMINISTRATOR, "admin": "not_allowed"}},
    "account-new": {"GET": ADMINISTRATOR_READS, "POST": ADMINISTRATOR},
    "account": {"GET": ADMINISTRATOR_READS, "POST": ADMINISTRATOR},
    # « Mot de passe oublié ? » (decision 026): open to everyone, signed in or not; an empty form
    # is answered again (no mail, nothing written), an unknown link says it is not valid.
    "password_reset": {"GET": everyone("ok"), "POST": everyone("no_write")},
    "password_reset_done": {"GET": everyone("ok"), "POST": everyone("not_allowed")},
    "password_reset_confirm": {"GET": everyone("ok"), "POST": everyone("no_write")},
    "password_reset_complete": {"GET": everyone("ok"), "POST": everyone("not_allowed")},
    # Campaigns (decision 026): those who steer, who also open one from the list (an empty
    # form answers 400); no campaign here, so a campaign's page is « missing » to them (an empty
    # POST too).
    "campaigns": {"GET": STEERING, "POST": DIRECTION},
    "campaign": {
        "GET": {**STEERING, "controle": "missing", "admin": "missing"},
        "POST": {**STEERING, "controle": "missing", "admin": "missing"},
    },
    # The API's own pages (its operations are in API below).
    "api:openapi-json": {"GET": everyone("ok")},
    "api:openapi-view": {"GET": everyone("ok")},
    "api:api-root": {"GET": everyone("missing")},
}

# The Django admin, by the kind of view: only the administrator (staff) gets in.
ADMIN_ONLY = {"anonyme": "admin_login", **dict.fromkeys(SIGNED_IN, "admin_login"), "admin": "in"}
ADMIN_VIEWS = ("changelist", "add", "change", "delete", "history")
ADMIN_SPECIAL: dict[str, dict[str, str]] = {
    "admin:index": ADMIN_ONLY,
    "admin:app_list": ADMIN_ONLY,
    "admin:password_change": ADMIN_ONLY,
    "admin:password_change_done": ADMIN_ONLY,
    "admin:autocomplete": ADMIN_ONLY,
    "admin:auth_user_password_change": ADMIN_ONLY,
    "admin:login": {**everyone("ok"), "admin": "in"},  # the admin is sent on to the index
    "admin:logout": {**everyone("admin_index"), "admin": "not_allowed"},  # only POST signs out
    "admin:jsi18n": ADMIN_ONLY,
    "admin:view_on_site": {**ADMIN_ONLY, "admin": "missing"},  # no model has a public page
    "admin:object_redirect": ADMIN_ONLY,  # …/<id>/ → …/<id>/change/
    "admin:catch_all": ADMIN_ONLY,
}

# The API, by (method, path) of the OpenAPI document. Reading needs a token (or a session);
# writing needs a token, and the same rights as the pages.
API_READ = {"anonyme": "unauth", **dict.fromkeys(SIGNED_IN, "ok")}
API: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/api/v1/contract"): API_READ,
    ("GET", "/api/v1/indicators"): API_READ,
    ("GET", "/api/v1/indicators/{indicator_id}"): API_READ,
    ("GET", "/api/v1/targets"): API_READ,
    ("GET", "/api/v1/values"): API_READ,
    ("GET", "/api/v1/values/{subject}/history"): API_READ,
    ("GET", "/api/v1/statuses"): API_READ,
    ("GET", "/api/v1/challenges/{number}/status"): API_READ,
    ("GET", "/api/v1/reseau/caisses"): {**API_READ, **dict.fromkeys(SIGNED_IN, "denied")},
    ("GET", "/api/v1/reseau/indicateurs/{indicator_id}"): {
        **API_READ,
        **dict.fromkeys(SIGNED_IN, "denied"),
    },
    ("POST", "/api/v1/values"): only({"pilote", "controle", "admin"}, anonymous="unauth"),
    ("POST", "/api/v1/targets"): only({"controle", "admin"}, anonymous="unauth"),
}

# --- the routes, read from the configuration -----------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the URL name (namespaced), or a name given below for the admin's unnamed ones
    pattern: str  # e.g. « defis/<int:number>/ »
    pattern_obj: Any


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for item in patterns:
        if isinstance(item, URLResolver):
            inner = f"{namespace}:{item.namespace}" if namespace and item.namespace else ""
            yield from _walk(
                item.url_patterns,
                prefix + str(item.pattern),
                inner or item.namespace or namespace,
            )
        elif isinstance(item, URLPattern):
            name = item.name
            if name is None and namespace == "admin":
                name = "catch_all" if "(?P<url>" in str(item.pattern) else "object_redirect"
            key = f"{namespace}:{name}" if namespace else str(name)
            yield Route(key, prefix + str(item.pattern), item)


def routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def _admin_rule(key: str) -> dict[str, str] | None:
    if key in ADMIN_SPECIAL:
        return ADMIN_SPECIAL[key]
    if key.startswith("admin:") and key.rsplit("_", 1)[-1] in ADMIN_VIEWS:
        return ADMIN_ONLY
    return None


def _api_operation(key: str) -> bool:
    """An API operation's own route (checked through the OpenAPI table)."""
    return key.startswith("api:") and key not in PAGES


def test_every_route_is_in_the_table(client_for: Any) -> None:
    unlisted = sorted(
        r.key
        for r in routes()
        if r.key not in PAGES and _admin_rule(r.key) is None and not _api_operation(r.key)
    )
    assert unlisted == [], f"routes absentes de la matrice des droits : {unlisted}"
    assert {r.key for r in routes()} >= set(PAGES)  # no stale line either
    schema = client_for("lecteur").get("/api/v1/openapi.json").json()
    operations = {
        (method.upper(), "/api/v1" + path if not path.startswith("/api") else path)
        for path, item in schema["paths"].items()
        for method in item
    }
    assert operations == set(API), "opérations de l'API absentes de la matrice (ou en trop)"


# --- the world: one contract, one user per role, their tokens ----------------------------


@dataclass
class World:
    contract: Contract
    users: dict[str, User]
    keys: dict[str, str]  # API key of each signed-in role
    own_tokens: dict[str, int]  # a token of each signed-in role
    indicator: str
    measure: str
    action: str


def _of_challenge_one(contract: Contract) -> tuple[str, str, str]:
    challenge = next(c for c in contract.challenges if c.number == OWN_CHALLENGE)
    indicator = next(
        i.id
        for i in contract.indicators
        if challenges_of_subject(contract, "indicator", i.id) == {OWN_CHALLENGE}
    )
    measure = next(m.id for r in challenge.targeted_results for m in r.measures)
    return indicator, measure, challenge.actions[0].id


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module inside a transaction rolled back at its end; each test runs in
    a savepoint of it (pytest-django's ``db``), so nothing leaks into other tests."""
    from django.conf import settings

    from cpog import clock
    from cpog.contract import default_contract_path
    from cpog.store.contracts import current_contract, load_contract_version
    from cpog.store.demo import load_demo
    from cpog.web.models import ChallengePilot

    hashers = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_contract_version(default_contract_path(), "test:setup")
            _, contract = current_contract()
            load_demo(contract, clock.today())
            groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
            users: dict[str, User] = {
                "admin": User.objects.create_superuser("admin", "", "x"),
            }
            for name, role in (
                ("lecteur", Role.LECTEUR),
                ("pilote", Role.PILOTE),
                ("pilote_autre", Role.PILOTE),
                ("controle", Role.CONTROLE),
            ):
                users[name] = User.objects.create_user(name, "", "x")
                users[name].groups.add(groups[role])
            for name, number in (("pilote", OWN_CHALLENGE), ("pilote_autre", 2)):
                ChallengePilot.objects.create(
                    user=users[name], contract_id=contract.id, challenge_number=number
                )
            keys, own = {}, {}
            for name, user in users.items():
                token, keys[name] = ApiToken.issue(user, f"jeton de {name}")
                own[name] = token.pk
            yield World(contract, users, keys, own, *_of_challenge_one(contract))
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            settings.PASSWORD_HASHERS = hashers


# --- requests and outcomes ----------------------------------------------------------------


def _kwargs(route: Route, world: World, role: str) -> dict[str, Any]:
    """Values for the route's parameters, from the contract and the role."""
    converters = route.pattern_obj.pattern.converters
    names = list(converters) or list(route.pattern_obj.pattern.regex.groupindex)
    values: dict[str, Any] = {
        "number": OWN_CHALLENGE,
        "kind": "values",
        "fmt": "xlsx",
        "year": 2025,
        "month": "2026-11",
        "token_id": world.own_tokens.get(role, world.own_tokens["lecteur"]),
        "app_label": "web",
        "content_type_id": "1",
        "url": "nulle-part/",
        "key": "0" * 32,
        "id": world.users["lecteur"].pk,
        "user_id": world.users["lecteur"].pk,
        "definition": "cog-08-29",
        "campaign_id": 1,
        "uidb64": "MQ",
        "token": "jeton-invalide",
    }
    if route.key == "measure":
        values["subject_id"] = world.measure
    elif route.key == "action":
        values["action_id"] = world.action
    else:
        values["subject_id"] = world.indicator
    if "object_id" in names:
        values["object_id"] = _admin_object_id(route)
    return {name: values[name] for name in names}


def _admin_object_id(route: Route) -> str:
    """The first row of the admin's model, or « 0 » when the table is empty."""
    from django.contrib import admin

    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if route.key.startswith(prefix) or route.pattern.startswith(
            f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        ):
            first = model_admin.model._default_manager.order_by("pk").first()
            return str(first.pk) if first is not None else "0"
    return "0"


def _url(route: Route, world: World, role: str) -> str:
    from django.urls import reverse

    kwargs = _kwargs(route, world, role)
    if route.key.endswith(":catch_all"):
        return "/admin/nulle-part/"
    if route.key.endswith(":object_redirect"):
        base = route.pattern.split("<", 1)[0]
        return f"/{base}{kwargs['object_id']}/"
    return reverse(route.key, kwargs=kwargs)


def _client(world: World, role: str, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if role != "anonyme":
        client.force_login(world.users[role])
    return client


def _outcome(response: Any) -> str:
    status = response.status_code
    location = response.get("Location", "")
    if status == 302 and location.startswith("/connexion/"):
        return "login"
    if status == 302 and location.startswith("/admin/login/"):
        return "admin_login"
    if status == 302 and location == "/admin/":
        return "admin_index"
    return {200: "ok", 401: "unauth", 403: "denied", 404: "missing", 405: "not_allowed"}.get(
        status, str(status)
    )


def _agrees(expected: str, response: Any, wrote: bool) -> bool:
    outcome = _outcome(response)
    if response.status_code >= 500:
        return False
    if expected == "allowed":
        return outcome not in ("login", "admin_login", "unauth", "denied") and not wrote
    if expected == "written":  # a write the role may make, done and audited
        return response.status_code < 400 and outcome != "login" and wrote
    if expected == "no_write":
        return not wrote and outcome not in ("unauth",)
    if expected == "in":  # the administrator reaches the admin (a page, a redirect, a refusal
        return outcome not in ("login", "admin_login")  # of a read-only table)
    return outcome == expected and (not wrote or expected == "ok")


def _request(client: Client, method: str, url: str, **extra: Any) -> tuple[Any, bool]:
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    response = client.get(url, **extra) if method == "GET" else client.post(url, **extra)
    after = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return response, after != before


def _page_rules(key: str) -> dict[str, dict[str, str]]:
    if key in PAGES:
        return PAGES[key]
    rule = _admin_rule(key)
    return {"GET": rule} if rule is not None else {}


@pytest.mark.parametrize("role", ROLES)
def test_pages_for_each_role(db: None, world: World, role: str) -> None:
    wrong = []
    client = _client(world, role)  # one session for the role; signing out gets its own
    for route in routes():
        if _api_operation(route.key):
            continue
        url = _url(route, world, role)
        for method, by_role in _page_rules(route.key).items():
            signs_out = route.key.endswith("logout")
            response, wrote = _request(_client(world, role) if signs_out else client, method, url)
            if not _agrees(by_role[role], response, wrote):
                wrong.append(
                    f"{method} {url} ({route.key}) : attendu {by_role[role]}, "
                    f"obtenu {_outcome(response)}{' avec écriture' if wrote else ''}"
                )
    assert wrong == [], f"{role} :\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", SIGNED_IN)
def test_every_form_post_without_csrf_token_is_refused(db: None, world: World, role: str) -> None:
    wrong = []
    for route in routes():
        if route.key not in PAGES or "POST" not in PAGES[route.key]:
            continue
        url = _url(route, world, role)
        response, wrote = _request(_client(world, role, csrf=True), "POST", url)
        if response.status_code != 403 or wrote:
            wrong.append(f"POST {url} sans jeton CSRF : {response.status_code}")
    assert wrong == [], f"{role} :\n" + "\n".join(wrong)


def test_revoking_is_for_ones_own_tokens(db: None, world: World) -> None:
    """token-revoke's POST: the owner revokes (audited), anyone else finds nothing."""
    token = world.own_tokens["lecteur"]
    for role in ("pilote", "controle", "admin"):
        response, wrote = _request(_client(world, role), "POST", f"/jetons/{token}/revoquer/")
        assert response.status_code == 404 and not wrote, role
    response, wrote = _request(_client(world, "lecteur"), "POST", f"/jetons/{token}/revoquer/")
    assert response.status_code == 302 and wrote


def _api_path(path: str, world: World) -> str:
    return path.format(indicator_id=world.indicator, subject=world.indicator, number=OWN_CHALLENGE)


def _api_body(path: str, world: World) -> str:
    """A body that a role allowed to write sees refused by validation (422), so that the matrix
    writes nothing: a value that is not a number for a subject of défi n°1; no target at all."""
    if path.endswith("/values"):
        return json.dumps(
            [{"identifiant": world.indicator, "periode": "2025", "valeur": "beaucoup"}]
        )
    return "[]"


@pytest.mark.parametrize("role", ROLES)
def test_api_for_each_role(db: None, world: World, role: str) -> None:
    headers = {} if role == "anonyme" else {"Authorization": f"Bearer {world.keys[role]}"}
    client = Client(headers=headers)
    wrong = []
    for (method, path), by_role in API.items():
        url = _api_path(path, world)
        if method == "GET":
            response, wrote = _request(client, "GET", url)
        else:
            body = _api_body(path, world)
            response, wrote = _request(
                client, "POST", url, data=body, content_type="application/json"
            )
        expected = by_role[role]
        agrees = _agrees(expected, response, wrote)
        if expected == "allowed":
            agrees = agrees and response.status_code == 422  # refused by validation only
        if not agrees:
            wrong.append(f"{method} {url} : attendu {expected}, obtenu {response.status_code}")
        if response.status_code >= 400:
            assert response.json()["ok"] is False, url  # the API's error shape
    assert wrong == [], f"{role} :\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", SIGNED_IN)
def test_api_writes_need_a_token_not_a_session(db: None, world: World, role: str) -> None:
    client = _client(world, role)
    for (method, path), _ in API.items():
        if method != "POST":
            continue
        response, wrote = _request(
            client, "POST", _api_path(path, world), data=_api_body(path, world),
            content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 401 and not wrote, (role, path)
