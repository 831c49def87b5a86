"""Shapes of the REST API's requests and responses (documented in the OpenAPI schema).

Outputs are the contexts of :mod:`cpog.contexts` (``@record`` types, French field names from
:data:`cpog.vocabulary.FIELD`, serialized by :func:`cpog.contexts.serialize.to_data`). Inputs
take the import files' column names written in ASCII snake case (« periode », « type_de_cible »),
so that a line of an import file and an item of ``POST /values`` say the same thing, and what
``GET /values`` returns can be posted back as is. Only the error shape keeps its own names.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from cpog.contexts.serialize import record
from cpog.ingest.imports import ACCEPTED_VALUE_COLUMNS, TARGET_COLUMNS

AS_OF_DESCRIPTION = (
    "Date de situation : « 27/11/2026 » (JJ/MM/AAAA) ou « 2026-11-27 » (AAAA-MM-JJ), dans la "
    "période du contrat ; aujourd'hui par défaut."
)
PERIOD_EXAMPLES = [
    "2025",
    "2025-03",
    "03/2025",
    "mars 2025",
    "T1 2025",
    "2025-Q1",
    "S2 2024",
    "2024-H2",
    "cumul à fin mars 2025",
    "2025-03-YTD",
]
SUBJECT_EXAMPLES = ["cog-08-29", "COG 08-29", "d04-r5-teleprocedures"]
# Documented for generated clients: letters, digits, spaces, dots, dashes, underscores.
SUBJECT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$"

# A number as JSON (93.5) or as French text ("93,5", "1 234", "93,5 %"), read like an import cell.
Number = Annotated[
    StrictInt | StrictFloat | StrictStr,
    Field(description="Nombre JSON (93.5) ou texte à la française (« 93,5 », « 1 234 »)."),
]


# --- errors and write outcomes ------------------------------------------------------------


class ErrorItem(Schema):
    item: int | None = Field(
        None, description="Rang de l'élément en cause dans la liste envoyée, à partir de 1."
    )
    field: str = Field("", description="Champ en cause (« valeur », « periode »…).")
    value: str = Field("", description="Valeur reçue, telle qu'envoyée.")
    message: str = Field(description="Explication en français.")


class ErrorOut(Schema):
    ok: bool = False
    status: int = Field(description="Code HTTP (400, 401, 403, 404, 413 ou 422).")
    error: str = Field(description="Message d'erreur en français.")
    errors: list[ErrorItem] = Field(
        default_factory=list, description="Chaque problème trouvé, tous à la fois."
    )


# --- writes -------------------------------------------------------------------------------


def json_name(column: str) -> str:
    """An import file's column as a JSON field name: « période » → « periode », « type de
    cible » → « type_de_cible »."""
    plain = unicodedata.normalize("NFKD", column).encode("ascii", "ignore").decode()
    return plain.replace(" ", "_").replace("'", "_")


# Each input field and the import file's column it stands for (cpog.ingest.imports headers).
VALUE_FIELDS = dict(
    zip(
        [
            "subject",
            "period",
            "value",
            "numerator",
            "denominator",
            "status",
            "comment",
            "territory",
            "motif",
        ],
        [c for c in ACCEPTED_VALUE_COLUMNS if c != "libellé"],
        strict=True,
    )
)
TARGET_FIELDS = dict(
    zip(
        ["subject", "year", "value", "kind", "provenance", "comparator", "reason", "territory"],
        [c for c in TARGET_COLUMNS if c != "libellé"],
        strict=True,
    )
)
_INPUT = ConfigDict(extra="forbid", populate_by_name=False)


TERRITORY_HELP = (
    "Territoire (facultatif) : SIREN d'un EPCI (« 200041317 »), code INSEE d'une commune "
    "(« 79191 »), « dep-79 » ou code d'une CTG (« ctg-nord ») ; absent ou vide, la caisse."
)


def _subject_field() -> Any:
    """The subject of a value or a target: the same identifiers as the import files."""
    return Field(
        alias=json_name(VALUE_FIELDS["subject"]),
        description="Indicateur (« cog-08-29 » ou « COG 08-29 ») ou mesure de résultat visé "
        "(« d04-r5-teleprocedures »), casse et accents libres.",
        examples=SUBJECT_EXAMPLES,
        max_length=200,
        json_schema_extra={"pattern": SUBJECT_PATTERN},
    )


def _value(field: str, default: Any = None, **kwargs: Any) -> Any:
    return Field(default, alias=json_name(VALUE_FIELDS[field]), **kwargs)


def _target(field: str, default: Any = None, **kwargs: Any) -> Any:
    return Field(default, alias=json_name(TARGET_FIELDS[field]), **kwargs)


class ValueIn(Schema):
    """One value, as one line of the values import file (same column names)."""

    model_config = _INPUT

    subject: StrictStr = _subject_field()
    period: StrictStr = _value(
        "period",
        ...,
        description="Période : " + ", ".join(f"« {p} »" for p in PERIOD_EXAMPLES) + " (casse "
        "et accents libres).",
        examples=PERIOD_EXAMPLES,
        max_length=200,
    )
    value: Number | None = _value(
        "value",
        description="Nombre JSON (93.5) ou texte à la française (« 93,5 », « 1 234 ») ; vide, il "
        "est calculé depuis « numerateur » et « denominateur » (100 × n / d pour un taux).",
    )
    numerator: Number | None = _value("numerator", description="Numérateur.")
    denominator: Number | None = _value("denominator", description="Dénominateur.")
    status: StrictStr | None = _value(
        "status",
        description="« provisoire » (par défaut, aussi « prov. ») ou « définitive » (aussi "
        "« définitif », « déf. »), casse et accents libres.",
    )
    comment: StrictStr | None = _value("comment", max_length=1_000, description="Commentaire.")
    territory: StrictStr | None = _value("territory", max_length=40, description=TERRITORY_HELP)
    motif: StrictStr | None = _value(
        "motif",
        max_length=1_000,
        description="Motif de la modification : obligatoire pour une valeur d'une année dont la "
        "revue annuelle est figée (sinon 422, rien n'est enregistré).",
    )


class TargetIn(Schema):
    """One target, as one line of the targets import file (same column names)."""

    model_config = _INPUT

    subject: StrictStr = _subject_field()
    year: StrictInt | StrictStr = _target(
        "year",
        ...,
        description="Année de la cible, dans la période du contrat (« 2025 »).",
        examples=[2025],
    )
    value: Number = _target("value", ...)
    kind: StrictStr = _target(
        "kind", ..., description="« nationale », « individualisée », « fixée » ou « trajectoire »."
    )
    provenance: StrictStr = _target(
        "provenance",
        ...,
        description="« annexe COG », « notification Cnaf », « CPOG » ou « déduite ».",
    )
    comparator: StrictStr | None = _target(
        "comparator", description="« < », « ≤ », « ≥ » ou « > »."
    )
    reason: StrictStr | None = _target(
        "reason",
        description="Motif : obligatoire quand la cible change une cible existante.",
        max_length=1_000,
    )
    territory: StrictStr | None = _target("territory", max_length=40, description=TERRITORY_HELP)


# --- outputs that are not a page's context ------------------------------------------------


@record
class WriteOutcome:
    ok: bool
    saved: int
    unchanged: int


@record
class IndicatorData:
    """An indicator of the contract, as the catalogue lists it."""

    indicator_id: str
    code: str | None
    code_as_written: str | None
    label: str
    family: str
    group: str
    nature: str
    nature_label: str
    indicator_type: str
    indicator_type_label: str
    unit: str
    direction: str
    direction_label: str
    periodicity: str
    periodicity_label: str
    target_kind: str
    target_kind_label: str
    target_as_written: str | None


@record
class IndicatorDetailData(IndicatorData):
    """An indicator and its definition."""

    type_as_written: str
    cumulation: str
    cumulation_label: str
    availability_lag_days: int
    calculation_method: str
    numerator: str | None
    denominator: str | None
    data_source: str
    challenges: list[int]


# --- descriptions of the output fields in the OpenAPI document ----------------------------
# Keyed by the French JSON name; added to every output schema having that property.

DESCRIPTIONS: dict[str, str] = {
    "date_de_situation": "Date de situation (AAAA-MM-JJ).",
    "type": "« indicator » (indicateur) ou « measure » (mesure de résultat visé).",
    "type_libelle": "Le type en français : « indicateur », « mesure de résultat visé ».",
    "identifiant": "Identifiant de l'indicateur (« cog-08-29 ») ou de la mesure.",
    "libelle": "Libellé, tel qu'écrit dans le contrat.",
    "defi": "Numéro du défi de la mesure ; vide pour un indicateur.",
    "valeur_courante": "Valeur de la dernière période close connue à la date de situation.",
    "periode": "Clé de la période : « 2025 », « 2025-03 », « 2025-Q1 »…",
    "periode_libelle": "La période en toutes lettres : « mars 2025 ».",
    "valeur_texte": "La valeur écrite à la française, avec son unité : « 93,5 % ».",
    "provisoire": "Valeur provisoire (pas encore définitive).",
    "cibles": "Les cibles connues, par année.",
    "cible_annuelle": "Cible de l'année de la valeur courante.",
    "cible_finale": "Cible de la dernière année du contrat.",
    "valeur_signee": "Valeur telle que la cible l'énonce (« +10 % »).",
    "valeur_attendue": "Valeur attendue à cette date sur la trajectoire.",
    "avancement_annuel": "Taux d'avancement vers la cible de l'année, en %.",
    "avancement_global": "Taux d'avancement vers la cible finale, en %.",
    "statut": "Statut : « atteint », « en_avance », « conforme », « a_surveiller », "
    "« en_retard », « non_atteint », « non_renseigne » ou « sans_cible ». Après la dernière "
    "année du contrat (« verdict_final »), seulement « atteint », « non_atteint », "
    "« non_renseigne » ou « sans_cible ». Pour une valeur : « provisoire » ou « définitive ».",
    "statut_libelle": "Le statut en français : « Atteint », « À surveiller »…",
    "saisie": "Complétude et retard de saisie.",
    "renseigne": "Une valeur est connue pour la dernière période attendue.",
    "periode_attendue": "Dernière période dont la valeur devrait être connue.",
    "attendue_le": "Date à laquelle la valeur de cette période était due.",
    "jours_de_retard": "Jours écoulés depuis « attendue_le » quand la saisie est en retard.",
    "verdict_final": "La dernière année du contrat est close : le statut est le verdict final.",
    "objectif_annee": "Objectif de la dernière année close.",
    "objectifs": "Objectif de chaque année close, de la plus ancienne à la plus récente.",
    "atteint": "Objectif de l'année atteint ; vide sans valeur.",
    "a_verifier": "Pourquoi la valeur est à vérifier (valeur inhabituelle non confirmée).",
    "par_an": "Cible « par an » : elle vaut pour chaque année.",
    "mesure_par": "Indicateur dont la mesure prend les valeurs, le cas échéant.",
    "reference": "Provenance de la valeur de référence.",
    "cible_provenance": "Provenance de la cible finale.",
    "explications": "Comment le statut a été établi, en phrases.",
    "synthese": "Le statut consolidé du défi, son score et sa complétude.",
    "sujets": "Les indicateurs et mesures du défi, avec leur poids.",
    "poids": "Poids dans le statut consolidé du défi.",
    "compte_avec": "Mesure avec laquelle cet indicateur est compté (poids 0 ici).",
    "score": "Score du défi : moyenne pondérée des statuts de ses sujets, de 0 à 1.",
    "avancement": "Avancement moyen pondéré des sujets vers leur cible finale, en %.",
    "nombre_attendus": "Sujets comptés dans le statut consolidé.",
    "nombre_evalues": "Sujets dont le statut a pu être établi.",
    "complet": "Tous les sujets sont renseignés.",
    "completude": "La complétude en mots : « 6 sur 7 renseignés ».",
    "effectifs": "Nombre de sujets par statut.",
    "nombre_renseignes": "Sujets renseignés (valeur de la dernière période due).",
    "manquants": "Sujets non renseignés.",
    "en_vigueur": "Vrai pour la révision en vigueur (la dernière).",
    "source": "Origine : « manual », « import », « api », « computed » ou « demo ».",
    "type_de_cible": "« nationale », « individualisée », « fixée » ou « trajectoire ».",
    "provenance": "« annexe COG », « notification Cnaf », « CPOG » ou « déduite ».",
    "comparateur": "« < », « ≤ », « ≥ », « > » ou vide.",
    "enregistres": "Éléments enregistrés (nouveaux ou modifiés).",
    "inchanges": "Éléments identiques à l'existant, non réécrits.",
    "cible_telle_qu_ecrite": "La cellule « Cible » du contrat, telle quelle.",
    "defis": "Défis auxquels l'indicateur est rattaché.",
}
