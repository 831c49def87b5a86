"""Who pilots which défi, and API tokens. Roles themselves are Django groups (see roles.py)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models


class ChallengePilot(models.Model):
    """A user who pilots a défi: may enter its values, actions and analyses."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="piloted",
        verbose_name="utilisateur",
    )
    contract_id = models.SlugField("contrat", max_length=80)
    challenge_number = models.PositiveSmallIntegerField("numéro du défi")

    class Meta:
        verbose_name = "pilote de défi"
        verbose_name_plural = "pilotes de défi"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "contract_id", "challenge_number"], name="unique_pilot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — défi n°{self.challenge_number}"


class UserScope(models.Model):
    """Which caisse a user belongs to, or the whole network (decision 016). A user without a row
    belongs to the installation's own caisse (``cpog.store.contracts.default_caisse_code``): the
    least a user sees, never the network by default."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cpog_scope",
        verbose_name="utilisateur",
    )
    caisse_code = models.CharField("caisse", max_length=20, blank=True)
    network = models.BooleanField("accès au réseau (toutes les caisses)", default=False)

    class Meta:
        verbose_name = "périmètre d'un utilisateur"
        verbose_name_plural = "périmètres des utilisateurs"

    def __str__(self) -> str:
        return f"{self.user} — {'réseau' if self.network else self.caisse_code}"


class RoleGroup(Group):
    """The Django groups as the Django admin shows them: cpog's roles (a proxy, no table)."""

    class Meta:
        proxy = True
        verbose_name = "rôle"
        verbose_name_plural = "rôles"


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the token is shown once.

    A token is valid up to and including ``expires_on`` (a date, compared with
    :func:`cpog.clock.today`); a revoked token is kept, with who revoked it and when, so that the
    audit trail and the admin still say which token wrote what. Issue and revoke through
    :mod:`cpog.web.tokens`, which validates and audits.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="utilisateur",
    )
    name = models.CharField("nom", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    expires_on = models.DateField("valable jusqu'au")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_by = models.CharField("révoqué par", max_length=150, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "cpog_" + secrets.token_urlsafe(32)

    @classmethod
    def issue(cls, user: object, name: str, expires_on: date | None = None) -> tuple[ApiToken, str]:
        """A stored token and its key, unchecked and unaudited: for tests and fixtures.
        Users' tokens go through :func:`cpog.web.tokens.issue`."""
        from cpog.web.tokens import default_expiry

        key = cls.new_key()
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=cls.digest(key),
            expires_on=expires_on or default_expiry(),
        )
        return token, key


class SsoIdentity(models.Model):
    """The identity provider's person behind an account (decision 025): an account signed in by
    single sign-on is found again by (issuer, subject), never by its name, and has no usable
    password."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sso_identity",
        verbose_name="utilisateur",
    )
    issuer = models.CharField("fournisseur d'identité", max_length=300)
    subject = models.CharField("identifiant chez le fournisseur", max_length=255)
    # the groups of the groups file the person had at the last login (not every group)
    groups = models.JSONField("groupes à la dernière connexion", default=list, blank=True)
    last_seen_at = models.DateTimeField("dernière connexion par l'annuaire", null=True, blank=True)

    class Meta:
        verbose_name = "identité de l'annuaire"
        verbose_name_plural = "identités de l'annuaire"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="unique_sso_identity")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.subject}"
