"""Writes on the course material (the packages of a UE; send, hand out, return) and the
hand-over on release."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import import_module
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from tremplin.accounts.models import acting_user
from tremplin.catalog.models import TeachingUnit
from tremplin.core import journal
from tremplin.core.permissions import Actor
from tremplin.enrolment.models import Enrolment, Result
from tremplin.learners.models import Learner, Placement, Status
from tremplin.places.models import CnamCentre, Commune, Establishment

from .filetypes import check_material
from .models import Delivery, HandOver, MaterialPackage

# --------------------------------------------------------------------------------------------
# The packages of a UE
# --------------------------------------------------------------------------------------------


def _drop_file(storage: Any, name: str) -> None:
    """Remove a stored file once the transaction that let it go is committed."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _check_title(unit: TeachingUnit, title: str, package: MaterialPackage | None) -> str:
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Donnez un intitulé au support."})
    same = MaterialPackage.objects.filter(unit=unit, title__iexact=title)
    if package is not None and package.pk:
        same = same.exclude(pk=package.pk)
    if same.exists():
        raise ValidationError(
            {"title": f"L'UE {unit.code} a déjà un support intitulé « {title} »."}
        )
    return title


@transaction.atomic
@journal.emits(
    journal.Kind.PACKAGE_SAVED,
    lambda package, _: package,
    lambda package, _: {"unit": package.unit.code},
)
def create_package(
    unit: TeachingUnit, *, title: str, kind: str, position: int, file: UploadedFile[Any] | None
) -> MaterialPackage:
    """A new package of a UE, with its file when one is given."""
    package = MaterialPackage(
        unit=unit, title=_check_title(unit, title, None), kind=kind, position=position
    )
    if file is not None:
        check_material(file)
        package.file.save(file.name or "support", file, save=False)
    package.save()
    return package


@transaction.atomic
@journal.emits(
    journal.Kind.PACKAGE_SAVED,
    lambda package, _: package,
    lambda package, _: {"unit": package.unit.code},
)
def update_package(
    package: MaterialPackage,
    *,
    title: str,
    kind: str,
    position: int,
    file: UploadedFile[Any] | None,
    clear_file: bool = False,
) -> MaterialPackage:
    """Change a package; a new file replaces the old one, `clear_file` removes it."""
    package = MaterialPackage.objects.select_for_update().select_related("unit").get(pk=package.pk)
    package.title = _check_title(package.unit, title, package)
    package.kind = kind
    package.position = position
    old = (package.file.name or "") if package.file else ""
    if file is not None:
        check_material(file)
        package.file.save(file.name or "support", file, save=False)
    elif clear_file:
        package.file.name = ""
    package.save()
    if old and old != (package.file.name if package.file else ""):
        _drop_file(package.file.storage, old)
    return package


@transaction.atomic
def delete_package(package: MaterialPackage) -> None:
    """Delete a package that no delivery uses; one already sent stays, for the record."""
    package = MaterialPackage.objects.select_for_update().get(pk=package.pk)
    sent = Delivery.objects.filter(package=package).count()
    if sent:
        raise ValidationError(
            f"Ce support a déjà été envoyé ({sent} remise{'s' if sent > 1 else ''}) : il ne peut "
            "pas être supprimé, car les remises enregistrées y renvoient. Vous pouvez le "
            "renommer ou remplacer son fichier."
        )
    name = (package.file.name or "") if package.file else ""
    storage = package.file.storage
    journal.record(
        journal.Kind.PACKAGE_DELETED, package, payload={"id": package.pk, "unit": package.unit.code}
    )
    package.delete()
    _drop_file(storage, name)


# --------------------------------------------------------------------------------------------
# Sending, handing out, returns
# --------------------------------------------------------------------------------------------


def pending_enrolments_at(establishment: Establishment, unit: TeachingUnit) -> Any:
    """The pending enrolments in the UE of the learners detained in the establishment now."""
    return Enrolment.objects.filter(
        unit=unit,
        result=Result.PENDING,
        learner__establishment=establishment,
        learner__status=Status.PLACED,
    )


@transaction.atomic
def send_packages_of_units(
    establishment: Establishment,
    packages: Iterable[MaterialPackage],
    *,
    on: date,
    by: Actor,
) -> list[Delivery]:
    """Send packages of one or several UEs at once: each UE's packages to the learners of the
    establishment enrolled in it (send_packages per UE), all or nothing."""
    by_unit: dict[int, list[MaterialPackage]] = {}
    for package in packages:
        by_unit.setdefault(package.unit_id, []).append(package)
    if not by_unit:
        raise ValidationError({"packages": "Choisissez au moins un support à envoyer."})
    created: list[Delivery] = []
    for unit_packages in sorted(by_unit.values(), key=lambda group: group[0].unit.code):
        created += send_packages(establishment, unit_packages[0].unit, unit_packages, on=on, by=by)
    return created


@transaction.atomic
@journal.emits(
    journal.Kind.MATERIAL_SENT,
    lambda deliveries, _: deliveries,
    lambda _, a: {"establishment": a["establishment"].label, "on": a["on"]},
)
def send_packages(
    establishment: Establishment,
    unit: TeachingUnit,
    packages: Iterable[MaterialPackage],
    *,
    on: date,
    by: Actor,
) -> list[Delivery]:
    """Send packages of a UE to every learner of the establishment enrolled (pending) in it. A
    package already sent for an enrolment is not sent twice. Returns the new deliveries."""
    packages = list(packages)
    if not packages:
        raise ValidationError({"packages": "Choisissez au moins un support à envoyer."})
    if any(package.unit_id != unit.pk for package in packages):
        raise ValidationError({"packages": "Ces supports ne sont pas ceux de cette UE."})
    if on > timezone.localdate():
        raise ValidationError({"date": "La date d'envoi ne peut pas être dans le futur."})
    enrolments = list(pending_enrolments_at(establishment, unit))
    if not enrolments:
        raise ValidationError(f"Aucune inscription en cours à {unit.code} à {establishment.label}.")
    existing = set(
        Delivery.objects.filter(enrolment__in=enrolments, package__in=packages).values_list(
            "enrolment_id", "package_id"
        )
    )
    rows = [
        Delivery(
            enrolment=enrolment,
            package=package,
            sent_to=establishment,
            sent_on=on,
            recorded_by=acting_user(by),
        )
        for enrolment in enrolments
        for package in packages
        if (enrolment.pk, package.pk) not in existing
    ]
    return Delivery.objects.bulk_create(rows)


@transaction.atomic
@journal.emits(
    journal.Kind.MATERIAL_HANDED, lambda delivery, _: delivery, lambda d, _: {"on": d.handed_on}
)
def mark_handed(delivery: Delivery, *, on: date, by: Actor) -> Delivery:
    """The package was handed to the learner."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.handed_on is not None:
        raise ValidationError("Ce support a déjà été remis.")
    if on < delivery.sent_on:
        raise ValidationError({"date": "La remise ne peut précéder l'envoi."})
    if on > timezone.localdate():
        raise ValidationError({"date": "La date de remise ne peut pas être dans le futur."})
    delivery.handed_on = on
    delivery.recorded_by = acting_user(by)
    delivery.save(update_fields=["handed_on", "recorded_by", "updated_at"])
    return delivery


@transaction.atomic
@journal.emits(
    journal.Kind.ASSIGNMENT_RETURNED,
    lambda delivery, _: delivery,
    lambda d, _: {"on": d.returned_on, "grade": d.grade},
)
def record_return(
    delivery: Delivery, *, on: date, grade: Decimal | None, feedback: str, by: Actor
) -> Delivery:
    """An assignment came back on paper: when, and its grade (0 to 20) and feedback."""
    delivery = Delivery.objects.select_related("package").select_for_update().get(pk=delivery.pk)
    if delivery.package.kind != MaterialPackage.Kind.ASSIGNMENT:
        raise ValidationError("Seul un devoir est rendu.")
    if delivery.handed_on is None:
        raise ValidationError("Ce devoir n'a pas encore été remis à l'apprenant.")
    if on < delivery.handed_on:
        raise ValidationError({"date": "Le retour ne peut précéder la remise."})
    if on > timezone.localdate():
        raise ValidationError({"date": "La date de retour ne peut pas être dans le futur."})
    if grade is not None and not Decimal(0) <= grade <= Decimal(20):
        raise ValidationError({"grade": "La note est comprise entre 0 et 20."})
    delivery.returned_on = on
    delivery.grade = grade
    delivery.feedback = feedback.strip()
    delivery.recorded_by = acting_user(by)
    delivery.save(update_fields=["returned_on", "grade", "feedback", "recorded_by", "updated_at"])
    return delivery


# --------------------------------------------------------------------------------------------
# Hand-over on release
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Nearest:
    centre: CnamCentre
    distance_km: Decimal


def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    # geopy ships no type information: reached through import_module, typed here.
    geodesic: Any = import_module("geopy.distance").geodesic
    return float(geodesic(a, b).km)


def nearest_centre(commune: Commune) -> Nearest | None:
    """The Cnam centre nearest to the commune, by geodesic distance between the communes'
    coordinates; None when the commune or every centre lacks coordinates."""
    if not commune.has_coordinates:
        return None
    assert commune.latitude is not None and commune.longitude is not None
    origin = (commune.latitude, commune.longitude)
    best: tuple[float, str, CnamCentre] | None = None
    for centre in CnamCentre.objects.select_related("commune").filter(
        commune__latitude__isnull=False, commune__longitude__isnull=False
    ):
        where = centre.commune
        assert where.latitude is not None and where.longitude is not None
        km = geodesic_km(origin, (where.latitude, where.longitude))
        if best is None or (km, centre.code) < best[:2]:
            best = (km, centre.code, centre)
    if best is None:
        return None
    return Nearest(best[2], Decimal(str(round(best[0], 1))))


def has_training_in_progress(learner: Learner) -> bool:
    return Enrolment.objects.filter(learner=learner, result=Result.PENDING).exists()


@transaction.atomic
def hand_over(placement: Placement, *, by: Actor = None) -> HandOver | None:
    """Hand a released learner with training in progress over to the Cnam centre nearest to the
    release commune (or, when it is unknown, to the last establishment's commune). Idempotent."""
    if placement.kind != Placement.Kind.RELEASE:
        raise ValueError("Seule une libération donne lieu à une reprise de formation.")
    existing = HandOver.objects.filter(placement=placement).first()
    if existing is not None:
        return existing
    learner = placement.learner
    if not has_training_in_progress(learner):
        return None
    commune = placement.release_commune
    if commune is None or not commune.has_coordinates:
        establishment = placement.establishment or learner.establishment
        commune = establishment.commune if establishment is not None else None
    found = nearest_centre(commune) if commune is not None else None
    if found is None:
        return None
    handed = HandOver.objects.create(
        learner=learner,
        placement=placement,
        centre=found.centre,
        distance_km=found.distance_km,
        recorded_by=None,
        note="",
    )
    journal.record(
        journal.Kind.HANDOVER_CREATED,
        handed,
        actor=by,
        payload={
            "id": handed.pk,
            "learner": learner.reference,
            "placement": placement.pk,
            "centre": found.centre.code,
            "centre_name": found.centre.name,
            "distance_km": str(handed.distance_km),
            "status": handed.status,
        },
    )
    return handed


@transaction.atomic
@journal.emits(
    journal.Kind.HANDOVER_OUTCOME_RECORDED,
    lambda item, _: item,
    lambda item, _: {"status": item.status},
)
def record_outcome(hand_over: HandOver, *, status: str, note: str, by: Actor) -> HandOver:
    """The centre records whether the learner continued the training."""
    if status not in (HandOver.Status.CONTINUED, HandOver.Status.NOT_CONTINUED):
        raise ValidationError({"status": "Indiquez si la formation a été poursuivie."})
    hand_over.status = status
    hand_over.note = note.strip()
    hand_over.recorded_by = acting_user(by)
    hand_over.recorded_at = timezone.now()
    hand_over.save(update_fields=["status", "note", "recorded_by", "recorded_at"])
    return hand_over


@transaction.atomic
def ensure_package(
    unit: TeachingUnit, *, title: str, kind: str, position: int
) -> tuple[MaterialPackage, bool]:
    """The UE's package of that title, created without a file when it is missing (the demo's
    packages). Returns it and whether it was created."""
    package, created = MaterialPackage.objects.get_or_create(
        unit=unit, title=title, defaults={"kind": kind, "position": position}
    )
    if created:
        journal.record(journal.Kind.PACKAGE_SAVED, package, payload={"unit": unit.code})
    return package, created


@transaction.atomic
def insert_deliveries_history(deliveries: list[Delivery]) -> list[Delivery]:
    """The bulk variant for a history written after the fact (the demo's): deliveries already
    handed out and returned, checked by the database's rules (dates in order, grades from 0 to
    20); their events recorded without consequences."""
    Delivery.objects.bulk_create(deliveries)
    journal.record_many(
        journal.Kind.MATERIAL_SENT,
        deliveries,
        payloads=[{"on": d.sent_on, "handed_on": d.handed_on} for d in deliveries],
        consequences=False,
    )
    returned = [d for d in deliveries if d.returned_on is not None]
    journal.record_many(
        journal.Kind.ASSIGNMENT_RETURNED,
        returned,
        payloads=[{"on": d.returned_on, "grade": d.grade} for d in returned],
        consequences=False,
    )
    return deliveries
