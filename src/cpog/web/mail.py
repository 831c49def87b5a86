"""Sending e-mail through Django's mail backends (decision 026).

The backend is chosen in the settings: SMTP when ``CPOG_EMAIL_HOST`` is set; otherwise the
console outside production; in production, :class:`DisabledBackend`, which refuses to send
rather than lose a message silently. What would send asks :func:`sending_enabled` first and
says, in French, why nothing is sent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from cpog.errors import CpogError

DISABLED_BACKEND = "cpog.web.mail.DisabledBackend"
DEVELOPMENT_URL = "http://127.0.0.1:8000"

OFF = (
    "Envoi de courriels désactivé : CPOG_EMAIL_HOST (serveur SMTP) n'est pas renseigné. Aucun "
    "courriel n'a été envoyé ; renseignez CPOG_EMAIL_HOST (voir docs/parametres.md)."
)
NO_URL = (
    "CPOG_URL n'est pas renseigné : les liens des courriels ne peuvent pas être construits "
    "(par exemple CPOG_URL=https://cpog.caf79.fr). Aucun courriel n'a été envoyé."
)


class MailOff(CpogError):
    """Sending is off or impossible here; nothing was sent."""


class DisabledBackend(BaseEmailBackend):
    """Production without an SMTP server: refuses to send (never a silent loss)."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        if email_messages:
            raise MailOff(OFF)
        return 0


def sending_enabled() -> bool:
    return str(settings.EMAIL_BACKEND) != DISABLED_BACKEND


def check_sending() -> None:
    """Raise :class:`MailOff` when no e-mail can be sent."""
    if not sending_enabled():
        raise MailOff(OFF)


def site_url() -> str:
    """The public address for links in e-mails sent without a request (``CPOG_URL``); outside
    production, the development server's address when it is not set."""
    configured = str(getattr(settings, "CPOG_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if getattr(settings, "PRODUCTION", False):
        raise MailOff(NO_URL)
    return DEVELOPMENT_URL


def send(subject: str, body: str, to: Sequence[str], cc: Sequence[str] = ()) -> None:
    """Send one plain-text e-mail; a failure raises (the caller rolls back what it recorded)."""
    check_sending()
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, list(to), cc=list(cc)).send(
        fail_silently=False
    )
