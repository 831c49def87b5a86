"""Single sign-on end to end against a real OpenID Connect provider (issue 13, decision 025).

The provider is oidc-provider-mock: a real server (discovery, JWKS, authorization form, token
endpoint issuing RS256-signed id_tokens, userinfo) started on a free loopback port for each test.
cpog is served by pytest-django's live server; a ``requests.Session`` plays the browser: it clicks
cpog's « Se connecter avec … » button, follows the redirect to the provider, submits the
provider's form with the person's ``sub`` (which picks their claims), follows back to cpog's
callback and lands signed in. Nothing of the client library is mocked.

Without the provider package the tests are skipped, unless ``CPOG_REQUIRE_OIDC=1`` (CI) makes
that a failure.
"""

from __future__ import annotations

import html
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth.models import User

from cpog.store.models import AuditEvent
from cpog.store.roles import Role, role_of
from cpog.web.models import ChallengePilot, SsoIdentity, UserScope
from cpog.web.sso_config import SsoConfig

AUTHLIB_IMPORT_WARNINGS = ("The httpx module is deprecated", "authlib.jose module is deprecated")
# The provider runs in a thread of the test process: authlib's deprecation warning about the
# provider's own configuration hook (``get_jwt_config``), raised while it issues a token, is its
# maintainers' matter, not a fault of cpog; ignored by its exact words only.
pytestmark = pytest.mark.filterwarnings(
    r"ignore:get_jwt_config\(self, grant\) is deprecated:DeprecationWarning"
)

try:
    with warnings.catch_warnings():
        # authlib, which oidc-provider-mock uses, warns at import that two of its modules are
        # deprecated (its httpx client, its jose): the provider's code, not cpog's. Its own
        # module sets an « always » filter for them when imported, hence ours after it.
        import authlib.deprecate  # noqa: F401

        for message in AUTHLIB_IMPORT_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=DeprecationWarning)
        import oidc_provider_mock
except ImportError as error:  # pragma: no cover - the dev dependency is missing
    oidc_provider_mock = None
    MISSING = str(error)
else:
    MISSING = ""

PASSWORD = "mot-de-passe-de-test-1"
GROUPS = """\
groupes:
  CAF-CONTROLE:
    role: controle_gestion
  CAF-PILOTES-DEFI-1:
    role: pilote
    defis: [1]
  CAF-LECTEURS:
    role: lecteur
  CNAF-RESEAU:
    role: lecteur
    caisse: reseau
"""


@pytest.fixture(autouse=True)
def _require_provider() -> None:
    if oidc_provider_mock is not None:
        return
    reason = f"oidc-provider-mock absent ({MISSING}) : « make setup » l'installe (groupe dev)."
    if os.environ.get("CPOG_REQUIRE_OIDC") == "1":
        pytest.fail(f"{reason} CPOG_REQUIRE_OIDC=1 exige les tests d'authentification unique.")
    pytest.skip(reason)


@dataclass
class Provider:
    issuer: str

    def set_claims(self, sub: str, **claims: Any) -> None:
        """The provider's record of ``sub`` (its own API: PUT /users/<sub>)."""
        answer = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=10)
        assert answer.status_code == 204, answer.text


@pytest.fixture
def provider() -> Iterator[Provider]:
    from cpog.web import sso

    sso.forget_providers()
    with oidc_provider_mock.run_server_in_thread(port=0) as server:
        yield Provider(f"http://localhost:{server.server_port}")
    sso.forget_providers()


@dataclass
class Site:
    url: str
    provider: Provider
    contract: Any
    groups_file: Path

    def configure(self, settings: Any, **changes: Any) -> None:
        settings.SSO_CONFIG = SsoConfig(
            issuer=self.provider.issuer,
            client_id="cpog-test",
            client_secret="secret-de-test",
            groups_file=self.groups_file,
            name="l'annuaire de test",
            **changes,
        )


@pytest.fixture
def site(
    live_server: Any, transactional_db: None, provider: Provider, settings: Any, tmp_path: Path
) -> Site:
    from cpog.contract import default_contract_path
    from cpog.store.contracts import current_contract, load_contract_version

    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_contract_version(default_contract_path(), "test:setup")
    _, contract = current_contract()
    groups_file = tmp_path / "groupes.yaml"
    groups_file.write_text(GROUPS, encoding="utf-8")
    found = Site(live_server.url, provider, contract, groups_file)
    found.configure(settings)
    return found


def sso_login(
    site: Site, session: requests.Session, sub: str, where: str = "/connexion/"
) -> requests.Response:
    """Click the button of the sign-in page ``where``, pass the provider's form as ``sub``, follow
    back to cpog's callback; the callback's answer (not followed)."""
    page = session.get(f"{site.url}{where}", timeout=10)
    assert page.status_code == 200
    button = re.search(r'id="sso-login" href="([^"]+)">Se connecter avec ([^<]+)<', page.text)
    assert button is not None, page.text
    assert html.unescape(button.group(2)) == "l'annuaire de test"
    start = session.get(site.url + html.unescape(button.group(1)), allow_redirects=False)
    assert start.status_code == 302
    authorize = start.headers["Location"]
    assert authorize.startswith(f"{site.provider.issuer}/")
    form = session.get(authorize, timeout=10)
    assert form.status_code == 200 and 'name="sub"' in form.text
    back = session.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    callback = back.headers["Location"]
    assert callback.startswith(f"{site.url}/connexion/annuaire/retour/?")
    return session.get(callback, allow_redirects=False, timeout=30)


def signed_in(site: Site, session: requests.Session) -> bool:
    home = session.get(f"{site.url}/", allow_redirects=False, timeout=30)
    return home.status_code == 200


def subject_of(site: Site, number: int, other: int) -> str:
    """An indicator of défi ``number`` that défi ``other`` does not list."""
    from cpog.steering import challenges_of_subject

    for indicator in site.contract.indicators:
        found = challenges_of_subject(site.contract, "indicator", indicator.id)
        if number in found and other not in found:
            return str(indicator.id)
    raise AssertionError(f"no indicator of défi {number} without défi {other}")


def events_of(username: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(entity_type="user_account", entity_id=username).order_by("id")
    )


# --- the flow -----------------------------------------------------------------------------------


def test_a_pilot_signs_in_and_gets_their_defi(site: Site) -> None:
    site.provider.set_claims(
        "sub-marie",
        preferred_username="mpilote",
        email="marie.pilote@caf.example",
        given_name="Marie",
        family_name="Pilote",
        groups=["CAF-PILOTES-DEFI-1", "UN-AUTRE-GROUPE"],
    )
    session = requests.Session()
    answer = sso_login(site, session, "sub-marie")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert signed_in(site, session)

    user = User.objects.get(username="mpilote")
    assert (user.first_name, user.last_name, user.email) == (
        "Marie",
        "Pilote",
        "marie.pilote@caf.example",
    )
    assert not user.has_usable_password()
    assert role_of(user) == Role.PILOTE
    assert set(
        ChallengePilot.objects.filter(user=user).values_list("contract_id", "challenge_number")
    ) == {(site.contract.id, 1)}
    scope = UserScope.objects.get(user=user)
    assert (scope.caisse_code, scope.network) == (site.contract.organisation.code, False)
    identity = SsoIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (site.provider.issuer, "sub-marie")
    assert identity.groups == ["CAF-PILOTES-DEFI-1"]  # only the groups cpog maps are kept
    events = events_of("mpilote")
    assert [e.action for e in events] == ["create", "update"]
    assert all(e.user == "mpilote" for e in events)
    assert events[1].after is not None and events[1].after["role"] == Role.PILOTE.value
    assert events[1].after["challenges"] == [1]
    assert events[1].context == "Connexion par l'annuaire de test (groupes : CAF-PILOTES-DEFI-1)"

    # The pages follow: défi 1's indicator offers the entry forms, défi 2's does not.
    own = session.get(f"{site.url}/indicateurs/{subject_of(site, 1, 2)}/", timeout=30)
    assert own.status_code == 200 and 'class="analysis-form"' in own.text
    other_id = subject_of(site, 2, 1)
    other = session.get(f"{site.url}/indicateurs/{other_id}/", timeout=30)
    assert other.status_code == 200 and 'class="analysis-form"' not in other.text
    assert "pas de saisir des valeurs" in other.text
    refused = session.post(
        f"{site.url}/indicateurs/{other_id}/",
        data={"action": "analysis", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        timeout=30,
    )
    assert refused.status_code == 403


def test_groups_are_read_again_at_each_sign_in(site: Site) -> None:
    site.provider.set_claims(
        "sub-paul", preferred_username="pcontrole", groups=["CAF-CONTROLE", "CAF-PILOTES-DEFI-1"]
    )
    assert sso_login(site, requests.Session(), "sub-paul").status_code == 302
    user = User.objects.get(username="pcontrole")
    assert role_of(user) == Role.CONTROLE
    assert not ChallengePilot.objects.filter(user=user).exists()  # défis are a pilot's only

    # The directory removes the group « contrôle »: at the next sign-in the role goes with it.
    site.provider.set_claims(
        "sub-paul", preferred_username="pcontrole", groups=["CAF-PILOTES-DEFI-1"]
    )
    assert sso_login(site, requests.Session(), "sub-paul").status_code == 302
    user = User.objects.get(username="pcontrole")
    assert role_of(user) == Role.PILOTE
    assert list(
        ChallengePilot.objects.filter(user=user).values_list("challenge_number", flat=True)
    ) == [1]
    last = events_of("pcontrole")[-1]
    assert last.action == "update" and last.user == "pcontrole"
    assert last.before is not None and last.before["role"] == Role.CONTROLE.value
    assert last.after is not None and last.after["role"] == Role.PILOTE.value

    # The same groups again: nothing changes, nothing is audited.
    count = len(events_of("pcontrole"))
    assert sso_login(site, requests.Session(), "sub-paul").status_code == 302
    assert len(events_of("pcontrole")) == count

    # A network group: the account sees every caisse.
    site.provider.set_claims("sub-paul", preferred_username="pcontrole", groups=["CNAF-RESEAU"])
    assert sso_login(site, requests.Session(), "sub-paul").status_code == 302
    scope = UserScope.objects.get(user__username="pcontrole")
    assert scope.network
    assert role_of(User.objects.get(username="pcontrole")) == Role.LECTEUR


def test_no_mapped_group_no_access(site: Site) -> None:
    site.provider.set_claims("sub-zoe", preferred_username="zoe", groups=["COMPTABILITE"])
    session = requests.Session()
    answer = sso_login(site, session, "sub-zoe")
    assert answer.status_code == 403
    assert "Votre compte n'a aucun rôle dans cpog : demandez" in html.unescape(answer.text)
    assert not User.objects.filter(username="zoe").exists()
    assert not signed_in(site, session)

    # A person who had access and lost every group: the account is deactivated, and audited.
    site.provider.set_claims("sub-zoe", preferred_username="zoe", groups=["CAF-LECTEURS"])
    assert sso_login(site, requests.Session(), "sub-zoe").status_code == 302
    site.provider.set_claims("sub-zoe", preferred_username="zoe", groups=[])
    session = requests.Session()
    assert sso_login(site, session, "sub-zoe").status_code == 403
    assert not signed_in(site, session)
    assert not User.objects.get(username="zoe").is_active
    assert events_of("zoe")[-1].action == "deactivate"
    # Given a group again, the account comes back.
    site.provider.set_claims("sub-zoe", preferred_username="zoe", groups=["CAF-LECTEURS"])
    assert sso_login(site, requests.Session(), "sub-zoe").status_code == 302
    assert User.objects.get(username="zoe").is_active
    assert events_of("zoe")[-1].action == "reactivate"


def test_a_forged_or_replayed_answer_is_refused(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    site.provider.set_claims("sub-eve", preferred_username="eve", groups=["CAF-LECTEURS"])
    session = requests.Session()
    start = f"{site.url}/connexion/annuaire/"
    first = session.get(start, allow_redirects=False, timeout=30).headers["Location"]
    second = session.get(start, allow_redirects=False, timeout=30).headers["Location"]
    back = session.post(second, data={"sub": "sub-eve"}, allow_redirects=False, timeout=10)
    code = re.search(r"code=([^&]+)", back.headers["Location"])
    first_state = re.search(r"state=([^&]+)", first)
    assert code is not None and first_state is not None
    callback = f"{site.url}/connexion/annuaire/retour/?code={code.group(1)}"

    # A state cpog never issued: refused before the provider is asked.
    forged = session.get(f"{callback}&state=inconnu", timeout=30)
    assert forged.status_code == 403
    assert "n'a pas abouti" in html.unescape(forged.text)
    assert "state not found in session" in caplog.text
    # The second login's code under the first login's state: the provider's signed id_token
    # carries the second login's nonce, not the one cpog kept for the first state.
    swapped = session.get(f"{callback}&state={first_state.group(1)}", timeout=30)
    assert swapped.status_code == 403
    assert "JWT Nonce verification failed" in caplog.text
    assert not signed_in(site, session)
    assert not User.objects.filter(username="eve").exists()

    # A real answer signs in once; the same answer again is refused (its state is spent).
    caplog.clear()
    session = requests.Session()
    answer = sso_login(site, session, "sub-eve")
    assert answer.status_code == 302
    again = session.get(answer.request.url or "", allow_redirects=False, timeout=30)
    assert again.status_code == 403
    assert "state not found in session" in caplog.text


def test_a_local_account_of_the_same_name_is_not_taken_over(site: Site, settings: Any) -> None:
    User.objects.create_user("mdupont", "m.dupont@caf.example", PASSWORD)
    site.provider.set_claims("sub-md", preferred_username="mdupont", groups=["CAF-LECTEURS"])
    answer = sso_login(site, requests.Session(), "sub-md")
    assert answer.status_code == 403
    assert "Un compte « mdupont » existe déjà" in html.unescape(answer.text)
    assert User.objects.get(username="mdupont").has_usable_password()

    site.configure(settings, link_accounts=True)
    assert sso_login(site, requests.Session(), "sub-md").status_code == 302
    user = User.objects.get(username="mdupont")
    assert not user.has_usable_password()
    assert SsoIdentity.objects.get(user=user).subject == "sub-md"


def test_linking_never_takes_an_administrator_nor_an_unverified_address(
    site: Site, settings: Any
) -> None:
    site.configure(settings, link_accounts=True)
    User.objects.create_superuser("secours", "secours@caf.example", PASSWORD)
    site.provider.set_claims("sub-s", preferred_username="secours", groups=["CAF-CONTROLE"])
    answer = sso_login(site, requests.Session(), "sub-s")
    assert answer.status_code == 403
    text = html.unescape(answer.text)
    assert "Un compte « secours » existe déjà" in text
    assert "Un compte d'administrateur n'est jamais lié à l'annuaire." in text
    assert User.objects.get(username="secours").has_usable_password()
    assert not SsoIdentity.objects.exists()

    # The name from the e-mail claim: linked only when the provider verified the address.
    User.objects.create_user("m.dupont@caf.example", "m.dupont@caf.example", PASSWORD)
    for verified in (None, False, "true"):
        claims = {"email": "m.dupont@caf.example", "groups": ["CAF-LECTEURS"]}
        if verified is not None:
            claims["email_verified"] = verified
        site.provider.set_claims("sub-md", **claims)
        refused = sso_login(site, requests.Session(), "sub-md")
        assert refused.status_code == 403, verified
        assert "demande que l'annuaire de test l'ait vérifiée" in html.unescape(refused.text)
        assert User.objects.get(username="m.dupont@caf.example").has_usable_password()
    site.provider.set_claims(
        "sub-md", email="m.dupont@caf.example", email_verified=True, groups=["CAF-LECTEURS"]
    )
    assert sso_login(site, requests.Session(), "sub-md").status_code == 302
    linked = User.objects.get(username="m.dupont@caf.example")
    assert not linked.has_usable_password()
    assert SsoIdentity.objects.get(user=linked).subject == "sub-md"


EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "oidc-groupes.exemple.yaml"


def test_no_role_of_one_group_with_the_scope_of_another(site: Site) -> None:
    """The shipped groups file: contrôle de gestion (installation's caisse) and lecteur of the
    network give contrôle de gestion of caisse 79, never over every caisse."""
    site.groups_file.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    site.provider.set_claims(
        "sub-cg",
        preferred_username="cgestion",
        groups=["CAF79-CPOG-CONTROLE-DE-GESTION", "CNAF-CPOG-RESEAU"],
    )
    session = requests.Session()
    assert sso_login(site, session, "sub-cg").status_code == 302
    user = User.objects.get(username="cgestion")
    assert role_of(user) == Role.CONTROLE
    scope = UserScope.objects.get(user=user)
    assert (scope.caisse_code, scope.network) == ("79", False)
    assert session.get(f"{site.url}/reseau/", allow_redirects=False, timeout=30).status_code in (
        302,
        403,
        404,
    )


def test_a_group_without_caisse_is_the_installations(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In an installation of caisse 86, a group without ``caisse`` is caisse 86: its role does
    not go with the caisse 79 of another group."""
    from cpog.store.contracts import store_contract

    organisation = site.contract.organisation.model_copy(update={"code": "86", "name": "Vienne"})
    store_contract(
        site.contract.model_copy(update={"id": "caf-86-test", "organisation": organisation}),
        "test",
        "test",
    )
    monkeypatch.setenv("CPOG_CAISSE", "86")
    site.groups_file.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    site.provider.set_claims(
        "sub-cg",
        preferred_username="cgestion",
        groups=["CAF79-CPOG-CONTROLE-DE-GESTION", "CAF79-CPOG-LECTEURS"],
    )
    assert sso_login(site, requests.Session(), "sub-cg").status_code == 302
    user = User.objects.get(username="cgestion")
    assert role_of(user) == Role.CONTROLE
    scope = UserScope.objects.get(user=user)
    assert (scope.caisse_code, scope.network) == ("86", False)


def test_sign_out_ends_the_provider_session_too(site: Site) -> None:
    site.provider.set_claims("sub-leo", preferred_username="leo", groups=["CAF-LECTEURS"])
    session = requests.Session()
    # Sent to sign in from a page, the person comes back to it.
    back = sso_login(site, session, "sub-leo", "/connexion/?next=/defis/2/")
    assert back.status_code == 302 and back.headers["Location"] == "/defis/2/"
    out = session.post(
        f"{site.url}/deconnexion/",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=30,
    )
    assert out.status_code == 302
    end = out.headers["Location"]
    assert end.startswith(f"{site.provider.issuer}/oauth2/end_session?")
    assert "id_token_hint=" in end
    assert (
        "post_logout_redirect_uri=" + requests.utils.quote(f"{site.url}/connexion/", safe="") in end
    )
    assert not signed_in(site, session)
    assert session.get(end, timeout=10).status_code == 200  # the provider's own sign-out page


# --- local accounts beside SSO ------------------------------------------------------------------


def local_login(site: Site, username: str) -> requests.Response:
    session = requests.Session()
    session.get(f"{site.url}/connexion/", timeout=30)
    return session.post(
        f"{site.url}/connexion/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=30,
    )


def test_local_accounts_open_or_closed(site: Site, settings: Any) -> None:
    User.objects.create_user("lecteur", "lecteur@caf.example", PASSWORD)
    User.objects.create_superuser("secours", "secours@caf.example", PASSWORD)
    assert local_login(site, "lecteur").status_code == 302

    settings.SSO_LOCAL_ACCOUNTS = False
    page = requests.get(f"{site.url}/connexion/", timeout=30).text
    assert "Connexion de secours (administrateurs)" in page and 'id="sso-login"' in page
    refused = local_login(site, "lecteur")
    assert refused.status_code == 200
    assert (
        "Identifiant ou mot de passe incorrect. Les comptes locaux sont désactivés : seul un "
        "administrateur peut se connecter avec un mot de passe ; les autres se connectent avec "
        "l'annuaire de test."
    ) in html.unescape(refused.text)
    assert local_login(site, "secours").status_code == 302  # break-glass administrator


def test_an_unreachable_provider_is_told_in_french(site: Site, settings: Any) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site.provider = Provider(f"http://127.0.0.1:{port}")
    site.configure(settings)
    answer = requests.get(f"{site.url}/connexion/annuaire/", allow_redirects=False, timeout=30)
    assert answer.status_code == 503
    text = html.unescape(answer.text)
    assert f"Le fournisseur d'identité ne répond pas (http://127.0.0.1:{port}/.well-known" in text
    # local sign-in still works meanwhile
    User.objects.create_user("lecteur", "lecteur@caf.example", PASSWORD)
    assert local_login(site, "lecteur").status_code == 302


def test_single_sign_on_off_by_default(site: Site, settings: Any) -> None:
    settings.SSO_CONFIG = None
    page = requests.get(f"{site.url}/connexion/", timeout=30)
    assert 'id="sso-login"' not in page.text and 'name="password"' in page.text
    for path in ("/connexion/annuaire/", "/connexion/annuaire/retour/?code=x&state=y"):
        assert requests.get(f"{site.url}{path}", timeout=30).status_code == 404


def test_refused_directory_logins_lock_nobody_out(site: Site) -> None:
    """Five failed password attempts lock (account, address) for a quarter of an hour (decision
    008); a refused SSO login is no password guess and must not count: everyone behind the
    same proxy shares its address and, to the lockout, the same empty user name."""
    site.provider.set_claims("sub-x", preferred_username="x", groups=["COMPTABILITE"])
    for _ in range(6):
        assert sso_login(site, requests.Session(), "sub-x").status_code == 403
    site.provider.set_claims("sub-ana", preferred_username="ana", groups=["CAF-LECTEURS"])
    session = requests.Session()
    assert sso_login(site, session, "sub-ana").status_code == 302
    assert signed_in(site, session)


def test_the_groups_claim_is_configurable(site: Site, settings: Any) -> None:
    site.configure(settings, groups_claim="cpog_groupes")
    site.provider.set_claims(
        "sub-ines", preferred_username="ines", groups=["CAF-CONTROLE"], cpog_groupes="CAF-LECTEURS"
    )
    assert sso_login(site, requests.Session(), "sub-ines").status_code == 302
    assert role_of(User.objects.get(username="ines")) == Role.LECTEUR
