"""« Mot de passe oublié ? » for local accounts (decision 026): Django's password-reset views with
French pages and e-mail, audited, and not a mail-bomb vector.

- The answer is the same whether the address is known or not (no account enumeration): Django's
  form sends only to active accounts with a usable password (an account signing in through the
  identity provider has none, and gets nothing).
- One e-mail per account per :data:`COOLDOWN` at most: a new request within it sends nothing
  (the count is read from the audit trail, shared by every process of the server).
- Audited: the request (« demande de nouveau mot de passe »), once the e-mail is sent, and the
  new password (« nouveau mot de passe »), under the account's name, never the password.
- When the SMTP server fails, nothing is recorded (a new request may follow at once) and the
  page says so in French (503), rather than « Demande enregistrée » for an e-mail never sent.
- The link is built on ``CPOG_URL`` (its scheme and host) when it is set, otherwise on the
  request's host and scheme (behind a proxy: its forwarded scheme); it is valid
  ``PASSWORD_RESET_TIMEOUT`` (1 hour), once.
- A reset does not unlock an account locked by repeated failed sign-ins (django-axes): the lock
  ends after its cool-off time, then the new password works.
- When sending is off (production without SMTP) the page says so and sends nothing, rather than
  pretending it did.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template import loader
from django.utils import timezone

from cpog.store import audit
from cpog.store.models import AuditEvent
from cpog.web import mail
from cpog.web.accounts import ENTITY, scope_of

COOLDOWN = timedelta(minutes=15)
ASKED = "reset_asked"

logger = logging.getLogger(__name__)


class SendFailed(Exception):
    """The SMTP server did not take the reset e-mail; nothing was recorded."""


def asked_recently(username: str) -> bool:
    since = timezone.now() - COOLDOWN
    return AuditEvent.objects.filter(
        entity_type=ENTITY, entity_id=username, action=ASKED, at__gte=since
    ).exists()


class ResetForm(PasswordResetForm):
    """Django's form, with a French label, the cool-off and the audit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Adresse électronique du compte"

    def get_users(self, email: str) -> Any:
        return (u for u in super().get_users(email) if not asked_recently(u.get_username()))

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Django's, with the link on ``CPOG_URL`` when it is set (not on the request's host)."""
        configured = str(getattr(settings, "CPOG_URL", "") or "")
        if configured:
            parts = urlsplit(configured)
            kwargs["domain_override"] = parts.netloc
            kwargs["use_https"] = parts.scheme == "https"
        super().save(*args, **kwargs)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Django's, but a failure is not swallowed: the request is recorded (and the cool-off
        starts) only once the SMTP server has taken the e-mail."""
        user = context["user"]
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        try:
            message.send(fail_silently=False)
        except (smtplib.SMTPException, OSError) as error:
            logger.warning(
                "Mot de passe oublié : courriel non envoyé au compte « %s » (%s : %s).",
                user.get_username(),
                type(error).__name__,
                error,
            )
            raise SendFailed from error
        audit.record(
            ENTITY,
            user.get_username(),
            ASKED,
            user.get_username(),
            context="mot de passe oublié",
            caisse=scope_of(user),
        )


class NewPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """Django's form (its validators, in French), audited without the password."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Nouveau mot de passe"
        self.fields["new_password2"].label = "Nouveau mot de passe, une seconde fois"

    def save(self, commit: bool = True) -> Any:
        with transaction.atomic():
            user = super().save(commit=commit)
            username = user.get_username()
            audit.record(
                ENTITY,
                username,
                "password_reset",
                username,
                after={"username": username},
                context="lien reçu par courriel",
                caisse=scope_of(user),
            )
        return user


class ResetView(auth_views.PasswordResetView):
    form_class = ResetForm
    template_name = "web/password_reset_form.html"
    email_template_name = "web/mail/password_reset_email.txt"
    subject_template_name = "web/mail/password_reset_subject.txt"
    extra_email_context = {"valid_hours": 1}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not mail.sending_enabled():
            return render(
                request,
                self.template_name,
                {"page_title": "Mot de passe oublié", "sending_off": True},
                status=503 if request.method == "POST" else 200,
            )
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)
        except SendFailed:
            context = self.get_context_data(form=form, send_failed=True)
            return render(self.request, self.template_name, context, status=503)


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "web/password_reset_confirm.html"


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/password_reset_complete.html"
