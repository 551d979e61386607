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

from tremplin.catalog.models import Formation, Sector, TeachingUnit
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


class SinceField(forms.CharField):
    """A date (`2026-01-31`, from midnight, Paris time) or an ISO 8601 instant."""

    def to_python(self, value: Any) -> datetime | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        if "T" in text:  # a "+01:00" offset arrives as " 01:00" when not percent-encoded
            text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", text)
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is None:
                raise forms.ValidationError(
                    "Date ou instant ISO 8601 attendu, ex. 2026-01-31 ou 2026-01-31T12:00:00Z."
                )
            moment = datetime.combine(day, time.min)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # In UTC: PostgreSQL refuses an offset beyond ±15:59, which ISO 8601 text may carry.
        return moment.astimezone(UTC)


class SinceFilter(df.Filter):
    field_class = SinceField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("label", "Modifiés depuis (date AAAA-MM-JJ ou instant ISO 8601), inclus")
        super().__init__(*args, **kwargs)


def _label(field: str, what: str) -> df.CharFilter:
    return df.CharFilter(field_name=field, lookup_expr="iexact", label=what)


ESTABLISHMENT = "Établissement (libellé officiel, ex. CP FRESNES)"
YEAR = "Année universitaire, ex. 2019-2020"


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
    academic_year = df.CharFilter(label=YEAR)
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
    academic_year = df.CharFilter(label=YEAR)
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
    academic_year = df.CharFilter(label=YEAR)
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
