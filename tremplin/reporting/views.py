from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tremplin.core.roles import Role
from tremplin.core.routers import reports
from tremplin.core.scope import scope_of

from .dashboard import dashboard_context
from .formats import render_bilan
from .forms import ReportFilterForm
from .stored import stored_bilan
from .tables import publication_for, published_only

#: Who reads the figures: aggregates only, never a personal record.
READERS = frozenset({Role.NATIONAL_COORDINATOR, Role.REGIONAL_COORDINATOR, Role.STATISTICIAN})
CONTENT_TYPES = {
    "json": ("application/json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
    "text": ("text/plain; charset=utf-8", "txt"),
}


def _require_reader(request: HttpRequest) -> None:
    scope = scope_of(request.user)
    if not (scope.everything or scope.role in READERS):
        raise PermissionDenied("Les rapports sont réservés à la coordination et aux statistiques.")


@require_GET
@reports  # every read of the page on the replica when there is one
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    masked = published_only(request.user)
    form = ReportFilterForm(request.GET or None, published_only=masked)
    context: dict[str, object] = {"title": "Bilan chiffré", "form": form}
    if not form.is_bound:
        form = ReportFilterForm({"year": form.initial.get("year", "")}, published_only=masked)
        context["form"] = form
    if form.is_valid():
        scope = form.scope()
        scope["publication"] = publication_for(request.user, scope["publication"])
        context.update(dashboard_context(form.cleaned_data["year"], **scope))
        context["query"] = request.GET.urlencode() or f"year={form.cleaned_data['year']}"
        context["title"] = f"Bilan chiffré {form.cleaned_data['year']}"
    return render(
        request, "reporting/dashboard.html", context, status=200 if form.is_valid() else 400
    )


@require_GET
@reports
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    _require_reader(request)
    if fmt not in CONTENT_TYPES:
        raise Http404("Format inconnu.")
    form = ReportFilterForm(request.GET, published_only=published_only(request.user))
    if not form.is_valid():
        raise Http404("Filtres invalides.")
    scope = form.scope()
    publication = publication_for(request.user, scope.pop("publication"))
    year = form.cleaned_data["year"]
    content = render_bilan(fmt, stored_bilan(year, **scope), publication=publication)
    content_type, extension = CONTENT_TYPES[fmt]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="bilan-{year}.{extension}"'
    return response
