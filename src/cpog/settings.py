"""Django settings, read from the environment (and a ``.env`` file if present).

| variable | default | meaning |
|---|---|---|
| ``CPOG_DATA_DIR`` | ``./data`` | where the embedded SQLite database and uploads live |
| ``DATABASE_URL`` | SQLite in ``CPOG_DATA_DIR`` | e.g. ``postgres://user@host:5432/cpog`` |
| ``CPOG_CONTRACT`` | the shipped Deux-Sèvres contract | contract folder loaded by default |
| ``CPOG_SECRET_KEY`` | generated once into ``CPOG_DATA_DIR`` | Django secret key |
| ``CPOG_DEBUG`` | ``0`` | development mode |
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

DATA_DIR = Path(os.environ.get("CPOG_DATA_DIR", "data")).resolve()
DEBUG = os.environ.get("CPOG_DEBUG", "0") == "1"


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


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("CPOG_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "cpog.store",
]

_default_db = f"sqlite:///{DATA_DIR / 'cpog.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Europe/Paris"
LANGUAGE_CODE = "fr-fr"
USE_I18N = True
