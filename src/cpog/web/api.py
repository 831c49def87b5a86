"""The REST API, ``/api/v1/``: read the contract, its values, targets and statuses; write values
and targets with the same validation as file imports. Documented by its OpenAPI schema
(``/api/v1/openapi.json``).

Authentication: a personal token sent as ``Authorization: Bearer cpog_…`` (only its SHA-256 is
stored, see :class:`cpog.web.models.ApiToken`), or, for reading from the browser, the session
of a signed-in user. Writes need a token and are checked against the user's role exactly as in
the web pages.

Every error has one shape: ``{"ok": false, "status": 422, "error": "…", "errors": [{"item",
"field", "value", "message"}]}``, in French.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import BodyEx, NinjaAPI, P, QueryEx
from ninja.errors import HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, django_auth

from cpog import clock
from cpog.assess import Assessment
from cpog.assess.types import Target, YearVerdict
from cpog.assess.wording import lateness_text, next_value_text, verdict_label
from cpog.contract.model import Contract
from cpog.errors import CpogError
from cpog.formatting import fr_number
from cpog.ingest.bounds import fr_count
from cpog.ingest.imports import TARGET_COLUMNS, VALUE_COLUMNS
from cpog.ingest.numbers import DateError, parse_date
from cpog.ingest.tables import SHOWN_ISSUES, CellIssue, ImportValidationError, Row, Table
from cpog.ingest.value_rule import Subject, plain_key, subjects_of
from cpog.periods import Period, PeriodError, parse_period
from cpog.steering import Provenance, StatusRow, as_of_problem, provenance_text
from cpog.store.contracts import NoContractLoaded, current_contract
from cpog.store.imports import ConfirmationNeeded, ImportOutcome, apply_targets, apply_values
from cpog.store.models import Measurement
from cpog.store.models import Target as StoredTargetRow
from cpog.store.status import status_at
from cpog.store.values import (
    current_rows,
    current_targets,
    history,
)
from cpog.web import roles, tokens
from cpog.web.api_schemas import (
    AS_OF_DESCRIPTION,
    PERIOD_EXAMPLES,
    SUBJECT_EXAMPLES,
    ChallengeStatusOut,
    ErrorOut,
    IndicatorDetailOut,
    IndicatorOut,
    RolledSubjectOut,
    StatusRowOut,
    TargetIn,
    TargetOut,
    ValueIn,
    ValueOut,
    WriteOut,
)
from cpog.web.models import ApiToken

DESCRIPTION = """\
API REST de **cpog**, l'outil de pilotage du contrat pluriannuel d'objectifs et de gestion (CPOG)
de la Caf.

**Authentification.** Chaque utilisateur crée ses jetons personnels sur la page « Mes jetons
d'accès » de l'application (`/jetons/`, lien dans l'en-tête), ou un administrateur avec
`cpog token create --utilisateur NOM --nom "tableur"` ; le jeton (`cpog_…`) n'est affiché qu'une
fois. Il s'envoie dans l'en-tête `Authorization: Bearer cpog_…`, par exemple
`curl -H "Authorization: Bearer cpog_…" https://cpog.example/api/v1/indicators`. Un jeton vaut
jusqu'à sa date d'expiration incluse (90 jours par défaut, un an au plus) et peut être révoqué
à tout moment ; il donne les droits de son propriétaire. Dans le navigateur, la session d'un
utilisateur connecté suffit pour les lectures (`GET`). Sans authentification valide, la réponse
est `401`, avec la raison : jeton inconnu, expiré (« valable jusqu'au 27/11/2026 inclus ») ou
révoqué.

**Droits.** Tous les rôles lisent. Les valeurs s'écrivent selon les mêmes règles que dans
l'application : administrateur et contrôle de gestion partout, pilote de défi pour les
indicateurs et mesures des défis qu'il pilote ; les cibles, seulement par l'administrateur et le
contrôle de gestion. Sinon, `403`.

**Écritures.** `POST /values` et `POST /targets` reçoivent une liste d'éléments, validés comme
une ligne d'un fichier d'import (mêmes règles, mêmes messages) : les nombres sont des nombres
JSON ou du texte à la française (« 93,5 », « 1 234 »). Tout est enregistré, ou rien : la moindre
erreur renvoie `422` avec la liste de toutes les erreurs. Renvoyer les mêmes valeurs n'écrit
rien. Chaque écriture est tracée dans l'historique avec le nom de l'utilisateur.

**Limites.** Au plus {max_items} éléments par requête et un corps de {max_body} : au-delà,
`422` (liste trop longue) ou `413` (corps trop volumineux), sans que rien ne soit lu ni
enregistré. Les droits sont vérifiés avant la lecture du corps : un lecteur reçoit `403`
quelle que soit la taille de ce qu'il envoie. Une réponse d'erreur liste au plus {shown}
erreurs ; `error` en donne le nombre total.

**Formats.** Périodes : « 2025 », « 2025-03 », « 03/2025 », « mars 2025 », « T1 2025 »,
« 2025-Q1 », « S2 2024 », « 2024-H2 », « cumul à fin mars 2025 », « 2025-03-YTD » (casse et
accents libres). Dates : « 27/11/2026 » ou « 2026-11-27 » (année sur quatre chiffres).
Identifiants : l'identifiant d'un indicateur (« cog-08-29 ») ou son code tel qu'écrit dans le
contrat (« COG 08-29 »), ou l'identifiant d'une mesure de résultat visé
(« d04-r5-teleprocedures ») ; casse et accents libres.

**Erreurs.** Toujours la même forme :
`{"ok": false, "status": 422, "error": "message", "errors": [{"item": 1, "field": "value",
"value": "12,3,4", "message": "nombre non reconnu : il y a plusieurs virgules"}]}` ;
`item` est le rang de l'élément dans la liste envoyée, à partir de 1.
"""

MAX_ITEMS: int = getattr(settings, "API_MAX_ITEMS", 5_000)
MAX_BODY_BYTES: int = getattr(settings, "API_MAX_BODY_BYTES", 2 * 1024 * 1024)


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} Mo" if size >= 1024 * 1024 else f"{fr_count(size)} octets"


DESCRIPTION = DESCRIPTION.replace("{max_items}", fr_count(MAX_ITEMS))
DESCRIPTION = DESCRIPTION.replace("{max_body}", _size(MAX_BODY_BYTES) + " au plus")
DESCRIPTION = DESCRIPTION.replace("{shown}", fr_count(SHOWN_ISSUES))


class FrenchJSONRenderer(JSONRenderer):
    """UTF-8 JSON, accents written as such."""

    json_dumps_params = {"ensure_ascii": False}


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cpog_…``: the token's SHA-256 designates an active user. An expired
    or revoked token is told as such (401), not as an unknown one: its owner knows what to do."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token.startswith("cpog_"):
            return None
        found = (
            ApiToken.objects.select_related("user").filter(key_hash=ApiToken.digest(token)).first()
        )
        if found is None:
            return None
        refused = tokens.refusal(found)
        if refused is not None:
            raise ApiProblem(401, refused)
        tokens.note_use(found)
        request.user = found.user
        return found.user


class WriterAuth(TokenAuth):
    """A token whose user may make this kind of write, checked *before* the body is read:
    a caller without the right gets 403 whatever they send, and a body beyond
    :data:`MAX_BODY_BYTES` gets 413 without being read."""

    def __init__(self, allowed: Callable[[Any], bool], refusal: str) -> None:
        super().__init__()
        self.allowed = allowed
        self.refusal = refusal

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = super().authenticate(request, token)
        if user is None:
            return None
        if not self.allowed(user):
            raise ApiProblem(403, self.refusal)
        _check_body_size(request)
        return user


def _check_body_size(request: HttpRequest) -> None:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        raise ApiProblem(413, _too_big(declared))


def _too_big(declared: int | None = None) -> str:
    size = f"de {_size(declared)}" if declared else "trop volumineux"
    return (
        f"Corps de la requête {size} : au plus {_size(MAX_BODY_BYTES)} acceptés. Envoyez les"
        f" éléments en plusieurs requêtes ({fr_count(MAX_ITEMS)} au plus chacune). Rien n'a été"
        " enregistré."
    )


token_auth = TokenAuth()
READ_AUTH = [token_auth, django_auth]
VALUE_WRITERS = (roles.Role.ADMIN, roles.Role.CONTROLE, roles.Role.PILOTE)
VALUES_AUTH = [
    WriterAuth(
        lambda user: roles.role_of(user) in VALUE_WRITERS,
        "Vous n'avez pas le droit de saisir des valeurs.",
    )
]
TARGETS_AUTH = [
    WriterAuth(roles.can_write_targets, "Vous n'avez pas le droit de fixer les cibles.")
]

api = NinjaAPI(
    title="cpog — API du CPOG",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=READ_AUTH,
    renderer=FrenchJSONRenderer(),
    openapi_extra={
        "tags": [
            {"name": "Contrat", "description": "Le contrat signé, normalisé."},
            {"name": "Indicateurs", "description": "Le catalogue des indicateurs."},
            {"name": "Valeurs", "description": "Les valeurs par période et leurs révisions."},
            {"name": "Cibles", "description": "Les cibles annuelles en vigueur."},
            {"name": "Statuts", "description": "Où en est chaque indicateur, mesure et défi."},
        ]
    },
)

ERRORS: dict[int | str, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}
# The descriptions of responses in the schema, in French (django-ninja writes « Forbidden »…).
RESPONSES_FR: dict[str, Any] = {
    "responses": {
        200: {"description": "Réussite"},
        400: {"description": "Paramètre invalide"},
        401: {"description": "Authentification requise ou jeton invalide"},
        403: {"description": "Droits insuffisants"},
        404: {"description": "Introuvable"},
        413: {"description": "Corps de la requête trop volumineux"},
        422: {"description": "Données invalides : toutes les erreurs sont listées"},
    }
}


# --- errors -------------------------------------------------------------------------------


class ApiProblem(Exception):
    """An error answered with the API's JSON error shape."""

    def __init__(self, status: int, error: str, errors: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.errors = list(errors)


def _error(item: int | None, field: str, value: str, message: str) -> dict[str, Any]:
    return {"item": item, "field": field, "value": value, "message": message}


def _problem_response(request: HttpRequest, problem: ApiProblem) -> HttpResponse:
    response = api.create_response(
        request,
        {"ok": False, "status": problem.status, "error": problem.error, "errors": problem.errors},
        status=problem.status,
    )
    if problem.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="cpog"'
    return response


UNAUTHENTICATED = (
    "Authentification requise : envoyez l'en-tête « Authorization: Bearer cpog_… » avec un "
    "jeton d'API valide, ou connectez-vous à l'application."
)
GENERIC = {
    400: "Requête invalide.",
    401: UNAUTHENTICATED,
    403: "Vous n'avez pas le droit de faire cette opération.",
    404: "Ressource introuvable.",
    405: "Méthode non permise.",
    413: _too_big(),
    429: "Trop de requêtes : réessayez plus tard.",
}


@api.exception_handler(ApiProblem)
def _on_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return _problem_response(request, exc)


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja's own errors are in English: authentication, unreadable body…
    if exc.message.startswith("Cannot parse request body"):
        message = "Corps de la requête illisible : du JSON est attendu."
    else:
        message = GENERIC.get(exc.status_code, exc.message)
    return _problem_response(request, ApiProblem(exc.status_code, message))


@api.exception_handler(RequestDataTooBig)
def _on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # A body without Content-Length that grew beyond DATA_UPLOAD_MAX_MEMORY_SIZE while read.
    return _problem_response(request, ApiProblem(413, _too_big()))


@api.exception_handler(Http404)
def _on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _problem_response(request, ApiProblem(404, GENERIC[404]))


@api.exception_handler(PermissionDenied)
def _on_403(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _problem_response(request, ApiProblem(403, str(exc) or GENERIC[403]))


@api.exception_handler(NoContractLoaded)
def _on_no_contract(request: HttpRequest, exc: NoContractLoaded) -> HttpResponse:
    return _problem_response(request, ApiProblem(404, str(exc)))


@api.exception_handler(CpogError)
def _on_cpog_error(request: HttpRequest, exc: CpogError) -> HttpResponse:
    """A problem of the installation the user must fix (a caisse's policy file, the clock
    setting…): its French message, not a traceback."""
    return _problem_response(request, ApiProblem(500, str(exc)))


PYDANTIC_MESSAGES = {
    "missing": "valeur manquante",
    "extra_forbidden": "champ inconnu",
    "string_type": "texte attendu",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "float_type": "nombre attendu",
    "list_type": "liste JSON attendue",
    "model_type": "objet JSON attendu",
    "model_attributes_type": "objet JSON attendu",
    "dict_type": "objet JSON attendu",
    "date_type": "date attendue (AAAA-MM-JJ)",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "too_long": f"liste trop longue : au plus {fr_count(MAX_ITEMS)} éléments par requête",
    "string_too_long": "texte trop long",
    "json_invalid": "JSON illisible",
}


@api.exception_handler(ValidationError)
def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Request shape errors (a field missing, a list expected…), worded in French."""
    errors = []
    seen: set[tuple[int | None, str]] = set()
    for error in exc.errors:
        loc = [part for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        # The body list is read into the parameter ``items``: drop that name.
        if loc and loc[0] == "items":
            loc = loc[1:]
        item = loc[0] + 1 if loc and isinstance(loc[0], int) else None
        fields = [str(part) for part in loc if not isinstance(part, int)]
        field = fields[0] if fields else ""
        if (item, field) in seen:
            continue  # a union reports each alternative (``value.int``, ``value.str``…)
        seen.add((item, field))
        kind = str(error.get("type", ""))
        if len(fields) > 1:
            message = "type non permis (nombre ou texte attendu)"
        else:
            message = PYDANTIC_MESSAGES.get(kind, "valeur non permise")
        value = "" if kind == "missing" else _shown(error.get("input"))
        errors.append(_error(item, field, value, message))
    shown = errors[:SHOWN_ISSUES]
    message = "La requête ne respecte pas le format attendu."
    if len(errors) > len(shown):
        message += f" {_count_text(len(errors), len(shown))}"
    return _problem_response(request, ApiProblem(422, message, shown))


def _count_text(total: int, shown: int) -> str:
    """« 48 213 erreurs ; les 200 premières sont listées. »"""
    return f"{fr_count(total)} erreurs ; les {fr_count(shown)} premières sont listées."


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return "objet JSON" if isinstance(value, dict) else "liste JSON"
    return str(value)


# --- shared helpers -----------------------------------------------------------------------


@dataclass
class Context:
    contract: Contract
    scope: str


def _context() -> Context:
    _, contract = current_contract()
    return Context(contract, contract.organisation.code)


def _subject(contract: Contract, text: str) -> Subject:
    found = subjects_of(contract).get(plain_key(text))
    if found is None:
        raise ApiProblem(
            404,
            f"Identifiant inconnu dans le contrat : « {text} ».",
            [_error(None, "subject", text, "identifiant inconnu dans le contrat")],
        )
    return found


def _period(text: str | None, field: str) -> Period | None:
    if not text:
        return None
    try:
        return parse_period(text)
    except PeriodError as error:
        raise ApiProblem(400, str(error), [_error(None, field, text, str(error))]) from error


def _as_of(text: str | None, contract: Contract) -> date:
    if not text:
        return clock.today()
    try:
        day = parse_date(text)
    except DateError as error:
        raise ApiProblem(400, str(error), [_error(None, "as_of", text, str(error))]) from error
    if problem := as_of_problem(contract, day):
        raise ApiProblem(400, f"as_of : {problem}.", [_error(None, "as_of", text, problem)])
    return day


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# Words of the import templates, so that what is read can be posted back.
VALUE_STATUS_WORDS = {"provisional": "provisoire", "definitive": "définitive"}
TARGET_KIND_WORDS = {
    "national": "nationale",
    "individualised": "individualisée",
    "fixed": "fixée",
    "trajectory": "trajectoire",
}
PROVENANCE_WORDS = {
    "cog_annex": "annexe COG",
    "cnaf_notification": "notification Cnaf",
    "cpog": "CPOG",
    "derived": "déduite",
    "demo": "démonstration",
}
COMPARATOR_SIGNS = {"lt": "<", "le": "≤", "ge": "≥", "gt": ">", "eq": "=", "": ""}


# --- reading ------------------------------------------------------------------------------

# Query parameters documented with their accepted forms, so that a generated client sends valid
# requests. Their forms are not enforced as patterns: the French message of the period or date
# reader says more than a pattern mismatch would.
AsOfQuery = QueryEx[
    str | None,
    P(
        description=AS_OF_DESCRIPTION,
        example="27/11/2026",
        max_length=10,
    ),
]
PeriodQuery = QueryEx[
    str | None,
    P(
        description="Période : " + ", ".join(f"« {p} »" for p in PERIOD_EXAMPLES) + "…",
        example=PERIOD_EXAMPLES[0],
        max_length=60,
    ),
]
SubjectQuery = QueryEx[
    str | None,
    P(
        description="Indicateur (« cog-08-29 » ou « COG 08-29 ») ou mesure de résultat visé "
        "(« d04-r5-teleprocedures »).",
        example=SUBJECT_EXAMPLES[0],
        max_length=80,
    ),
]


@api.get(
    "/contract",
    response={200: Contract, **ERRORS},
    openapi_extra=RESPONSES_FR,
    tags=["Contrat"],
    summary="Le contrat en vigueur",
    description="Le contrat normalisé de la version en vigueur (avenants compris), tel que "
    "l'exporte « cpog export --format json ».",
)
def get_contract(request: HttpRequest) -> Any:
    return _context().contract.model_dump(mode="json")


def _indicator_fields(contract: Contract, indicator_id: str) -> dict[str, Any]:
    indicator = contract.indicator(indicator_id)
    assert indicator is not None
    return {
        "id": indicator.id,
        "code": indicator.code,
        "code_as_written": indicator.code_as_written,
        "label": indicator.label,
        "family": indicator.family,
        "group": indicator.group,
        "nature": indicator.nature.value,
        "type": indicator.type.value,
        "unit": indicator.unit,
        "direction": indicator.direction.value,
        "periodicity": indicator.periodicity.value,
        "target_kind": indicator.target.kind.value,
        "target_as_written": indicator.target.as_written,
    }


@api.get(
    "/indicators",
    response={200: list[IndicatorOut], **ERRORS},
    openapi_extra=RESPONSES_FR,
    tags=["Indicateurs"],
    summary="Liste des indicateurs",
    description="Les indicateurs du contrat, dans l'ordre du texte signé.",
)
def list_indicators(request: HttpRequest) -> Any:
    contract = _context().contract
    return [_indicator_fields(contract, i.id) for i in contract.indicators]


@api.get(
    "/indicators/{indicator_id}",
    response={200: IndicatorDetailOut, **ERRORS},
    openapi_extra=RESPONSES_FR,
    tags=["Indicateurs"],
    summary="Un indicateur et sa définition",
    description="Par identifiant (« cog-08-29 ») ou par code (« COG 08-29 »).",
)
def get_indicator(request: HttpRequest, indicator_id: str) -> Any:
    contract = _context().contract
    indicator = contract.indicator(indicator_id)
    if indicator is None:
        raise ApiProblem(404, f"Indicateur inconnu dans le contrat : « {indicator_id} ».")
    return {
        **_indicator_fields(contract, indicator.id),
        "type_as_written": indicator.type_as_written,
        "cumulation": indicator.cumulation.value,
        "availability_lag_days": indicator.availability_lag_days,
        "calculation_method": indicator.calculation_method,
        "numerator": indicator.numerator,
        "denominator": indicator.denominator,
        "data_source": indicator.data_source,
        "challenges": sorted(roles.challenges_of_subject(contract, "indicator", indicator.id)),
    }


def _target_out(row: StoredTargetRow) -> dict[str, Any]:
    return {
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "year": row.year,
        "value": float(row.value),
        "kind": TARGET_KIND_WORDS.get(row.kind, row.kind),
        "provenance": PROVENANCE_WORDS.get(row.provenance, row.provenance),
        "comparator": COMPARATOR_SIGNS.get(row.comparator, row.comparator),
        "reason": row.reason,
        "set_by": row.set_by,
        "set_at": row.set_at,
    }


@api.get(
    "/targets",
    response={200: list[TargetOut], **ERRORS},
    openapi_extra=RESPONSES_FR,
    tags=["Cibles"],
    summary="Cibles en vigueur",
    description="La cible en vigueur de chaque indicateur et mesure, par année et par type "
    "(la dernière fixée l'emporte) ; « subject » restreint à un indicateur ou une mesure.",
)
def list_targets(request: HttpRequest, subject: SubjectQuery = None) -> Any:
    context = _context()
    wanted = _subject(context.contract, subject) if subject else None
    result = []
    for (subject_type, subject_id), rows in sorted(
        current_targets(context.contract.id, context.scope).items()
    ):
        if wanted is not None and (subject_type, subject_id) != (
            wanted.subject_type,
            wanted.subject_id,
        ):
            continue
        result += [_target_out(row) for row in rows]
    return result


def _value_out(row: Measurement, current: bool) -> dict[str, Any]:
    return {
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "period": row.period_key,
        "period_label": str(parse_period(row.period_key)),
        "period_start": row.period_start,
        "period_end": row.period_end,
        "value": float(row.value),
        "numerator": _float(row.numerator),
        "denominator": _float(row.denominator),
        "status": VALUE_STATUS_WORDS.get(row.status, row.status),
        "source": row.source,
        "source_label": row.get_source_display(),
        "comment": row.comment,
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at,
        "current": current,
    }


@api.get(
    "/values",
    response={200: list[ValueOut], **ERRORS},
    openapi_extra=RESPONSES_FR,
    tags=["Valeurs"],
    summary="Valeurs en vigueur",
    description="La valeur en vigueur (dernière révision) de chaque période. « subject » "
    "restreint à un indicateur ou une mesure ; « period_from » et « period_to » (« 2025 », "
    "« mars 2025 », « T1 2025 »…) gardent les périodes qui se terminent entre le début de "
    "la première et la fin de la seconde.",
)
def list_values(
    request: HttpRequest,
    subject: SubjectQuery = None,
    period_from: PeriodQuery = None,
    period_to: PeriodQuery = None,
) -> Any:
    context = _context()
    wanted = _subject(context.contract, subject) if subject else None
    first = _period(period_from, "period_from")
    last = _period(period_to, "period_to")
    rows = current_rows(
        context.contract.id, context.scope, None if wanted is None else [wanted.subject_id]
    ).values()
    kept = [
        row
        for row in rows
        if (wanted is None or row.subject_type == wanted.subject_type)
        and (first is None or row.period_end >= first.start)
        and (last is None or row.period_end <= last.end)
    ]
    kept.sort(key=lambda r: (r.subject_type, r.subject_id, r.period_end, r.period_start))
    return [_value_out(row, True) for row in kept]


@api.get(
    "/values/{subject}/history",
    response={200: list[ValueOut], **ERRORS},
    openapi_extra=RESPONSES_FR,
    tags=["Valeurs"],
    summary="Historique des valeurs d'un indicateur ou d'une mesure",
    description="Chaque révision de chaque période, de la plus ancienne à la plus récente ; "
    "« current » désigne la révision en vigueur.",
)
def value_history(request: HttpRequest, subject: str) -> Any:
    context = _context()
    found = _subject(context.contract, subject)
    rows = history(context.contract.id, context.scope, found.subject_type, found.subject_id)
    latest = {row.period_key: row.pk for row in rows}  # oldest first: the last one wins
    return [_value_out(row, latest[row.period_key] == row.pk) for row in rows]


def _resolved(target: Target | None) -> dict[str, Any] | None:
    if target is None:
        return None
    return {
        "year": target.year,
        "value": target.value,
        "written": target.written,
        "source": target.source.value,
        "source_label": target.source.label_fr,
        "comparator": target.comparator.value,
    }


def _status_out(row: StatusRow, as_of: date) -> dict[str, Any]:
    assessment: Assessment = row.assessment
    current = assessment.current
    freshness = assessment.freshness
    projection = assessment.projection
    return {
        "as_of": as_of,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "code": row.code,
        "label": row.label,
        "unit": row.unit,
        "challenge": row.challenge,
        "family": row.family,
        "current": None
        if current is None
        else {
            "period": current.period.key,
            "period_label": str(current.period),
            "value": current.value,
        },
        "period": None if current is None else current.period.key,
        "targets": [
            {
                "year": t.year,
                "value": t.value,
                "kind": t.kind.value,
                "comparator": None if t.comparator is None else t.comparator.value,
            }
            for t in assessment.subject.targets
        ],
        "annual_target": _resolved(assessment.annual_target),
        "final_target": _resolved(assessment.final_target),
        "expected": assessment.expected,
        "progress_annual": assessment.progress_annual,
        "progress_global": assessment.progress_global,
        "status": assessment.status.value,
        "status_label": assessment.status.label_fr,
        "projection": None
        if projection is None
        else {
            "value": projection.value,
            "at": projection.at,
            "method": projection.method,
            "n_points": projection.n_points,
            "status": projection.projected_status.value,
            "status_label": projection.projected_status.label_fr,
        },
        "lateness": {
            "filled": freshness.filled,
            "expected_period": freshness.expected_period.key,
            "expected_on": freshness.expected_on,
            "latest_period": None
            if freshness.latest_period is None
            else freshness.latest_period.key,
            "is_late": freshness.is_late,
            "days_late": freshness.days_late,
            "label": lateness_text(freshness),
            "next_period": None if freshness.next_period is None else freshness.next_period.key,
            "next_expected_date": freshness.next_expected_date,
            "next_label": next_value_text(freshness, as_of),
        },
        "closing": assessment.closing,
        "verdict": None if assessment.verdict is None else _verdict_out(assessment.verdict),
        "years": [_verdict_out(v) for v in assessment.years],
        "to_check": assessment.to_check,
        "per_year": assessment.subject.per_year,
        "measured_by": row.measured_by,
        "baseline": _provenance_out(row.baseline),
        "target_provenance": _provenance_out(row.target),
        "reasons": list(assessment.reasons),
    }


def _verdict_out(verdict: YearVerdict) -> dict[str, Any]:
    return {
        "year": verdict.year,
        "met": verdict.met,
        "value": verdict.value,
        "target": verdict.target.value,
        "provisional": verdict.provisional,
        "awaited": verdict.awaited,
        "to_check": verdict.to_check,
        "label": verdict_label(verdict),
    }


def _provenance_out(provenance: Provenance) -> dict[str, Any]:
    return {
        "origin": provenance.origin,
        "value": provenance.value,
        "year": provenance.year,
        "basis": None if provenance.basis is None else provenance.basis.value,
        "confidence": None if provenance.confidence is None else provenance.confidence.value,
        "label": provenance_text(provenance),
    }


@api.get(
    "/statuses",
    response={200: list[StatusRowOut], **ERRORS},
    openapi_extra=RESPONSES_FR,
    tags=["Statuts"],
    summary="Statut de chaque indicateur et mesure",
    description="Pour chaque indicateur et chaque mesure de résultat visé, à la date « as_of » "
    "(AAAA-MM-JJ ou JJ/MM/AAAA, aujourd'hui par défaut) : valeur courante et sa période, "
    "cibles, valeur attendue, taux d'avancement, statut, projection et retard de saisie.",
)
def list_statuses(request: HttpRequest, as_of: AsOfQuery = None) -> Any:
    contract = _context().contract
    day = _as_of(as_of, contract)
    status = status_at(contract, day)
    return [_status_out(row, day) for row in status.rows]


@api.get(
    "/challenges/{number}/status",
    response={200: ChallengeStatusOut, **ERRORS},
    openapi_extra=RESPONSES_FR,
    tags=["Statuts"],
    summary="Statut consolidé d'un défi",
    description="La synthèse d'un défi à la date « as_of » (aujourd'hui par défaut) : statut, "
    "score, avancement, ce qui manque, et le statut de chacun de ses indicateurs et mesures.",
)
def challenge_status(request: HttpRequest, number: int, as_of: AsOfQuery = None) -> Any:
    contract = _context().contract
    day = _as_of(as_of, contract)
    challenge = contract.challenge(number)
    if challenge is None:
        raise ApiProblem(404, f"Défi inconnu dans le contrat : n°{number}.")
    status = status_at(contract, day)
    rollup = status.challenges[number]
    subjects = [
        RolledSubjectOut(
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            code=row.code,
            label=row.label,
            weight=item.weight,
            counted_with=item.counted_with,
            status=row.assessment.status.value,
            status_label=row.assessment.status.label_fr,
            filled=row.assessment.freshness.filled,
            verdict=None
            if row.assessment.verdict is None
            else verdict_label(row.assessment.verdict),
        )
        for row, item in status.challenge_rows(number)
    ]
    return ChallengeStatusOut(
        as_of=day,
        number=number,
        title=challenge.title,
        status=rollup.status.value,
        status_label=rollup.status.label_fr,
        score=rollup.score,
        progress=rollup.progress,
        n_expected=rollup.n_expected,
        n_available=rollup.n_available,
        n_filled=rollup.n_filled,
        missing=rollup.missing,
        complete=rollup.complete,
        subjects=subjects,
    )


# --- writing ------------------------------------------------------------------------------

VALUE_FIELDS = {
    "subject": "identifiant",
    "period": "période",
    "value": "valeur",
    "numerator": "numérateur",
    "denominator": "dénominateur",
    "status": "statut",
    "comment": "commentaire",
}
TARGET_FIELDS = {
    "subject": "identifiant",
    "year": "année",
    "value": "valeur",
    "kind": "type de cible",
    "provenance": "provenance",
    "comparator": "comparateur",
    "reason": "motif",
}
SOURCE = "requête API"


def _cell(value: Any) -> tuple[str, Decimal | None]:
    """The text of a cell, and its exact number when JSON gave a number."""
    if value is None:
        return "", None
    if isinstance(value, str):
        return value.strip(), None
    if isinstance(value, int):
        return str(value), Decimal(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value), Decimal(repr(value))
    return str(value), None  # NaN, infinity: refused as text by the number reader


def _table(
    items: Sequence[ValueIn | TargetIn], fields: dict[str, str], columns: list[str]
) -> Table:
    """The JSON items as an import file: one row per item, line = rank in the list."""
    rows = []
    for index, item in enumerate(items):
        cells = dict.fromkeys(columns, "")
        numbers: dict[str, Decimal] = {}
        for field, column in fields.items():
            text, number = _cell(getattr(item, field))
            cells[column] = text
            if number is not None and field not in ("year",):
                numbers[column] = number
        rows.append(Row(line=index + 1, cells=cells, numbers=numbers))
    return Table(source=SOURCE, headers=list(columns), rows=rows, header_line=0)


def _issues(issues: Sequence[CellIssue], fields: dict[str, str]) -> list[dict[str, Any]]:
    by_column = {column: field for field, column in fields.items()}
    ordered = sorted(issues, key=lambda issue: issue.line)  # stable: column order kept
    return [
        _error(
            issue.line or None,
            by_column.get(issue.column, issue.column),
            issue.value,
            issue.message,
        )
        for issue in ordered
    ]


def _invalid(error: ImportValidationError, fields: dict[str, str]) -> ApiProblem:
    count = error.total
    shown = _issues(error.issues[:SHOWN_ISSUES], fields)
    listed = f" Les {fr_count(len(shown))} premières sont listées." if count > len(shown) else ""
    return ApiProblem(
        422,
        f"{fr_count(count)} erreur{'s' if count > 1 else ''} : rien n'a été enregistré.{listed}",
        shown,
    )


def _check_value_rights(request: HttpRequest, contract: Contract, items: Sequence[ValueIn]) -> None:
    """The same rule as the web pages: a pilot writes the values of the défis they pilot."""
    user = _user(request)
    if roles.role_of(user) not in (roles.Role.ADMIN, roles.Role.CONTROLE, roles.Role.PILOTE):
        raise ApiProblem(403, "Vous n'avez pas le droit de saisir des valeurs.")
    subjects = subjects_of(contract)
    refused = []
    for index, item in enumerate(items):
        subject = subjects.get(plain_key(item.subject))
        if subject is None:
            continue  # reported by the validation
        if not roles.can_write_subject(user, contract, subject.subject_type, subject.subject_id):
            numbers = sorted(
                roles.challenges_of_subject(contract, subject.subject_type, subject.subject_id)
            )
            where = ", ".join(f"n°{n}" for n in numbers) or "aucun"
            refused.append(
                _error(
                    index + 1,
                    "subject",
                    item.subject,
                    f"vous ne pilotez pas le défi de « {subject.label} » (défi {where})",
                )
            )
    if refused:
        raise ApiProblem(
            403, "Vous n'avez pas le droit de saisir certaines de ces valeurs.", refused
        )


# The list's length is checked as it is validated, before the items beyond are looked at.
ValueItems = BodyEx[
    list[ValueIn], P(max_length=MAX_ITEMS, description=f"Au plus {fr_count(MAX_ITEMS)} valeurs.")
]
TargetItems = BodyEx[
    list[TargetIn], P(max_length=MAX_ITEMS, description=f"Au plus {fr_count(MAX_ITEMS)} cibles.")
]


@api.post(
    "/values",
    auth=VALUES_AUTH,
    response={200: WriteOut, **ERRORS},
    openapi_extra=RESPONSES_FR,
    tags=["Valeurs"],
    summary="Enregistrer des valeurs",
    description="Une liste de valeurs, validées comme les lignes d'un fichier d'import de "
    "valeurs et comme une saisie (mêmes règles, mêmes messages), enregistrées toutes ou aucune. "
    "Une valeur vide est calculée depuis « numerator » et « denominator ». Une valeur identique "
    "à la valeur en vigueur n'est pas réécrite ; une valeur différente crée une révision. "
    "Un taux écrit comme une fraction ou une valeur éloignée de sa série demande "
    "« ?confirmer=true » (sinon 422 avec leur liste). Jeton d'API obligatoire.",
)
def post_values(
    request: HttpRequest,
    items: ValueItems,
    confirmer: QueryEx[
        bool,
        P(
            description="Confirme les valeurs à confirmer : un taux écrit comme une fraction "
            "(« 0,861 » → 86,1 %) ou une valeur éloignée de sa série. Sans lui, la réponse est "
            "422 avec la liste de ces valeurs, et rien n'est enregistré."
        ),
    ] = False,
) -> Any:
    context = _context()
    contract = context.contract
    _check_value_rights(request, contract, items)
    if not items:
        raise ApiProblem(422, "La liste est vide : aucune valeur à enregistrer.")
    table = _table(items, VALUE_FIELDS, VALUE_COLUMNS)
    try:
        outcome = apply_values(
            table,
            contract,
            user=_user(request).get_username(),
            source=Measurement.Source.API,
            confirm=confirmer,
            template_lines=False,
        )
    except ImportValidationError as error:
        raise _invalid(error, VALUE_FIELDS) from None
    except ConfirmationNeeded as needed:
        raise _to_confirm(needed.outcome) from None
    return WriteOut(written=len(outcome.changes), unchanged=outcome.unchanged)


def _to_confirm(outcome: ImportOutcome) -> ApiProblem:
    changes = outcome.to_confirm
    count = len(changes)
    return ApiProblem(
        422,
        f"{count} valeur{'s' if count > 1 else ''} à confirmer : rien n'a été enregistré. "
        "Vérifiez-les, puis renvoyez la même requête avec « ?confirmer=true ».",
        [
            _error(change.line, "value", change.after, note)
            for change in changes
            for note in change.to_confirm
        ][:SHOWN_ISSUES],
    )


@api.post(
    "/targets",
    auth=TARGETS_AUTH,
    response={200: WriteOut, **ERRORS},
    openapi_extra=RESPONSES_FR,
    tags=["Cibles"],
    summary="Fixer des cibles",
    description="Une liste de cibles, validées comme les lignes d'un fichier d'import de "
    "cibles, enregistrées toutes ou aucune. Changer une cible déjà fixée exige un motif. "
    "Réservé à l'administrateur et au contrôle de gestion ; jeton d'API obligatoire.",
)
def post_targets(request: HttpRequest, items: TargetItems) -> Any:
    context = _context()
    contract = context.contract
    user = _user(request)
    if not roles.can_write_targets(user):
        raise ApiProblem(403, "Vous n'avez pas le droit de fixer les cibles.")
    if not items:
        raise ApiProblem(422, "La liste est vide : aucune cible à enregistrer.")
    table = _table(items, TARGET_FIELDS, TARGET_COLUMNS)
    try:
        outcome = apply_targets(table, contract, user=user.get_username(), template_lines=False)
    except ImportValidationError as error:
        raise _invalid(error, TARGET_FIELDS) from None
    return WriteOut(written=len(outcome.changes), unchanged=outcome.unchanged)


def _number(value: Decimal) -> str:
    return fr_number(value.normalize())


__all__ = ["api"]
