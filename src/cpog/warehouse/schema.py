"""The extract tables cpog computes from: names, columns, types.

This module is the one description of an extract; docs/extracts.md explains it to the people who
produce the files, the loader checks files against it, the synthetic generator writes it, and the
definitions read it. Names are French because the files are the Caf's and auditors read the SQL.

Types are logical: ``text`` (codes stay text: « 79191 », « 2A »), ``date`` (a day; in CSV
``JJ/MM/AAAA``), ``month`` (text ``AAAA-MM``), ``integer``, ``decimal`` (amounts in euros, two
decimals; in CSV with a decimal comma), ``boolean`` (in CSV ``oui``/``non``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ColumnType(StrEnum):
    TEXT = "text"
    DATE = "date"
    MONTH = "month"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"


# The SQL type each logical type becomes in DuckDB (and, through SQLGlot, elsewhere).
SQL_TYPE: dict[ColumnType, str] = {
    ColumnType.TEXT: "VARCHAR",
    ColumnType.DATE: "DATE",
    ColumnType.MONTH: "VARCHAR",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.DECIMAL: "DECIMAL(18, 2)",
    ColumnType.BOOLEAN: "BOOLEAN",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str  # French: shown in docs/extracts.md and in error messages
    required: bool = True  # False: the cell may be empty (NULL)
    choices: tuple[str, ...] = ()  # allowed codes of a text column, when closed


@dataclass(frozen=True)
class Table:
    name: str  # the file's stem: demarches.parquet, demarches.csv
    description: str
    key: tuple[str, ...]  # the columns that identify a row
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


FAMILIES = ("prestations_legales", "minima_sociaux", "aide_logement")
CHANNELS = ("teleservice", "papier", "accueil", "portail_partenaire")

_DOSSIER = Column("dossier", ColumnType.TEXT, "numéro de dossier allocataire")
_COMMUNE = Column(
    "commune", ColumnType.TEXT, "code INSEE de la commune de résidence (5 caractères, en texte)"
)

DEMARCHES = Table(
    "demarches",
    "Démarches des allocataires (une demande, un changement de situation…), de la réception de"
    " la première pièce au traitement complet.",
    ("id_demarche",),
    (
        Column("id_demarche", ColumnType.TEXT, "identifiant de la démarche"),
        _DOSSIER,
        _COMMUNE,
        Column("recue_le", ColumnType.DATE, "date de réception de la démarche"),
        Column(
            "traitee_le",
            ColumnType.DATE,
            "date du traitement complet (vide : démarche encore en stock)",
            required=False,
        ),
        Column("famille", ColumnType.TEXT, "famille de prestations", choices=FAMILIES),
        Column("prestation", ColumnType.TEXT, "prestation concernée (AF, PAJE, RSA, AAH, APL…)"),
        Column(
            "nature",
            ColumnType.TEXT,
            "nature de la démarche",
            choices=("demande", "changement_situation", "autre"),
        ),
        Column("canal", ColumnType.TEXT, "canal de réception", choices=CHANNELS),
        Column(
            "teleservice_disponible",
            ColumnType.BOOLEAN,
            "un téléservice du bouquet allocataires existe pour ce type de démarche",
        ),
    ),
)

PIECES = Table(
    "pieces",
    "Pièces reçues (formulaires, justificatifs, déclarations), chacune rattachée à sa démarche.",
    ("id_piece",),
    (
        Column("id_piece", ColumnType.TEXT, "identifiant de la pièce"),
        Column("id_demarche", ColumnType.TEXT, "démarche à laquelle la pièce appartient"),
        _DOSSIER,
        _COMMUNE,
        Column("recue_le", ColumnType.DATE, "date de réception de la pièce"),
        Column(
            "traitee_le",
            ColumnType.DATE,
            "date de traitement de la pièce (vide : pièce encore en stock)",
            required=False,
        ),
        Column("famille", ColumnType.TEXT, "famille de prestations", choices=FAMILIES),
        Column("prestation", ColumnType.TEXT, "prestation concernée"),
        Column(
            "type_piece",
            ColumnType.TEXT,
            "type de pièce",
            choices=("demande", "justificatif", "declaration", "autre"),
        ),
        Column("canal", ColumnType.TEXT, "canal de réception", choices=CHANNELS),
    ),
)

RECLAMATIONS = Table(
    "reclamations",
    "Réclamations des allocataires.",
    ("id_reclamation",),
    (
        Column("id_reclamation", ColumnType.TEXT, "identifiant de la réclamation"),
        _DOSSIER,
        _COMMUNE,
        Column("recue_le", ColumnType.DATE, "date de réception"),
        Column(
            "close_le", ColumnType.DATE, "date de clôture (vide : encore ouverte)", required=False
        ),
    ),
)

COURRIELS = Table(
    "courriels",
    "Courriels reçus des allocataires (messagerie « Mon compte »).",
    ("id_courriel",),
    (
        Column("id_courriel", ColumnType.TEXT, "identifiant du courriel"),
        _DOSSIER,
        _COMMUNE,
        Column("recu_le", ColumnType.DATE, "date de réception"),
        Column(
            "repondu_le",
            ColumnType.DATE,
            "date de la réponse (vide : pas encore de réponse)",
            required=False,
        ),
        Column(
            "nature",
            ColumnType.TEXT,
            "nature du courriel",
            choices=("information_generale", "dossier", "autre"),
        ),
    ),
)

INDUS = Table(
    "indus",
    "Indus (sommes versées à tort) constatés, frauduleux ou non.",
    ("id_indu",),
    (
        Column("id_indu", ColumnType.TEXT, "identifiant de l'indu"),
        _DOSSIER,
        _COMMUNE,
        Column("constate_le", ColumnType.DATE, "date de constatation de l'indu"),
        Column("montant", ColumnType.DECIMAL, "montant de l'indu (€)"),
        Column("frauduleux", ColumnType.BOOLEAN, "indu qualifié de frauduleux"),
        Column("prestation", ColumnType.TEXT, "prestation concernée (dont RSA)"),
        Column(
            "fraude_qualifiee_le",
            ColumnType.DATE,
            "date de qualification de la fraude (vide si l'indu n'est pas frauduleux)",
            required=False,
        ),
        Column(
            "prejudice",
            ColumnType.DECIMAL,
            "montant du préjudice de la fraude (€ ; vide si l'indu n'est pas frauduleux)",
            required=False,
        ),
    ),
)

RECOUVREMENTS = Table(
    "recouvrements",
    "Recouvrements d'indus, par remboursement ou par retenue sur d'autres prestations.",
    ("id_recouvrement",),
    (
        Column("id_recouvrement", ColumnType.TEXT, "identifiant du recouvrement"),
        Column("id_indu", ColumnType.TEXT, "indu recouvré"),
        Column("recouvre_le", ColumnType.DATE, "date du recouvrement"),
        Column("montant", ColumnType.DECIMAL, "montant recouvré (€)"),
        Column(
            "mode",
            ColumnType.TEXT,
            "mode de recouvrement",
            choices=("remboursement", "retenue"),
        ),
    ),
)

CONTROLES = Table(
    "controles",
    "Contrôles des dossiers (sur pièces, sur place, ciblés ou non par le datamining).",
    ("id_controle",),
    (
        Column("id_controle", ColumnType.TEXT, "identifiant du contrôle"),
        _DOSSIER,
        _COMMUNE,
        Column("cree_le", ColumnType.DATE, "date de lancement du contrôle"),
        Column(
            "realise_le",
            ColumnType.DATE,
            "date de réalisation (vide : contrôle pas encore réalisé)",
            required=False,
        ),
        Column("cible_datamining", ColumnType.BOOLEAN, "contrôle ciblé par le datamining métier"),
    ),
)

ALLOCATAIRES = Table(
    "allocataires",
    "Allocataires payés, un état par dossier et par mois.",
    ("mois", "dossier"),
    (
        Column("mois", ColumnType.MONTH, "mois de l'état (AAAA-MM)"),
        _DOSSIER,
        _COMMUNE,
        Column(
            "situation_familiale",
            ColumnType.TEXT,
            "situation familiale",
            choices=("couple", "isole", "monoparent"),
        ),
        Column("enfants", ColumnType.INTEGER, "nombre d'enfants à charge"),
        Column("bas_revenus", ColumnType.BOOLEAN, "allocataire à bas revenus"),
        Column("rsa", ColumnType.BOOLEAN, "bénéficiaire du RSA"),
        Column("aah", ColumnType.BOOLEAN, "bénéficiaire de l'AAH"),
        Column("aide_logement", ColumnType.BOOLEAN, "bénéficiaire d'une aide au logement"),
        Column(
            "naissance",
            ColumnType.BOOLEAN,
            "une naissance dans le foyer ce mois-ci",
        ),
    ),
)

TABLES: tuple[Table, ...] = (
    DEMARCHES,
    PIECES,
    RECLAMATIONS,
    COURRIELS,
    INDUS,
    RECOUVREMENTS,
    CONTROLES,
    ALLOCATAIRES,
)
TABLE_BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}


def create_statement(table: Table) -> str:
    """``CREATE TABLE`` of an empty extract table, in DuckDB SQL (tests fill it by hand)."""
    columns = ", ".join(f"{column.name} {SQL_TYPE[column.type]}" for column in table.columns)
    return f"CREATE TABLE {table.name} ({columns})"
