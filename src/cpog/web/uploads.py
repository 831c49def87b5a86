"""Files the import page keeps between its two steps, under ``<CPOG_DATA_DIR>/uploads/``.

An uploaded file lives from its check until its import is confirmed or cancelled; the full
error list of a refused file lives until it is downloaded or forgotten. Whatever is left (a
preview abandoned, a browser closed) is removed after :data:`MAX_AGE`: at every upload, and by
``cpog import purge-uploads``. Names are random (:func:`secrets.token_urlsafe`), so that a
name is a capability nobody can guess.

A file refused at the check is kept for its user (:func:`keep_upload`: in the session, one at
a time), so that the page can check it again without asking for it again.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.files.uploadedfile import UploadedFile

from cpog import vocabulary
from cpog.ingest.bounds import fr_count
from cpog.ingest.issue_list import issues_csv
from cpog.ingest.tables import CellIssue

MAX_AGE = timedelta(days=1)
STORED = re.compile(r"^[A-Za-z0-9_-]{20,64}\.(csv|xlsx|xls|ods|txt)$")
ISSUE_LIST = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_ISSUES_SUFFIX = ".erreurs.csv"


def uploads_dir() -> Path:
    return Path(settings.DATA_DIR) / "uploads"


def purge_stale(
    max_age: timedelta = MAX_AGE, now: float | None = None, *, dry_run: bool = False
) -> int:
    """Remove the files older than ``max_age``; the number removed (with ``dry_run``: the
    number that would be, nothing removed)."""
    folder = uploads_dir()
    if not folder.is_dir():
        return 0
    limit = (time.time() if now is None else now) - max_age.total_seconds()
    removed = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                if not dry_run:
                    path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # removed meanwhile by another request
    return removed


def save_upload(upload: UploadedFile[bytes]) -> tuple[Path, str]:
    """Store an uploaded file under a random name; stale files go first."""
    purge_stale()
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(upload.name or "").suffix.lower()
    stored = f"{secrets.token_urlsafe(24)}{suffix}"
    path = folder / stored
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path, stored


def stored_upload(name: str) -> Path | None:
    """The stored upload called ``name`` (as the confirmation form sends it), if it exists."""
    if not STORED.match(name):
        return None
    path = uploads_dir() / name
    return path if path.is_file() else None


def save_issue_list(issues: Sequence[CellIssue], total: int) -> str:
    """Store the full error list of a refused file; its key for :func:`issue_list_path`."""
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(24)
    (folder / f"{key}{_ISSUES_SUFFIX}").write_bytes(issues_csv(issues, total))
    return key


def issue_list_path(key: str) -> Path | None:
    if not ISSUE_LIST.match(key):
        return None
    path = uploads_dir() / f"{key}{_ISSUES_SUFFIX}"
    return path if path.is_file() else None


# --- a refused file, kept so that the import page need not ask for it again ---------------------

_KEPT = "cpog_import_kept"


@dataclass(frozen=True)
class KeptUpload:
    """The last file a user sent to the import page and that was not imported: refused at the
    check, or sent with a form to complete. One per session (a new one replaces it), bound to
    its user, removed with the other uploads after :data:`MAX_AGE`."""

    stored: str
    name: str
    kind: str
    size: int
    path: Path

    @property
    def size_text(self) -> str:
        """« 12 Ko », « 1 234 Ko » (at least 1 Ko)."""
        return f"{fr_count(max(1, round(self.size / 1024)))} Ko"

    @property
    def kind_text(self) -> str:
        """« fichier de valeurs », « fichier de cibles », or '' before a kind was chosen."""
        kind = vocabulary.IMPORT_KIND.get(self.kind)
        return f"fichier de {kind}" if kind else ""


def keep_upload(
    session: SessionBase, user_id: object, stored: str, name: str, kind: str
) -> KeptUpload | None:
    """Keep the stored upload ``stored`` for this session's user; the one kept before goes."""
    path = stored_upload(stored)
    if path is None:
        return None
    previous = session.get(_KEPT)
    if isinstance(previous, dict) and previous.get("stored") != stored:
        _remove(str(previous.get("stored", "")))
    session[_KEPT] = {"stored": stored, "name": name, "kind": kind, "user": str(user_id)}
    return KeptUpload(stored, name, kind, path.stat().st_size, path)


def kept_upload(session: SessionBase, user_id: object) -> KeptUpload | None:
    """The file kept for this session's user, if it is still there."""
    kept = session.get(_KEPT)
    if not isinstance(kept, dict):
        return None
    path = stored_upload(str(kept.get("stored", "")))
    if kept.get("user") != str(user_id) or path is None:
        session.pop(_KEPT, None)
        return None
    return KeptUpload(
        str(kept["stored"]), str(kept.get("name", "")), str(kept.get("kind", "")),
        path.stat().st_size, path,
    )  # fmt: skip


def release_kept(session: SessionBase, unless: str = "") -> None:
    """Forget the kept file, and remove it unless it is ``unless`` (the file now previewed)."""
    kept = session.pop(_KEPT, None)
    if isinstance(kept, dict) and kept.get("stored") != unless:
        _remove(str(kept.get("stored", "")))


def _remove(stored: str) -> None:
    path = stored_upload(stored)
    if path is not None:
        path.unlink(missing_ok=True)
