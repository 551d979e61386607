"""Representations. Related records are named by their natural keys (an establishment by its
official label, a UE or a formation by its code, a learner by their reference), as in the CSV
imports, so that what a partner reads it can send back to the bulk endpoints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tremplin.catalog.models import Formation, Sector, TeachingUnit
from tremplin.enrolment.models import Application, Certification, Enrolment
from tremplin.followup.models import Interview
from tremplin.learners.models import Learner
from tremplin.orientation.models import CloseReason, Referral
from tremplin.orientation.services import TRANSITIONS
from tremplin.places.models import CnamCentre, Establishment, MissionLocale, Region

from .parameters import ACADEMIC_YEAR_SCHEMA

M = TypeVar("M", bound=Model)
#: The bounds a database puts on integer columns start here (PostgreSQL's INTEGER; SQLite: 2**63 - 1).
DATABASE_RANGE = 2**31 - 1


def nullable(model: type[Model], source: str) -> bool:
    """Whether the model path `source` (`commune.region_id`) can lead to None."""
    for part in source.split("."):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if field.null:
            return True
        if field.related_model is None or isinstance(field.related_model, str):
            return False
        model = field.related_model
    return False


# The base of the models' representations (no docstring: the schema would show it for each):
# without the bounds of the database's integer columns (they differ between SQLite and
# PostgreSQL, and the schema must not); a declared field whose source may be empty (a related
# record named by its natural key, `Learner.mission_locale`) is documented nullable.
class ApiModelSerializer(serializers.ModelSerializer[M]):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        for name, field in fields.items():
            source = field.source or name  # bound later
            if field.read_only and not field.allow_null and source != "*":
                field.allow_null = nullable(self.Meta.model, source)
        return fields

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[Any, Any]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if kwargs.get("max_value", 0) >= DATABASE_RANGE:
            del kwargs["max_value"]
        return field_class, kwargs


def slug(field: str, **kwargs: Any) -> serializers.SlugRelatedField[Any]:
    return serializers.SlugRelatedField(slug_field=field, read_only=True, **kwargs)


# -- places ---------------------------------------------------------------------------------


class RegionSerializer(ApiModelSerializer[Region]):
    class Meta:
        model = Region
        fields = ["code", "name"]


class EstablishmentSerializer(ApiModelSerializer[Establishment]):
    disp = slug("code")
    commune = serializers.CharField(source="commune_id", read_only=True)
    region = serializers.CharField(source="commune.region_id", read_only=True)

    class Meta:
        model = Establishment
        fields = [
            "id",
            "label",
            "name",
            "short_name",
            "type",
            "disp",
            "commune",
            "region",
            "quarters",
            "capacity",
            "detainees",
        ]


class CentreSerializer(ApiModelSerializer[CnamCentre]):
    region = serializers.CharField(source="region_id", read_only=True)
    commune = serializers.CharField(source="commune_id", read_only=True)

    class Meta:
        model = CnamCentre
        fields = ["id", "code", "name", "kind", "region", "commune", "email", "phone"]


class MissionLocaleSerializer(ApiModelSerializer[MissionLocale]):
    commune = serializers.CharField(source="commune_id", read_only=True)
    region = serializers.CharField(source="commune.region_id", read_only=True)

    class Meta:
        model = MissionLocale
        fields = ["id", "code", "name", "commune", "region", "email", "phone"]


# -- catalogue ------------------------------------------------------------------------------


class SectorSerializer(ApiModelSerializer[Sector]):
    class Meta:
        model = Sector
        fields = ["id", "code", "name"]


class TeachingUnitSerializer(ApiModelSerializer[TeachingUnit]):
    sector = slug("code")

    class Meta:
        model = TeachingUnit
        fields = ["id", "code", "title", "ects", "modality", "sector", "description"]


class FormationSerializer(ApiModelSerializer[Formation]):
    sector = slug("code")
    mandatory_units = slug("code", many=True)

    class Meta:
        model = Formation
        fields = [
            "id",
            "code",
            "title",
            "kind",
            "sector",
            "rncp_code",
            "level",
            "min_credits",
            "mandatory_units",
            "description",
        ]


# -- personal records ---------------------------------------------------------------------


class LearnerSerializer(ApiModelSerializer[Learner]):
    establishment = slug("label", help_text="Établissement actuel ou dernier (libellé officiel)")
    mission_locale = slug("code")
    merged_into = slug(
        "reference",
        help_text="Dossier fusionné (status « merged ») : la référence du dossier qui l'a reçu",
    )

    class Meta:
        model = Learner
        fields = [
            "id",
            "reference",
            "last_name",
            "first_name",
            "birth_date",
            "kind",
            "education_level",
            "status",
            "establishment",
            "mission_locale",
            "merged_into",
            "created_at",
            "updated_at",
        ]


class ApplicationSerializer(ApiModelSerializer[Application]):
    learner = slug("reference")
    formation = slug("code")
    units = slug("code", many=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "learner",
            "academic_year",
            "formation",
            "units",
            "funding",
            "motivation",
            "status",
            "rle_opinion",
            "rle_comment",
            "reason",
            "created_at",
            "version",
        ]


class EnrolmentSerializer(ApiModelSerializer[Enrolment]):
    learner = slug("reference")
    teaching_unit = slug("code", source="unit")
    establishment = slug("label")

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "learner",
            "academic_year",
            "teaching_unit",
            "establishment",
            "application",
            "funding",
            "result",
            "grade",
            "abandon_reason",
            "result_at",
            "version",
        ]


class ResultSerializer(EnrolmentSerializer):
    """A result, in the fields of the `enrollments` import (and of the bulk endpoint)."""

    class Meta(EnrolmentSerializer.Meta):
        fields = [
            "id",
            "learner",
            "academic_year",
            "teaching_unit",
            "establishment",
            "result",
            "grade",
            "result_at",
        ]


class CertificationSerializer(ApiModelSerializer[Certification]):
    learner = slug("reference")
    formation = slug("code")
    establishment = slug("label")

    class Meta:
        model = Certification
        fields = [
            "id",
            "number",
            "learner",
            "formation",
            "status",
            "awarded_on",
            "academic_year",
            "establishment",
            "credits",
            "revoke_reason",
            "proposed_at",
        ]


class InterviewSerializer(ApiModelSerializer[Interview]):
    learner = slug("reference")
    referent = slug("username")

    class Meta:
        model = Interview
        fields = [
            "id",
            "learner",
            "date",
            "duration_minutes",
            "kind",
            "referent",
            "notes",
            "next_steps",
            "created_at",
        ]


class ReferralSerializer(ApiModelSerializer[Referral]):
    learner = slug("reference")
    mission_locale = slug("code")
    centre = slug("code")
    formation = slug("code")

    class Meta:
        model = Referral
        fields = [
            "id",
            "learner",
            "mission_locale",
            "centre",
            "formation",
            "modality",
            "distance_km",
            "size_class",
            "message",
            "status",
            "close_reason",
            "sent_at",
            "first_contact_at",
            "updated_at",
            "version",
        ]


class ReferralMoveSerializer(serializers.Serializer[Any]):
    move = serializers.ChoiceField(
        choices=[(name, spec.label) for name, spec in TRANSITIONS.items()],
        help_text="L'étape : contact, meet (réunion d'information), enrol, close.",
    )
    reason = serializers.ChoiceField(
        choices=CloseReason.choices,
        required=False,
        allow_blank=True,
        help_text="Motif de clôture, obligatoire pour close.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2_000)


@extend_schema_field(ACADEMIC_YEAR_SCHEMA)
class AcademicYearField(serializers.CharField):
    """`2019-2020` (the schema's format `academic-year`)."""


# -- bulk -------------------------------------------------------------------------------


class ResultRowSerializer(serializers.Serializer[Any]):
    """One row of `POST /api/v1/results/bulk/`: the columns of the `enrollments` import."""

    learner = serializers.CharField(help_text="Référence de l'apprenant")
    academic_year = AcademicYearField(help_text="Deux années consécutives, ex. 2019-2020")
    teaching_unit = serializers.CharField(help_text="Code de l'UE, ex. CFA109")
    establishment = serializers.CharField(
        required=False, allow_blank=True, help_text="Libellé officiel, ex. CP FRESNES"
    )
    result = serializers.ChoiceField(
        choices=Enrolment._meta.get_field("result").choices or [],
    )
    grade = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(20),
        required=False,
        allow_null=True,
        help_text="0 à 20",
    )


class ReferralRowSerializer(serializers.Serializer[Any]):
    """One row of `POST /api/v1/referrals/bulk/`: the columns of the `referrals` import."""

    learner = serializers.CharField(help_text="Référence du jeune")
    centre = serializers.CharField(help_text="Code du centre Cnam")
    formation = serializers.CharField(help_text="Code de la formation")
    sent_at = serializers.DateField(help_text="Date d'envoi")
    status = serializers.ChoiceField(choices=Referral.Status.choices)
    close_reason = serializers.ChoiceField(
        choices=CloseReason.choices, required=False, allow_blank=True
    )
    message = serializers.CharField(required=False, allow_blank=True)


class ImportReportSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class RowErrorSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text="Envoi en masse : position de la ligne dans la liste envoyée (à partir de 0)",
    )
    field = serializers.CharField(
        allow_blank=True, help_text="Le paramètre ou le champ en cause (vide : la ligne entière)"
    )
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer[Any]):
    """Every error answer (the schema only): why, a stable code, and what is in error."""

    detail = serializers.CharField(help_text="Pourquoi, en français")
    code = serializers.CharField(help_text="ex. invalid_parameter, not_found, import_rejected")
    errors = RowErrorSerializer(  # type: ignore[assignment]
        many=True,
        required=False,
        help_text="Chaque paramètre, champ ou ligne en erreur (400)",
    )


class BilanSerializer(serializers.Serializer[Any]):
    """The document of `tremplin bilan YEAR --format json` (keys in this order). In publication
    mode a count below the threshold reads "< 5", and the figures it would reveal are null."""

    academic_year = serializers.CharField()
    enrolled_learners = serializers.JSONField(help_text="Nombre, ou « < 5 » (publication)")
    partner_establishments = serializers.IntegerField()
    by_disp = serializers.ListField(child=serializers.DictField())
    graduates = serializers.ListField(child=serializers.DictField())
    ue_enrollments = serializers.IntegerField()
    ue_validated = serializers.IntegerField(allow_null=True)
    learner_success_rate = serializers.FloatField(allow_null=True)
    ue_validation_rate = serializers.FloatField(allow_null=True)
    followup = serializers.DictField()
    emergence = serializers.DictField()
