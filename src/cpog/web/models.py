"""Who pilots which défi, and API tokens. Roles themselves are Django groups (see roles.py)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models


class ChallengePilot(models.Model):
    """A user who pilots a défi: may enter its values, actions and analyses."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="piloted"
    )
    contract_id = models.SlugField(max_length=80)
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


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("nom", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @classmethod
    def issue(cls, user: object, name: str) -> tuple[ApiToken, str]:
        key = "cpog_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.digest(key))
        return token, key
