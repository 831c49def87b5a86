"""Django settings, read from the environment (and a ``.env`` file if present).

Every variable read here or elsewhere is listed, with its default and meaning, in
:mod:`cpog.environment`, from which docs/parametres.md is generated (``cpog parametres``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url


def _env_file() -> None:
    env = Path(".env")
    if env.is_file():
        for line in env.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep and not line.lstrip().startswith("#"):
                os.environ.setdefault(key.strip(), value.strip())


_env_file()

from cpog import clock, logs  # noqa: E402 - after .env, which may set CPOG_TODAY
from cpog.web import proxy  # noqa: E402

clock.pinned()  # a bad CPOG_TODAY stops the start with a French message, not a 500 later

DATA_DIR = Path(os.environ.get("CPOG_DATA_DIR", "data")).resolve()


def _flag(name: str, default: str) -> bool:
    """A 0/1 setting; anything else stops the start (« true », or « 1 # comment » pasted into a
    systemd environment file, where « # » only starts a comment at the start of a line)."""
    text = os.environ.get(name, "").strip() or default
    if text not in {"0", "1"}:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name}={text!r} : 0 ou 1 attendu (par défaut {default}).")
    return text == "1"


DEBUG = _flag("CPOG_DEBUG", "0")


def _secret_key() -> str:
    configured = os.environ.get("CPOG_SECRET_KEY")
    if configured:
        return configured
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    stored = DATA_DIR / "secret_key"
    if not stored.exists():
        stored.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        stored.chmod(0o600)
    return stored.read_text(encoding="utf-8").strip()


PRODUCTION = _flag("CPOG_PRODUCTION", "0")
if PRODUCTION:
    from django.core.exceptions import ImproperlyConfigured

    if DEBUG:
        raise ImproperlyConfigured("CPOG_DEBUG=1 est interdit en production (CPOG_PRODUCTION=1).")
    if not os.environ.get("CPOG_SECRET_KEY"):
        raise ImproperlyConfigured(
            "CPOG_SECRET_KEY est obligatoire en production (CPOG_PRODUCTION=1)."
        )
    _key = os.environ["CPOG_SECRET_KEY"].strip()
    if len(_key) < 32 or "A_REMPLACER" in _key:
        raise ImproperlyConfigured(
            "CPOG_SECRET_KEY est trop courte ou est celle de l'exemple : donnez une valeur"
            " aléatoire d'au moins 32 caractères, propre à ce serveur, par exemple"
            ' python3 -c "import secrets; print(secrets.token_urlsafe(50))".'
        )

SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("CPOG_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the OpenAPI explorer's assets locally instead of from a CDN
    "axes",
    "cpog.store",
    "cpog.web",
]

MIDDLEWARE = [
    # first: a peer that is not a trusted reverse proxy loses its X-Forwarded-* (decision 023)
    "cpog.web.proxy.TrustedProxyMiddleware",
    # then: the request id of every log line, the access log (decision 024)
    "cpog.web.request_log.RequestLogMiddleware",
    "cpog.web.middleware.HeadWithoutBody",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # which caisse a page is about: ?caisse= checked before any view (decision 017)
    "cpog.web.scoping.CaisseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cpog.web.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "cpog.web.urls"
WSGI_APPLICATION = "cpog.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cpog.web.context.brand",
            ],
        },
    }
]

STATIC_URL = "/static/"
# Outside production, static files are served from the installed package by WhiteNoise (no
# collect step; CPOG_STATIC_ROOT only says where ``cpog static`` would collect them). In
# production (decision 022), ``cpog static`` collects them into STATIC_ROOT with hashed names and
# gzip (and Brotli when installed) copies; WhiteNoise serves that folder only, hashed files with a
# far-future Cache-Control, and the server refuses to start without its manifest.
_static_root = os.environ.get("CPOG_STATIC_ROOT", "").strip()
STATIC_ROOT: Path | None = (
    Path(_static_root).resolve() if _static_root else (DATA_DIR / "static" if PRODUCTION else None)
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "cpog.web.static_storage.StaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
CSRF_FAILURE_VIEW = "cpog.web.views.errors.csrf_failure"
LOGIN_URL = "/connexion/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/connexion/"

# Security: the app is an intranet tool handling steering data under audit.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_SSL_REDIRECT = PRODUCTION and _flag("CPOG_SSL_REDIRECT", "1")
# the health check is asked by a supervisor on the server itself, in plain http
SECURE_REDIRECT_EXEMPT = [r"^sante/?$"]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_ON_SUCCESS = True
# Locks the pair (account, address): a list of two names would lock each alone, so 5 failures on
# one account would lock every colleague behind the same proxy (decision 008).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "web/locked.html"

# Behind a reverse proxy (decision 023): X-Forwarded-Proto and X-Forwarded-For are believed only
# from these addresses; the middleware above removes them from any other peer, so that Django's
# https check (SECURE_PROXY_SSL_HEADER) and the login lockout's address cannot be forged.
TRUSTED_PROXIES = proxy.parse_networks(
    "CPOG_TRUSTED_PROXIES", os.environ.get("CPOG_TRUSTED_PROXIES", "")
)
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = proxy.PROTO_HEADER
# The public address(es) of the site when the proxy does not pass on the browser's host and port.
CSRF_TRUSTED_ORIGINS = proxy.parse_origins(
    "CPOG_CSRF_TRUSTED_ORIGINS", os.environ.get("CPOG_CSRF_TRUSTED_ORIGINS", "")
)
# Desks behind one proxy are told apart by the proxy's X-Forwarded-For (cpog.web.proxy).
AXES_CLIENT_IP_CALLABLE = "cpog.web.proxy.client_address"


def _positive_int(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"{name}={text} : un nombre entier positif est attendu (par défaut {default})."
        )
    return int(text)


# Accounts (decision 008): a session lasts a working day; passwords follow Django's rules, whose
# messages Django translates into French (LANGUAGE_CODE below).
SESSION_HOURS = _positive_int("CPOG_SESSION_HOURS", 10)
SESSION_COOKIE_AGE = SESSION_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = _flag("CPOG_SESSION_BROWSER", "0")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# API tokens: valid for TOKEN_DAYS unless their owner chooses a date, never beyond TOKEN_MAX_DAYS.
TOKEN_DAYS = _positive_int("CPOG_TOKEN_DAYS", 90)
TOKEN_MAX_DAYS = max(_positive_int("CPOG_TOKEN_MAX_DAYS", 365), TOKEN_DAYS)

# --- E-mail: password reset and campaign reminders (decision 026) ---------------------------
# With CPOG_EMAIL_HOST: SMTP. Without it: the console outside production (mails printed); in
# production sending is off, and what would send says so (cpog.web.mail.DisabledBackend raises).
EMAIL_HOST = os.environ.get("CPOG_EMAIL_HOST", "").strip()
EMAIL_PORT = _positive_int("CPOG_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("CPOG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CPOG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("CPOG_EMAIL_TLS", "0")
EMAIL_USE_SSL = _flag("CPOG_EMAIL_SSL", "0")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "CPOG_EMAIL_TLS=1 et CPOG_EMAIL_SSL=1 s'excluent : STARTTLS (souvent port 587) ou TLS"
        " implicite (souvent port 465), pas les deux."
    )
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("CPOG_EMAIL_FROM", "").strip() or "cpog <cpog@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif PRODUCTION:
    EMAIL_BACKEND = "cpog.web.mail.DisabledBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
PASSWORD_RESET_TIMEOUT = 3600  # a reset link is valid one hour (cpog.web.password_reset)
# The public address of the application, for the links of e-mails sent by a command (no request
# to take the host from): https://cpog.caf79.fr.
CPOG_URL = os.environ.get("CPOG_URL", "").strip().rstrip("/")


def _days(name: str, default: str) -> tuple[int, ...]:
    text = os.environ.get(name, "").strip() or default
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"{name}={text} : des nombres de jours séparés par des virgules sont attendus"
            f" (par défaut {default})."
        )
    return tuple(sorted({int(p) for p in parts}, reverse=True))


# Reminders of a campaign: days before its due date (J-7, J-1) and after it (J+1, J+7).
CAMPAIGN_DAYS_BEFORE = _days("CPOG_RELANCES_AVANT", "7,1")
CAMPAIGN_DAYS_AFTER = _days("CPOG_RELANCES_APRES", "1,7")
# --- end of e-mail ----------------------------------------------------------------------------
# --- Single sign-on by OpenID Connect (decision 025) ------------------------------------------
# Off unless CPOG_OIDC_ISSUER is set; cpog.web.sso reads these settings when called.
from cpog.web import sso_config  # noqa: E402 - framework-free, reads the environment only

try:
    SSO_CONFIG = sso_config.from_environment(os.environ)
    SSO_LOCAL_ACCOUNTS = sso_config.local_accounts(os.environ)
except sso_config.SsoConfigError as _error:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(str(_error)) from None
AUTHENTICATION_BACKENDS.append("cpog.web.sso.SsoBackend")
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc-callback"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the hint of the provider's logout
OIDC_TIMEOUT = 10
AXES_WHITELIST_CALLABLE = "cpog.web.sso.not_a_password_guess"  # refused SSO logins lock no one
# --- end of single sign-on ---------------------------------------------------------------------

BRAND_NAME = os.environ.get("CPOG_BRAND_NAME", "")
BRAND_COLOR = os.environ.get("CPOG_BRAND_COLOR", "#1f4e79")
BRAND_LOGO = os.environ.get("CPOG_BRAND_LOGO", "")

_default_db = f"sqlite:///{DATA_DIR / 'cpog.sqlite3'}"
# A connection is kept a minute and checked before it is reused: a database restarted or a
# connection dropped by a firewall costs one reconnection, not 500s (issue 13).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_db), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while an import writes; IMMEDIATE avoids lock upgrades failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# Logs (decision 024): one line per event on stderr, with its time, level, logger and request id.
LOGGING = logs.logging_settings(dict(os.environ))
ACCESS_LOG = logs.access_log_enabled(dict(os.environ))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Europe/Paris"
LANGUAGE_CODE = "fr-fr"
USE_I18N = True
USE_THOUSAND_SEPARATOR = False  # numbers go through cpog_fr filters; years stay "2027"

# The API's bounds (see cpog.web.api): items per write, body size, checked before parsing.
API_MAX_ITEMS = int(os.environ.get("CPOG_API_MAX_ITEMS", "5000"))
API_MAX_BODY_BYTES = int(os.environ.get("CPOG_API_MAX_BODY_BYTES", str(2 * 1024 * 1024)))

# Heavy pages are kept whole, keyed on the state of the data and the viewer's role
# (cpog.web.page_cache, decision 007). A folder is shared by the server's processes, so a page is
# computed once per state of the data, not once per process.
_PAGE_CACHES = {
    "fichiers": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "pages"),
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    "memoire": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "cpog-pages",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
    "aucun": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
_page_cache = os.environ.get("CPOG_PAGE_CACHE", "fichiers")
if _page_cache not in _PAGE_CACHES:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"CPOG_PAGE_CACHE={_page_cache!r} inconnu : fichiers, memoire ou aucun."
    )
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": _PAGE_CACHES[_page_cache],
    # each process's copy of the pages it served, in front of the shared folder
    "pages-local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "cpog-pages-local",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 300},
    },
}
