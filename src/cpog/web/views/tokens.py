"""« Mes jetons d'accès »: every signed-in user creates, lists and revokes their own API tokens.

A new token's key is shown in the answer to the POST that created it, once: it is never stored,
never put in the session, and the page is not cached.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cpog import clock
from cpog.formatting import fr_date
from cpog.web import tokens
from cpog.web.action_forms import FrenchDateField, FrenchForm
from cpog.web.models import ApiToken


class TokenForm(FrenchForm):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=tokens.NAME_MAX,
        help_text="Ce qui l'utilise, pour le reconnaître : « tableur du contrôle », « script BI ».",
    )
    expires_on = FrenchDateField(label="Valable jusqu'au", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = clock.today()
        self.fields["expires_on"].help_text = (
            f"JJ/MM/AAAA, inclus ; le {fr_date(tokens.default_expiry(today))} si laissé vide, "
            f"le {fr_date(tokens.latest_expiry(today))} au plus tard."
        )
        self.fields["name"].widget.attrs.update({"autocomplete": "off"})
        self.fields["name"].error_messages["max_length"] = (
            "Nom du jeton : %(show_value)d caractères, %(limit_value)d au plus ; raccourcissez-le."
        )

    def clean_name(self) -> str:
        try:
            return tokens.check_name(self.cleaned_data["name"])
        except tokens.TokenError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_expires_on(self) -> Any:
        expires_on = self.cleaned_data.get("expires_on")
        if expires_on is None:
            return None
        try:
            return tokens.check_expiry(expires_on)
        except tokens.TokenError as error:
            raise forms.ValidationError(str(error)) from None


def _render(
    request: HttpRequest, form: TokenForm, created: Any = None, key: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "web/tokens.html",
        {
            "section": "tokens",
            "page_title": "Mes jetons d'accès",
            "form": form,
            "rows": tokens.rows(request.user),
            "created": created,
            "key": key,
            "api_url": request.build_absolute_uri("/api/v1/"),
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    token, key = tokens.issue(
        request.user,
        form.cleaned_data["name"],
        form.cleaned_data["expires_on"],
        by=request.user.get_username(),
    )
    return _render(request, TokenForm(), created=token, key=key)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """GET asks to confirm, POST revokes. Someone else's token is « not found », not
    « forbidden »: its existence is not told."""
    token = ApiToken.objects.filter(pk=token_id, user_id=request.user.pk or 0).first()
    if token is None:
        raise Http404("Ce jeton n'existe pas ou n'est pas à vous.")
    if request.method == "POST":
        if tokens.revoke(token, by=request.user.get_username()):
            messages.success(
                request,
                f"Jeton « {token.name} » révoqué : les programmes qui l'utilisent reçoivent "
                "désormais une erreur 401.",
            )
        else:
            messages.info(request, f"Le jeton « {token.name} » était déjà révoqué.")
        return redirect("tokens")
    return render(
        request,
        "web/token_revoke.html",
        {
            "section": "tokens",
            "page_title": f"Révoquer le jeton « {token.name} »",
            "row": tokens.TokenRow(token, tokens.state_of(token)),
        },
    )
