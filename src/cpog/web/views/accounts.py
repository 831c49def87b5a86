"""« Comptes »: the administrator lists the accounts, creates one (its role, the défis of a pilot,
a password typed twice or generated and shown once), changes a role or the défis piloted,
deactivates or reactivates an account and gives it a new password — without the Django admin.

Administrators only (403 for everyone else). Every write goes through :mod:`cpog.web.accounts`,
which checks and audits, like ``cpog user``. A generated password is in the answer to the POST
that made it, once: never stored in clear, never put in the session, and the page is not cached.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cpog.store.contracts import NoContractLoaded, caisses
from cpog.store.roles import Role, role_of
from cpog.vocabulary import ROLE
from cpog.web import accounts
from cpog.web.action_forms import FrenchForm
from cpog.web.roles import caisse_of_user, require
from cpog.web.scoping import contract_for, request_caisse

ROLE_HELP = {
    Role.ADMIN: "voit et saisit tout, gère les comptes et l'administration technique",
    Role.CONTROLE: "voit tout ; saisit valeurs, cibles, actions et analyses de tous les défis ; "
    "importe des fichiers",
    Role.PILOTE: "voit tout ; saisit valeurs, actions et analyses des défis qu'il pilote",
    Role.LECTEUR: "voit tout, ne saisit rien (membre du conseil d'administration, direction…)",
}
PASSWORD_HELP = (
    "12 caractères au moins, pas seulement des chiffres, ni un mot de passe courant, ni proche "
    "de l'identifiant ou du nom."
)


def _role_choices() -> list[tuple[str, str]]:
    return [(role.value, f"{ROLE[role.value]} — {ROLE_HELP[role]}") for role in Role]


def _contract(request: HttpRequest, user: Any = None) -> tuple[str, list[tuple[int, str]]]:
    """The contract id and the défis, as (number, « Défi n°4 — title »), of the caisse of the
    account ``user`` — its défis are piloted in its own caisse's contract, whichever caisse a
    network administrator is looking at — else of the request's caisse."""
    caisse = accounts.scope_of(user) if user is not None else None
    try:
        _, contract = contract_for(caisse or request_caisse(request))
    except NoContractLoaded:
        return "", []
    return contract.id, [
        (c.number, f"Défi n°{c.number} — {c.title}")
        for c in sorted(contract.challenges, key=lambda c: c.number)
    ]


class RoleFields(FrenchForm):
    """A role and, for a pilot, the défis piloted."""

    role = forms.ChoiceField(label="Rôle", widget=forms.RadioSelect)
    challenges = forms.TypedMultipleChoiceField(
        label="Défis pilotés",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pour un pilote seulement : il saisit les valeurs, actions et analyses de ces "
        "défis.",
    )

    def __init__(self, *args: Any, challenges: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices()  # type: ignore[attr-defined]
        self.fields["challenges"].choices = challenges  # type: ignore[attr-defined]
        self.fields["role"].error_messages["required"] = "Rôle : choisissez-en un."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, numbers = data.get("role"), data.get("challenges") or []
        if role == Role.PILOTE.value and not numbers:
            self.add_error("challenges", "Défis pilotés : cochez au moins un défi pour un pilote.")
        elif role and role != Role.PILOTE.value and numbers:
            self.add_error(
                "challenges",
                "Défis pilotés : seulement pour le rôle « Pilote de défi » ; décochez-les ou "
                "choisissez ce rôle.",
            )
        return data


class PasswordFields(FrenchForm):
    """A password typed twice."""

    password1 = forms.CharField(
        label="Mot de passe",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PASSWORD_HELP,
    )
    password2 = forms.CharField(
        label="Le même mot de passe, une seconde fois",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def check_twice(self, data: dict[str, Any]) -> None:
        first, second = data.get("password1") or "", data.get("password2") or ""
        if not first:
            self.add_error("password1", "Mot de passe : champ obligatoire.")
        elif first != second:
            self.add_error(
                "password2", "Les deux mots de passe diffèrent : saisissez-les à nouveau."
            )


GENERATE, TYPE = "generer", "saisir"


class NewAccountForm(RoleFields, PasswordFields):
    username = forms.CharField(
        label="Identifiant",
        max_length=accounts.USERNAME_MAX,
        help_text="Pour se connecter : sans espace, par exemple « mdupont ».",
    )
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    email = forms.EmailField(
        label="Adresse électronique",
        required=False,
        help_text="Facultative.",
        error_messages={"invalid": "Adresse électronique : saisissez une adresse valide."},
    )
    password_mode = forms.ChoiceField(
        label="Mot de passe initial",
        widget=forms.RadioSelect,
        initial=GENERATE,
        choices=[
            (GENERATE, "Le générer : il est affiché une seule fois, à transmettre à la personne"),
            (TYPE, "Le saisir deux fois ci-dessous"),
        ],
    )

    field_order = (
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "challenges",
        "password_mode",
        "password1",
        "password2",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "off"})
        self.fields["password1"].help_text = f"Si vous le saisissez : {PASSWORD_HELP}"

    def clean_username(self) -> str:
        try:
            return accounts.check_username(self.cleaned_data["username"])
        except accounts.AccountError as error:
            raise forms.ValidationError(error.messages) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password_mode") == TYPE:
            self.check_twice(data)
        return data


class ChangeRoleForm(RoleFields):
    pass


def _scope_choices() -> list[tuple[str, str]]:
    return [(accounts.NETWORK, "Réseau : toutes les caisses")] + [
        (c.code, f"Caisse {c.code} — {c.name}") for c in caisses()
    ]


class ScopeForm(FrenchForm):
    """A network administrator gives an account its caisse, or the whole network."""

    scope = forms.ChoiceField(
        label="Périmètre",
        help_text="Un compte d'une caisse ne voit que les chiffres de sa caisse ; un compte du "
        "réseau choisit la caisse qu'il consulte.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = _scope_choices()  # type: ignore[attr-defined]
        self.fields["scope"].error_messages["required"] = "Périmètre : choisissez-en un."


def _scope(choice: str) -> str | None:
    return None if choice == accounts.NETWORK else choice


def _manages(request: HttpRequest, user: Any) -> bool:
    """A caisse's administrator manages the accounts of their caisse; a network one, all."""
    mine = caisse_of_user(request.user)
    return mine is None or accounts.scope_of(user) == mine


class PasswordForm(PasswordFields):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_twice(data)
        return data


def administrators_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @never_cache
    @login_required
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require(role_of(request.user) == Role.ADMIN, "gérer les comptes")
        return view(request, *args, **kwargs)

    return checked


def _refused(form: forms.Form, error: accounts.AccountError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, list(error.messages))


@administrators_only
@require_http_methods(["GET"])
def account_list(request: HttpRequest) -> HttpResponse:
    rows = accounts.rows(caisse_of_user(request.user))
    return render(
        request,
        "web/accounts.html",
        {
            "section": "accounts",
            "page_title": "Comptes",
            "rows": rows,
            "active_count": sum(r.active for r in rows),
            "network_admin": caisse_of_user(request.user) is None,
        },
    )


@administrators_only
@require_http_methods(["GET", "POST"])
def account_new(request: HttpRequest) -> HttpResponse:
    contract_id, challenges = _contract(request)
    if request.method != "POST":
        return _render_new(request, NewAccountForm(challenges=challenges))
    form = NewAccountForm(request.POST, challenges=challenges)
    if not form.is_valid():
        return _render_new(request, form, status=400)
    data = form.cleaned_data
    mine = caisse_of_user(request.user)
    scope_form = ScopeForm(request.POST) if mine is None else None
    if scope_form is not None and not scope_form.is_valid():
        return _render_new(request, form, status=400, scope_form=scope_form)
    caisse = mine if scope_form is None else _scope(scope_form.cleaned_data["scope"])
    generated = data["password_mode"] == GENERATE
    password = accounts.generated_password() if generated else data["password1"]
    try:
        user = accounts.create(
            data["username"],
            Role(data["role"]),
            password,
            request.user.get_username(),
            challenges=data["challenges"],
            contract_id=contract_id,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            caisse=caisse,
        )
    except accounts.AccountError as error:
        _refused(form, error)
        return _render_new(request, form, status=400, scope_form=scope_form)
    summary = _summary(user)
    if not generated:
        messages.success(request, f"Compte « {user.get_username()} » créé : {summary}.")
        return redirect("account", user_id=user.pk)
    return _render_account(request, user, created=True, password=password, summary=summary)


def _render_new(
    request: HttpRequest,
    form: NewAccountForm,
    status: int = 200,
    scope_form: ScopeForm | None = None,
) -> HttpResponse:
    if scope_form is None and caisse_of_user(request.user) is None:
        scope_form = ScopeForm(initial={"scope": request_caisse(request)})
    return render(
        request,
        "web/accounts_new.html",
        {
            "section": "accounts",
            "page_title": "Nouveau compte",
            "form": form,
            "scope_form": scope_form,
        },
        status=status,
    )


def _summary(user: Any) -> str:
    text = accounts.stored_role(user).label_fr
    numbers = accounts.piloted(user)
    if numbers:
        which = "des défis" if len(numbers) > 1 else "du défi"
        text += f", pilote {which} n°{', '.join(map(str, numbers))}"
    return text


def _render_account(
    request: HttpRequest,
    user: Any,
    *,
    role_form: ChangeRoleForm | None = None,
    password_form: PasswordForm | None = None,
    scope_form: ScopeForm | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    scope = accounts.scope_of(user)
    if scope_form is None and caisse_of_user(request.user) is None:
        initial = accounts.NETWORK if scope is None else scope
        scope_form = ScopeForm(initial={"scope": initial}, prefix="perimetre")
    _, challenges = _contract(request, user)
    role = accounts.stored_role(user)
    role_form = role_form or ChangeRoleForm(
        challenges=challenges,
        initial={"role": role.value, "challenges": list(accounts.piloted(user))},
        prefix="role",
    )
    password_form = password_form or PasswordForm(prefix="mdp")
    name = user.get_full_name() or user.get_username()
    return render(
        request,
        "web/accounts_account.html",
        {
            "section": "accounts",
            "page_title": f"Compte « {user.get_username()} »",
            "account": user,
            "account_name": name,
            "account_role": role,
            "account_challenges": accounts.piloted(user),
            "role_form": role_form,
            "password_form": password_form,
            "scope_form": scope_form,
            "account_scope": accounts.scope_text(scope),
            "is_self": user.pk == request.user.pk,
            **extra,
        },
        status=status,
    )


OPERATIONS = ("role", "desactiver", "reactiver", "mot-de-passe")


@administrators_only
@require_http_methods(["GET", "POST"])
def account_page(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not _manages(request, user):  # another caisse's account: not shown
        raise Http404("Ce compte n'existe pas.")
    if request.method != "POST":
        return _render_account(request, user)
    operation = request.POST.get("operation", "")
    by = request.user.get_username()
    login = user.get_username()
    if operation == "role":
        contract_id, challenges = _contract(request, user)
        role_form = ChangeRoleForm(request.POST, challenges=challenges, prefix="role")
        if role_form.is_valid():
            try:
                changed = accounts.change_role(
                    user,
                    Role(role_form.cleaned_data["role"]),
                    by,
                    challenges=role_form.cleaned_data["challenges"],
                    contract_id=contract_id,
                )
            except accounts.AccountError as error:
                _refused(role_form, error)
            else:
                user.refresh_from_db()
                if changed:
                    messages.success(request, f"Rôle de « {login} » enregistré : {_summary(user)}.")
                else:
                    messages.info(request, f"Rien n'a changé pour « {login} ».")
                return redirect("account", user_id=user.pk)
        return _render_account(request, user, role_form=role_form, status=400)
    if operation == "perimetre" and caisse_of_user(request.user) is None:
        scope_form = ScopeForm(request.POST, prefix="perimetre")
        if scope_form.is_valid():
            caisse = _scope(scope_form.cleaned_data["scope"])
            if accounts.set_scope(user, caisse, by):
                text = accounts.scope_text(caisse)
                messages.success(request, f"Périmètre de « {login} » enregistré : {text}.")
            else:
                messages.info(request, f"Rien n'a changé pour « {login} ».")
            return redirect("account", user_id=user.pk)
        return _render_account(request, user, scope_form=scope_form, status=400)
    if operation in ("desactiver", "reactiver"):
        active = operation == "reactiver"
        try:
            changed = accounts.set_active(user, active, by)
        except accounts.AccountError as error:
            return _render_account(request, user, state_errors=error.messages, status=400)
        word = "réactivé" if active else "désactivé"
        if changed:
            messages.success(
                request,
                f"Compte « {login} » {word}"
                + (
                    "."
                    if active
                    else " : il ne peut plus se connecter ni utiliser ses jetons ; "
                    "l'historique garde son nom."
                ),
            )
        else:
            messages.info(request, f"Le compte « {login} » était déjà {word}.")
        return redirect("account", user_id=user.pk)
    if operation == "mot-de-passe":
        password_form = PasswordForm(request.POST, prefix="mdp")
        if password_form.is_valid():
            try:
                accounts.set_password(user, password_form.cleaned_data["password1"], by)
            except accounts.AccountError as error:
                _refused(password_form, error)
            else:
                messages.success(
                    request,
                    f"Nouveau mot de passe de « {login} » enregistré : transmettez-le-lui.",
                )
                return redirect("account", user_id=user.pk)
        return _render_account(request, user, password_form=password_form, status=400)
    return _render_account(
        request, user, state_errors=["Opération inconnue : rien n'a été enregistré."], status=400
    )
