"""Imports in the web interface: upload, preview of what would change, confirm."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from tremplin.core import import_templates
from tremplin.core.audit import Action, record
from tremplin.core.csvimport import MAX_FILE_BYTES, ImportRejected
from tremplin.core.forms import DsfrForm
from tremplin.core.models import AuditEvent
from tremplin.core.registry import importers
from tremplin.core.scope import scope_of

PENDING_DIR = "imports"
MAX_SHOWN_ERRORS = 300


def _allowed(request: HttpRequest) -> dict[str, str]:
    scope = scope_of(request.user)
    return {
        kind: cls.title
        for kind, cls in importers().items()
        if scope.everything or scope.role in cls.roles
    }


class UploadForm(DsfrForm):
    kind = forms.ChoiceField(label="Nature du fichier")
    file = forms.FileField(
        label="Fichier CSV ou XLSX",
        help_text="Classeur Excel (.xlsx, première feuille) ou CSV en UTF-8 ou Windows-1252, séparateur virgule ou point-virgule. Rien n'est enregistré avant votre confirmation.",
    )

    def __init__(self, *args: object, kinds: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds.items())

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError("Le fichier dépasse 200 Mo.")
        return bytes(upload.read())


#: A previewed file waits this long for its confirmation, then it is deleted.
PENDING_SECONDS = 3600


def _pending_path(token: str) -> Path:
    folder = Path(settings.TREMPLIN_HOME) / PENDING_DIR
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"{token}.csv"


def _purge_stale() -> None:
    """Personal data does not linger: previews never confirmed are deleted after an hour."""
    folder = Path(settings.TREMPLIN_HOME) / PENDING_DIR
    if not folder.exists():
        return
    limit = time.time() - PENDING_SECONDS
    for path in folder.glob("*.csv"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _keep_for_confirmation(data: bytes) -> str:
    token = secrets.token_urlsafe(16)
    path = _pending_path(token)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return token


@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    kinds = _allowed(request)
    if not kinds:
        raise PermissionDenied("Votre rôle ne permet aucun import.")
    context: dict[str, object] = {
        "title": "Importer un fichier",
        "kinds": kinds,
        "formats": [
            {
                "kind": kind,
                "title": title,
                "columns": import_templates.describe(importers()[kind]),
            }
            for kind, title in kinds.items()
        ],
    }
    _purge_stale()
    if request.method == "POST" and request.POST.get("cancel"):
        _discard(request, request.POST["cancel"])
        messages.info(request, "Import annulé : le fichier a été supprimé.")
        return redirect("site:import")
    if request.method == "POST" and request.POST.get("token"):
        return _confirm(request, kinds)
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        kind, data = form.cleaned_data["kind"], form.cleaned_data["file"]
        importer = importers()[kind](user=request.user)
        try:
            report = importer.run(data, dry_run=True)
        except ImportRejected as exc:
            context["rejected"] = exc
            context["errors"] = [str(e) for e in exc.errors[:MAX_SHOWN_ERRORS]]
            context["hidden_errors"] = max(0, len(exc.errors) - MAX_SHOWN_ERRORS)
        else:
            context.update(report=report, kind=kind, kind_title=kinds[kind])
            if report.changed:
                token = _keep_for_confirmation(data)
                request.session[f"import-{token}"] = kind
                context["token"] = token
    return render(
        request, "site/import.html", context, status=400 if context.get("rejected") else 200
    )


def _valid_token(token: str) -> bool:
    return 10 <= len(token) <= 40 and token.replace("-", "").replace("_", "").isalnum()


def _discard(request: HttpRequest, token: str) -> None:
    if _valid_token(token) and request.session.pop(f"import-{token}", None) is not None:
        _pending_path(token).unlink(missing_ok=True)


def _confirm(request: HttpRequest, kinds: dict[str, str]) -> HttpResponse:
    token = request.POST["token"]
    kind = request.session.pop(f"import-{token}", None)
    path = _pending_path(token) if _valid_token(token) else None
    if kind is None or kind not in kinds or path is None or not path.exists():
        messages.error(request, "Cet aperçu a expiré : déposez le fichier à nouveau.")
        return redirect("site:import")
    try:
        report = importers()[kind](user=request.user).run(path.read_bytes())
    except ImportRejected as exc:
        messages.error(request, f"Le fichier a été refusé à la confirmation : {exc}")
        return redirect("site:import")
    finally:
        path.unlink(missing_ok=True)
    record(request, Action.IMPORT, AuditEvent, f"{kind} : {report.summary()}")
    messages.success(request, f"Import des {kinds[kind]} : {report.summary()}")
    return redirect("site:import")


@require_GET
def import_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """The template of an import the user may run: French headers, one example row, the
    allowed values (tremplin/core/import_templates.py)."""
    kinds = _allowed(request)
    if kind not in kinds or fmt not in import_templates.FORMATS:
        raise Http404("Modèle inconnu.")
    importer = importers()[kind]
    response = HttpResponse(
        import_templates.render(importer, fmt), content_type=import_templates.CONTENT_TYPES[fmt]
    )
    name = import_templates.filename(importer, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
