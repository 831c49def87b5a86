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

import logging
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

from cpog import clock, vocabulary
from cpog.contexts.challenge_status import ChallengeStatusData, challenge_status
from cpog.contexts.situation import Situation, situation
from cpog.contexts.status_rows import StatusRowData, status_row
from cpog.contexts.territories import territory_situation
from cpog.contexts.values import TargetData, ValueData, subject_names, target_data, value_data
from cpog.contract.model import Contract
from cpog.errors import CpogError
from cpog.ingest.bounds import fr_count
from cpog.ingest.imports import ACCEPTED_VALUE_COLUMNS, TARGET_COLUMNS
from cpog.ingest.numbers import DateError, parse_date
from cpog.ingest.tables import SHOWN_ISSUES, CellIssue, ImportValidationError, Row, Table
from cpog.ingest.value_rule import Subject, plain_key, subjects_of
from cpog.logs import current_request_id
from cpog.periods import Period, PeriodError, parse_period
from cpog.scope import ScopeError
from cpog.steering import as_of_problem, challenges_of_subject
from cpog.store.contracts import NoContractLoaded
from cpog.store.imports import ConfirmationNeeded, ImportOutcome, apply_targets, apply_values
from cpog.store.models import Measurement
from cpog.store.reader import StoreReader
from cpog.store.roles import Role, role_of
from cpog.store.territories import caisse_territories
from cpog.web import roles, scoping, tokens
from cpog.web.api_schemas import (
    AS_OF_DESCRIPTION,
    DESCRIPTIONS,
    PERIOD_EXAMPLES,
    SUBJECT_EXAMPLES,
    TARGET_FIELDS,
    VALUE_FIELDS,
    ErrorOut,
    IndicatorData,
    IndicatorDetailData,
    TargetIn,
    ValueIn,
    WriteOutcome,
    json_name,
)
from cpog.web.models import ApiToken
from cpog.web.scoping import caisse_for, contract_for

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

**Caisse.** Un compte d'une caisse lit et écrit les données de sa caisse seulement ; un compte du
réseau choisit la caisse de chaque appel avec `?caisse=CODE` (« ?caisse=86 »), la caisse de
l'installation par défaut. Une autre caisse demandée par un compte de caisse reçoit `403`, une
caisse inconnue `404`.

**Noms des champs.** En français, les mêmes que dans `cpog status --format json` et les
rapports : une ligne de statut (`statut`, `statut_libelle`, `valeur_courante`, `saisie`…) a une
seule forme partout, avec les mêmes mots que les pages.

**Écritures.** `POST /values` et `POST /targets` reçoivent une liste d'éléments dont les champs
sont les colonnes du fichier d'import, écrites sans accent ni espace (`identifiant`, `periode`,
`valeur`, `numerateur`, `denominateur`, `statut`, `commentaire` ; `annee`, `type_de_cible`,
`provenance`, `comparateur`, `motif`), validés comme une ligne de ce fichier (mêmes règles,
mêmes messages) : les nombres sont des nombres
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
`{"ok": false, "status": 422, "error": "message", "errors": [{"item": 1, "field": "valeur",
"value": "12,3,4", "message": "nombre non reconnu : il y a plusieurs virgules"}]}` ;
`item` est le rang de l'élément dans la liste envoyée, à partir de 1 ; `field` le champ en
cause.
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


_log = logging.getLogger(__name__)
token_auth = TokenAuth()
READ_AUTH = [token_auth, django_auth]
VALUE_WRITERS = (Role.ADMIN, Role.CONTROLE, Role.PILOTE)
VALUES_AUTH = [
    WriterAuth(
        lambda user: role_of(user) in VALUE_WRITERS,
        "Vous n'avez pas le droit de saisir des valeurs.",
    )
]
TARGETS_AUTH = [
    WriterAuth(roles.can_write_targets, "Vous n'avez pas le droit de fixer les cibles.")
]


class DocumentedAPI(NinjaAPI):
    """The OpenAPI document with a French description on the key output fields: the contexts
    are plain dataclasses without one, their descriptions are in
    :data:`cpog.web.api_schemas.DESCRIPTIONS` by French field name."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for component in schema.get("components", {}).get("schemas", {}).values():
            for name, prop in component.get("properties", {}).items():
                if name in DESCRIPTIONS and "description" not in prop:
                    prop["description"] = DESCRIPTIONS[name]
        return schema


api = DocumentedAPI(
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
            {"name": "Réseau", "description": "Les caisses du réseau, comparées."},
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
    setting…): its French message, not a traceback; the traceback goes to the log, with the
    request id also given in the answer (decision 024)."""
    incident = current_request_id()
    _log.error("Erreur de l'installation (API) : %s", exc, exc_info=exc)
    return api.create_response(
        request,
        {"ok": False, "status": 500, "error": str(exc), "errors": [], "identifiant": incident},
        status=500,
    )


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


def _context(request: HttpRequest) -> Context:
    """The contract of the caisse the call is about: the caller's own, or for a network user
    the one ``?caisse=CODE`` names (:func:`cpog.web.scoping.caisse_for`, decision 017)."""
    try:
        code = caisse_for(request.user, request.GET.get(scoping.PARAMETER))
    except scoping.CaisseRefused as refused:
        raise ApiProblem(403, str(refused)) from None
    except scoping.UnknownCaisse as missing:
        raise ApiProblem(404, str(missing)) from None
    _, contract = contract_for(code)
    return Context(contract, contract.organisation.code)


SUBJECT = json_name(VALUE_FIELDS["subject"])  # « identifiant »


def _subject(contract: Contract, text: str) -> Subject:
    found = subjects_of(contract).get(plain_key(text))
    if found is None:
        raise ApiProblem(
            404,
            f"Identifiant inconnu dans le contrat : « {text} ».",
            [_error(None, SUBJECT, text, "identifiant inconnu dans le contrat")],
        )
    return found


def _period(text: str | None, field: str) -> Period | None:
    if not text:
        return None
    try:
        return parse_period(text)
    except PeriodError as error:
        raise ApiProblem(400, str(error), [_error(None, field, text, str(error))]) from error


AS_OF = vocabulary.FIELD["as_of"]  # « date_de_situation »


def _as_of(text: str | None, contract: Contract) -> date:
    if not text:
        return clock.today()
    try:
        day = parse_date(text)
    except DateError as error:
        raise ApiProblem(400, str(error), [_error(None, AS_OF, text, str(error))]) from error
    if problem := as_of_problem(contract, day):
        raise ApiProblem(400, f"{AS_OF} : {problem}.", [_error(None, AS_OF, text, problem)])
    return day


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


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
        alias=AS_OF,
    ),
]
PERIOD_FROM, PERIOD_TO = "periode_debut", "periode_fin"
PeriodFromQuery = QueryEx[
    str | None,
    P(
        description="Première période : " + ", ".join(f"« {p} »" for p in PERIOD_EXAMPLES) + "…",
        example=PERIOD_EXAMPLES[0],
        max_length=60,
        alias=PERIOD_FROM,
    ),
]
PeriodToQuery = QueryEx[
    str | None,
    P(
        description="Dernière période, mêmes formes.",
        example=PERIOD_EXAMPLES[3],
        max_length=60,
        alias=PERIOD_TO,
    ),
]
SubjectQuery = QueryEx[
    str | None,
    P(
        description="Indicateur (« cog-08-29 » ou « COG 08-29 ») ou mesure de résultat visé "
        "(« d04-r5-teleprocedures »).",
        example=SUBJECT_EXAMPLES[0],
        max_length=80,
        alias=SUBJECT,
    ),
]


@api.get(
    "/contract",
    response={200: Contract, **ERRORS},
    openapi_extra=RESPONSES_FR,
    tags=["Contrat"],
    summary="Le contrat en vigueur",
    description="Le contrat normalisé de la version en vigueur (avenants compris), tel que "
    "l'exporte « cpog export --format json » (le format d'échange du contrat, décrit par ses "
    "schémas JSON : noms de champs en anglais).",
)
def get_contract(request: HttpRequest) -> Any:
    return _context(request).contract.model_dump(mode="json")


def _indicator(contract: Contract, indicator_id: str) -> IndicatorData:
    i = contract.indicator(indicator_id)
    assert i is not None
    return IndicatorData(**_indicator_fields(contract, i.id))


def _indicator_fields(contract: Contract, indicator_id: str) -> dict[str, Any]:
    i = contract.indicator(indicator_id)
    assert i is not None
    return {
        "indicator_id": i.id,
        "code": i.code,
        "code_as_written": i.code_as_written,
        "label": i.label,
        "family": i.family,
        "group": i.group,
        "nature": i.nature.value,
        "nature_label": vocabulary.NATURE[i.nature],
        "indicator_type": i.type.value,
        "indicator_type_label": vocabulary.INDICATOR_TYPE[i.type],
        "unit": i.unit,
        "direction": i.direction.value,
        "direction_label": vocabulary.DIRECTION[i.direction],
        "periodicity": i.periodicity.value,
        "periodicity_label": vocabulary.PERIODICITY[i.periodicity],
        "target_kind": i.target.kind.value,
        "target_kind_label": vocabulary.target_kind(i.target.kind, i.target.from_year),
        "target_as_written": i.target.as_written,
    }


@api.get(
    "/indicators",
    response={200: list[IndicatorData], **ERRORS},
    by_alias=True,
    openapi_extra=RESPONSES_FR,
    tags=["Indicateurs"],
    summary="Liste des indicateurs",
    description="Les indicateurs du contrat, dans l'ordre du texte signé.",
)
def list_indicators(request: HttpRequest) -> Any:
    contract = _context(request).contract
    return [_indicator(contract, i.id) for i in contract.indicators]


@api.get(
    "/indicators/{indicator_id}",
    response={200: IndicatorDetailData, **ERRORS},
    by_alias=True,
    openapi_extra=RESPONSES_FR,
    tags=["Indicateurs"],
    summary="Un indicateur et sa définition",
    description="Par identifiant (« cog-08-29 ») ou par code (« COG 08-29 »).",
)
def get_indicator(request: HttpRequest, indicator_id: str) -> Any:
    contract = _context(request).contract
    i = contract.indicator(indicator_id)
    if i is None:
        raise ApiProblem(404, f"Indicateur inconnu dans le contrat : « {indicator_id} ».")
    return IndicatorDetailData(
        **_indicator_fields(contract, i.id),
        type_as_written=i.type_as_written,
        cumulation=i.cumulation.value,
        cumulation_label=vocabulary.CUMULATION[i.cumulation],
        availability_lag_days=i.availability_lag_days,
        calculation_method=i.calculation_method,
        numerator=i.numerator,
        denominator=i.denominator,
        data_source=i.data_source,
        challenges=sorted(challenges_of_subject(contract, "indicator", i.id)),
    )


@api.get(
    "/targets",
    response={200: list[TargetData], **ERRORS},
    by_alias=True,
    openapi_extra=RESPONSES_FR,
    tags=["Cibles"],
    summary="Cibles en vigueur",
    description="La cible en vigueur de chaque indicateur et mesure, par année et par type "
    "(la dernière fixée l'emporte) ; « identifiant » restreint à un indicateur ou une mesure.",
)
def list_targets(request: HttpRequest, identifiant: SubjectQuery = None) -> Any:
    context = _context(request)
    wanted = _subject(context.contract, identifiant) if identifiant else None
    key = None if wanted is None else (wanted.subject_type, wanted.subject_id)
    targets = StoreReader().targets(context.contract, context.scope, key)
    names = subject_names(context.contract)
    return [target_data(t, names) for t in targets if t.current]


@api.get(
    "/values",
    response={200: list[ValueData], **ERRORS},
    by_alias=True,
    openapi_extra=RESPONSES_FR,
    tags=["Valeurs"],
    summary="Valeurs en vigueur",
    description="La valeur en vigueur (dernière révision) de chaque période. « identifiant » "
    "restreint à un indicateur ou une mesure ; « periode_debut » et « periode_fin » (« 2025 », "
    "« mars 2025 », « T1 2025 »…) gardent les périodes qui se terminent entre le début de "
    "la première et la fin de la seconde.",
)
def list_values(
    request: HttpRequest,
    identifiant: SubjectQuery = None,
    periode_debut: PeriodFromQuery = None,
    periode_fin: PeriodToQuery = None,
) -> Any:
    context = _context(request)
    wanted = _subject(context.contract, identifiant) if identifiant else None
    first = _period(periode_debut, PERIOD_FROM)
    last = _period(periode_fin, PERIOD_TO)
    key = None if wanted is None else (wanted.subject_type, wanted.subject_id)
    names = subject_names(context.contract)
    values = [
        value_data(v, names)
        for v in StoreReader().values(context.contract, context.scope, key)
        if v.current
    ]
    kept = [
        v
        for v in values
        if (first is None or v.period_end >= first.start)
        and (last is None or v.period_end <= last.end)
    ]
    kept.sort(key=lambda v: (v.subject_type, v.subject_id, v.period_end, v.period_start))
    return kept


@api.get(
    "/values/{subject}/history",
    response={200: list[ValueData], **ERRORS},
    by_alias=True,
    openapi_extra=RESPONSES_FR,
    tags=["Valeurs"],
    summary="Historique des valeurs d'un indicateur ou d'une mesure",
    description="Chaque révision de chaque période, de la plus ancienne à la plus récente ; "
    "« en_vigueur » désigne la révision en vigueur.",
)
def value_history(request: HttpRequest, subject: str) -> Any:
    context = _context(request)
    found = _subject(context.contract, subject)
    values = StoreReader().values(
        context.contract, context.scope, (found.subject_type, found.subject_id)
    )
    values.sort(key=lambda v: (v.recorded_at, v.period_key))
    names = subject_names(context.contract)
    return [value_data(v, names) for v in values]


# A territory's statuses (decision 020): « territoire » is a code of the caisse's territories.
TerritoryQuery = QueryEx[
    str | None,
    P(
        description="Territoire (facultatif) : SIREN d'un EPCI, code INSEE d'une commune, "
        "« dep-79 » ou code d'une CTG ; les sujets qui ont des valeurs par territoire, chacun "
        "avec la valeur du territoire ou celle de ses parties agrégée (décision 020).",
        example="200041317",
        max_length=40,
    ),
]


def _territory_situation(contract: Contract, day: date, code: str) -> Situation:
    territories = caisse_territories(contract)
    try:
        scope = territories.resolve(code)
    except ScopeError as error:
        raise ApiProblem(400, str(error), [_error(None, "territoire", code, str(error))]) from None
    return territory_situation(StoreReader(), contract, day, territories, scope)


@api.get(
    "/statuses",
    response={200: list[StatusRowData], **ERRORS},
    by_alias=True,
    openapi_extra=RESPONSES_FR,
    tags=["Statuts"],
    summary="Statut de chaque indicateur et mesure",
    description="Pour chaque indicateur et chaque mesure de résultat visé, à la date "
    "« date_de_situation » (AAAA-MM-JJ ou JJ/MM/AAAA, aujourd'hui par défaut) : valeur courante "
    "et sa période, cibles, valeur attendue, taux d'avancement, statut, projection et retard de "
    "saisie — les mêmes lignes que les pages, « cpog status --format json » et les rapports.",
)
def list_statuses(
    request: HttpRequest, date_de_situation: AsOfQuery = None, territoire: TerritoryQuery = None
) -> Any:
    contract = _context(request).contract
    day = _as_of(date_de_situation, contract)
    if territoire:
        found = _territory_situation(contract, day, territoire)
    else:
        found = situation(StoreReader(), contract, day)
    return [status_row(row) for row in found.status.rows]


@api.get(
    "/challenges/{number}/status",
    response={200: ChallengeStatusData, **ERRORS},
    by_alias=True,
    openapi_extra=RESPONSES_FR,
    tags=["Statuts"],
    summary="Statut consolidé d'un défi",
    description="La synthèse d'un défi à la date « date_de_situation » (aujourd'hui par "
    "défaut) : statut, score, avancement, ce qui manque, et la ligne de statut de chacun de "
    "ses indicateurs et mesures avec son poids.",
)
def get_challenge_status(
    request: HttpRequest, number: int, date_de_situation: AsOfQuery = None
) -> Any:
    contract = _context(request).contract
    day = _as_of(date_de_situation, contract)
    if contract.challenge(number) is None:
        raise ApiProblem(404, f"Défi inconnu dans le contrat : n°{number}.")
    found = challenge_status(situation(StoreReader(), contract, day), number)
    assert found is not None
    return found


# --- writing ------------------------------------------------------------------------------

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
    by_column = {column: json_name(column) for column in fields.values()}
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
    if role_of(user) not in (Role.ADMIN, Role.CONTROLE, Role.PILOTE):
        raise ApiProblem(403, "Vous n'avez pas le droit de saisir des valeurs.")
    subjects = subjects_of(contract)
    refused = []
    for index, item in enumerate(items):
        subject = subjects.get(plain_key(item.subject))
        if subject is None:
            continue  # reported by the validation
        if not roles.can_write_subject(user, contract, subject.subject_type, subject.subject_id):
            numbers = sorted(
                challenges_of_subject(contract, subject.subject_type, subject.subject_id)
            )
            where = ", ".join(f"n°{n}" for n in numbers) or "aucun"
            refused.append(
                _error(
                    index + 1,
                    SUBJECT,
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
    response={200: WriteOutcome, **ERRORS},
    by_alias=True,
    openapi_extra=RESPONSES_FR,
    tags=["Valeurs"],
    summary="Enregistrer des valeurs",
    description="Une liste de valeurs, validées comme les lignes d'un fichier d'import de "
    "valeurs et comme une saisie (mêmes règles, mêmes messages), enregistrées toutes ou aucune. "
    "Une valeur vide est calculée depuis « numerateur » et « denominateur ». Une valeur identique "
    "à la valeur en vigueur n'est pas réécrite ; une valeur différente crée une révision. "
    "Un taux écrit comme une fraction ou une valeur éloignée de sa série demande "
    "« ?confirmer=true » (sinon 422 avec leur liste). Une valeur d'une année dont la revue "
    "annuelle est figée demande son « motif » (sinon 422, rien n'est enregistré). Jeton d'API "
    "obligatoire.",
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
    context = _context(request)
    contract = context.contract
    _check_value_rights(request, contract, items)
    if not items:
        raise ApiProblem(422, "La liste est vide : aucune valeur à enregistrer.")
    table = _table(items, VALUE_FIELDS, ACCEPTED_VALUE_COLUMNS)
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
    return WriteOutcome(ok=True, saved=len(outcome.changes), unchanged=outcome.unchanged)


def _to_confirm(outcome: ImportOutcome) -> ApiProblem:
    changes = outcome.to_confirm
    count = len(changes)
    return ApiProblem(
        422,
        f"{count} valeur{'s' if count > 1 else ''} à confirmer : rien n'a été enregistré. "
        "Vérifiez-les, puis renvoyez la même requête avec « ?confirmer=true ».",
        [
            _error(change.line, json_name(VALUE_FIELDS["value"]), change.after, note)
            for change in changes
            for note in change.to_confirm
        ][:SHOWN_ISSUES],
    )


@api.post(
    "/targets",
    auth=TARGETS_AUTH,
    response={200: WriteOutcome, **ERRORS},
    by_alias=True,
    openapi_extra=RESPONSES_FR,
    tags=["Cibles"],
    summary="Fixer des cibles",
    description="Une liste de cibles, validées comme les lignes d'un fichier d'import de "
    "cibles, enregistrées toutes ou aucune. Changer une cible déjà fixée exige un motif. "
    "Réservé à l'administrateur et au contrôle de gestion ; jeton d'API obligatoire.",
)
def post_targets(request: HttpRequest, items: TargetItems) -> Any:
    context = _context(request)
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
    return WriteOutcome(ok=True, saved=len(outcome.changes), unchanged=outcome.unchanged)


# The network of caisses (issue 12): its own module, added last (it reads the helpers above).
from cpog.web.api_network import router as network_router  # noqa: E402

api.add_router("/reseau", network_router)

__all__ = ["api"]
