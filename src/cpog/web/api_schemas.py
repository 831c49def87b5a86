"""Shapes of the REST API's requests and responses (documented in the OpenAPI schema).

Field names are English, like the contract's JSON export; the words a person types or reads
(status of a value, kind and provenance of a target, status of an indicator) are the French
ones of the import templates, so that what ``GET`` returns can be posted back as is.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field, StrictFloat, StrictInt, StrictStr

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
    field: str = Field("", description="Champ en cause (« value », « period »…).")
    value: str = Field("", description="Valeur reçue, telle qu'envoyée.")
    message: str = Field(description="Explication en français.")


class ErrorOut(Schema):
    ok: bool = False
    status: int = Field(description="Code HTTP (400, 401, 403, 404, 413 ou 422).")
    error: str = Field(description="Message d'erreur en français.")
    errors: list[ErrorItem] = Field(
        default_factory=list, description="Chaque problème trouvé, tous à la fois."
    )


class WriteOut(Schema):
    ok: bool = True
    written: int = Field(description="Éléments enregistrés (nouveaux ou modifiés).")
    unchanged: int = Field(description="Éléments identiques à l'existant, non réécrits.")


# --- writes -------------------------------------------------------------------------------


def _subject_field() -> Any:
    """The ``subject`` of a value or a target: the same identifiers as the import files."""
    return Field(
        description="Indicateur (« cog-08-29 » ou « COG 08-29 ») ou mesure de résultat visé "
        "(« d04-r5-teleprocedures »), casse et accents libres.",
        examples=SUBJECT_EXAMPLES,
        max_length=200,
        json_schema_extra={"pattern": SUBJECT_PATTERN},
    )


class ValueIn(Schema):
    """One value, as one line of the values import file."""

    model_config = ConfigDict(extra="forbid")

    subject: StrictStr = _subject_field()
    period: StrictStr = Field(
        description="Période : " + ", ".join(f"« {p} »" for p in PERIOD_EXAMPLES) + " (casse "
        "et accents libres).",
        examples=PERIOD_EXAMPLES,
        max_length=200,
    )
    value: Number | None = Field(
        None,
        description="Nombre JSON (93.5) ou texte à la française (« 93,5 », « 1 234 ») ; vide, il "
        "est calculé depuis numerator et denominator (100 × n / d pour un taux).",
    )
    numerator: Number | None = None
    denominator: Number | None = None
    status: StrictStr | None = Field(
        None,
        description="« provisoire » (par défaut, aussi « prov. ») ou « définitive » (aussi "
        "« définitif », « déf. »), casse et accents libres.",
    )
    comment: StrictStr | None = Field(None, max_length=1_000)


class TargetIn(Schema):
    """One target, as one line of the targets import file."""

    model_config = ConfigDict(extra="forbid")

    subject: StrictStr = _subject_field()
    year: StrictInt | StrictStr = Field(
        description="Année de la cible, dans la période du contrat (« 2025 »).",
        examples=[2025],
    )
    value: Number
    kind: StrictStr = Field(
        description="« nationale », « individualisée », « fixée » ou « trajectoire »."
    )
    provenance: StrictStr = Field(
        description="« annexe COG », « notification Cnaf », « CPOG » ou « déduite »."
    )
    comparator: StrictStr | None = Field(None, description="« < », « ≤ », « ≥ » ou « > ».")
    reason: StrictStr | None = Field(
        None,
        description="Motif : obligatoire quand la cible change une cible existante.",
        max_length=1_000,
    )


# --- indicators ---------------------------------------------------------------------------


class IndicatorOut(Schema):
    id: str
    code: str | None
    code_as_written: str | None
    label: str
    family: str
    group: str
    nature: str = Field(description="« cog » ou « hors_cog ».")
    type: str = Field(description="« result » (résultat) ou « monitoring » (suivi).")
    unit: str
    direction: str = Field(description="« up », « down » ou « maintain ».")
    periodicity: str
    target_kind: str = Field(description="Nature de la cible selon le contrat.")
    target_as_written: str | None = Field(
        description="La cellule « Cible » du contrat, telle quelle."
    )


class IndicatorDetailOut(IndicatorOut):
    type_as_written: str
    cumulation: str
    availability_lag_days: int
    calculation_method: str
    numerator: str | None
    denominator: str | None
    data_source: str
    challenges: list[int] = Field(description="Défis auxquels l'indicateur est rattaché.")


# --- targets and values -------------------------------------------------------------------


class TargetOut(Schema):
    subject_type: str = Field(description="« indicator » ou « measure ».")
    subject_id: str
    year: int
    value: float
    kind: str = Field(
        description="« nationale », « individualisée », « fixée » ou « trajectoire »."
    )
    provenance: str
    comparator: str = Field(description="« < », « ≤ », « ≥ », « > » ou vide.")
    reason: str
    set_by: str
    set_at: datetime


class ValueOut(Schema):
    subject_type: str = Field(description="« indicator » ou « measure ».")
    subject_id: str
    period: str = Field(description="Clé de la période : « 2025 », « 2025-03 », « 2025-Q1 »…")
    period_label: str = Field(description="La période en toutes lettres : « mars 2025 ».")
    period_start: date
    period_end: date
    value: float
    numerator: float | None
    denominator: float | None
    status: str = Field(description="« provisoire » ou « définitive ».")
    source: str = Field(description="« manual », « import », « api », « computed » ou « demo ».")
    source_label: str
    comment: str
    recorded_by: str
    recorded_at: datetime
    current: bool = Field(description="Vrai pour la révision en vigueur de la période.")


# --- statuses -----------------------------------------------------------------------------


class ObservationOut(Schema):
    period: str
    period_label: str
    value: float


class TargetPointOut(Schema):
    year: int
    value: float
    kind: str = Field(description="« individualised », « fixed », « national » ou « trajectory ».")
    comparator: str | None


class ResolvedTargetOut(Schema):
    year: int
    value: float = Field(description="Niveau à atteindre (déduit pour « +10 % »).")
    written: float = Field(description="Valeur telle que la cible l'énonce.")
    source: str
    source_label: str
    comparator: str


class ProjectionOut(Schema):
    value: float
    at: date
    method: str
    n_points: int
    status: str
    status_label: str


class LatenessOut(Schema):
    filled: bool = Field(
        description="« Renseigné » : une valeur est connue pour la dernière période attendue."
    )
    expected_period: str = Field(description="Dernière période dont la valeur devrait être connue.")
    expected_on: date = Field(description="Date à laquelle la valeur de cette période était due.")
    latest_period: str | None
    is_late: bool
    days_late: int = Field(description="Jours écoulés depuis « expected_on » quand en retard.")
    label: str = Field(
        description="« à jour » ou « valeur de … attendue le … : N jours de retard »."
    )
    next_period: str | None = Field(description="Période suivant la dernière valeur saisie.")
    next_expected_date: date | None
    next_label: str


class VerdictOut(Schema):
    year: int
    met: bool | None = Field(description="Objectif de l'année atteint ; null sans valeur.")
    value: float | None
    target: float
    provisional: bool = Field(description="Verdict donné sur une valeur provisoire.")
    awaited: bool = Field(description="La valeur de l'année n'est pas encore due.")
    to_check: bool = Field(description="Valeur inhabituelle non confirmée.")
    label: str = Field(description="« objectif 2025 atteint », « objectif 2025 non atteint »…")


class ProvenanceOut(Schema):
    origin: str = Field(description="« contract », « store » ou « none ».")
    value: float | None
    year: int | None
    basis: str | None = Field(
        description="Lecture du contrat : « stated », « stated_elsewhere », « derived », "
        "« average » ou « to_confirm »."
    )
    confidence: str | None = Field(description="Confiance de la lecture : H, M, L ou NF.")
    label: str = Field(description="La provenance en français, comme dans les pages.")


class StatusRowOut(Schema):
    as_of: date
    subject_type: str
    subject_id: str
    code: str
    label: str
    unit: str | None
    challenge: int | None
    family: str | None
    current: ObservationOut | None
    period: str | None = Field(description="Clé de la période de la valeur courante.")
    targets: list[TargetPointOut]
    annual_target: ResolvedTargetOut | None
    final_target: ResolvedTargetOut | None
    expected: float | None = Field(description="Valeur attendue à cette date sur la trajectoire.")
    progress_annual: float | None
    progress_global: float | None
    status: str = Field(
        description="« atteint », « en_avance », « conforme », « a_surveiller », « en_retard », "
        "« non_atteint », « non_renseigne » ou « sans_cible ». Après la dernière année du "
        "contrat (« closing »), seulement « atteint », « non_atteint », « non_renseigne » ou "
        "« sans_cible »."
    )
    status_label: str = Field(description="« Atteint », « À surveiller »…")
    projection: ProjectionOut | None
    lateness: LatenessOut
    closing: bool = Field(description="Verdict final : la dernière année du contrat est close.")
    verdict: VerdictOut | None = Field(description="Objectif de la dernière année close.")
    years: list[VerdictOut] = Field(description="Objectif de chaque année close, du plus ancien.")
    to_check: str | None = Field(description="Pourquoi la valeur courante est à vérifier.")
    per_year: bool = Field(description="Cible « par an » : elle vaut pour chaque année.")
    measured_by: str | None = Field(
        description="Indicateur dont la mesure prend les valeurs, le cas échéant."
    )
    baseline: ProvenanceOut
    target_provenance: ProvenanceOut
    reasons: list[str]


class RolledSubjectOut(Schema):
    subject_type: str
    subject_id: str
    code: str
    label: str
    weight: float
    counted_with: str | None = Field(
        description="Mesure avec laquelle cet indicateur est compté (poids 0 ici)."
    )
    status: str
    status_label: str
    filled: bool
    verdict: str | None


class ChallengeStatusOut(Schema):
    as_of: date
    number: int
    title: str
    status: str
    status_label: str
    score: float | None
    progress: float | None
    n_expected: int
    n_available: int
    n_filled: int = Field(description="Sujets renseignés (valeur de la dernière période due).")
    missing: list[str] = Field(description="Sujets non renseignés.")
    complete: bool
    subjects: list[RolledSubjectOut]
