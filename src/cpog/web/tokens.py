"""API tokens: issued, checked and revoked in one place for the page, the command line, the admin
and the API's authentication (decision 008).

A token is valid from its creation up to and including its ``expires_on`` date, compared with
:func:`cpog.clock.today`; a revoked token stays in the table (who revoked it, when) so that the
audit trail keeps naming it. Creation and revocation are written to the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cpog import clock
from cpog.formatting import fr_date
from cpog.store import audit
from cpog.web.accounts import scope_of
from cpog.web.models import ApiToken

NAME_MAX = ApiToken._meta.get_field("name").max_length or 100
# Using a token writes its last use at most once a minute: a script calling the API in a loop
# would otherwise turn every read into a write.
LAST_USE_STEP = timedelta(minutes=1)


class TokenError(ValueError):
    """A token that cannot be issued as asked; the message is French and names the field."""


def default_expiry(today: date | None = None) -> date:
    return (today or clock.today()) + timedelta(days=settings.TOKEN_DAYS)


def latest_expiry(today: date | None = None) -> date:
    return (today or clock.today()) + timedelta(days=settings.TOKEN_MAX_DAYS)


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise TokenError("Nom du jeton : donnez un nom (par exemple « tableur du contrôle »).")
    if len(cleaned) > NAME_MAX:
        raise TokenError(
            f"Nom du jeton : {len(cleaned)} caractères, {NAME_MAX} au plus ; raccourcissez-le."
        )
    return cleaned


def check_expiry(expires_on: date, today: date | None = None) -> date:
    today = today or clock.today()
    if expires_on < today:
        raise TokenError(
            f"Date d'expiration : le {fr_date(expires_on)} est passé ; "
            f"choisissez une date à partir d'aujourd'hui ({fr_date(today)})."
        )
    if expires_on > latest_expiry(today):
        raise TokenError(
            f"Date d'expiration : le {fr_date(expires_on)} est trop loin ; un jeton vaut "
            f"{settings.TOKEN_MAX_DAYS} jours au plus, soit jusqu'au "
            f"{fr_date(latest_expiry(today))}."
        )
    return expires_on


def _snapshot(token: ApiToken) -> dict[str, Any]:
    return {
        "name": token.name,
        "owner": token.user.get_username(),
        "expires_on": token.expires_on.isoformat(),
        "revoked": token.revoked_at is not None,
    }


def issue(user: Any, name: str, expires_on: date | None, by: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns it and its key, which is shown once and never
    stored. ``by`` is who asks (the audit trail's user): the owner, or an administrator."""
    name = check_name(name)
    expires_on = check_expiry(expires_on or default_expiry())
    key = ApiToken.new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, key_hash=ApiToken.digest(key), expires_on=expires_on
        )
        audit.record(
            "api_token",
            str(token.pk),
            "create",
            by,
            after=_snapshot(token),
            caisse=scope_of(user),
        )
    return token, key


def revoke(token: ApiToken, by: str) -> bool:
    """Revoke ``token``; False when it already was (nothing is written)."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if locked.revoked_at is not None:
            return False
        before = _snapshot(locked)
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            "api_token",
            str(locked.pk),
            "revoke",
            by,
            before=before,
            after=_snapshot(locked),
            caisse=scope_of(locked.user),
        )
    token.revoked_at, token.revoked_by = locked.revoked_at, locked.revoked_by
    return True


def refusal(token: ApiToken, today: date | None = None) -> str | None:
    """Why ``token`` cannot be used today, in French; None when it can."""
    if token.revoked_at is not None:
        when = timezone.localtime(token.revoked_at).date()
        return (
            f"Jeton « {token.name} » révoqué le {fr_date(when)} : créez-en un nouveau sur la "
            "page « Mes jetons d'accès »."
        )
    if token.expires_on < (today or clock.today()):
        return (
            f"Jeton « {token.name} » expiré : il était valable jusqu'au "
            f"{fr_date(token.expires_on)} inclus ; créez-en un nouveau sur la page "
            "« Mes jetons d'accès »."
        )
    if not token.user.is_active:
        return "Le compte de ce jeton est désactivé."
    return None


def note_use(token: ApiToken) -> None:
    """Record that ``token`` was just used, at most once per :data:`LAST_USE_STEP`."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_STEP:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@dataclass(frozen=True)
class TokenRow:
    """A token as the page and ``cpog token list`` show it."""

    token: ApiToken
    state: str  # « actif », « expiré », « révoqué »

    @property
    def active(self) -> bool:
        return self.state == "actif"


def state_of(token: ApiToken, today: date | None = None) -> str:
    if token.revoked_at is not None:
        return "révoqué"
    if token.expires_on < (today or clock.today()):
        return "expiré"
    return "actif"


def rows(user: Any | None = None) -> list[TokenRow]:
    """Tokens, newest first: of ``user``, or of everyone."""
    query = ApiToken.objects.select_related("user").order_by("-created_at", "-pk")
    if user is not None:
        query = query.filter(user=user)
    today = clock.today()
    return [TokenRow(t, state_of(t, today)) for t in query]
