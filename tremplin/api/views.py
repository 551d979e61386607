"""The API's endpoints. Every queryset goes through `Model.permissions.readable` in one place
(`ScopedViewSet.get_queryset`): a record outside the caller's scope does not exist for them
(404). Every call that touches personal data writes an audit event."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tremplin.catalog.models import Formation, Sector, TeachingUnit
from tremplin.core.audit import Action, Origin, filters_summary, record
from tremplin.core.csvimport import ImportRejected
from tremplin.core.models import AuditEvent
from tremplin.core.permissions import permissions_of
from tremplin.core.registry import importers
from tremplin.core.scope import scope_of
from tremplin.enrolment.models import Application, Certification, Enrolment
from tremplin.followup.models import Interview
from tremplin.learners.models import Learner
from tremplin.orientation.models import Referral
from tremplin.orientation.services import move_referral
from tremplin.places.models import CnamCentre, Establishment, MissionLocale, Region
from tremplin.reporting.stored import stored_bilan, stored_tables
from tremplin.reporting.tables import publication_for, publish
from tremplin.reporting.views import READERS

from . import filters, serializers
from .conditional import ConditionalMixin, check_if_match, etag_of
from .exceptions import PreconditionFailed
from .models import ApiToken
from .parameters import ACADEMIC_YEAR_SCHEMA, StrictFilterBackend, StrictQueryMixin, flag
from .permissions import ApiAccess, PersonalData

#: A bulk call carries at most this many rows.
BULK_MAX_ROWS = 10_000


def audit(
    request: Request,
    action: str,
    target: Model | type[Model],
    summary: str,
    records: list[Any] | None = None,
) -> None:
    """`tremplin.core.audit.record` for an API call: the Django request (its IP), the user that
    DRF authenticated, and the token used."""
    token = request.auth
    via = f"API, jeton {token.prefix}…" if isinstance(token, ApiToken) else "API, session"
    record(
        request._request,
        action,
        target,
        f"{via} : {summary}",
        user=request.user,
        origin=Origin.API,
        records=records,
    )


class ScopedViewSet(ConditionalMixin, StrictQueryMixin, viewsets.ReadOnlyModelViewSet[Any]):
    """The base of every resource: the model's own scope, declared once (`Model.permissions`),
    a stable order for pagination, the audit of personal reads, only the query parameters the
    schema documents (`StrictQueryMixin`)."""

    filter_backends = [StrictFilterBackend]

    serializer_class: type[drf_serializers.BaseSerializer[Any]]
    #: Records about people: refused to the roles without personal data, and audited.
    personal: ClassVar[bool] = False
    related: ClassVar[tuple[str, ...]] = ()
    prefetched: ClassVar[tuple[str, ...]] = ()

    def get_permissions(self) -> list[BasePermission]:
        found: list[BasePermission] = [ApiAccess()]
        if self.personal:
            found.append(PersonalData())
        return found

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        model = queryset.model
        scoped = permissions_of(model).readable(self.request.user, queryset)
        return (
            scoped.select_related(*self.related).prefetch_related(*self.prefetched).order_by("pk")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        if self.personal and isinstance(response.data, dict):
            results = response.data.get("results", [])
            shown = len(results)
            query = filters_summary(request.GET)[:200]
            audit(
                request,
                Action.LIST,
                self.get_queryset().model,
                f"{shown} sur {response.data.get('count', shown)}"
                + (f" ({query})" if query else ""),
                records=[r["id"] for r in results if isinstance(r, dict) and "id" in r],
            )
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        if self.personal:
            audit(request, Action.VIEW, instance, "consultation")
        return Response(self.get_serializer(instance).data)


# -- places and catalogue (every signed-in user) ----------------------------------------------


class RegionViewSet(ScopedViewSet):
    """Les régions (code INSEE)."""

    queryset = Region.objects.all()
    serializer_class = serializers.RegionSerializer
    lookup_field = "code"


class EstablishmentViewSet(ScopedViewSet):
    """Les établissements pénitentiaires."""

    queryset = Establishment.objects.all()
    serializer_class = serializers.EstablishmentSerializer
    filterset_class = filters.EstablishmentFilter
    related = ("disp", "commune")


class CentreViewSet(ScopedViewSet):
    """Les centres Cnam."""

    queryset = CnamCentre.objects.all()
    serializer_class = serializers.CentreSerializer
    filterset_class = filters.CentreFilter


class MissionLocaleViewSet(ScopedViewSet):
    """Les missions locales."""

    queryset = MissionLocale.objects.all()
    serializer_class = serializers.MissionLocaleSerializer
    filterset_class = filters.MissionLocaleFilter
    related = ("commune",)


class SectorViewSet(ScopedViewSet):
    """Les secteurs du catalogue."""

    queryset = Sector.objects.all()
    serializer_class = serializers.SectorSerializer
    filterset_class = filters.SectorFilter


class TeachingUnitViewSet(ScopedViewSet):
    """Les unités d'enseignement (UE)."""

    queryset = TeachingUnit.objects.all()
    serializer_class = serializers.TeachingUnitSerializer
    filterset_class = filters.TeachingUnitFilter
    related = ("sector",)


class FormationViewSet(ScopedViewSet):
    """Les formations, avec leurs UE obligatoires."""

    queryset = Formation.objects.all()
    serializer_class = serializers.FormationSerializer
    filterset_class = filters.FormationFilter
    related = ("sector",)
    prefetched = ("mandatory_units",)


# -- personal records ---------------------------------------------------------------------


class LearnerViewSet(ScopedViewSet):
    """Les apprenants de votre périmètre."""

    personal = True
    queryset = Learner.objects.all()
    serializer_class = serializers.LearnerSerializer
    filterset_class = filters.LearnerFilter
    related = ("establishment", "mission_locale", "merged_into")


class ApplicationViewSet(ScopedViewSet):
    """Les candidatures des apprenants de votre périmètre."""

    personal = True
    queryset = Application.objects.all()
    serializer_class = serializers.ApplicationSerializer
    filterset_class = filters.ApplicationFilter
    related = ("learner", "formation")
    prefetched = ("units",)


class EnrolmentViewSet(ScopedViewSet):
    """Les inscriptions aux UE (avec leur résultat)."""

    personal = True
    queryset = Enrolment.objects.all()
    serializer_class: type[drf_serializers.BaseSerializer[Any]] = serializers.EnrolmentSerializer
    filterset_class = filters.EnrolmentFilter
    related = ("learner", "unit", "establishment")


def refused(detail: str) -> Response:
    return Response(
        {"detail": detail, "code": "invalid", "errors": []}, status=status.HTTP_400_BAD_REQUEST
    )


def bulk_import(request: Request, kind: str) -> Response:
    """Rows in the fields of a CSV import, run by that import (its rules, all or nothing,
    idempotent). `?dry_run=true` checks and counts without writing."""
    importer = importers()[kind]
    scope = scope_of(request.user)
    if not (scope.everything or scope.role in importer.roles):
        raise PermissionDenied(f"Votre rôle ne permet pas l'import des {importer.title}.")
    dry_run = flag(request, "dry_run")
    rows = request.data
    if not isinstance(rows, list):
        return refused("Une liste JSON de lignes est attendue : [{…}, {…}].")
    if not rows:
        return refused("La liste est vide.")
    if len(rows) > BULK_MAX_ROWS:
        return refused(f"Au plus {BULK_MAX_ROWS} lignes par appel (ici {len(rows)}).")
    try:
        report = importer(user=request.user, origin=Origin.BULK).run_records(rows, dry_run=dry_run)
    except ImportRejected as exc:
        errors = [
            {"index": e.line - 1 if e.line else None, "field": e.column, "message": e.message}
            for e in exc.errors
        ]
        return Response(
            {"detail": str(exc), "code": "import_rejected", "errors": errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if not dry_run:
        audit(request, Action.IMPORT, AuditEvent, f"{kind} : {report.summary()}")
    return Response(report.as_dict())


DRY_RUN = OpenApiParameter(
    "dry_run",
    OpenApiTypes.BOOL,
    description="true : vérifier et compter sans rien enregistrer (par défaut false)",
)


class ResultViewSet(EnrolmentViewSet):
    """Les résultats aux UE, dans les champs de l'import `enrollments`."""

    serializer_class = serializers.ResultSerializer
    query_parameters = {"bulk": [DRY_RUN]}

    @extend_schema(
        request=serializers.ResultRowSerializer(many=True),
        responses={
            200: serializers.ImportReportSerializer,
            400: serializers.ErrorSerializer,
        },
        summary="Enregistrer des résultats en masse (tout ou rien)",
    )
    @action(detail=False, methods=["post"], url_path="bulk", filterset_class=None)
    def bulk(self, request: Request) -> Response:
        return bulk_import(request, "enrollments")


class CertificationViewSet(ScopedViewSet):
    """Les certifications (proposées, délivrées, retirées)."""

    personal = True
    queryset = Certification.objects.all()
    serializer_class = serializers.CertificationSerializer
    filterset_class = filters.CertificationFilter
    related = ("learner", "formation", "establishment")


class InterviewViewSet(ScopedViewSet):
    """Les entretiens de suivi."""

    personal = True
    queryset = Interview.objects.all()
    serializer_class = serializers.InterviewSerializer
    filterset_class = filters.InterviewFilter
    related = ("learner", "referent")


class ReferralViewSet(ScopedViewSet):
    """Les orientations de jeunes vers les centres Cnam."""

    personal = True
    queryset = Referral.objects.all()
    serializer_class = serializers.ReferralSerializer
    filterset_class = filters.ReferralFilter
    related = ("learner", "mission_locale", "centre", "formation")
    query_parameters = {"bulk": [DRY_RUN]}

    @extend_schema(
        request=serializers.ReferralRowSerializer(many=True),
        responses={
            200: serializers.ImportReportSerializer,
            400: serializers.ErrorSerializer,
        },
        summary="Enregistrer des orientations en masse (tout ou rien)",
    )
    @action(detail=False, methods=["post"], url_path="bulk", filterset_class=None)
    def bulk(self, request: Request) -> Response:
        return bulk_import(request, "referrals")

    @extend_schema(
        request=serializers.ReferralMoveSerializer,
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="L'ETag lu : 412 si l'orientation a changé depuis",
            )
        ],
        responses={
            200: serializers.ReferralSerializer,
            400: OpenApiResponse(
                serializers.ErrorSerializer, description="Étape impossible ou motif manquant"
            ),
            412: OpenApiResponse(description="L'orientation a changé depuis votre lecture"),
        },
        summary="Faire avancer une orientation d'une étape",
    )
    @action(detail=True, methods=["post"], url_path="move", filterset_class=None)
    def move(self, request: Request, pk: str | None = None) -> Response:
        referral = self.get_object()
        check_if_match(request, etag_of(self.get_serializer(referral).data))
        given = serializers.ReferralMoveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            moved = move_referral(
                referral,
                given.validated_data["move"],
                by=request.user,
                reason=given.validated_data.get("reason", ""),
                note=given.validated_data.get("note", ""),
                version=referral.version,
            )
        except DjangoValidationError as exc:
            latest = Referral.objects.filter(pk=referral.pk).values_list("version", flat=True)
            if latest.first() != referral.version:
                raise PreconditionFailed() from exc
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            return Response(
                {
                    "detail": " ".join(m for ms in detail.values() for m in ms),
                    "code": "invalid_move",
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        audit(
            request,
            Action.TRANSITION,
            moved,
            f"{referral.get_status_display()} → {moved.get_status_display()}",
        )
        data = self.get_serializer(moved).data
        response = Response(data)
        response["ETag"] = etag_of(data)
        return response


class NotFoundView(APIView):
    """Any other address under /api/: a 404 in JSON, like the API's (not an HTML page)."""

    permission_classes: ClassVar[list[type[BasePermission]]] = []  # type: ignore[misc]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise NotFound(
            f"Aucune ressource à l'adresse {request.path} : voir le schéma, /api/schema/."
        )


# -- figures --------------------------------------------------------------------------------


class BilanView(ConditionalMixin, StrictQueryMixin, APIView):
    """Le bilan chiffré d'une année : le document de `tremplin bilan ANNÉE --format json`."""

    permission_classes = [ApiAccess]
    query_parameters = {
        "get": [
            OpenApiParameter("disp", OpenApiTypes.STR, description='ex. "DISP PARIS"'),
            OpenApiParameter("establishment", OpenApiTypes.STR, description='ex. "CD MELUN"'),
            OpenApiParameter("sector", OpenApiTypes.STR, description="code du secteur"),
            OpenApiParameter(
                "publication",
                OpenApiTypes.BOOL,
                description="true : effectifs de moins de 5 personnes masqués",
            ),
        ]
    }

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "year",
                ACADEMIC_YEAR_SCHEMA,
                OpenApiParameter.PATH,
                description=filters.YEAR,
            )
        ],
        responses={200: serializers.BilanSerializer},
    )
    def get(self, request: Request, year: str) -> Response:
        scope = scope_of(request.user)
        if not (scope.everything or scope.role in READERS):
            raise PermissionDenied(
                "Le bilan chiffré est réservé à la coordination et aux statistiques."
            )
        params = request.query_params
        publication = flag(request, "publication")
        try:
            bilan = stored_bilan(
                year,
                disp=params.get("disp") or None,
                establishment=params.get("establishment") or None,
                sector=params.get("sector") or None,
            )
        except ValueError as exc:
            return Response(
                {"detail": str(exc), "code": "invalid"}, status=status.HTTP_400_BAD_REQUEST
            )
        document = bilan.as_dict()
        if publication_for(request.user, publication):
            document, _ = publish(bilan, document, stored_tables(bilan))
        return Response(document)


class EditionLheoView(StrictQueryMixin, APIView):
    """Une édition du catalogue au format LHEO 2.3 (XML validé contre le schéma officiel), comme
    `tremplin catalog lheo ANNÉE` ; refusée (409) avec la liste de ce qui manque."""

    permission_classes = [ApiAccess]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "year", ACADEMIC_YEAR_SCHEMA, OpenApiParameter.PATH, description=filters.YEAR
            )
        ],
        responses={
            (200, "application/xml"): OpenApiResponse(
                OpenApiTypes.STR, description="Le document LHEO 2.3"
            ),
            409: OpenApiResponse(
                serializers.ErrorSerializer,
                description="Export refusé : ce qui manque, une entrée par point (errors)",
            ),
        },
    )
    def get(self, request: Request, year: str) -> HttpResponseBase:
        from tremplin.catalog.lheo import LheoRefused, edition_lheo
        from tremplin.catalog.models import Edition

        edition = Edition.objects.filter(year=year).first()
        if edition is None:
            raise NotFound(f"Aucune édition {year} du catalogue.")
        try:
            data = edition_lheo(edition)
        except LheoRefused as exc:
            return Response(
                {
                    "detail": "Export LHEO refusé : des informations manquent.",
                    "code": "lheo_incomplete",
                    "errors": [{"field": "", "message": p} for p in exc.problems],
                },
                status=status.HTTP_409_CONFLICT,
            )
        return HttpResponse(data, content_type="application/xml; charset=utf-8")
