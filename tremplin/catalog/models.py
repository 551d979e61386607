"""The catalogue: sectors, teaching units (UE), formations with their requirements as data,
and the yearly editions of the offer dedicated to learners in detention (PSMJ)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.text import slugify
from django_fsm import FSMField, transition

from tremplin.core.permissions import SharedReference
from tremplin.core.roles import Role
from tremplin.places.models import Disp, Establishment

CATALOGUE = SharedReference(Role.NATIONAL_COORDINATOR)

UE_CODE = RegexValidator(
    r"^[A-Z]{2,4}[0-9A-Z]{2,5}$",
    "Un code d'UE s'écrit en majuscules et chiffres, par exemple CFA109.",
)
RNCP_CODE = RegexValidator(r"^RNCP\d{4,6}$", "Un code RNCP s'écrit RNCP suivi de 4 à 6 chiffres.")
ACADEMIC_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


def validate_academic_year(value: str) -> None:
    match = ACADEMIC_YEAR.match(value)
    if not match or int(match[2]) != int(match[1]) + 1:
        raise ValidationError(
            "L'année universitaire %(value)s n'est pas valide : écrivez-la 2020-2021.",
            params={"value": value},
        )


FORMACODES = RegexValidator(
    r"^[0-9]{5}(, ?[0-9]{5}){0,4}$",
    "Jusqu'à cinq codes FORMACODE de 5 chiffres, séparés par des virgules (ex. 32663, 32654).",
)
NSF_CODE = RegexValidator(r"^[0-9]{3}$", "Un code NSF de 3 chiffres, ex. 314.")


class Modality(models.TextChoices):
    DISTANCE = "distance", "À distance"
    ON_SITE = "on_site", "En présentiel"
    HYBRID = "hybrid", "Hybride"


class Sector(models.Model):
    permissions = CATALOGUE

    code = models.SlugField("code", max_length=60, unique=True)
    name = models.CharField("nom", max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "secteur"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.code:
            self.code = slugify(self.name)[:60]
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class TeachingUnit(models.Model):
    permissions = CATALOGUE

    code = models.CharField(
        "code",
        max_length=10,
        unique=True,
        validators=[UE_CODE],
        help_text="Lettres et chiffres, ex. CFA109",
        error_messages={"unique": "Une UE porte déjà ce code."},
    )
    title = models.CharField("intitulé", max_length=200)
    ects = models.DecimalField(
        "crédits ECTS",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"), "Au moins 0,5 crédit.")],
    )
    modality = models.CharField("modalité", max_length=10, choices=Modality.choices)
    sector = models.ForeignKey(
        Sector, verbose_name="secteur", on_delete=models.PROTECT, related_name="teaching_units"
    )
    description = models.TextField("présentation", blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "unité d'enseignement (UE)"
        verbose_name_plural = "unités d'enseignement (UE)"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class FormationKind(models.TextChoices):
    PROFESSIONAL_CERTIFICATE = "professional_certificate", "Certificat professionnel"
    SKILLS_CERTIFICATE = "skills_certificate", "Certificat de compétence"
    SPECIALISATION_CERTIFICATE = "specialisation_certificate", "Certificat de spécialisation"
    RNCP_TITLE = "rncp_title", "Titre RNCP"
    INSTITUTION_DIPLOMA = "institution_diploma", "Diplôme d'établissement"
    BUSINESS_CREATION_PROGRAMME = (
        "business_creation_programme",
        "Dispositif de création d'entreprise",
    )


#: (singular, plural) French labels for counts, in the order the printed catalogue lists them.
KIND_COUNT_LABELS: dict[str, tuple[str, str]] = {
    FormationKind.PROFESSIONAL_CERTIFICATE: (
        "certificat professionnel",
        "certificats professionnels",
    ),
    FormationKind.SKILLS_CERTIFICATE: ("certificat de compétences", "certificats de compétences"),
    FormationKind.SPECIALISATION_CERTIFICATE: (
        "certificat de spécialisation",
        "certificats de spécialisation",
    ),
    FormationKind.RNCP_TITLE: ("titre RNCP", "titres RNCP"),
    FormationKind.INSTITUTION_DIPLOMA: ("diplôme d'établissement", "diplômes d'établissement"),
    FormationKind.BUSINESS_CREATION_PROGRAMME: (
        "dispositif à la création d'entreprise",
        "dispositifs à la création d'entreprise",
    ),
}


def count_label(n: int, labels: tuple[str, str]) -> str:
    return f"{n} {labels[0] if n == 1 else labels[1]}"


class Level(models.TextChoices):
    PRE_BAC = "pre_bac", "Accessible sans le baccalauréat"
    POST_BAC = "post_bac", "Post-baccalauréat"


class Formation(models.Model):
    permissions = CATALOGUE

    code = models.CharField(
        "code",
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z0-9]{2,20}$", "Le code s'écrit en majuscules et chiffres.")
        ],
        error_messages={"unique": "Une formation porte déjà ce code."},
    )
    title = models.CharField("intitulé", max_length=200)
    kind = models.CharField("nature", max_length=30, choices=FormationKind.choices)
    sector = models.ForeignKey(
        Sector, verbose_name="secteur", on_delete=models.PROTECT, related_name="formations"
    )
    rncp_code = models.CharField(
        "code RNCP",
        max_length=10,
        blank=True,
        validators=[RNCP_CODE],
        help_text="Pour un titre RNCP seulement : RNCP suivi de 4 à 6 chiffres",
    )
    level = models.CharField("niveau", max_length=10, choices=Level.choices, default=Level.POST_BAC)
    description = models.TextField("présentation", blank=True)
    formacode = models.CharField(
        "codes FORMACODE",
        max_length=29,
        blank=True,
        validators=[FORMACODES],
        help_text="Domaine de la formation (thésaurus FORMACODE du Centre Inffo) : jusqu'à cinq "
        "codes de 5 chiffres séparés par des virgules, ex. 32663",
    )
    nsf_code = models.CharField(
        "code NSF",
        max_length=3,
        blank=True,
        validators=[NSF_CODE],
        help_text="Nomenclature des spécialités de formation : 3 caractères, ex. 314",
    )
    min_credits = models.PositiveIntegerField("crédits ECTS exigés", default=0)
    mandatory_units = models.ManyToManyField(
        TeachingUnit, verbose_name="UE obligatoires", related_name="mandatory_for", blank=True
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "formation"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        if self.kind == FormationKind.RNCP_TITLE and not self.rncp_code:
            raise ValidationError({"rncp_code": "Un titre RNCP doit indiquer son code RNCP."})
        if self.kind != FormationKind.RNCP_TITLE and self.rncp_code:
            raise ValidationError({"rncp_code": "Seul un titre RNCP porte un code RNCP."})


class ChoiceGroup(models.Model):
    """A requirement of the form "n UE among these"."""

    formation = models.ForeignKey(Formation, on_delete=models.CASCADE, related_name="choice_groups")
    label = models.CharField("intitulé", max_length=200)
    choose = models.PositiveSmallIntegerField(
        "nombre d'UE à valider", validators=[MinValueValidator(1)]
    )
    units = models.ManyToManyField(TeachingUnit, verbose_name="UE", related_name="choice_groups")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["formation_id", "position", "id"]
        verbose_name = "groupe d'UE au choix"

    def __str__(self) -> str:
        return f"{self.label} ({self.choose} au choix)"


class Edition(models.Model):
    """A yearly edition of the catalogue. Once published it is frozen: copy it to change it."""

    permissions = CATALOGUE

    class Status(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        PUBLISHED = "published", "Publiée"
        ARCHIVED = "archived", "Archivée"

    year = models.CharField(
        "année universitaire",
        max_length=9,
        unique=True,
        validators=[validate_academic_year],
        help_text="Ex. 2022-2023",
        error_messages={"unique": "Une édition existe déjà pour cette année."},
    )
    title = models.CharField("titre", max_length=200)
    introduction = models.TextField("introduction", blank=True)
    how_to_apply = models.TextField("comment s'inscrire", blank=True)
    status = FSMField("statut", default=Status.DRAFT, choices=Status.choices, protected=True)
    published_on = models.DateField("date de publication", null=True, blank=True)
    snapshot = models.JSONField(
        "contenu publié",
        null=True,
        blank=True,
        editable=False,
        help_text="Le catalogue tel qu'il a été publié : il ne change plus ensuite.",
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = "édition du catalogue"
        verbose_name_plural = "éditions du catalogue"

    def __str__(self) -> str:
        return f"Édition {self.year}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @transition(field=status, source=Status.DRAFT, target=Status.PUBLISHED)
    def publish(self) -> None:
        """Freeze the edition: it becomes the printed catalogue of its year."""

    @transition(field=status, source=Status.PUBLISHED, target=Status.ARCHIVED)
    def archive(self) -> None:
        """Retire a past edition."""


class OfferScope(models.TextChoices):
    EVERYWHERE = "everywhere", "Tous les établissements partenaires"
    DISPS = "disps", "Certaines DISP"
    ESTABLISHMENTS = "establishments", "Établissements désignés"


class Offer(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE)
    modality = models.CharField("modalité", max_length=10, choices=Modality.choices)
    scope = models.CharField(
        "où", max_length=20, choices=OfferScope.choices, default=OfferScope.EVERYWHERE
    )
    disps = models.ManyToManyField(Disp, verbose_name="DISP", blank=True)
    establishments = models.ManyToManyField(
        Establishment, verbose_name="établissements", blank=True
    )

    class Meta:
        abstract = True


class FormationOffer(Offer):
    formation = models.ForeignKey(Formation, on_delete=models.PROTECT, related_name="offers")

    class Meta:
        ordering = ["id"]
        verbose_name = "formation proposée"
        verbose_name_plural = "formations proposées"
        default_related_name = "formation_offers"
        constraints = [
            models.UniqueConstraint(fields=["edition", "formation"], name="one_offer_per_formation")
        ]

    def __str__(self) -> str:
        return f"{self.formation.code} ({self.edition.year})"


class UnitOffer(Offer):
    unit = models.ForeignKey(TeachingUnit, on_delete=models.PROTECT, related_name="offers")

    class Meta:
        ordering = ["id"]
        verbose_name = "UE proposée"
        verbose_name_plural = "UE proposées"
        default_related_name = "unit_offers"
        constraints = [
            models.UniqueConstraint(fields=["edition", "unit"], name="one_offer_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} ({self.edition.year})"
