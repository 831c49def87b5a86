"""Every environment variable cpog reads, in one list: the reference of docs/parametres.md is
generated from it (``cpog parametres``), and a test checks that every ``CPOG_…`` name written in
the code is listed here and that the document is current.

What a variable means is written in French: the reference is read by the IT engineer who installs
cpog (docs/deploy.md). A module that reads a variable keeps its own parsing (its French error,
its bounds); this list only says which variables exist, their default and their meaning.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    name: str
    default: str  # as a person reads it: « ./data », « 20 Mo », « aucun »
    meaning: str
    group: str
    secret: bool = False  # never shown by ``cpog parametres --valeurs``


BASE = "Base, dossiers et contrat"
PRODUCTION = "Production, proxy et sécurité"
LOOK = "Apparence"
ACCOUNTS = "Comptes, sessions et API"
SSO = "Authentification unique"
BOUNDS = "Limites des fichiers et des calculs"
TERRITORIES = "Territoires et réseau"
LOGS = "Journaux"
OTHER = "Tests, formation et ligne de commande"
RETENTION = "Conservation des données"
MAIL = "Courriel"

GROUPS = (
    BASE,
    PRODUCTION,
    LOGS,
    ACCOUNTS,
    SSO,
    MAIL,
    LOOK,
    BOUNDS,
    TERRITORIES,
    RETENTION,
    OTHER,
)

VARIABLES: tuple[Variable, ...] = (
    Variable(
        "CPOG_DATA_DIR",
        "./data",
        "Dossier des données : base SQLite intégrée, fichiers déposés, caches, clé secrète"
        " générée hors production.",
        BASE,
    ),
    Variable(
        "DATABASE_URL",
        "SQLite dans CPOG_DATA_DIR",
        "Base de données, par exemple postgres://cpog@127.0.0.1:5432/cpog (PostgreSQL en"
        " production).",
        BASE,
        secret=True,
    ),
    Variable(
        "CPOG_CONTRACT",
        "le contrat livré (Deux-Sèvres)",
        "Dossier du contrat chargé par défaut (cpog init, cpog load sans argument).",
        BASE,
    ),
    Variable(
        "CPOG_CAISSE",
        "la caisse du premier contrat chargé",
        "Code de la caisse de l'installation, par exemple 79 (décision 016).",
        BASE,
    ),
    Variable(
        "CPOG_STATIC_ROOT",
        "aucun ; en production, CPOG_DATA_DIR/static",
        "Dossier où « cpog static » collecte les fichiers statiques (noms avec empreinte,"
        " copies compressées), servis de là en production, ou par le serveur frontal.",
        BASE,
    ),
    Variable(
        "CPOG_PRODUCTION",
        "0",
        "1 en production : clé secrète obligatoire, DEBUG interdit, cookies sécurisés, HTTPS"
        " exigé, aucune migration ni donnée de démonstration implicite.",
        PRODUCTION,
    ),
    Variable(
        "CPOG_SECRET_KEY",
        "générée une fois dans CPOG_DATA_DIR (obligatoire en production)",
        "Clé secrète de Django (signature des sessions et des jetons de formulaire).",
        PRODUCTION,
        secret=True,
    ),
    Variable(
        "CPOG_DEBUG",
        "0",
        "1 : mode développement (pages d'erreur détaillées). Interdit en production.",
        PRODUCTION,
    ),
    Variable(
        "CPOG_ALLOWED_HOSTS",
        "localhost,127.0.0.1",
        "Noms d'hôte auxquels l'application répond, séparés par des virgules.",
        PRODUCTION,
    ),
    Variable(
        "CPOG_SSL_REDIRECT",
        "1",
        "En production, 1 : une requête en http est redirigée vers https.",
        PRODUCTION,
    ),
    Variable(
        "CPOG_TRUSTED_PROXIES",
        "aucun",
        "Adresses ou réseaux (CIDR) des proxys inverses, séparés par des virgules, par exemple"
        " 127.0.0.1 ou 10.1.2.0/24 : de ces seules adresses, les en-têtes X-Forwarded-Proto"
        " (HTTPS), X-Forwarded-For (adresse du poste, pour le blocage des connexions) et"
        " X-Request-ID (identifiant de requête des journaux) sont crus (décision 023).",
        PRODUCTION,
    ),
    Variable(
        "CPOG_CSRF_TRUSTED_ORIGINS",
        "aucune",
        "Adresses publiques du site, avec le schéma, séparées par des virgules, par exemple"
        " https://cpog.caf79.fr : origines acceptées pour les formulaires quand le proxy ne"
        " transmet pas le nom et le port vus par le navigateur.",
        PRODUCTION,
    ),
    Variable(
        "CPOG_LOG_FORMAT",
        "texte",
        "Forme des lignes du journal (sur la sortie d'erreur, donc dans journald sous systemd) :"
        " texte (horodatage, niveau, journal, identifiant de requête, message) ou json (un objet"
        " JSON par ligne).",
        LOGS,
    ),
    Variable(
        "CPOG_LOG_LEVEL",
        "INFO",
        "Niveau minimal des lignes écrites : DEBUG, INFO, WARNING, ERROR ou CRITICAL.",
        LOGS,
    ),
    Variable(
        "CPOG_ACCESS_LOG",
        "1",
        "1 : une ligne par requête (méthode, chemin sans paramètres, statut, durée, taille,"
        " utilisateur, adresse, identifiant de requête) ; 0 : aucune.",
        LOGS,
    ),
    Variable(
        "CPOG_SESSION_HOURS",
        "10",
        "Durée d'une session connectée, en heures.",
        ACCOUNTS,
    ),
    Variable(
        "CPOG_SESSION_BROWSER",
        "0",
        "1 : la session se termine aussi à la fermeture du navigateur.",
        ACCOUNTS,
    ),
    Variable(
        "CPOG_TOKEN_DAYS",
        "90",
        "Validité proposée par défaut à un nouveau jeton d'API, en jours.",
        ACCOUNTS,
    ),
    Variable(
        "CPOG_TOKEN_MAX_DAYS",
        "365",
        "Validité la plus longue d'un jeton d'API, en jours.",
        ACCOUNTS,
    ),
    Variable(
        "CPOG_API_MAX_ITEMS",
        "5000",
        "Nombre maximal d'éléments dans une écriture par l'API.",
        ACCOUNTS,
    ),
    Variable(
        "CPOG_API_MAX_BODY_BYTES",
        "2097152 (2 Mo)",
        "Taille maximale du corps d'une écriture par l'API (413 au-delà).",
        ACCOUNTS,
    ),
    Variable(
        "CPOG_EMAIL_HOST",
        "aucun",
        "Serveur SMTP d'envoi des courriels (mot de passe oublié, relances des campagnes). Sans"
        " lui : courriels affichés dans la console hors production ; en production, envoi"
        " désactivé et signalé.",
        MAIL,
    ),
    Variable(
        "CPOG_EMAIL_PORT", "25", "Port du serveur SMTP (587 avec STARTTLS, 465 en TLS).", MAIL
    ),
    Variable("CPOG_EMAIL_USER", "aucun", "Identifiant de connexion au serveur SMTP.", MAIL),
    Variable(
        "CPOG_EMAIL_PASSWORD",
        "aucun",
        "Mot de passe de connexion au serveur SMTP.",
        MAIL,
        secret=True,
    ),
    Variable("CPOG_EMAIL_TLS", "0", "1 : connexion SMTP chiffrée par STARTTLS.", MAIL),
    Variable(
        "CPOG_EMAIL_SSL",
        "0",
        "1 : connexion SMTP en TLS implicite (exclut CPOG_EMAIL_TLS).",
        MAIL,
    ),
    Variable(
        "CPOG_EMAIL_FROM",
        "cpog <cpog@localhost>",
        "Expéditeur des courriels, par exemple « cpog <cpog@caf79.fr> ».",
        MAIL,
    ),
    Variable(
        "CPOG_URL",
        "aucun (obligatoire en production pour les relances)",
        "Adresse publique de l'application, pour les liens des courriels envoyés par une"
        " commande et, quand elle est renseignée, celui de « Mot de passe oublié ? », par"
        " exemple https://cpog.caf79.fr.",
        MAIL,
    ),
    Variable(
        "CPOG_RELANCES_AVANT",
        "7,1",
        "Jours avant l'échéance d'une campagne où les pilotes sont relancés (J-7 et J-1).",
        MAIL,
    ),
    Variable(
        "CPOG_RELANCES_APRES",
        "1,7",
        "Jours après l'échéance où les pilotes en retard sont relancés, avec une synthèse au"
        " contrôle de gestion.",
        MAIL,
    ),
    Variable(
        "CPOG_OIDC_ISSUER",
        "aucun (authentification unique désactivée)",
        "Adresse de l'émetteur OpenID Connect (par exemple https://sso.caf.example/realms/caf) :"
        " ses adresses sont lues dans <émetteur>/.well-known/openid-configuration à la première"
        " connexion. En production (CPOG_PRODUCTION=1), https:// est obligatoire.",
        SSO,
    ),
    Variable(
        "CPOG_OIDC_CLIENT_ID",
        "aucun (obligatoire avec CPOG_OIDC_ISSUER)",
        "Identifiant de cpog chez le fournisseur d'identité (client OpenID Connect).",
        SSO,
    ),
    Variable(
        "CPOG_OIDC_CLIENT_SECRET",
        "aucun (obligatoire avec CPOG_OIDC_ISSUER)",
        "Secret du client OpenID Connect de cpog.",
        SSO,
        secret=True,
    ),
    Variable(
        "CPOG_OIDC_GROUPES",
        "aucun (obligatoire avec CPOG_OIDC_ISSUER)",
        "Fichier YAML qui donne à chaque groupe de l'annuaire un rôle, des défis pilotés et une"
        " caisse (exemple : deploy/oidc-groupes.exemple.yaml).",
        SSO,
    ),
    Variable(
        "CPOG_OIDC_NOM",
        "l'annuaire",
        "Nom de l'annuaire sur le bouton « Se connecter avec … » (par exemple « l'annuaire de la"
        " Caf »).",
        SSO,
    ),
    Variable(
        "CPOG_OIDC_CLAIM_GROUPES",
        "groups",
        "Nom de l'information (claim) qui porte les groupes de la personne.",
        SSO,
    ),
    Variable(
        "CPOG_OIDC_LIER_COMPTES",
        "0",
        "1 : un compte local portant le même identifiant est lié à la personne de l'annuaire"
        " (son mot de passe devient inutilisable), sauf un compte administrateur, et par"
        " l'adresse électronique seulement si l'annuaire l'a vérifiée ; 0 : la connexion est"
        " refusée.",
        SSO,
    ),
    Variable(
        "CPOG_COMPTES_LOCAUX",
        "1",
        "1 : les comptes locaux se connectent avec leur mot de passe ; 0 : seuls les"
        " administrateurs le peuvent encore (connexion de secours).",
        SSO,
    ),
    Variable(
        "CPOG_BRAND_NAME",
        "le nom de la caisse du contrat",
        "Nom affiché dans l'en-tête.",
        LOOK,
    ),
    Variable(
        "CPOG_BRAND_COLOR",
        "#1f4e79",
        "Couleur principale du thème (le contraste est vérifié).",
        LOOK,
    ),
    Variable(
        "CPOG_BRAND_LOGO",
        "aucun",
        "Chemin d'un logo parmi les fichiers statiques.",
        LOOK,
    ),
    Variable(
        "CPOG_PAGE_CACHE",
        "fichiers",
        "Pages gardées en cache : fichiers (partagé entre processus), memoire ou aucun.",
        LOOK,
    ),
    Variable(
        "CPOG_IMPORT_MAX_BYTES",
        "20971520 (20 Mo)",
        "Taille maximale d'un fichier importé.",
        BOUNDS,
    ),
    Variable("CPOG_IMPORT_MAX_ROWS", "200000", "Nombre maximal de lignes importées.", BOUNDS),
    Variable("CPOG_IMPORT_MAX_COLUMNS", "50", "Nombre maximal de colonnes importées.", BOUNDS),
    Variable(
        "CPOG_IMPORT_MAX_CELLS",
        "2000000",
        "Nombre maximal de cellules remplies dans un classeur importé.",
        BOUNDS,
    ),
    Variable(
        "CPOG_IMPORT_MAX_CELL_CHARS",
        "1000",
        "Nombre maximal de caractères dans une cellule.",
        BOUNDS,
    ),
    Variable(
        "CPOG_EXTRACTS_MAX_BYTES",
        "21474836480 (20 Gio)",
        "Taille totale maximale des extraits lus par cpog compute.",
        BOUNDS,
    ),
    Variable(
        "CPOG_EXTRACTS_CACHE_DIR",
        "CPOG_DATA_DIR/cache/extraits",
        "Dossier où sont gardés les résultats de validation des extraits.",
        BOUNDS,
    ),
    Variable(
        "CPOG_DUCKDB_MEMORY",
        "2GB",
        "Mémoire maximale de DuckDB pour les calculs (memory_limit).",
        BOUNDS,
    ),
    Variable(
        "CPOG_DUCKDB_THREADS",
        "un par cœur",
        "Nombre de fils de DuckDB pour les calculs.",
        BOUNDS,
    ),
    Variable(
        "CPOG_DUCKDB_TEMP_DIR",
        "le dossier temporaire du système",
        "Dossier où DuckDB écrit ce qui ne tient pas en mémoire.",
        BOUNDS,
    ),
    Variable(
        "CPOG_CTG",
        "ctg.yaml dans CPOG_DATA_DIR",
        "Fichier YAML des conventions territoriales globales (CTG) de la caisse (décision 020).",
        TERRITORIES,
    ),
    Variable(
        "CPOG_GROUPES_CAISSES",
        "quatre tranches de population",
        "Fichier YAML des groupes de caisses comparables (décision 018).",
        TERRITORIES,
    ),
    Variable(
        "CPOG_GEOGRAPHY_CACHE_DIR",
        "CPOG_DATA_DIR/cache/geographie",
        "Dossier du cache des communes, EPCI et contours.",
        TERRITORIES,
    ),
    Variable(
        "CPOG_POLICY",
        "aucun",
        "Fichier YAML de la politique de pilotage de la caisse (seuils d'alerte).",
        TERRITORIES,
    ),
    Variable(
        "CPOG_TODAY",
        "aujourd'hui à Paris",
        "Fige « aujourd'hui » (JJ/MM/AAAA) : tests, formation, rejeu.",
        OTHER,
    ),
    Variable(
        "CPOG_USER",
        "cli:<compte système>",
        "Auteur inscrit à l'historique pour les commandes en ligne de commande.",
        OTHER,
    ),
    Variable(
        "CPOG_RETENTION_CONNEXIONS_JOURS",
        "90",
        "Durée de conservation, en jours, des traces de connexion (nom d'utilisateur, adresse IP :"
        " tentatives, connexions, échecs) ; supprimées au-delà par cpog purge.",
        RETENTION,
    ),
    Variable(
        "CPOG_RETENTION_JETONS_JOURS",
        "365",
        "Jours après leur révocation ou leur expiration au-delà desquels cpog purge supprime les"
        " jetons d'API (l'historique garde leur nom et leur titulaire).",
        RETENTION,
    ),
)

BY_NAME = {variable.name: variable for variable in VARIABLES}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def reference_markdown() -> str:
    """The French reference of every variable, by group (docs/parametres.md)."""
    lines = [
        "# Paramètres d'environnement",
        "",
        "<!-- Généré par `cpog parametres > docs/parametres.md` depuis src/cpog/environment.py :"
        " ne pas modifier à la main. -->",
        "",
        "cpog lit sa configuration dans l'environnement (et dans un fichier `.env` du dossier"
        " où il est lancé). En production, ces variables sont posées dans le fichier"
        " d'environnement du service (voir [deploy.md](deploy.md)).",
        "",
    ]
    for group in GROUPS:
        members = [variable for variable in VARIABLES if variable.group == group]
        if not members:
            continue
        lines += [f"## {group}", "", "| variable | défaut | rôle |", "|---|---|---|"]
        for variable in members:
            lines.append(
                f"| `{variable.name}` | {_cell(variable.default)} | {_cell(variable.meaning)} |"
            )
        lines.append("")
    return "\n".join(lines)
