"""Import of value and target files in two steps: the file is checked whole without writing
anything (every error listed, or the changes it would make), then confirmed and written all at
once. Also the ready-to-fill templates."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from cpog import vocabulary
from cpog.contract.model import Contract
from cpog.ingest.bounds import default_limits, fr_count
from cpog.ingest.tables import SHOWN_ISSUES, CellIssue, ImportValidationError
from cpog.ingest.templates import write_template
from cpog.store.imports import ConfirmationNeeded, ImportOutcome, import_targets, import_values
from cpog.store.models import ImportBatch
from cpog.web import roles
from cpog.web.action_forms import FrenchForm
from cpog.web.uploads import (
    STORED,
    KeptUpload,
    issue_list_path,
    keep_upload,
    kept_upload,
    release_kept,
    save_issue_list,
    save_upload,
    stored_upload,
)
from cpog.web.views.common import page, steering

KINDS = vocabulary.IMPORT_KIND
KIND_CHOICES = [
    ("values", "Valeurs (le réalisé des indicateurs et des résultats visés)"),
    ("targets", "Cibles (annuelles, nationales ou individualisées)"),
]
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
ACCEPTED = (".csv", ".xlsx", ".xls", ".ods", ".txt")


def _max_bytes_text() -> str:
    return f"{default_limits().max_bytes // (1024 * 1024)} Mo"


class UploadForm(FrenchForm):
    kind = forms.ChoiceField(
        label="Données contenues dans le fichier", choices=KIND_CHOICES, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label="Fichier à importer",
        help_text="CSV (séparateur point-virgule) ou classeur XLSX ou ODS, 20 Mo au plus. "
        "Partez d'un modèle (ci-dessus).",
    )

    def __init__(self, *args: object, kept: KeptUpload | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"CSV (séparateur point-virgule) ou classeur XLSX ou ODS, {_max_bytes_text()} au"
            " plus. Partez d'un modèle (ci-dessus)."
        )
        self.offer(kept)

    def offer(self, kept: KeptUpload | None) -> None:
        """With a file kept from the last check, choosing a file again is optional."""
        if kept is None:
            return
        field = self.fields["file"]
        field.required = False
        field.label = "Autre fichier à importer"
        field.help_text = (
            f"Laissez vide pour vérifier à nouveau « {kept.name} » ; choisissez un fichier pour"
            f" le remplacer (CSV, XLSX ou ODS, {_max_bytes_text()} au plus)."
        )

    def clean_file(self) -> UploadedFile[bytes] | None:
        upload: UploadedFile[bytes] | None = self.cleaned_data["file"]
        if upload is None:  # optional when a file is kept from the last check
            return None
        name = upload.name or ""
        if not name.lower().endswith(ACCEPTED):
            raise forms.ValidationError(
                f"Fichier à importer : « {name} » n'est pas un fichier CSV ou XLSX "
                f"(extensions acceptées : {', '.join(ACCEPTED)})."
            )
        if upload.size and upload.size > default_limits().max_bytes:
            raise forms.ValidationError(
                f"Fichier à importer : « {name} » dépasse {_max_bytes_text()} ; "
                "découpez-le en plusieurs fichiers."
            )
        return upload


class ConfirmForm(forms.Form):
    kind = forms.ChoiceField(choices=list(KINDS.items()))
    stored = forms.RegexField(regex=STORED)
    name = forms.CharField(max_length=255)
    # Ticked by the user when the preview listed values to confirm (conversions, unusual values).
    confirmer = forms.BooleanField(required=False)
    # The fingerprint of what the preview listed to confirm (ImportOutcome.confirmation_key).
    vu = forms.RegexField(regex=r"^[0-9a-f]{64}$", required=False)


@dataclass
class PreviewRow:
    line: int
    subject_id: str
    subject: str
    what: str
    before: str | None
    after: str
    notes: list[str] = field(default_factory=list)
    to_confirm: list[str] = field(default_factory=list)


@dataclass
class ImportContext:
    can_import: bool
    form: UploadForm | None = None
    kind: str = ""
    file_name: str = ""
    stored: str = ""
    issues: list[CellIssue] = field(default_factory=list)  # the first ones, to show
    issue_total: int = 0
    issue_list: str = ""  # key of the downloadable full list
    outcome: ImportOutcome | None = None
    preview: list[PreviewRow] = field(default_factory=list)
    batch: ImportBatch | None = None
    error: str = ""
    nothing_to_write: bool = False
    to_confirm: list[PreviewRow] = field(default_factory=list)
    skipped: int = 0  # template lines left empty in the file just imported
    kept: KeptUpload | None = None  # the file received and not imported, to check again

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, "")

    @property
    def issue_count_text(self) -> str:
        """« 1 erreur », « 48 213 erreurs »."""
        return f"{fr_count(self.issue_total)} erreur{'s' if self.issue_total > 1 else ''}"

    def refused(self, error: ImportValidationError) -> None:
        """Show the first errors; keep the full list to download when there are more."""
        self.issues = error.issues[:SHOWN_ISSUES]
        self.issue_total = error.total
        if error.total > len(self.issues):
            self.issue_list = save_issue_list(error.issues, error.total)


def subject_names(contract: Contract) -> dict[str, str]:
    names = {i.id: f"{i.code or i.id} — {i.label}" for i in contract.indicators}
    names.update({m.id: f"{m.id} — {m.label}" for _, _, m in contract.measures()})
    return names


def run_import(
    path: Path,
    name: str,
    kind: str,
    contract: Contract,
    *,
    user: str,
    dry_run: bool,
    confirm: bool = False,
    confirmed_as: str | None = None,
) -> ImportOutcome:
    """Import the stored upload, under the name the user gave the file."""
    if kind == "values":
        return import_values(
            path,
            contract,
            user=user,
            dry_run=dry_run,
            name=name,
            confirm=confirm,
            confirmed_as=confirmed_as,
        )
    return import_targets(path, contract, user=user, dry_run=dry_run, name=name)


def _show(ctx: ImportContext, contract: Contract, outcome: ImportOutcome) -> None:
    ctx.outcome = outcome
    ctx.preview = _preview(contract, outcome)
    ctx.to_confirm = [row for row in ctx.preview if row.to_confirm]
    ctx.nothing_to_write = not outcome.changes


def _preview(contract: Contract, outcome: ImportOutcome) -> list[PreviewRow]:
    names = subject_names(contract)
    return [
        PreviewRow(
            c.line,
            c.subject_id,
            names.get(c.subject_id, c.subject_id)
            + (f" — territoire {c.territory}" if c.territory else ""),
            c.what,
            c.before,
            c.after,
            c.notes,
            c.to_confirm,
        )
        for c in sorted(outcome.changes, key=lambda c: c.line)
    ]


def _plain_name(name: str) -> str:
    """The file's own name, without any folder a browser may send."""
    return Path(name.replace("\\", "/")).name[:200] or "fichier"


def _render(request: HttpRequest, ctx: ImportContext, status: int = 200) -> HttpResponse:
    response = page(request, "web/import.html", "import", "Import de fichiers", ctx=ctx)
    response.status_code = status
    return response


def _check(request: HttpRequest, contract: Contract, user: str) -> HttpResponse:
    """Step 1: store the file, validate it without writing, show the errors or the changes.

    A file that is not imported (refused, or sent with a form to complete) is kept for the user:
    the page names it and checks it again when no other file is chosen."""
    session, user_id = request.session, request.user.pk
    kept = kept_upload(session, user_id)
    form = UploadForm(request.POST, request.FILES, kept=kept)
    ctx = ImportContext(can_import=True, form=form, kept=kept)
    if not form.is_valid():
        sent: UploadedFile[bytes] | None = form.cleaned_data.get("file")
        if sent:  # a good file with a form to complete: kept, not asked for again
            _, stored = save_upload(sent)
            kind = str(form.cleaned_data.get("kind") or "")
            ctx.kept = keep_upload(session, user_id, stored, _plain_name(sent.name or ""), kind)
            form.offer(ctx.kept)
        return _render(request, ctx, 400)
    ctx.kind = form.cleaned_data["kind"]
    upload: UploadedFile[bytes] | None = form.cleaned_data.get("file")
    if upload:
        ctx.file_name = _plain_name(upload.name or "")
        path, ctx.stored = save_upload(upload)
    else:
        assert kept is not None  # the file is optional only when one is kept
        path, ctx.stored, ctx.file_name = kept.path, kept.stored, kept.name
    try:
        outcome = run_import(path, ctx.file_name, ctx.kind, contract, user=user, dry_run=True)
    except ImportValidationError as error:
        ctx.refused(error)
        ctx.kept = _keep_or_drop(request, error, path, ctx)
        ctx.form = UploadForm(initial={"kind": ctx.kind}, kept=ctx.kept)
        return _render(request, ctx, 400)
    _show(ctx, contract, outcome)
    ctx.kept = None
    release_kept(session, unless=ctx.stored)  # the file is now the preview's
    if ctx.nothing_to_write:
        path.unlink(missing_ok=True)
        ctx.form = UploadForm(initial={"kind": ctx.kind})
    else:
        ctx.form = None
    return _render(request, ctx)


def _keep_or_drop(
    request: HttpRequest, error: ImportValidationError, path: Path, ctx: ImportContext
) -> KeptUpload | None:
    """A file read but refused for its content (a cell, a column: a line number) is kept for its
    user, to check again; a file refused whole (unreadable, too large, hostile) is removed."""
    if any(issue.line for issue in error.issues):
        return keep_upload(request.session, request.user.pk, ctx.stored, ctx.file_name, ctx.kind)
    path.unlink(missing_ok=True)
    if ctx.kept is not None and ctx.kept.stored == ctx.stored:
        release_kept(request.session)
    return kept_upload(request.session, request.user.pk)


def _confirm(request: HttpRequest, contract: Contract, user: str) -> HttpResponse:
    """Step 2: the file checked at step 1 is imported, all of it or nothing."""
    form = ConfirmForm(request.POST)
    ctx = ImportContext(can_import=True, form=UploadForm())
    if not form.is_valid():
        ctx.error = "Demande de confirmation incomplète : déposez le fichier à nouveau."
        return _render(request, ctx, 400)
    ctx.kind = form.cleaned_data["kind"]
    ctx.file_name = _plain_name(form.cleaned_data["name"])
    path = stored_upload(form.cleaned_data["stored"])
    if path is None:
        ctx.error = (
            f"Le fichier « {ctx.file_name} » vérifié plus tôt n'est plus disponible : "
            "déposez-le à nouveau."
        )
        return _render(request, ctx, 400)
    try:
        outcome = run_import(
            path,
            ctx.file_name,
            ctx.kind,
            contract,
            user=user,
            dry_run=False,
            confirm=form.cleaned_data["confirmer"],
            # what the preview showed: anything else found since is shown again, not written
            confirmed_as=form.cleaned_data["vu"] or None,
        )
    except ImportValidationError as error:
        # the file changed nothing and will not as it is: kept, to check again after a change
        ctx.refused(error)
        ctx.stored = form.cleaned_data["stored"]
        ctx.kept = _keep_or_drop(request, error, path, ctx)
        ctx.form = UploadForm(initial={"kind": ctx.kind}, kept=ctx.kept)
        return _render(request, ctx, 400)
    except ConfirmationNeeded as needed:
        # Not confirmed (or new values to confirm since the check): the preview again.
        ctx.stored = form.cleaned_data["stored"]
        ctx.form = None
        _show(ctx, contract, needed.outcome)
        ctx.error = (
            "Des valeurs sont à confirmer : cochez la case de confirmation après les avoir"
            " vérifiées, ou corrigez le fichier. Rien n'a été enregistré."
        )
        return _render(request, ctx, 400)
    path.unlink(missing_ok=True)  # imported: the batch keeps what the file held
    if outcome.batch is None:
        ctx.outcome = outcome
        ctx.nothing_to_write = True
        return _render(request, ctx)
    done = f"{reverse('import')}?lot={outcome.batch.pk}"
    return redirect(done + (f"&modele={outcome.skipped}" if outcome.skipped else ""))


def _cancel(request: HttpRequest) -> HttpResponse:
    """The preview is dropped: the stored file goes with it."""
    path = stored_upload(request.POST.get("stored", ""))
    if path is not None:
        path.unlink(missing_ok=True)
    return redirect(reverse("import"))


def _forget(request: HttpRequest) -> HttpResponse:
    """The user drops the file kept from the last check."""
    release_kept(request.session)
    return redirect(reverse("import"))


@login_required
def issue_list_download(request: HttpRequest, key: str) -> HttpResponseBase:
    """The full error list of a file refused at the check (French Excel CSV)."""
    roles.require(roles.can_import(request.user), "importer des fichiers")
    path = issue_list_path(key)
    if path is None:
        raise Http404("Liste d'erreurs introuvable ou expirée : déposez le fichier à nouveau.")
    return FileResponse(
        io.BytesIO(path.read_bytes()),
        as_attachment=True,
        filename="erreurs-import.csv",
        content_type="text/csv; charset=utf-8",
    )


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    data = steering(request)
    allowed = roles.can_import(request.user)
    if request.method == "POST":
        roles.require(allowed, "importer des fichiers (contrôle de gestion ou administrateur)")
        user = request.user.get_username()
        if request.POST.get("etape") == "confirmer":
            return _confirm(request, data.contract, user)
        if request.POST.get("etape") == "annuler":
            return _cancel(request)
        if request.POST.get("etape") == "oublier":
            return _forget(request)
        return _check(request, data.contract, user)
    kept = kept_upload(request.session, request.user.pk) if allowed else None
    ctx = ImportContext(can_import=allowed, form=UploadForm(kept=kept) if allowed else None)
    ctx.kept = kept
    lot = request.GET.get("lot", "")
    if lot.isascii() and lot.isdigit() and len(lot) < 19:
        ctx.batch = ImportBatch.objects.filter(pk=int(lot), contract_id=data.contract.id).first()
        if ctx.batch is not None:
            ctx.kind = ctx.batch.kind
            skipped = request.GET.get("modele", "")
            ctx.skipped = int(skipped) if skipped.isdigit() and len(skipped) < 10 else 0
    return _render(request, ctx)


@login_required
def template_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponseBase:
    if kind not in KINDS or fmt not in FORMATS:
        return render(
            request,
            "web/error.html",
            {
                "title": "Modèle introuvable",
                "message": "Les modèles d'import existent pour les valeurs et les cibles, "
                "aux formats XLSX et CSV.",
            },
            status=404,
        )
    contract = steering(request).contract
    file_name = f"modele-{KINDS[kind]}.{fmt}"
    with tempfile.TemporaryDirectory(prefix="cpog-modele-") as folder:
        path = write_template(contract, kind, Path(folder) / file_name)
        content = path.read_bytes()
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=file_name, content_type=FORMATS[fmt]
    )
