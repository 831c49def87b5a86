"""Single sign-on by OpenID Connect, with mozilla-django-oidc (decision 025).

Off unless ``CPOG_OIDC_ISSUER`` is set (:mod:`cpog.web.sso_config`, read into
``settings.SSO_CONFIG``). Everything here reads ``django.conf.settings`` when called, never at
import, so that tests can switch SSO on with ``override_settings``.

- The provider's endpoints come from its discovery document
  (``<issuer>/.well-known/openid-configuration``), fetched on the first SSO login of a process and
  kept an hour: the server starts even if the provider is down (local administrators can still
  sign in), and a provider that moves its endpoints is followed. An unreachable or invalid
  provider is told in French (503) on the login button's page.
- At each SSO login, the account is found by (issuer, subject) (:class:`SsoIdentity`), created on
  the first one (name from ``preferred_username``, else ``email``, else ``sub``), and given the
  role, défis and caisse its groups give today (:mod:`cpog.web.sso_mapping`); a change is audited
  (:func:`cpog.web.accounts.set_access`). No mapped group: no account is created, an existing one
  is deactivated, and the person reads a French page saying whom to ask.
- A local account of the same name is never taken over silently: refused, unless
  ``CPOG_OIDC_LIER_COMPTES=1`` links it (its password is then made unusable); never a
  superuser's, nor by an ``email`` claim the provider has not verified.
- A session opened here ends when its account is deactivated (:meth:`SsoBackend.get_user`).
- ``CPOG_COMPTES_LOCAUX=0`` closes password sign-in except to administrators (break-glass); the
  others read the message of a wrong password, right password or not.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from cpog.store import audit
from cpog.store.contracts import contract_id_of_caisse
from cpog.web import accounts, sso_mapping
from cpog.web.models import SsoIdentity
from cpog.web.sso_config import SsoConfig

log = logging.getLogger("cpog.sso")

DISCOVERY_SECONDS = 3600  # how long a provider's discovery document is kept
TIMEOUT_SECONDS = 10  # a call to the provider, each
_REFUSAL = "_cpog_sso_refusal"
_SSO_SESSION = "cpog_sso"  # the session was opened by single sign-on


class ProviderUnavailable(Exception):
    """The provider's discovery failed: a French sentence naming its address."""


def config() -> SsoConfig | None:
    found: SsoConfig | None = getattr(settings, "SSO_CONFIG", None)
    return found


def local_accounts_open() -> bool:
    return bool(getattr(settings, "SSO_LOCAL_ACCOUNTS", True))


# --- discovery ----------------------------------------------------------------------------------

_REQUIRED = ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")
_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def provider(conf: SsoConfig) -> dict[str, Any]:
    """The provider's discovery document, checked (issuer, endpoints); kept an hour."""
    with _lock:
        cached = _discovered.get(conf.issuer)
        if cached is not None and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
            return cached[1]
    url = conf.discovery_url
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
    except requests.RequestException as error:
        raise ProviderUnavailable(
            f"Le fournisseur d'identité ne répond pas ({url}) : {type(error).__name__}. "
            "Réessayez plus tard ou prévenez le service informatique."
        ) from None
    except ValueError:
        raise ProviderUnavailable(
            f"Le fournisseur d'identité a répondu sans document de découverte valide ({url})."
        ) from None
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"Document de découverte invalide ({url}).")
    missing = [key for key in _REQUIRED if not isinstance(document.get(key), str)]
    if missing:
        raise ProviderUnavailable(
            f"Document de découverte incomplet ({url}) : {', '.join(missing)} manquant."
        )
    if str(document.get("issuer", "")).rstrip("/") != conf.issuer:
        raise ProviderUnavailable(
            f"Le document de découverte ({url}) annonce l'émetteur « {document.get('issuer')} » "
            f"et non « {conf.issuer} » (CPOG_OIDC_ISSUER) : corrigez l'adresse."
        )
    with _lock:
        _discovered[conf.issuer] = (time.monotonic(), document)
    return document


def forget_providers() -> None:
    """Drop the kept discovery documents (tests, or after a provider's change)."""
    with _lock:
        _discovered.clear()


def _sign_algo(document: dict[str, Any]) -> str:
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    return "RS256" if "RS256" in offered else str(offered[0])


# --- the backend --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    title: str
    message: str
    status: int = 403


def _username(claims: dict[str, Any]) -> tuple[str, str]:
    """``preferred_username``, else ``email``, else ``sub``: the first one Django accepts, and the
    claim it came from."""
    for key in ("preferred_username", "email", "sub"):
        value = str(claims.get(key) or "").strip()
        if (
            value
            and len(value) <= accounts.USERNAME_MAX
            and all(c.isalnum() or c in "@.+-_" for c in value)
        ):
            return key, value
    raise SuspiciousOperation("no usable user name in the claims")


def _groups(claims: dict[str, Any], claim: str) -> list[str]:
    value = claims.get(claim) or []
    if isinstance(value, str):
        value = [value]
    return [str(g) for g in value] if isinstance(value, list) else []


class SsoBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's backend, configured from ``settings.SSO_CONFIG`` when called, and
    giving accounts their role, défis and caisse from the groups file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No settings read here: Django builds a backend for every request of a signed-in user.
        self.UserModel = get_user_model()

    def get_user(self, user_id: Any) -> Any:
        """The signed-in user of a session opened by single sign-on, or None (signed out) when the
        account was deactivated since: the library's own returns inactive users too."""
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        conf = config()
        # Only the callback (which passes the nonce) signs in through here, never a password form.
        if conf is None or request is None or "nonce" not in kwargs or "password" in kwargs:
            return None
        document = provider(conf)
        self.OIDC_OP_TOKEN_ENDPOINT = document["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = document["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = document["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = conf.client_id
        self.OIDC_RP_CLIENT_SECRET = conf.client_secret
        self.OIDC_RP_SIGN_ALGO = _sign_algo(document)
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.config = conf
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        """The library checks the signature and the nonce; the issuer and the audience too."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if str(payload.get("iss", "")).rstrip("/") != self.config.issuer:
            raise SuspiciousOperation("id_token issued by another provider")
        if self.config.client_id not in audiences:
            raise SuspiciousOperation("id_token issued for another client")
        return payload

    def retrieve_matching_jwk(self, token: str) -> Any:
        """The provider's key for ``token``: the library wants a ``kid`` in the token's header,
        which RFC 7515 makes optional; without one, the only key of the right algorithm."""
        import jwt

        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("use", "sig") == "sig"
            and key.get("alg", self.OIDC_RP_SIGN_ALGO) == self.OIDC_RP_SIGN_ALGO
        ]
        if len(keys) != 1:
            raise SuspiciousOperation("id_token without kid and no single matching key")
        return jwt.PyJWK(keys[0])

    def get_or_create_user(self, access_token: str, id_token: str, payload: Any) -> Any:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo does not match the id_token's subject")
        # Some providers put the groups in the id_token only (Azure AD), others in userinfo only.
        outcome = sign_in(self.config, {**payload, **userinfo})
        if isinstance(outcome, Refusal):
            setattr(self.request, _REFUSAL, outcome)
            return None
        return outcome


def _context(conf: SsoConfig, groups: list[str]) -> str:
    shown = ", ".join(groups) or "aucun"
    return f"Connexion par {conf.name} (groupes : {shown})"


def sign_in(conf: SsoConfig, claims: dict[str, Any]) -> Any:
    """The account of the person ``claims`` describe, with the access their groups give today,
    or a :class:`Refusal`. Everything in one transaction."""
    subject = str(claims["sub"])
    groups = _groups(claims, conf.groups_claim)
    try:
        mapping = sso_mapping.checked(conf.groups_file)
    except sso_mapping.MappingError as error:
        log.error("groups file refused: %s", error)
        return Refusal(
            "Connexion impossible",
            "La table des groupes de l'annuaire est invalide ; prévenez l'administrateur de "
            f"cpog. {' '.join(error.messages)}",
            503,
        )
    try:
        given = sso_mapping.grant(mapping, groups)
    except sso_mapping.ScopeConflict as error:
        return Refusal(
            "Connexion refusée",
            f"Connexion refusée : {error}. Demandez à l'administrateur de cpog de corriger vos "
            "groupes dans l'annuaire.",
        )
    # Only the groups cpog maps are kept and audited: a directory may give hundreds.
    context = _context(conf, list(given.groups))
    caisse = given.caisse
    with transaction.atomic():
        identity = (
            SsoIdentity.objects.select_related("user")
            .filter(issuer=conf.issuer, subject=subject)
            .first()
        )
        if identity is None:
            if given.role is None:
                return _no_role(conf)
            found = _new_account(conf, claims, subject, context, caisse)
            if isinstance(found, Refusal):
                return found
            identity = found
        user = identity.user
        identity.groups = list(given.groups)
        identity.last_seen_at = timezone.now()
        identity.save(update_fields=["groups", "last_seen_at"])
        username = user.get_username()
        if given.role is None:
            accounts.withdraw(user, username, context=context)
            return _no_role(conf)
        _names(user, claims)
        accounts.set_access(user, given.role, _pilots(given), caisse, username, context=context)
    user.refresh_from_db()
    return user


def _pilots(given: sso_mapping.Grant) -> set[tuple[str, int]]:
    found: set[tuple[str, int]] = set()
    for caisse, number in given.challenges:
        contract_id = contract_id_of_caisse(caisse)
        if contract_id:
            found.add((contract_id, number))
    return found


def _names(user: Any, claims: dict[str, Any]) -> None:
    """Name and e-mail follow the directory (not audited: not an access)."""
    fields = {
        "first_name": str(claims.get("given_name") or "")[:150],
        "last_name": str(claims.get("family_name") or "")[:150],
        "email": str(claims.get("email") or "")[:254],
    }
    changed = [name for name, value in fields.items() if value and getattr(user, name) != value]
    for name in changed:
        setattr(user, name, fields[name])
    if changed:
        user.save(update_fields=changed)


def _new_account(
    conf: SsoConfig, claims: dict[str, Any], subject: str, context: str, caisse: str | None
) -> SsoIdentity | Refusal:
    """A new account without password (the access comes next, from the groups), or the
    refusal to take over a local account of the same name."""
    User = get_user_model()
    claim, username = _username(claims)
    existing = User.objects.filter(username__iexact=username).first()
    if existing is not None:
        linked = SsoIdentity.objects.filter(user=existing).exists()
        refused = _link_refused(conf, claims, claim, existing, linked)
        if refused:
            return Refusal(
                "Connexion refusée",
                f"Un compte « {existing.get_username()} » existe déjà dans cpog et n'est pas lié "
                f"à votre identité de {conf.name} : demandez à l'administrateur de cpog de le "
                f"renommer{refused}",
            )
        existing.set_unusable_password()
        existing.save(update_fields=["password"])
        return SsoIdentity.objects.create(user=existing, issuer=conf.issuer, subject=subject)
    user = User(username=username, email=str(claims.get("email") or "")[:254])
    user.set_unusable_password()
    user.save()
    identity = SsoIdentity.objects.create(user=user, issuer=conf.issuer, subject=subject)
    audit.record(
        accounts.ENTITY,
        username,
        "create",
        username,
        after=accounts.snapshot(user),
        context=context,
        caisse=caisse,
    )
    return identity


def _link_refused(
    conf: SsoConfig, claims: dict[str, Any], claim: str, existing: Any, linked: bool
) -> str:
    """Why the local account ``existing`` is not linked to the person (the end of a French
    sentence), or "" when it may be. Never an administrator's (the break-glass door stays
    local), nor by an e-mail address the provider has not verified (anyone could write a
    colleague's in their profile)."""
    if linked or not conf.link_accounts:
        return ", ou d'autoriser le lien des comptes (CPOG_OIDC_LIER_COMPTES=1)."
    if existing.is_superuser:
        return ". Un compte d'administrateur n'est jamais lié à l'annuaire."
    if claim == "email" and claims.get("email_verified") is not True:
        return (
            f". Le lien par l'adresse électronique demande que {conf.name} l'ait vérifiée "
            "(email_verified)."
        )
    return ""


def _no_role(conf: SsoConfig) -> Refusal:
    return Refusal(
        "Aucun rôle dans cpog",
        "Votre compte n'a aucun rôle dans cpog : demandez à l'administrateur de cpog (ou au "
        f"service qui gère {conf.name}) de vous ajouter à un groupe qui donne accès à cpog.",
    )


def not_a_password_guess(request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
    """For django-axes (``AXES_WHITELIST_CALLABLE``): an SSO callback is no password guess (the
    provider checked the person), so its refusals lock nobody out; without this, everyone behind
    one proxy, sharing its address and an empty user name, would be locked after five."""
    found = credentials or {}
    return "nonce" in found and not found.get("password")


# --- views --------------------------------------------------------------------------------------


def _refused(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    return render(
        request,
        "web/sso_refused.html",
        {"title": refusal.title, "message": refusal.message},
        status=refusal.status,
    )


class SsoStart(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """The « Se connecter avec … » button: off (404) unless SSO is configured."""

    def __init__(self, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        conf = config()
        if conf is None:
            raise Http404("single sign-on is off")
        try:
            document = provider(conf)
        except ProviderUnavailable as error:
            log.error("%s", error)
            return _refused(request, Refusal("Annuaire indisponible", str(error), 503))
        self.OIDC_OP_AUTH_ENDPOINT = document["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = conf.client_id
        response: HttpResponse = super().get(request)
        return response


class SsoCallback(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """Where the provider sends the person back: signed in, or a French page saying why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        conf = config()
        if conf is None:
            raise Http404("single sign-on is off")
        try:
            response: HttpResponse = super().get(request)
        except SuspiciousOperation as error:  # unknown state, bad nonce, forged token
            log.warning("single sign-on refused: %s", error)
            return _refused(request, _failed(conf))
        except (ProviderUnavailable, requests.RequestException) as error:
            log.error("single sign-on failed: %s", error)
            message = str(error) if isinstance(error, ProviderUnavailable) else ""
            return _refused(
                request, Refusal("Annuaire indisponible", message or _failed(conf).message, 503)
            )
        return response

    def login_success(self) -> HttpResponse:
        response: HttpResponse = super().login_success()
        self.request.session[_SSO_SESSION] = True
        return response

    def login_failure(self) -> HttpResponse:
        conf = config()
        assert conf is not None
        refusal = getattr(self.request, _REFUSAL, None) or _failed(conf)
        return _refused(self.request, refusal)


def _failed(conf: SsoConfig) -> Refusal:
    return Refusal(
        "Connexion refusée",
        f"La connexion par {conf.name} n'a pas abouti (réponse du fournisseur d'identité "
        "invalide, expirée ou déjà utilisée). Recommencez depuis la page de connexion.",
    )


class LocalLoginForm(AuthenticationForm):
    """The password form; with CPOG_COMPTES_LOCAUX=0, administrators only (break-glass).

    When closed, a non-administrator is refused with the very message of a wrong password, and
    counted as a failed attempt like one (django-axes): otherwise the answer would tell whether
    the password was right."""

    closed_message = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not local_accounts_open():
            conf = config()
            other = f" ; les autres se connectent avec {conf.name}" if conf else ""
            self.closed_message = (
                "Identifiant ou mot de passe incorrect. Les comptes locaux sont désactivés : "
                f"seul un administrateur peut se connecter avec un mot de passe{other}."
            )

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not local_accounts_open() and not user.is_superuser:
            user_login_failed.send(
                sender=__name__,
                credentials={"username": self.cleaned_data.get("username")},
                request=self.request,
            )
            raise self.get_invalid_login_error()


class CpogLoginView(LoginView):
    """The sign-in page: the SSO button above the local form when SSO is on."""

    authentication_form = LocalLoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        conf = config()
        context["sso_name"] = conf.name if conf else ""
        context["local_accounts"] = local_accounts_open()
        return context


class CpogLogoutView(LogoutView):
    """Ends the cpog session; after a single sign-on, also the provider's when it offers
    RP-initiated logout (``end_session_endpoint``)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        conf = config()
        id_token = request.session.get("oidc_id_token")
        by_sso = bool(request.session.get(_SSO_SESSION))
        response: HttpResponse = super().post(request, *args, **kwargs)
        if conf is None or not by_sso or not id_token:
            return response
        try:
            end = provider(conf).get("end_session_endpoint")
        except ProviderUnavailable:
            return response
        if not isinstance(end, str) or not end:
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": conf.client_id,
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
            }
        )
        return HttpResponseRedirect(f"{end}{'&' if '?' in end else '?'}{query}")
