"""What a production server checks before serving (decision 022): the schema is up to date
(``cpog migrate``) and the static files are collected (``cpog static``). Outside production
neither is needed: the command line migrates and WhiteNoise serves from the package."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from cpog.errors import CpogError
from cpog.store.bootstrap import DEPLOY_DOC, check_schema, production

MANIFEST = "staticfiles.json"  # written by the manifest storage of ``cpog static``


class StaticFilesMissing(CpogError):
    pass


def manifest_path() -> Path | None:
    root = settings.STATIC_ROOT
    return Path(root) / MANIFEST if root else None


def check_static() -> None:
    """Raise :class:`StaticFilesMissing` when the production static files are not collected."""
    manifest = manifest_path()
    if manifest is None or not manifest.is_file():
        raise StaticFilesMissing(
            f"Fichiers statiques absents de {settings.STATIC_ROOT} : lancez « cpog static »"
            f" (voir {DEPLOY_DOC})."
        )


def check_production_start() -> None:
    """In production, the schema and the static files a worker needs; nothing outside."""
    if production():
        check_schema()
        check_static()
