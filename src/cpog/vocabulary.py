"""The French words users read for the values of cpog's enums: one place for each label.

Code, files and the API keep the enum values (``monthly``, ``year_to_date``, ``up``); pages, the
command line and reports show these labels (« mensuelle », « cumul depuis le 1er janvier »,
« hausse »). Labels are lower case, as they read inside a sentence; a table cell or a heading
capitalises them itself (``capfirst``).

Dicts are keyed by the enum members; as the enums are ``StrEnum``, the raw value read from a
file or the database finds the same label (``PERIODICITY["monthly"]``). Values stored by Django
(value status and source, target kind and provenance, action status, audit trail) are keyed by
their stored string.
"""

from __future__ import annotations

from cpog.contract.model import (
    Basis,
    Comparator,
    Confidence,
    Cumulation,
    Direction,
    IndicatorType,
    MeasureKind,
    Nature,
    Periodicity,
    TargetKind,
)

# --- the contract -------------------------------------------------------------------------

PERIODICITY: dict[Periodicity, str] = {
    Periodicity.MONTHLY: "mensuelle",
    Periodicity.QUARTERLY: "trimestrielle",
    Periodicity.HALF_YEARLY: "semestrielle",
    Periodicity.ANNUAL: "annuelle",
}

CUMULATION: dict[Cumulation, str] = {
    Cumulation.NONE: "valeur de la période seule",
    Cumulation.YEAR_TO_DATE: "cumul depuis le 1er janvier",
    Cumulation.SNAPSHOT: "situation en fin de période",
}

DIRECTION: dict[Direction, str] = {
    Direction.UP: "hausse",
    Direction.DOWN: "baisse",
    Direction.MAINTAIN: "maintien",
}

# The direction as the definition of an indicator or a measure explains it.
DIRECTION_EXPLAINED: dict[Direction, str] = {
    Direction.UP: "à la hausse (plus c'est haut, mieux c'est)",
    Direction.DOWN: "à la baisse (plus c'est bas, mieux c'est)",
    Direction.MAINTAIN: "maintien du niveau",
}

# The condition a value must meet against its target.
COMPARATOR: dict[Comparator, str] = {
    Comparator.LT: "strictement inférieure à la cible",
    Comparator.LE: "inférieure ou égale à la cible",
    Comparator.GE: "supérieure ou égale à la cible",
    Comparator.GT: "strictement supérieure à la cible",
    Comparator.EQ: "égale à la cible",
}

# The same, as a sign before a value (« < 10 % »); « égale » needs none.
COMPARATOR_SIGN: dict[Comparator, str] = {
    Comparator.LT: "<",
    Comparator.LE: "≤",
    Comparator.GE: "≥",
    Comparator.GT: ">",
    Comparator.EQ: "",
}

MEASURE_KIND: dict[MeasureKind, str] = {
    MeasureKind.LEVEL: "niveau à atteindre",
    MeasureKind.CUMULATIVE_COUNT: "nombre cumulé depuis le début du contrat",
    MeasureKind.RELATIVE_CHANGE: "évolution en % de la valeur de référence",
    MeasureKind.POINT_CHANGE: "évolution en points",
    MeasureKind.THRESHOLD: "seuil à respecter",
    MeasureKind.TREND: "sens d'évolution, sans valeur chiffrée",
    MeasureKind.MILESTONE: "jalon (réalisé ou non)",
}

# Where a baseline or a target of the contract comes from.
BASIS: dict[Basis, str] = {
    Basis.STATED: "énoncée par le texte signé",
    Basis.STATED_ELSEWHERE: "énoncée dans une autre partie du texte signé",
    Basis.DERIVED: "déduite de chiffres du texte signé",
    Basis.AVERAGE: "moyenne de plusieurs années énoncée par le texte signé",
    Basis.TO_CONFIRM: "valeur par défaut de cpog, à confirmer",
}

# How sure the reading of the signed text is.
CONFIDENCE: dict[Confidence, str] = {
    Confidence.HIGH: "élevée",
    Confidence.MEDIUM: "moyenne",
    Confidence.LOW: "faible",
    Confidence.NOT_FOUND: "non trouvée dans le texte",
}

NATURE: dict[Nature, str] = {
    Nature.COG: "COG",
    Nature.HORS_COG: "hors COG",
}

INDICATOR_TYPE: dict[IndicatorType, str] = {
    IndicatorType.RESULT: "résultat",
    IndicatorType.MONITORING: "suivi",
}

# Kinds of target: those of the contract's indicator table (TargetKind) and those a stored
# target has (national, individualised, fixed, trajectory); « {year} » is the first year.
TARGET_KIND: dict[str, str] = {
    TargetKind.COG: "cible COG",
    TargetKind.INDIVIDUALISED: "individualisée",
    TargetKind.INDIVIDUALISED_FROM: "individualisée à partir de {year}",
    TargetKind.COG_THEN_INDIVIDUALISED: "COG puis individualisée à partir de {year}",
    TargetKind.NATIONAL: "nationale",
    TargetKind.FIXED: "fixée par le contrat",
    TargetKind.FROM_YEAR: "cible à partir de {year}",
    TargetKind.NONE: "sans cible",
    "trajectory": "point de trajectoire",
}


def target_kind(kind: str, from_year: int | None = None) -> str:
    """« individualisée à partir de 2024 », « nationale », « fixée par le contrat »."""
    label = TARGET_KIND.get(kind, kind)
    if "{year}" not in label:
        return label
    if from_year is None:
        return label.replace(" à partir de {year}", "")
    return label.format(year=from_year)


# --- the assessment -----------------------------------------------------------------------
# Keyed by the enums' string values (cpog.assess.types.Status, TargetSource, ProjectionMethod):
# the assessment's own ``label_fr`` reads them here.

STATUS: dict[str, str] = {
    "atteint": "Atteint",
    "en_avance": "En avance",
    "conforme": "Conforme",
    "a_surveiller": "À surveiller",
    "en_retard": "En retard",
    "non_atteint": "Non atteint",
    "non_renseigne": "Non renseigné",
    "sans_cible": "Sans cible",
}

# Where the target a value is compared with comes from (cpog.assess.types.TargetSource).
TARGET_SOURCE: dict[str, str] = {
    "individualised": "cible individualisée",
    "fixed": "cible fixée par le contrat",
    "national": "cible nationale",
    "trajectory": "point de trajectoire",
}

PROJECTION_METHOD: dict[str, str] = {
    "trend": "tendance",
    "trend+saisonnalite": "tendance et saisonnalité",
}

SUBJECT_TYPE: dict[str, str] = {
    "indicator": "indicateur",
    "measure": "mesure de résultat visé",
    "challenge": "défi",
    "figure": "chiffre du diagnostic",
}


# The roles of cpog's users (cpog.store.roles.Role values).
ROLE: dict[str, str] = {
    "administrateur": "Administrateur",
    "controle_gestion": "Contrôle de gestion",
    "pilote": "Pilote de défi",
    "lecteur": "Lecteur",
}


# --- the store ----------------------------------------------------------------------------

VALUE_STATUS: dict[str, str] = {
    "provisional": "provisoire",
    "definitive": "définitive",
}

IMPORT_KIND: dict[str, str] = {
    "values": "valeurs",
    "targets": "cibles",
}

# A computed definition's measure and grain (cpog.warehouse.definitions.Measure, Grain).
DEFINITION_MEASURE: dict[str, str] = {
    "ratio": "taux (numérateur / dénominateur × 100)",
    "mean": "moyenne (numérateur / dénominateur)",
    "sum": "somme",
    "count": "effectif",
}
DEFINITION_GRAIN: dict[str, str] = {
    "month": "par mois",
    "year_to_date": "par mois, cumulé depuis le 1er janvier",
    "year": "par année",
}

# What wrote a batch of values: an import file of each kind, or a computation from extracts.
BATCH_KIND: dict[str, str] = {**IMPORT_KIND, "computed": "calcul", "opendata": "données ouvertes"}

VALUE_SOURCE: dict[str, str] = {
    "manual": "saisie",
    "import": "import de fichier",
    "api": "API",
    "computed": "calculée",
    "demo": "données de démonstration",
}

TARGET_PROVENANCE: dict[str, str] = {
    "cog_annex": "annexe de la COG",
    "cnaf_notification": "notification de la Cnaf",
    "cpog": "CPOG signé",
    "derived": "déduite",
    "demo": "données de démonstration",
}

# The pilot's analysis of a subject off track, as the dashboard's « À traiter » says it
# (cpog.contexts.dashboard).
ANALYSIS_STATE: dict[str, str] = {
    "written": "analyse écrite",
    "awaited": "analyse attendue",
    "none": "sans objet",
}

ACTION_STATUS: dict[str, str] = {
    "not_started": "non démarrée",
    "in_progress": "en cours",
    "done": "réalisée",
    "late": "en retard",
    "postponed": "reportée",
    "cancelled": "abandonnée",
}

# The audit trail: what kind of thing was written, and how.
AUDIT_ENTITY: dict[str, str] = {
    "measurement": "valeur",
    "target": "cible",
    "contract_version": "version du contrat",
    "action_state": "état d'une action",
    "action_milestone": "jalon d'une action",
    "action_update": "point d'avancement d'une action",
    "analysis": "analyse",
    "import_batch": "import de fichier",
    "api_token": "jeton d'accès à l'API",
    "report_snapshot": "instantané de rapport",
    "period_lock": "revue annuelle figée",  # decision 027
    "retention": "purge des données personnelles",
    "opendata_value": "donnée ouverte",
    # i10-accounts
    "user_account": "compte utilisateur",
    "demo_data": "données de démonstration",
    # i13-campaigns
    "campaign": "campagne de saisie",
    "campaign_reminder": "relance",
}

AUDIT_ACTION: dict[str, str] = {
    "create": "création",
    "revise": "révision",
    "update": "modification",
    "delete": "suppression",
    "revoke": "révocation",
    # i10-accounts
    "deactivate": "désactivation",
    "reactivate": "réactivation",
    "password_reset": "nouveau mot de passe",
    # decision 027
    "freeze": "gel",
    "unfreeze": "dégel",
    "purge": "purge",
    # i13-campaigns
    "close": "clôture",
    "send": "envoi",
    "reset_asked": "demande de nouveau mot de passe",
}

# Reporting campaigns (cpog.contexts.campaigns, decision 026).
CAMPAIGN_STATE: dict[str, str] = {"ouverte": "ouverte", "close": "close"}
REMINDER_KIND: dict[str, str] = {
    "avant": "avant l'échéance",
    "apres": "après l'échéance",
    "synthese": "synthèse au contrôle de gestion",
    "immediate": "relance immédiate",
}
CAMPAIGN_VALUE_STATE: dict[str, str] = {
    "entered": "saisie",
    "late": "en retard",
    "awaited": "attendue",
}


# The readings of a measure that a contract flags « to confirm » (Measure.to_confirm).
MEASURE_FIELD: dict[str, str] = {
    "indicator": "lien avec l'indicateur",
    "baseline": "référence",
    "baseline.value": "valeur de la référence",
    "baseline.year": "année de la référence",
    "target": "cible",
    "target.value": "valeur de la cible",
    "target.year": "année de la cible",
    "unit": "unité",
    "direction": "sens d'amélioration",
    "comparator": "comparateur",
    "per_year": "cible « par an »",
    "kind": "type de mesure",
}


# --- JSON field names ---------------------------------------------------------------------
# The French names of the contexts' fields in JSON (API, CLI, reports): code keeps the English
# identifier, users read these. ASCII snake case, as in the import files' headers.
FIELD: dict[str, str] = {
    # a status row (cpog.contexts.status_rows)
    "subject_type": "type",
    "subject_type_label": "type_libelle",
    "subject_id": "identifiant",
    "code": "code",
    "label": "libelle",
    "unit": "unite",
    "challenge": "defi",
    "family": "famille",
    "measured_by": "mesure_par",
    "as_of": "date_de_situation",
    "current": "valeur_courante",
    "period": "periode",
    "period_label": "periode_libelle",
    "value": "valeur",
    "value_text": "valeur_texte",
    "provisional": "provisoire",
    "targets": "cibles",
    "year": "annee",
    "kind": "nature",
    "kind_label": "nature_libelle",
    "comparator": "comparateur",
    "comparator_label": "comparateur_libelle",
    "annual_target": "cible_annuelle",
    "final_target": "cible_finale",
    "written": "valeur_signee",
    "source": "source",
    "source_label": "source_libelle",
    "expected": "valeur_attendue",
    "expected_text": "valeur_attendue_texte",
    "progress_annual": "avancement_annuel",
    "progress_global": "avancement_global",
    "status": "statut",
    "status_label": "statut_libelle",
    "projection": "projection",
    "at": "au",
    "method": "methode",
    "method_label": "methode_libelle",
    "n_points": "nombre_de_points",
    "lateness": "saisie",
    "filled": "renseigne",
    "expected_period": "periode_attendue",
    "expected_on": "attendue_le",
    "latest_period": "derniere_periode",
    "is_late": "en_retard_de_saisie",
    "days_late": "jours_de_retard",
    "next_period": "prochaine_periode",
    "next_expected_date": "prochaine_echeance",
    "next_label": "prochaine_valeur",
    "closing": "verdict_final",
    "verdict": "objectif_annee",
    "years": "objectifs",
    "met": "atteint",
    "target": "cible",
    "awaited": "attendu",
    "to_check": "a_verifier",
    "per_year": "par_an",
    "baseline": "reference",
    "target_provenance": "cible_provenance",
    "origin": "origine",
    "basis": "base",
    "confidence": "confiance",
    "reasons": "explications",
    # a roll-up (cpog.contexts.rollups)
    "score": "score",
    "progress": "avancement",
    "n_expected": "nombre_attendus",
    "n_available": "nombre_evalues",
    "n_filled": "nombre_renseignes",
    "missing": "manquants",
    "complete": "complet",
    "completeness": "completude",
    "counts": "effectifs",
    "count": "nombre",
    # pages-a: dashboard, défis, actions, contract and history pages (cpog.contexts.dashboard,
    # challenges, actions, contract_page, history)
    "id": "id",
    "number": "numero",
    "title": "titre",
    "text": "texte",
    "name": "nom",
    "items": "elements",
    "row": "ligne",
    "rows": "lignes",
    "total": "total",
    "filtered": "filtre",
    "rollup": "synthese",
    "totals": "effectifs_par_statut",
    "families": "familles",
    "challenges": "defis",
    "attention": "a_traiter",
    "missing_analyses": "analyses_manquantes",
    "late_values": "valeurs_en_retard",
    "overdue_actions": "actions_en_retard",
    "updates": "mises_a_jour",
    "contract_title": "contrat",
    "organisation": "organisme",
    "n_results": "nombre_de_mesures",
    "result_counts": "mesures_par_statut",
    "previous": "precedent",
    "next": "suivant",
    "diagnosis": "diagnostic",
    "results_2018_2022": "resultats_2018_2022",
    "objectives": "objectifs_du_defi",
    "partners": "partenaires",
    "quote": "citation",
    "author": "auteur",
    "results": "resultats_vises",
    "measures": "mesures",
    "actions": "actions",
    "indicators": "indicateurs",
    "analyses": "analyses",
    "has_charts": "a_des_graphiques",
    "baseline_text": "reference_texte",
    "baseline_origin": "reference_origine",
    "target_text": "cible_texte",
    "done_text": "realise_texte",
    "quantified": "chiffree",
    "reading": "lecture",
    "confidence_label": "confiance_libelle",
    "chart": "graphique",
    "chart_description": "graphique_description",
    "table": "tableau",
    "family_title": "famille_titre",
    "weight": "poids",
    "counted_with": "compte_avec",
    "reason": "motif",
    "analysis": "analyse",
    "risks": "risques",
    "corrective_action": "action_corrective",
    "created_at": "ecrite_le",
    "challenge_title": "defi_titre",
    "followed": "suivie",
    "owner": "responsable",
    "start_date": "debut",
    "due_date": "echeance",
    "overdue": "en_retard",
    "n_overdue": "nombre_en_retard",
    "version": "version",
    "updated_by": "modifiee_par",
    "updated_at": "modifiee_le",
    "milestones": "jalons",
    "done_on": "realise_le",
    "on": "le",
    "user": "utilisateur",
    "entity_type": "objet",
    "entity_label": "objet_libelle",
    "entity_id": "objet_identifiant",
    "action": "operation",
    "sentence": "phrase",
    "link_kind": "lien_type",
    "link_id": "lien_identifiant",
    "page": "page",
    "pages": "pages",
    "short_title": "titre_court",
    "start": "debut_du_contrat",
    "end": "fin_du_contrat",
    "counterpart": "cosignataire",
    "parent": "convention_nationale",
    "signed_on": "signe_le",
    "signatories": "signataires",
    "role": "qualite",
    "short_name": "nom_court",
    "address": "adresse",
    "toc": "sommaire",
    "anchor": "ancre",
    "preamble": "preambule",
    "caf_title": "engagements_caf_titre",
    "caf_intro": "engagements_caf_introduction",
    "caf_axes": "engagements_caf_axes",
    "themes": "themes",
    "blocks": "blocs",
    "cnaf_title": "engagements_cnaf_titre",
    "cnaf_blocks": "engagements_cnaf",
    "diagnosis_title": "diagnostic_titre",
    "diagnosis_intro": "diagnostic_introduction",
    "diagnosis_sections": "diagnostic_sections",
    "figures": "chiffres_cles",
    "when": "quand",
    "scope": "perimetre",
    "section_id": "section",
    "section_title": "section_titre",
    "priorities_intro": "orientations_introduction",
    "orientations": "orientations",
    "priorities_closing": "orientations_conclusion",
    "corrections": "corrections",
    "where": "emplacement",
    "original": "texte_signe",
    "corrected": "texte_corrige",
    # the annual review and the board report (cpog.contexts.annual, cpog.contexts.board)
    "status_before": "statut_avant",
    "status_before_label": "statut_avant_libelle",
    "change": "evolution",
    "change_label": "evolution_libelle",
    "key": "cle",
    "verdicts": "verdicts",
    "progress_text": "avancement_texte",
    "chart_file": "graphique_fichier",
    "lines": "lignes",
    "due_text": "echeance_texte",
    "latest_update": "dernier_point",
    "written_on": "ecrite_le",
    "analyses_missing": "analyses_manquantes",
    "gap_text": "ecart_texte",
    "verdict_text": "verdict_texte",
    "source_text": "source_texte",
    "comment": "commentaire",
    "calculation": "mode_de_calcul",
    "data_source": "source_des_donnees",
    "year_rows": "annees",
    "field_name": "champ",
    "note": "note",
    "file_name": "fichier",
    "loaded_on": "charge_le",
    "loaded_by": "charge_par",
    "row_count": "nombre_de_lignes",
    "date_rule": "regle_de_date",
    "comparison_rule": "regle_de_comparaison",
    "status_rules": "regles_de_statut",
    "value_sources": "sources_des_valeurs",
    "batches": "imports",
    "readings": "lectures_a_confirmer",
    "contract_period": "periode_du_contrat",
    "as_of_text": "date_de_situation_texte",
    "summary_groups": "synthese_par_defi",
    "family_groups": "synthese_par_famille",
    "demo": "demonstration",
    "contract_version": "version_du_contrat",
    "overall": "verdicts_de_l_annee",
    "compared_with": "compare_avec",
    "changes": "changements",
    "annex": "annexe_indicateurs",
    "statuses": "statuts",
    "source_note": "origine_des_donnees",
    "fingerprint": "empreinte",
    "analysis_awaited": "analyse_attendue",
    "month": "mois",
    "month_label": "mois_libelle",
    "previous_as_of_text": "date_precedente_texte",
    "late_entries": "saisies_en_retard",
    "late_actions": "actions_en_retard",
    "analyses_awaited": "analyses_attendues",
    # the API and the CLI: values, targets (cpog.contexts.values), a défi's status
    # (cpog.contexts.challenge_status), indicators and write outcomes (cpog.web.api_schemas)
    "period_start": "debut_periode",
    "period_end": "fin_periode",
    "numerator": "numerateur",
    "denominator": "denominateur",
    "recorded_by": "enregistree_par",
    "recorded_at": "enregistree_le",
    "batch_file": "fichier_importe",
    "in_force": "en_vigueur",
    "target_kind": "type_de_cible",
    "target_kind_label": "type_de_cible_libelle",
    "provenance": "provenance",
    "provenance_label": "provenance_libelle",
    "set_by": "fixee_par",
    "set_at": "fixee_le",
    "subjects": "sujets",
    "contract_id": "contrat",
    "indicator_id": "identifiant",
    "code_as_written": "code_tel_qu_ecrit",
    "family_label": "famille_libelle",
    "group": "groupe",
    "nature": "nature",
    "nature_label": "nature_libelle",
    "indicator_type": "type",
    "indicator_type_label": "type_libelle",
    "type_as_written": "type_tel_qu_ecrit",
    "direction": "sens",
    "direction_label": "sens_libelle",
    "periodicity": "periodicite",
    "periodicity_label": "periodicite_libelle",
    "target_as_written": "cible_telle_qu_ecrite",
    "cumulation": "cumul",
    "cumulation_label": "cumul_libelle",
    "availability_lag_days": "delai_de_disponibilite_jours",
    "calculation_method": "mode_de_calcul",
    "ok": "ok",
    "saved": "enregistres",
    "unchanged": "inchanges",
    # the indicators list (cpog.contexts.indicators) and the indicator or measure page
    # (cpog.contexts.subject)
    "arrow": "fleche",
    "type_label": "type_indicateur",
    "trend": "tendance",
    "groups": "rubriques",
    "filters": "filtres",
    "choices": "choix",
    "selected": "choisi",
    "shown": "affiches",
    "active": "filtre_actif",
    "notes": "notes",
    "link_page": "lien_page",
    "current_period": "periode_courante",
    "freshness": "fraicheur",
    "late": "en_retard",
    "projected_status": "statut_projete",
    "target_origin": "cible_origine",
    "confirmed_unusual": "valeur_inhabituelle_confirmee",
    "revisions": "revisions",
    "written_at": "ecrite_le",
    "heading": "titre_page",
    "situation": "situation",
    "definition": "definition",
    "other_notes": "autres_points_a_confirmer",
    "periods": "periodes",
    "revision_count": "nombre_de_revisions",
    "missing_analysis": "analyse_attendue",
    "off_track": "hors_trajectoire",
    "values_from": "valeurs_de",
    # the Excel export (cpog.contexts.export)
    "sheets": "feuilles",
    "description": "description",
    "item_id": "identifiant",
    "measure_kind_label": "type_de_mesure_libelle",
    "baseline_value": "reference_valeur",
    "baseline_year": "reference_annee",
    "target_value": "cible_valeur",
    "target_year": "cible_annee",
    "indicator": "indicateur",
    "target_label": "cible_libelle",
    "comparator_sign": "comparateur_signe",
    "action_id": "action",
    "about": "a_propos",
    "referential": "referentiel",
    "values": "valeurs",
    "contract_years": "annees_du_contrat",
    "to_confirm": "a_confirmer",
    "attached_to": "rattachement",
    # i10-board: the dashboard for the board (cpog.contexts.dashboard, cpog.contexts.sparklines)
    "bars": "barres",
    "segments": "segments",
    "share": "part_pourcentage",
    "offset": "debut_pourcentage",
    "words": "en_mots",
    "tiles": "tuiles",
    "why": "pourquoi",
    "n_targeted": "nombre_de_resultats_vises",
    "most_late": "le_plus_en_retard",
    "todo": "a_traiter",
    "gap": "ecart",
    "shortfall": "retard_relatif",
    "pilots": "pilotes",
    "analysis_state": "analyse_etat",
    "analysis_label": "analyse_libelle",
    "late_entry": "saisie_en_retard",
    "lateness_label": "retard_de_saisie",
    # i10-subject: the page of an indicator or a measure (cpog.contexts.subject)
    "value_pages": "pages_des_valeurs",
    "per_page": "periodes_par_page",
    "period_count": "nombre_de_periodes",
    "page_numbers": "liste_des_pages",
    "shown_periods": "periodes_visibles",
    "to_confirm_count": "nombre_de_lectures_a_confirmer",
    # a computed value's provenance (cpog.contexts.subject, cpog.contexts.computation)
    "computed": "calcul",
    "computed_values": "valeurs_calculees",
    "file": "fichier",
    "parameters": "parametres",
    "parameters_text": "parametres_texte",
    "fingerprint_short": "empreinte_courte",
    "data_end": "fin_des_donnees",
    "data_end_text": "fin_des_donnees_texte",
    "query": "requete_parametres",
    "numerator_text": "numerateur_texte",
    "denominator_text": "denominateur_texte",
    "sql": "sql",
    "default": "defaut",
    "tables": "tables",
    "measure_label": "mesure_libelle",
    "grain_label": "grain_libelle",
    "subject_page": "page_du_sujet",
    "folder": "dossier",
    "parameter_error": "erreur_de_parametre",
    "computed_value": "valeur_calculee",
    "computed_period": "periode_calculee",
    # diagnosis and open data by territory (cpog.contexts.opendata, decision 019)
    "by_level": "decoupage",
    "available_years": "annees_disponibles",
    "mappings": "correspondances",
    "empty_text": "message_vide",
    "figure": "chiffre_cle",
    "datasets": "jeux_de_donnees",
    "published_fields": "champs_publies",
    "level": "niveau",
    "reference_value": "valeur_de_reference",
    "reference_text": "valeur_de_reference_texte",
    "reference_source": "source_de_reference",
    "open_value": "donnee_ouverte",
    "open_text": "donnee_ouverte_texte",
    "open_source": "source_donnee_ouverte",
    # --- the map of territories (cpog.contexts.territory_map, issue 12) ---
    "level_label": "niveau_libelle",
    "period_key": "periode_cle",
    "caisse_value_text": "valeur_caisse_texte",
    "classes": "classes",
    "territories": "territoires",
    "letter": "lettre",
    "colour": "couleur",
    "class_label": "classe_libelle",
    "aggregated": "agregee",
    "message": "message",
    "licence": "licence",
    # --- end of the map ---
    # territories (cpog.contexts.territories, decision 020)
    "territory": "territoire",
    "territory_code": "territoire",
    "territory_name": "territoire_nom",
    "territory_kind": "territoire_nature",
    "territory_kind_label": "territoire_nature_libelle",
    "parent_code": "rattachement",
    "parent_name": "rattachement_nom",
    "commune_count": "nombre_de_communes",
    "population": "population",
    "caisse": "caisse",
    "department": "departement",
    "department_name": "departement_nom",
    "value_origin": "origine_de_la_valeur",
    "value_origin_label": "origine_de_la_valeur_libelle",
    "aggregation_method": "methode_d_agregation",
    "aggregation_method_label": "methode_d_agregation_libelle",
    "missing_parts": "parties_sans_valeur",
    "target_from": "origine_de_la_cible",
    "target_from_label": "origine_de_la_cible_libelle",
    "subject_status": "sujet",
    "banner": "bandeau",
    "caisse_url": "lien_caisse",
    "by_territory": "par_territoire",
    # the network of caisses (cpog.contexts.network)
    "q1": "premier_quartile",
    "median": "mediane",
    "q3": "troisieme_quartile",
    "q1_text": "premier_quartile_texte",
    "median_text": "mediane_texte",
    "q3_text": "troisieme_quartile_texte",
    "parts": "caisses_comptees",
    "rank": "rang",
    "quartile": "quartile",
    "quartile_label": "quartile_libelle",
    "group_median": "mediane_du_groupe",
    "group_median_text": "mediane_du_groupe_texte",
    "group_rank": "rang_dans_le_groupe",
    "group_size": "taille_du_groupe",
    "chosen": "caisse_choisie",
    "national": "valeur_nationale",
    "quartiles": "quartiles",
    "peer_groups": "groupes_de_pairs",
    "groups_source": "fichier_des_groupes",
    "on_track": "dans_la_trajectoire",
    "watch": "a_surveiller",
    "last_value": "derniere_valeur",
    "last_value_text": "derniere_valeur_texte",
}


# The condition a value must meet, as words before the target value (« au moins 80 % »);
# « égale » needs none. (cpog.assess.wording.target_text, measure_target_text)
COMPARATOR_WORDS: dict[Comparator, str] = {
    Comparator.LT: "inférieure à",
    Comparator.LE: "au plus",
    Comparator.GE: "au moins",
    Comparator.GT: "supérieure à",
    Comparator.EQ: "",
}


# --- reports (cpog.contexts.annual, cpog.contexts.board) ----------------------------------

# How a subject's status moved between two dates of situation.
STATUS_CHANGE: dict[str, str] = {
    "better": "amélioration",
    "worse": "dégradation",
    "other": "changement",
}

# Each status in words, as the method annex of the reports prints it (docs/user-guide.md).
STATUS_MEANING: dict[str, str] = {
    "atteint": "la cible finale est déjà atteinte sur une valeur d'année entière ; après la "
    "fin du contrat, la cible finale a été atteinte",
    "en_avance": "l'objectif de l'année est tenu, ou la valeur dépasse nettement la "
    "trajectoire attendue",
    "conforme": "l'objectif de l'année est tenu, ou la valeur suit la trajectoire attendue",
    "a_surveiller": "la valeur est un peu en deçà de l'objectif de l'année ou de la trajectoire",
    "en_retard": "la valeur est nettement en deçà, ou va dans le mauvais sens",
    "non_atteint": "après la fin du contrat : la cible finale n'a pas été atteinte (un "
    "engagement « par an » : une année au moins a été manquée)",
    "non_renseigne": "aucune valeur n'est encore saisie ; après la fin du contrat, la valeur "
    "de la dernière année manque ou est à vérifier",
    "sans_cible": "indicateur de suivi, ou aucune cible connue : il n'est pas évalué",
}

REPORT_KIND: dict[str, str] = {
    "annual": "bilan annuel",
    "board": "tableau de bord du comité de direction",
}


# The parts of a contract as the Excel export's referential names them.
CONTRACT_PART: dict[str, str] = {
    "axis": "axe",
    "theme": "engagement de la Caf",
    "challenge": SUBJECT_TYPE["challenge"],
    "targeted_result": "résultat visé",
    "measure": SUBJECT_TYPE["measure"],
}


# Territories (issue 12, decision 020): the kind of a scope, how a wider value is made from
# its parts, where a territory's target comes from.
SCOPE_KIND: dict[str, str] = {
    "national": "national",
    "caisse": "caisse",
    "departement": "département",
    "epci": "EPCI",
    "commune": "commune",
    "ctg": "territoire de CTG",
}
SCOPE_KIND_PLURAL: dict[str, str] = {
    "departement": "départements",
    "epci": "EPCI",
    "commune": "communes",
    "ctg": "territoires de CTG",
}
AGGREGATION_METHOD: dict[str, str] = {
    "sum": "somme",
    "ratio": "ratio des sommes",
}
VALUE_ORIGIN: dict[str, str] = {
    "own": "valeur du territoire",
    "aggregated": "agrégée",
    "none": "aucune valeur",
}
TERRITORY_TARGET: dict[str, str] = {
    "own": "cible du territoire",
    "caisse": "cible de la caisse",
    "none": "pas de cible",
}


# The JSON names read as headings and column names of a generic document (the reports' page.typ):
# the words of FIELD's names with their accents back (« periode_attendue » → « Période attendue »).
ACCENTED_WORDS: dict[str, str] = {
    "a": "à",
    "annee": "année",
    "apres": "après",
    "completude": "complétude",
    "cree": "créé",
    "creee": "créée",
    "defi": "défi",
    "defis": "défis",
    "definition": "définition",
    "demonstration": "démonstration",
    "denominateur": "dénominateur",
    "derniere": "dernière",
    "donnees": "données",
    "echeance": "échéance",
    "ecart": "écart",
    "ecrite": "écrite",
    "enregistree": "enregistrée",
    "enregistres": "enregistrés",
    "evalues": "évalués",
    "evolution": "évolution",
    "fixee": "fixée",
    "fraicheur": "fraîcheur",
    "inchanges": "inchangés",
    "libelle": "libellé",
    "methode": "méthode",
    "mediane": "médiane",
    "troisieme": "troisième",
    "comptees": "comptées",
    "choisie": "choisie",
    "modifiee": "modifiée",
    "numerateur": "numérateur",
    "numero": "numéro",
    "periode": "période",
    "periodes": "périodes",
    "periodicite": "périodicité",
    "projete": "projeté",
    "prevue": "prévue",
    "realisation": "réalisation",
    "realise": "réalisé",
    "reference": "référence",
    "renseigne": "renseigné",
    "renseignes": "renseignés",
    "resultats": "résultats",
    "revisions": "révisions",
    "signee": "signée",
    "synthese": "synthèse",
    "unite": "unité",
    "verifier": "vérifier",
    "vises": "visés",
}


def field_heading(name: str) -> str:
    """A JSON field name as a heading: « periode_attendue » → « Période attendue »."""
    words = [ACCENTED_WORDS.get(word, word) for word in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


# --- data.caf.fr open data (issue 12, decision 019) ------------------------------------------

# The five datasets cpog reads, by their data.caf.fr identifier (cpog.ingest.opendata).
OPEN_DATASET: dict[str, str] = {
    "s_ben_com_f": "Toutes prestations, par commune",
    "s_ben_dep": "Toutes prestations, par département",
    "txcouv_pe_epci": "Taux de couverture de l'accueil du jeune enfant, par EPCI",
    "nbpla_pe_epci": "Places d'accueil du jeune enfant, par EPCI",
    "ndur_s_qf_400_com_f": "Foyers allocataires par tranche de quotient familial, par commune",
}

# A published numeric field, by its name without the scale suffix (« txcouv_epci » → « txcouv »).
OPEN_DATA_FIELD: dict[str, str] = {
    "indfoy_ndur": "foyers allocataires (toute prestation légale)",
    "indnbp_ndur": "personnes couvertes",
    "indfoy_af": "foyers percevant les allocations familiales",
    "indfoy_cf": "foyers percevant le complément familial",
    "indfoy_asf": "foyers percevant l'allocation de soutien familial",
    "indfoy_ab": "foyers percevant l'allocation de base de la PAJE",
    "indfoy_cmg": "foyers percevant le complément de libre choix du mode de garde",
    "indfoy_ndurpaje": "foyers percevant une prestation de la PAJE",
    "indfoy_apl": "foyers percevant l'APL",
    "indfoy_als": "foyers percevant l'ALS",
    "indfoy_alf": "foyers percevant l'ALF",
    "indfoy_ndural": "foyers percevant une aide au logement",
    "indfoy_rsa": "foyers percevant le RSA",
    "indmtt_rsa": "montant du RSA versé en décembre (€)",
    "indfoy_ppa": "foyers percevant la prime d'activité",
    "indmtt_ppa": "montant de la prime d'activité versé en décembre (€)",
    "txcouv": "taux de couverture global (places pour 100 enfants de moins de 3 ans)",
    "txcouv_psu_col": "taux de couverture, accueil collectif PSU",
    "txcouv_hors_psu_col": "taux de couverture, accueil collectif hors PSU",
    "txcouv_prescol": "taux de couverture, préscolarisation",
    "txcouv_am_ind": "taux de couverture, assistants maternels",
    "txcouv_gad_ind": "taux de couverture, garde à domicile",
    "txcouv_eaje": "taux de couverture, accueil collectif (EAJE)",
    "txcouv_ind": "taux de couverture, accueil individuel",
    "pl_psu_col": "places en accueil collectif PSU",
    "pl_hors_psu_col": "places en accueil collectif hors PSU",
    "pl_prescol": "places en préscolarisation",
    "pl_am_ind": "places chez les assistants maternels",
    "pl_gad_ind": "places en garde à domicile",
    "pl_eaje": "places en accueil collectif (EAJE)",
    "tot_offre": "offre totale de places",
    "ndur_foy": "foyers allocataires",
    "ndur_pers": "personnes couvertes",
}

_OPEN_DATA_SCALES = ("_epci", "_com", "_dep", "_nat")


def open_data_field(name: str) -> str:
    """The French words of a published field: « txcouv_epci » → « taux de couverture global … »;
    the name itself when it has none."""
    if name in OPEN_DATA_FIELD:
        return OPEN_DATA_FIELD[name]
    for suffix in _OPEN_DATA_SCALES:
        if name.endswith(suffix) and name[: -len(suffix)] in OPEN_DATA_FIELD:
            return OPEN_DATA_FIELD[name[: -len(suffix)]]
    return name


# Why a published row is not kept (counted in the import's report).
OPEN_DATA_DROPPED: dict[str, str] = {
    "code_fictif": "code fictif (XX, XXX, 79XXX…)",
    "non_localise": "territoire non localisé (code vide)",
    "hors_departement": "hors département",
    "sans_valeur": "aucune valeur publiée (secret statistique ou cellule vide)",
}
# Why a published cell is not kept, its row being kept.
OPEN_DATA_CELL_DROPPED: dict[str, str] = {
    "secret": "valeurs couvertes par le secret statistique",
    "vide": "valeurs vides",
}

# How an open-data value compares with the contract's key figure (cpog.contexts.opendata).
OPEN_DATA_REFERENCE: dict[str, str] = {
    "signed": "chiffre du contrat signé",
    "computed": "valeur calculée",
}
