"""Learners and their placement history. Deliberately no field for offences, sentences or the
reason of a release: the training record needs none of them (the numéro d'écrou, when known, is
kept per placement, to find the person again in the establishment's own lists)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections, models
from django.db.models import F, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.db.models.lookups import Contains, In

from tremplin.places.models import Commune, Establishment, MissionLocale

from .permissions import LearnerPermissions

L = TypeVar("L", bound=models.Model)


class Kind(models.TextChoices):
    DETAINED = "detained", "Personne détenue"
    YOUTH = "youth", "Jeune accompagné par une mission locale"
    OTHER = "other", "Autre"


class EducationLevel(models.TextChoices):
    NONE = "none", "Sans diplôme"
    LEVEL_3 = "level_3", "Niveau 3 (CAP, BEP)"
    LEVEL_4 = "level_4", "Niveau 4 (baccalauréat)"
    LEVEL_5 = "level_5", "Niveau 5 (bac+2)"
    LEVEL_6 = "level_6", "Niveau 6 (licence, bac+3)"
    LEVEL_7 = "level_7", "Niveau 7 (master, bac+5)"


class Status(models.TextChoices):
    PLACED = "placed", "En détention"
    RELEASED = "released", "Libéré(e)"
    FOLLOWED = "followed", "Suivi(e) par une mission locale"
    OTHER = "other", "Autre"
    MERGED = "merged", "Dossier fusionné"


def search_key(*names: str) -> str:
    """Names folded for search: no accents, no case, words apart. "Koné Éloïse" -> "KONE
    ELOISE", "Jean-Baptiste d'Arc" -> "JEAN BAPTISTE D ARC"."""
    text = unicodedata.normalize("NFKD", " ".join(names))
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


class _Words(models.Func):
    """The search key after a space, " KONE ELOISE": a word starts at each space. On PostgreSQL
    the very expression of the trigram index `learner_words_trgm` (migration 0011)."""

    template = "(' ' || %(expressions)s::text)"
    output_field = models.TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, template="(' ' || %(expressions)s)", **extra)


def word_matches(word: str, prefix: str = "") -> Q:
    """A word typed in a search, for the learners (through `prefix`, e.g. "learner__"): a word
    of the names starts with it, whatever the accents and the case (one LIKE '% WORD%' that one
    trigram index answers on PostgreSQL), or the reference starts with it."""
    return Q(Contains(_Words(f"{prefix}search_key"), f" {search_key(word)}")) | Q(
        **{f"{prefix}reference__istartswith": word}
    )


def words_match(text: str, vendor: str, prefix: str = "", *, tested: bool = False) -> Q:
    """Every word typed is the start of a word of the names or of the reference, whatever the
    accents, the case, the hyphens and apostrophes ("jean baptiste" finds Jean-Baptiste), for
    the learners or through `prefix` (the referrals' "learner__"). SQLite: the full-text index
    `learner_search` (migration 0005; LIKE read every learner: the referrals' « martin »
    222 ms); PostgreSQL: the trigram indexes (0003, 0011).

    On SQLite the matches' rows are read through their index, or, when `tested`, other rows
    (a local scope's, core.scope.Scope.local, or the page's order) are each tested against the
    matches: SQLite's planner always starts from the matches, and a mission locale's « ma »
    read the rows of 32,848 young people (56 -> 7 ms)."""
    typed = [(word, folded) for word in text.split() if (folded := search_key(word))]
    if not typed:
        return Q()
    if vendor == "sqlite":
        # "jean baptiste" -> "JEAN"* "BAPTISTE"*: each typed word a phrase whose last token is
        # a prefix ("D26-01" -> "D26 01"*); tokens are letters and digits only, never a quote.
        match = " ".join(f'"{folded}"*' for _, folded in typed)
        found = RawSQL("SELECT rowid FROM learner_search WHERE learner_search MATCH %s", [match])
        if tested:  # "+ 0": no index of the column, another index drives
            return Q(In(F(f"{prefix}pk") + Value(0), found))
        return Q(**{f"{prefix}pk__in": found})
    condition = Q()
    for word, _folded in typed:
        condition &= word_matches(word, prefix)
    return condition


#: A search matching more than one learner in NAMES_WALK has its page read walking the names'
#: index, each learner tested (« ma », 32,848 learners: 30-37 -> 5-9 ms on both databases);
#: fewer are read through the matches and sorted (walking to the Martins, far down the
#: alphabet, took 55 ms on SQLite and 277 ms on PostgreSQL). core.paging.frequent.
NAMES_WALK = 30


def by_name(qs: QuerySet[L], *, searched: bool, walk: bool = False) -> QuerySet[L]:
    """Learners by last name, first name and reference. With words searched on PostgreSQL, by
    an expression no index gives (the same order), unless the matches are many enough to
    `walk` the names' index (NAMES_WALK): the planner then reads the matches through the
    trigram index and sorts them, where it walked the names' index testing every learner
    until it had a page (the learners' « martin » 221 → 14 ms; the young people's, count and
    page, 169 → 37 ms: most Martins are far down the alphabet)."""
    if searched and not walk and connections[qs.db].vendor == "postgresql":
        return qs.order_by(Concat("last_name", Value("")), "first_name", "reference")
    return qs.order_by("last_name", "first_name", "reference")


class LearnerManager(models.Manager["Learner"]):
    """Keeps `search_key` in step with the names, bulk writes included."""

    def bulk_create(self, objs: Iterable[Learner], *args: Any, **kwargs: Any) -> list[Learner]:
        objs = list(objs)
        for learner in objs:
            learner.search_key = learner.compute_search_key()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(  # type: ignore[override]
        self, objs: Iterable[Learner], fields: Sequence[str], *args: Any, **kwargs: Any
    ) -> int:
        objs = list(objs)
        if {"last_name", "first_name"} & set(fields):
            for learner in objs:
                learner.search_key = learner.compute_search_key()
            fields = [*fields, "search_key"]
        return super().bulk_update(objs, fields, *args, **kwargs)


class Learner(models.Model):
    permissions = LearnerPermissions()

    reference = models.CharField(
        "référence", max_length=40, unique=True, help_text="Identifiant opaque de l'apprenant"
    )
    last_name = models.CharField("nom", max_length=100)
    first_name = models.CharField("prénom", max_length=100)
    birth_date = models.DateField("date de naissance")
    kind = models.CharField("public", max_length=10, choices=Kind.choices)
    education_level = models.CharField(
        "niveau d'études", max_length=10, choices=EducationLevel.choices, blank=True
    )
    status = models.CharField("situation", max_length=10, choices=Status.choices)
    establishment = models.ForeignKey(
        Establishment,
        verbose_name="établissement (actuel ou dernier)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learners",
    )
    mission_locale = models.ForeignKey(
        MissionLocale,
        verbose_name="mission locale",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learners",
    )
    search_key = models.CharField(max_length=210, editable=False, default="")
    merged_into = models.ForeignKey(
        "self",
        verbose_name="fusionné dans",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Le dossier de la même personne qui a reçu tout le contenu de celui-ci.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = LearnerManager()

    class Meta:
        ordering = ["last_name", "first_name", "reference"]
        verbose_name = "apprenant"
        indexes = [
            # The list's order with what its pages filter on: a page deep in the list reads its
            # keys inside this index alone (core/paging.py; SQLite, national coordinator, page
            # 2,000 of the young people: 293 ms when each learner's row was read for its kind).
            models.Index(
                fields=["last_name", "first_name", "reference", "status", "kind"],
                name="learner_name_order",
            ),
            models.Index(fields=["search_key"]),
            models.Index(fields=["establishment", "status"]),
            # The lists of an establishment's and of a mission locale's learners, in the list's
            # order: read in index order, not a walk of every learner by name (docs/scaling.md).
            models.Index(
                fields=["establishment", "last_name", "first_name", "reference"],
                name="learner_establishment_name",
            ),
            models.Index(
                fields=["mission_locale", "last_name", "first_name", "reference"],
                name="learner_ml_name",
            ),
            # The same person's files are looked for by birth date (learners/identity.py).
            models.Index(fields=["birth_date"], name="learner_birth_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(status="merged"),
                name="learner_merged_status",
                violation_error_message="Un dossier fusionné a la situation « Dossier fusionné ».",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name.upper()} {self.first_name} ({self.reference})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = self.compute_search_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"last_name", "first_name"} & set(update_fields):
            kwargs["update_fields"] = [*update_fields, "search_key"]
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"

    def compute_search_key(self) -> str:
        return search_key(self.last_name, self.first_name)


class Placement(models.Model):
    """One dated step of a learner's path: arrival, transfer or release."""

    class Kind(models.TextChoices):
        ARRIVAL = "arrival", "Arrivée"
        TRANSFER = "transfer", "Transfert"
        RELEASE = "release", "Libération"

    learner = models.ForeignKey(
        Learner, verbose_name="apprenant", on_delete=models.CASCADE, related_name="placements"
    )
    kind = models.CharField("nature", max_length=10, choices=Kind.choices)
    date = models.DateField("date")
    establishment = models.ForeignKey(
        Establishment,
        verbose_name="établissement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placements",
    )
    release_commune = models.ForeignKey(
        Commune,
        verbose_name="commune de sortie",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    numero_ecrou = models.CharField(
        "numéro d'écrou",
        max_length=20,
        blank=True,
        db_default="",  # bulk paths (COPY) that do not name the column
        help_text="Numéro attribué par l'établissement à l'arrivée, s'il est connu.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["learner_id", "date", "id"]
        verbose_name = "étape du parcours"
        verbose_name_plural = "étapes du parcours"
        indexes = [
            # The recent transfers of the follow-up page and the home pages.
            models.Index(fields=["kind", "date"], name="placement_kind_date"),
        ]

    def __str__(self) -> str:
        where = self.establishment.label if self.establishment_id and self.establishment else ""
        return f"{self.get_kind_display()} le {self.date:%d/%m/%Y} {where}".strip()


class Reach(models.Model):
    """Where a regional coordination reads a learner from (DOMAIN.md, roles and scopes): « d:7 »
    for the DISP of the learner's establishment and of each of their placements, « r:11 » for
    the region of their mission locale. Derived, never written by Python: the database's
    triggers keep it (migration 0010), whoever writes a learner, a placement, an establishment's
    DISP or a mission locale's commune. A learner's id, not a foreign key: no merge, export or
    deletion walks it as one of the learner's records.

    It turns a regional scope (tens of thousands of learners at national scale) into one index
    range, where three sets joined by OR were materialised by every query (docs/scaling.md)."""

    learner_id = models.BigIntegerField()
    area = models.CharField(max_length=16)

    class Meta:
        verbose_name = "périmètre régional d'un apprenant"
        constraints = [
            models.UniqueConstraint(fields=["area", "learner_id"], name="reach_once"),
        ]
        indexes = [models.Index(fields=["learner_id"], name="reach_learner")]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.area}"


class LearnerMerge(models.Model):
    """Two files of the same person made one: every record of `merged` moved to `kept` (their
    ids kept in `moved`, so that the merge can be undone until a coordinator confirms it);
    `merged` stays as a redirect to `kept`."""

    class State(models.TextChoices):
        PENDING = "pending", "À confirmer"
        CONFIRMED = "confirmed", "Confirmée"
        UNDONE = "undone", "Annulée"

    kept = models.ForeignKey(
        Learner, verbose_name="dossier conservé", on_delete=models.PROTECT, related_name="+"
    )
    merged = models.ForeignKey(
        Learner, verbose_name="dossier fusionné", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("état", max_length=10, choices=State.choices, default=State.PENDING)
    #: "app_label.Model" -> ids of the rows moved from `merged` to `kept`.
    moved = models.JSONField(default=dict)
    previous_status = models.CharField(max_length=10, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "fusion de dossiers"
        verbose_name_plural = "fusions de dossiers"
        constraints = [
            models.CheckConstraint(condition=~Q(kept=models.F("merged")), name="merge_two_files"),
            models.UniqueConstraint(
                fields=["merged"],
                condition=~Q(state="undone"),
                name="merge_once",
                violation_error_message="Ce dossier est déjà fusionné dans un autre.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merged.reference} → {self.kept.reference} ({self.get_state_display()})"
