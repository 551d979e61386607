"""Query filters of the API (django-filter): `?establishment=CP FRESNES&academic_year=2019-2020
&status=validated&updated_since=2026-01-31T12:00:00Z`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Any

import django_filters as df
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.drainage import set_override

from tremplin.catalog.models import (
    Formation,
    Sector,
    TeachingUnit,
    validate_academic_year,
)
from tremplin.enrolment.models import (
    Application,
    ApplicationStep,
    Certification,
    CertificationEvent,
    Enrolment,
)
from tremplin.followup.models import Interview
from tremplin.learners.models import Learner
from tremplin.orientation.models import Referral
from tremplin.places.models import CnamCentre, Establishment, MissionLocale

from .parameters import ACADEMIC_YEAR_SCHEMA

#: `updated_since` and the like: a date or an RFC 3339 instant (as the schema says).
SINCE_SCHEMA = {
    "anyOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"},
    ]
}
SINCE_ERROR = "date ou instant ISO 8601 attendu, ex. 2026-01-31 ou 2026-01-31T12:00:00Z"
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)
YEAR = "Année universitaire : deux années consécutives, ex. 2019-2020"


class SinceField(forms.CharField):
    """A date (`2026-01-31`, from midnight, Paris time) or an ISO 8601 instant. Every valid
    date is accepted, the first and last representable days included (read in UTC, clamped)."""

    def to_python(self, value: Any) -> datetime | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        if "T" in text:  # a "+01:00" offset arrives as " 01:00" when not percent-encoded
            text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", text)
        try:  # a day out of its month, an offset beyond a day: ValueError
            moment = parse_datetime(text)
            day = parse_date(text) if moment is None else None
        except ValueError as exc:
            raise forms.ValidationError(f"« {text} » n'existe pas ({SINCE_ERROR}).") from exc
        if moment is None:
            if day is None:
                raise forms.ValidationError(f"{SINCE_ERROR[0].upper()}{SINCE_ERROR[1:]}.")
            moment = datetime.combine(day, time.min)
        if timezone.is_naive(moment):
            try:
                moment = timezone.make_aware(moment)
            except OverflowError:
                return EARLIEST if moment.year == 1 else LATEST
        # In UTC: PostgreSQL refuses an offset beyond ±15:59, which ISO 8601 text may carry.
        try:
            return moment.astimezone(UTC)
        except OverflowError:  # 0001-01-01 east of Greenwich, 9999-12-31 west of it
            return EARLIEST if moment.year == 1 else LATEST


def documented(query_filter: df.Filter, schema: dict[str, Any]) -> None:
    """The parameter's schema in the OpenAPI document, with the filter's label."""
    set_override(query_filter, "field", {**schema, "description": query_filter.label})


class SinceFilter(df.Filter):
    field_class = SinceField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("label", "Modifiés depuis (date AAAA-MM-JJ ou instant ISO 8601), inclus")
        super().__init__(*args, **kwargs)
        documented(self, SINCE_SCHEMA)


class AcademicYearField(forms.CharField):
    default_validators = [validate_academic_year]


class AcademicYearFilter(df.CharFilter):
    """`2019-2020`: two consecutive years (format `academic-year`); anything else is a 400."""

    field_class = AcademicYearField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", YEAR)
        super().__init__(*args, **kwargs)
        documented(self, ACADEMIC_YEAR_SCHEMA)


def _label(field: str, what: str) -> df.CharFilter:
    return df.CharFilter(field_name=field, lookup_expr="iexact", label=what)


ESTABLISHMENT = "Établissement (libellé officiel, ex. CP FRESNES)"


class EstablishmentFilter(df.FilterSet):
    disp = _label("disp__code", "DISP (code, ex. DISP PARIS)")
    region = df.CharFilter(field_name="commune__region_id", label="Région (code INSEE)")

    class Meta:
        model = Establishment
        fields = ["type"]


class CentreFilter(df.FilterSet):
    region = df.CharFilter(field_name="region_id", label="Région (code INSEE)")

    class Meta:
        model = CnamCentre
        fields = ["kind"]


class MissionLocaleFilter(df.FilterSet):
    region = df.CharFilter(field_name="commune__region_id", label="Région (code INSEE)")

    class Meta:
        model = MissionLocale
        fields: list[str] = []


class TeachingUnitFilter(df.FilterSet):
    sector = _label("sector__code", "Secteur (code)")

    class Meta:
        model = TeachingUnit
        fields = ["modality"]


class FormationFilter(df.FilterSet):
    sector = _label("sector__code", "Secteur (code)")

    class Meta:
        model = Formation
        fields = ["kind", "level"]


class SectorFilter(df.FilterSet):
    class Meta:
        model = Sector
        fields: list[str] = []


class LearnerFilter(df.FilterSet):
    establishment = _label("establishment__label", ESTABLISHMENT)
    mission_locale = _label("mission_locale__code", "Mission locale (code)")
    reference = df.CharFilter(field_name="reference", label="Référence")
    updated_since = SinceFilter(field_name="updated_at")

    class Meta:
        model = Learner
        fields = ["status", "kind"]


def _changed_since(
    queryset: QuerySet[Any], created: str, events: QuerySet[Any], parent: str, moment: datetime
) -> QuerySet[Any]:
    """Created since `moment`, or with a step of its history since then."""
    later = events.filter(**{parent: OuterRef("pk"), "at__gte": moment})
    return queryset.filter(Q(**{f"{created}__gte": moment}) | Q(Exists(later)))


class ApplicationFilter(df.FilterSet):
    establishment = _label("learner__establishment__label", ESTABLISHMENT)
    academic_year = AcademicYearFilter()
    learner = _label("learner__reference", "Apprenant (référence)")
    formation = _label("formation__code", "Formation (code)")
    updated_since = SinceFilter(
        method="filter_since", label="Déposées ou changées d'étape depuis (date ou instant)"
    )

    class Meta:
        model = Application
        fields = ["status"]

    def filter_since(
        self, queryset: QuerySet[Application], name: str, value: datetime
    ) -> QuerySet[Application]:
        return _changed_since(
            queryset, "created_at", ApplicationStep.objects.all(), "application", value
        )


class EnrolmentFilter(df.FilterSet):
    establishment = _label("establishment__label", ESTABLISHMENT)
    academic_year = AcademicYearFilter()
    learner = _label("learner__reference", "Apprenant (référence)")
    teaching_unit = _label("unit__code", "UE (code)")
    status = df.ChoiceFilter(
        field_name="result", choices=Enrolment._meta.get_field("result").choices, label="Résultat"
    )
    updated_since = SinceFilter(field_name="result_at", label="Résultat saisi depuis")

    class Meta:
        model = Enrolment
        fields: list[str] = []


class CertificationFilter(df.FilterSet):
    establishment = _label("establishment__label", ESTABLISHMENT)
    academic_year = AcademicYearFilter()
    learner = _label("learner__reference", "Apprenant (référence)")
    formation = _label("formation__code", "Formation (code)")
    updated_since = SinceFilter(
        method="filter_since", label="Proposées, délivrées ou retirées depuis (date ou instant)"
    )

    class Meta:
        model = Certification
        fields = ["status"]

    def filter_since(
        self, queryset: QuerySet[Certification], name: str, value: datetime
    ) -> QuerySet[Certification]:
        return _changed_since(
            queryset, "proposed_at", CertificationEvent.objects.all(), "certification", value
        )


class InterviewFilter(df.FilterSet):
    establishment = _label("learner__establishment__label", ESTABLISHMENT)
    learner = _label("learner__reference", "Apprenant (référence)")
    date_from = df.DateFilter(field_name="date", lookup_expr="gte", label="À partir du")
    date_to = df.DateFilter(field_name="date", lookup_expr="lte", label="Jusqu'au")
    updated_since = SinceFilter(field_name="created_at", label="Enregistrés depuis")

    class Meta:
        model = Interview
        fields = ["kind"]


class ReferralFilter(df.FilterSet):
    centre = _label("centre__code", "Centre Cnam (code)")
    mission_locale = _label("mission_locale__code", "Mission locale (code)")
    learner = _label("learner__reference", "Jeune (référence)")
    formation = _label("formation__code", "Formation (code)")
    sent_since = SinceFilter(field_name="sent_at", label="Envoyées depuis")
    updated_since = SinceFilter(field_name="updated_at")

    class Meta:
        model = Referral
        fields = ["status"]
