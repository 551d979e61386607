"""Places: the territory (regions, departments, communes), the penitentiary administration
(DISP, UPR, establishments) and the partners' sites (Cnam centres, missions locales)."""

from __future__ import annotations

from django.db import models

from tremplin.core.permissions import SharedReference
from tremplin.core.roles import Role

PLACES = SharedReference(Role.NATIONAL_COORDINATOR)

SMALL_TOWN_MIN = 2_500
MEDIUM_TOWN_MIN = 20_000
LARGE_TOWN_MIN = 100_000


class SizeClass(models.TextChoices):
    RURAL = "rural", "Commune rurale (moins de 2 500 habitants)"
    SMALL = "small", "Petite ville (2 500 à 20 000 habitants)"
    MEDIUM = "medium", "Ville moyenne (20 000 à 100 000 habitants)"
    LARGE = "large", "Grande ville (100 000 habitants et plus)"


def size_class(population: int | None) -> SizeClass | None:
    """Town size class by legal population; boundaries belong to the upper class."""
    if population is None:
        return None
    if population >= LARGE_TOWN_MIN:
        return SizeClass.LARGE
    if population >= MEDIUM_TOWN_MIN:
        return SizeClass.MEDIUM
    if population >= SMALL_TOWN_MIN:
        return SizeClass.SMALL
    return SizeClass.RURAL


class Region(models.Model):
    permissions = PLACES

    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=80)

    class Meta:
        ordering = ["name"]
        verbose_name = "région"

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    permissions = PLACES

    code = models.CharField("code", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=80)
    region = models.ForeignKey(
        Region, verbose_name="région", on_delete=models.PROTECT, related_name="departments"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "département"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Commune(models.Model):
    permissions = PLACES

    class Kind(models.TextChoices):
        COMMUNE = "commune", "Commune"
        ARRONDISSEMENT = "arrondissement", "Arrondissement municipal"

    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMUNE)
    department = models.ForeignKey(
        Department, verbose_name="département", on_delete=models.PROTECT, related_name="communes"
    )
    region = models.ForeignKey(
        Region, verbose_name="région", on_delete=models.PROTECT, related_name="communes"
    )
    population = models.PositiveIntegerField("population légale", null=True, blank=True)
    postal_codes = models.CharField("codes postaux", max_length=120, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="arrondissements"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "commune"

    def __str__(self) -> str:
        return f"{self.name} ({self.department_id})"

    @property
    def size_class(self) -> SizeClass | None:
        return size_class(self.population)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Disp(models.Model):
    """A direction interrégionale des services pénitentiaires, or the overseas directorate."""

    permissions = PLACES

    code = models.CharField("code", max_length=30, unique=True)
    name = models.CharField("nom", max_length=120)
    seat = models.ForeignKey(
        Commune, verbose_name="siège", null=True, blank=True, on_delete=models.PROTECT
    )
    seat_to_check = models.BooleanField("siège à vérifier", default=False)
    is_overseas = models.BooleanField("outre-mer", default=False)
    departments = models.ManyToManyField(
        Department, verbose_name="départements", related_name="disps", blank=True
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "direction interrégionale (DISP)"
        verbose_name_plural = "directions interrégionales (DISP)"

    def __str__(self) -> str:
        return self.code

    @property
    def short_name(self) -> str:
        return self.code.removeprefix("DISP ").title() if not self.is_overseas else "Outre-mer"


class Upr(models.Model):
    """The unité pédagogique régionale that organises teaching in the prisons of one DISP."""

    permissions = PLACES

    disp = models.OneToOneField(
        Disp, verbose_name="direction interrégionale", on_delete=models.CASCADE, related_name="upr"
    )
    name = models.CharField("nom", max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = "unité pédagogique régionale (UPR)"
        verbose_name_plural = "unités pédagogiques régionales (UPR)"

    def __str__(self) -> str:
        return self.name


class EstablishmentType(models.TextChoices):
    MA = "MA", "Maison d'arrêt"
    CD = "CD", "Centre de détention"
    MC = "MC", "Maison centrale"
    CP = "CP", "Centre pénitentiaire"
    CSL = "CSL", "Centre de semi-liberté"
    EPM = "EPM", "Établissement pénitentiaire pour mineurs"


class Establishment(models.Model):
    permissions = PLACES

    label = models.CharField(
        "libellé officiel",
        max_length=60,
        unique=True,
        help_text="Libellé de la DGAP, ex. CP FRESNES",
    )
    name = models.CharField("nom", max_length=120)
    short_name = models.CharField("nom court", max_length=60)
    type = models.CharField("type", max_length=3, choices=EstablishmentType.choices)
    disp = models.ForeignKey(
        Disp,
        verbose_name="direction interrégionale",
        on_delete=models.PROTECT,
        related_name="establishments",
    )
    commune = models.ForeignKey(
        Commune, verbose_name="commune", on_delete=models.PROTECT, related_name="establishments"
    )
    quarters = models.CharField("quartiers", max_length=80, blank=True)
    capacity = models.PositiveIntegerField("capacité opérationnelle", null=True, blank=True)
    detainees = models.PositiveIntegerField("personnes détenues au 1er juillet 2026", null=True)
    attached_by_hand = models.BooleanField("commune rattachée manuellement", default=False)
    directory_remark = models.CharField("remarque de rattachement", max_length=200, blank=True)

    class Meta:
        ordering = ["label"]
        verbose_name = "établissement pénitentiaire"
        verbose_name_plural = "établissements pénitentiaires"

    def __str__(self) -> str:
        return self.label

    @property
    def occupancy_rate(self) -> float | None:
        if not self.capacity or self.detainees is None:
            return None
        return round(100 * self.detainees / self.capacity, 1)


class CnamCentre(models.Model):
    permissions = PLACES

    class Kind(models.TextChoices):
        REGIONAL = "regional", "Centre régional"
        TEACHING = "teaching", "Centre d'enseignement"

    code = models.CharField("code", max_length=30, unique=True)
    name = models.CharField("nom", max_length=150)
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name="région", on_delete=models.PROTECT, related_name="cnam_centres"
    )
    commune = models.ForeignKey(
        Commune, verbose_name="commune", on_delete=models.PROTECT, related_name="cnam_centres"
    )
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "centre Cnam"
        verbose_name_plural = "centres Cnam"

    def __str__(self) -> str:
        return self.name

    @property
    def size_class(self) -> SizeClass | None:
        return self.commune.size_class


class MissionLocale(models.Model):
    permissions = PLACES

    code = models.CharField("code", max_length=30, unique=True)
    name = models.CharField("nom", max_length=150)
    commune = models.ForeignKey(
        Commune, verbose_name="commune", on_delete=models.PROTECT, related_name="missions_locales"
    )
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "mission locale"
        verbose_name_plural = "missions locales"

    def __str__(self) -> str:
        return self.name
