"""Django admin, kept for experts, in French: who pilots which défi, API tokens, and a read-only
view of the store. Accounts are managed on the « Comptes » page (:mod:`cpog.web.views.accounts`);
here the users' list shows their role and défis, every change of an account is audited like on
that page, and no account is ever deleted (the audit trail names its author). Groups are shown
as the roles they are; the lockouts of django-axes as « Connexions refusées ».

The store is append-only and audited: contract versions, values, targets, import batches and the
audit trail can be looked at here but never added, changed or deleted. Action states may be
corrected; every correction is written to the audit trail like any other write. Role groups
(controle_gestion, pilote, lecteur) are created by ``cpog serve`` on first run.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from cpog import clock
from cpog.store import audit
from cpog.store.locks import lock_action
from cpog.store.models import (
    ActionMilestone,
    ActionState,
    ActionUpdate,
    AuditEvent,
    ContractVersion,
    ImportBatch,
    Measurement,
    Target,
)
from cpog.vocabulary import AUDIT_ACTION, AUDIT_ENTITY, COMPARATOR_SIGN, ROLE
from cpog.web import accounts, tokens
from cpog.web.models import ApiToken, ChallengePilot, RoleGroup, UserScope
from cpog.web.roles import caisse_of_user

admin.site.site_header = "Administration technique de cpog"
admin.site.site_title = "cpog — administration technique"
admin.site.index_title = "Tables de cpog, pour les experts"
admin.site.index_template = "web/admin_index.html"  # a line pointing to « Comptes »
# django-axes' section is named after the library: say what it holds.
apps.get_app_config("axes").verbose_name = "Connexions refusées (verrouillages)"
apps.get_app_config("auth").verbose_name = "Comptes des utilisateurs"

User = get_user_model()

_staff_may_enter = admin.site.has_permission


def _may_enter(request: HttpRequest) -> bool:
    """The technical administration holds every caisse's tables: in a store of several caisses,
    only network administrators enter it; a caisse's administrator manages their caisse from
    the « Comptes » page (decision 017)."""
    if not _staff_may_enter(request):
        return False
    if caisse_of_user(request.user) is None:
        return True
    return ContractVersion.objects.order_by().values("caisse_code").distinct().count() <= 1


admin.site.has_permission = _may_enter  # type: ignore[method-assign]


@admin.register(RoleGroup)
class RoleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """cpog's roles are groups; what each may do is in the code (cpog.web.roles), not in Django's
    permissions, so they are listed with their members, not edited."""

    list_display = ("role", "name", "members")
    fields = ("name", "members")
    readonly_fields = fields

    @admin.display(description="rôle")
    def role(self, obj: Group) -> str:
        return ROLE.get(obj.name, obj.name)

    @admin.display(description="membres")
    def members(self, obj: Group) -> str:
        names = sorted(obj.user_set.values_list("username", flat=True))
        return ", ".join(names) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AccountAdmin(UserAdmin):  # type: ignore[type-arg]
    """Django's users, with their cpog role and défis; never deleted; every change audited."""

    list_display = (
        "username",
        "full_name",
        "cpog_role",
        "challenges",
        "cpog_scope",
        "is_active",
        "last_login",
    )
    list_filter = ("is_active", "is_superuser", "groups")

    @admin.display(description="nom")
    def full_name(self, obj: Any) -> str:
        return str(obj.get_full_name())

    @admin.display(description="rôle")
    def cpog_role(self, obj: Any) -> str:
        return accounts.stored_role(obj).label_fr

    @admin.display(description="périmètre")
    def cpog_scope(self, obj: Any) -> str:
        return accounts.scope_text(accounts.scope_of(obj))

    @admin.display(description="défis pilotés")
    def challenges(self, obj: Any) -> str:
        return ", ".join(f"n°{n}" for n in accounts.piloted(obj)) or "—"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changeform_view(self, request: HttpRequest, object_id: str | None = None,
                        form_url: str = "", extra_context: Any = None) -> HttpResponse:  # fmt: skip
        if request.method == "POST":
            with transaction.atomic():
                existing = User.objects.filter(pk=object_id).first() if object_id else None
                before = accounts.snapshot(existing) if existing is not None else None
                response = super().changeform_view(request, object_id, form_url, extra_context)
                self._audit(request, object_id, before, response)
            return response
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _audit(
        self, request: HttpRequest, object_id: str | None, before: Any, response: HttpResponse
    ) -> None:
        if response.status_code != 302:  # the form again, with its errors: nothing saved
            return
        user = (
            User.objects.filter(pk=object_id).first()
            if object_id
            else User.objects.order_by("-pk").first()
        )
        if user is None:
            return
        after = accounts.snapshot(user)
        if after != before:
            audit.record(
                accounts.ENTITY,
                user.get_username(),
                "update" if before is not None else "create",
                request.user.get_username(),
                before=before,
                after=after,
                context="administration",
                caisse=accounts.scope_of(user),
            )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.filter(pk=id).first()
            if user is not None:
                audit.record(
                    accounts.ENTITY,
                    user.get_username(),
                    "password_reset",
                    request.user.get_username(),
                    after=accounts.snapshot(user),
                    context="administration",
                    caisse=accounts.scope_of(user),
                )
        return response


for model in (Group, User):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
admin.site.register(User, AccountAdmin)


@admin.register(ChallengePilot)
class ChallengePilotAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "contract_id", "challenge_number")
    list_filter = ("contract_id", "challenge_number")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)


@admin.register(UserScope)
class UserScopeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Which caisse an account belongs to, or the network (decision 017); audited."""

    list_display = ("user", "caisse_code", "network")
    list_filter = ("network", "caisse_code")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            accounts.set_scope(
                obj.user, None if obj.network else obj.caisse_code, request.user.get_username()
            )
        except accounts.AccountError as error:
            messages.error(request, " ".join(error.messages))


class TokenStateFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "etat"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("actif", "actif"), ("expire", "expiré"), ("revoque", "révoqué")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = clock.today()
        if self.value() == "actif":
            return queryset.filter(revoked_at__isnull=True, expires_on__gte=today)
        if self.value() == "expire":
            return queryset.filter(revoked_at__isnull=True, expires_on__lt=today)
        if self.value() == "revoque":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Every user's tokens: listed and revoked here, never deleted (the audit trail names them).
    A token is created by its owner on « Mes jetons d'accès », or for someone else with
    ``cpog token create``: its key is shown once, which the admin's forms cannot do safely, so
    « Ajouter » leads to that page."""

    list_display = ("name", "user", "created_at", "last_used_at", "expires_on", "state")
    list_filter = (TokenStateFilter, "user")
    search_fields = ("name", "user__username")
    fields = (
        "name",
        "user",
        "created_at",
        "last_used_at",
        "expires_on",
        "revoked_at",
        "revoked_by",
    )
    readonly_fields = fields  # a token changes only by being revoked, which is audited
    actions = ("revoke_selected",)

    @admin.display(description="état")
    def state(self, obj: ApiToken) -> str:
        return tokens.state_of(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        messages.info(
            request,
            "Un jeton se crée sur cette page, pour vous-même (il n'est affiché qu'une fois). "
            "Pour un autre utilisateur : cpog token create --utilisateur NOM --nom « … ».",
        )
        return redirect("tokens")

    @admin.action(description="Révoquer les jetons sélectionnés")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        by = request.user.get_username()
        done = sum(tokens.revoke(token, by) for token in queryset)
        self.message_user(
            request,
            f"{done} jeton{'s' if done > 1 else ''} révoqué{'s' if done > 1 else ''}"
            + (" (les autres l'étaient déjà)." if done < queryset.count() else "."),
        )


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Append-only tables: visible, never added, changed or deleted from the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ContractVersion)
class ContractVersionAdmin(ReadOnlyAdmin):
    list_display = ("contract_id", "version", "amendment_date", "loaded_by", "loaded_at")
    list_filter = ("contract_id",)
    exclude = ("document",)  # the whole contract as JSON: too large to be useful here


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyAdmin):
    list_display = (
        "subject_id",
        "subject_type",
        "period_key",
        "value",
        "status",
        "source",
        "recorded_by",
        "recorded_at",
    )
    list_filter = ("contract_id", "subject_type", "status", "source")
    search_fields = ("subject_id", "period_key", "recorded_by")
    list_select_related = ("batch",)
    show_full_result_count = False


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("subject_id", "year", "value", "condition", "kind", "provenance", "set_by")
    list_filter = ("contract_id", "subject_type", "kind", "provenance")
    search_fields = ("subject_id", "set_by")
    show_full_result_count = False

    @admin.display(description="comparateur", ordering="comparator")
    def condition(self, obj: Target) -> str:
        """« < », « ≥ »…; « — » when the target keeps the subject's default comparator."""
        known = {c.value: sign for c, sign in COMPARATOR_SIGN.items()}
        return known.get(obj.comparator, obj.comparator) or ("=" if obj.comparator else "—")


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "kind", "row_count", "written_count", "created_by", "created_at")
    list_filter = ("contract_id", "kind")
    search_fields = ("file_name", "created_by", "file_sha256")


class WordsFilter(admin.SimpleListFilter):
    """A filter on a stored key that lists the vocabulary's words, not the keys."""

    words: dict[str, str] = {}

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(self.words.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(**{str(self.parameter_name): value}) if value else queryset


class EntityFilter(WordsFilter):
    title = "type d'objet"
    parameter_name = "entity_type"
    words = AUDIT_ENTITY


class OperationFilter(WordsFilter):
    title = "opération"
    parameter_name = "action"
    words = AUDIT_ACTION


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "operation", "entity", "entity_id", "context")
    list_filter = (EntityFilter, OperationFilter)
    search_fields = ("entity_id", "user", "context")
    date_hierarchy = "at"
    show_full_result_count = False

    @admin.display(description="opération", ordering="action")
    def operation(self, obj: AuditEvent) -> str:
        return AUDIT_ACTION.get(obj.action, obj.action)

    @admin.display(description="type d'objet", ordering="entity_type")
    def entity(self, obj: AuditEvent) -> str:
        return AUDIT_ENTITY.get(obj.entity_type, obj.entity_type)


class MilestoneInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ActionMilestone
    extra = 0
    fields = ("label", "due_date", "done_on")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UpdateInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ActionUpdate
    extra = 0
    fields = ("on", "text", "progress", "author", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ActionState)
class ActionStateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Corrections of an action's state; created from the action's page, never deleted."""

    list_display = ("action_id", "status", "progress", "owner", "due_date", "updated_by")
    list_filter = ("contract_id", "status")
    search_fields = ("action_id", "owner")
    fields = (
        "contract_id",
        "action_id",
        "owner",
        "start_date",
        "due_date",
        "status",
        "progress",
        "updated_by",
        "updated_at",
    )
    readonly_fields = ("contract_id", "action_id", "updated_by", "updated_at")
    inlines = (MilestoneInline, UpdateInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ActionState, form: Any, change: bool) -> None:
        user = request.user.get_username()
        with transaction.atomic():
            lock_action(obj.contract_id, obj.action_id)  # as every writer of an action
            previous = ActionState.objects.select_for_update().filter(pk=obj.pk).first()
            before = previous.audit_snapshot() if previous is not None else None
            after = obj.audit_snapshot()
            if before == after:
                return
            obj.updated_by = user
            obj.updated_at = timezone.now()
            # an edit form of the action's page shown before this change is now stale
            obj.version = (previous.version if previous is not None else 0) + 1
            super().save_model(request, obj, form, change)
            audit.record(
                "action_state",
                obj.action_id,
                "update" if before is not None else "create",
                user,
                before=before,
                after=after,
                context="administration",
                caisse=audit.caisse_of(obj.contract_id),
            )
