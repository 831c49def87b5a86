"""« Mot de passe oublié ? » for local accounts (decision 026): Django's password-reset views with
French pages and e-mail, audited, and not a mail-bomb vector.

- The answer is the same whether the address is known or not (no account enumeration): Django's
  form sends only to active accounts with a usable password (an account signing in through the
  identity provider has none, and gets nothing).
- One e-mail per account per :data:`COOLDOWN` at most: a new request within it sends nothing
  (the count is read from the audit trail, shared by every process of the server).
- Audited: the request (« demande de nouveau mot de passe ») and the new password (« nouveau
  mot de passe »), under the account's name, never the password.
- The link is built on the request's host and scheme (behind a proxy: its forwarded scheme) and
  is valid ``PASSWORD_RESET_TIMEOUT`` (1 hour), once.
- A reset does not unlock an account locked by repeated failed sign-ins (django-axes): the lock
  ends after its cool-off time, then the new password works.
- When sending is off (production without SMTP) the page says so and sends nothing, rather than
  pretending it did.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from cpog.store import audit
from cpog.store.models import AuditEvent
from cpog.web import mail
from cpog.web.accounts import ENTITY, scope_of

COOLDOWN = timedelta(minutes=15)
ASKED = "reset_asked"


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

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        audit.record(
            ENTITY,
            user.get_username(),
            ASKED,
            user.get_username(),
            context="mot de passe oublié",
            caisse=scope_of(user),
        )
        super().send_mail(
            subject_template_name,
            email_template_name,
            context,
            from_email,
            to_email,
            html_email_template_name,
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


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "web/password_reset_confirm.html"


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/password_reset_complete.html"
