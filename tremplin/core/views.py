"""Views of the foundation: the health check, the audit log; the helpers every form view uses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .audit import record


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def form_errors_from(form: forms.BaseForm) -> list[str]:
    """A form's errors as sentences, for a message after a redirect."""
    lines = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        lines += [f"{label} : {e}" if label else str(e) for e in errors]
    return lines


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, on the field it names when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


#: What a form's service returns (the record made or changed).
T = TypeVar("T")


def submitted(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], T],
    *,
    audit: Callable[[T], tuple[str, Any, str]],
    success: str | Callable[[T], str],
    then: Callable[[T], HttpResponse],
) -> HttpResponse | None:
    """The one sequence of a form page: on a valid POST, the service (`save(cleaned_data)`),
    whose ValidationError lands on the form (on the field it names); then the audit entry
    (`audit(result)` → action, record or model, summary), the success message and the redirect
    (`then(result)`). None when the page is to be shown (a GET, or errors to show)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    action, target, summary = audit(result)
    record(request, action, target, summary)
    messages.success(request, success(result) if callable(success) else success)
    return then(result)


def errors_as_messages(
    request: HttpRequest, form: forms.BaseForm, response: HttpResponse
) -> HttpResponse:
    """For a form posted from another page: its errors as messages, back to that page."""
    for line in form_errors_from(form):
        messages.error(request, line)
    return response


AUDIT_PAGE = 100
#: The CSV export renders its people this many events at a time (one query per chunk).
AUDIT_CSV_CHUNK = 2_000
AUDIT_CSV_HEADER = [
    "date",
    "utilisateur",
    "action",
    "donnée",
    "enregistrement",
    "personne",
    "origine",
    "description",
    "champs modifiés",
    "enregistrements affichés",
    "adresse IP",
]


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, for the national coordinator: browse, filter (by user, action, data, and
    by a person's name or reference), export as CSV. Reading it is itself audited."""
    from django.core.exceptions import PermissionDenied

    from tremplin.core.paging import Pages
    from tremplin.core.scope import scope_of

    from .audit import Action, filters_summary, person_directory, record, shown
    from .exports import csv_response
    from .models import AuditEvent

    if not scope_of(request.user).everything:
        raise PermissionDenied("Le journal d'audit est réservé à la coordination nationale.")
    events = AuditEvent.objects.all()
    who = request.GET.get("utilisateur", "").strip()
    action = request.GET.get("action", "")
    model = request.GET.get("donnee", "").strip()
    person = request.GET.get("personne", "").strip()
    if who:
        events = events.filter(username__iexact=who)
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    if model:
        events = events.filter(model__icontains=model)
    if person:
        directory = person_directory()
        ids = directory.find(request.user, person) if directory is not None else []
        events = events.filter(person_id__in=ids)
    if request.GET.get("format") == "csv":
        record(
            request,
            Action.EXPORT,
            AuditEvent,
            f"journal d'audit, filtres {filters_summary(request.GET)}",
        )
        return csv_response("journal-audit.csv", AUDIT_CSV_HEADER, _audit_csv_rows(request, events))
    page = Pages(events, AUDIT_PAGE).get_page(request.GET.get("page"))
    rows = shown(request.user, list(page.object_list))
    record(
        request,
        Action.LIST,
        AuditEvent,
        f"page {page.number}, filtres {filters_summary(request.GET)}",
        records=[r.event.pk for r in rows],
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {
            "title": "Journal d'audit",
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "actions": AuditEvent.Action.choices,
            "who": who,
            "action": action,
            "model": model,
            "person": person,
        },
    )


def _audit_csv_rows(request: HttpRequest, events: Any) -> Iterator[list[Any]]:
    import json

    from .audit import shown

    chunk: list[Any] = []
    for event in [*events.iterator(chunk_size=AUDIT_CSV_CHUNK), None]:
        if event is not None:
            chunk.append(event)
        if chunk and (event is None or len(chunk) >= AUDIT_CSV_CHUNK):
            for row in shown(request.user, chunk):
                e = row.event
                yield [
                    e.at.isoformat(),
                    e.username,
                    row.action,
                    row.data,
                    e.object_id,
                    row.person,
                    e.get_origin_display(),
                    e.summary,
                    json.dumps(e.changes, ensure_ascii=False) if e.changes else "",
                    " ".join(str(i) for i in e.records),
                    e.ip,
                ]
            chunk = []
