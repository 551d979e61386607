"""Writes of the orientation: a young person and their profile, a referral to a Cnam centre, and
the referral's moves along its pipeline (sent → contacted → information meeting → enrolled, or
closed with a reason). The moves are data (TRANSITIONS: which method, which roles, what it
needs); anything else is refused and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from tremplin.accounts.models import acting_user
from tremplin.catalog.models import Formation, Sector
from tremplin.core import journal
from tremplin.core.csvimport import save_objects
from tremplin.core.permissions import Actor, UserLike
from tremplin.core.pipeline import Move, Pipeline, advance, history
from tremplin.core.roles import Role
from tremplin.core.scope import scope_of
from tremplin.core.stamps import count as stamped_count
from tremplin.learners.models import Kind, Learner
from tremplin.learners.models import Status as LearnerStatus
from tremplin.learners.services import create_learner
from tremplin.places.models import CnamCentre, Commune, MissionLocale

from .models import (
    MAX_AGE,
    MIN_AGE,
    REMINDER_DAYS,
    CentreOffer,
    CloseReason,
    Qualification,
    Referral,
    ReferralEvent,
    Rhythm,
    YouthProfile,
)
from .proposals import distance_between

Status = Referral.Status

COORDINATORS = frozenset({Role.NATIONAL_COORDINATOR, Role.REGIONAL_COORDINATOR})
#: Who registers young people and sends referrals (within their scope).
SENDERS = frozenset({Role.ML_COUNSELOR}) | COORDINATORS


TRANSITIONS: dict[str, Move] = {
    move.name: move
    for move in (
        Move(
            "contact",
            "Marquer le jeune comme contacté",
            Status.CONTACTED,
            frozenset({Role.CENTRE_STAFF}) | COORDINATORS,
        ),
        Move(
            "meet",
            "Noter la réunion d'information",
            Status.INFORMATION_MEETING,
            frozenset({Role.CENTRE_STAFF}) | COORDINATORS,
        ),
        Move(
            "enrol",
            "Marquer le jeune comme inscrit",
            Status.ENROLLED,
            frozenset({Role.CENTRE_STAFF}) | COORDINATORS,
        ),
        Move(
            "close",
            "Clore l'orientation",
            Status.CLOSED,
            frozenset({Role.CENTRE_STAFF, Role.ML_COUNSELOR}) | COORDINATORS,
            needs_reason=True,
        ),
    )
}


# ---------------------------------------------------------------------------------------------
# Age


def age_on(birth_date: date, on: date) -> int:
    """Age in whole years on a day."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def age_problem(birth_date: date, on: date, *, when: str = "") -> str | None:
    """Why a young person born on `birth_date` cannot be oriented on `on`; None when they can.
    `when` says which day, e.g. " à la date de l'orientation"."""
    if birth_date > on:
        return "La date de naissance est dans le futur."
    age = age_on(birth_date, on)
    if MIN_AGE <= age <= MAX_AGE:
        return None
    return f"Le jeune doit avoir entre {MIN_AGE} et {MAX_AGE} ans{when} (ici {age} ans)."


# ---------------------------------------------------------------------------------------------
# Young people


def _may_follow(user: Any, mission_locale: MissionLocale) -> bool:
    scope = scope_of(user)
    if scope.everything:
        return True
    if scope.role == Role.ML_COUNSELOR:
        return scope.mission_locale_id == mission_locale.pk
    if scope.role == Role.REGIONAL_COORDINATOR:
        return mission_locale.commune.region_id in scope.region_codes
    return False


@transaction.atomic
@journal.emits(journal.Kind.YOUNG_PERSON_CREATED, lambda learner, _: learner)
def create_young_person(
    *,
    mission_locale: MissionLocale,
    reference: str,
    last_name: str,
    first_name: str,
    birth_date: date,
    commune: Commune,
    qualification: str,
    sectors: Iterable[Sector],
    can_travel: bool,
    max_distance_km: int | None,
    available_from: date | None,
    rhythm: str = Rhythm.FULL_TIME,
    phone: str = "",
    email: str = "",
    contact_consent: bool = False,
    other_person: bool = False,
    by: Actor,
) -> Learner:
    """Register a young person followed by a mission locale, with their orientation profile.
    Aged 16 to 25 today; a maximum distance when they can travel (ignored otherwise); their
    telephone and e-mail, passed to the centre only with their consent (dated today). An empty
    reference is generated; a person who may already have a file is refused unless
    `other_person` (learners.identity)."""
    if not _may_follow(by, mission_locale):
        raise PermissionDenied("Vous ne pouvez inscrire que les jeunes de votre mission locale.")
    problem = age_problem(birth_date, timezone.localdate())
    if problem:
        raise ValidationError({"birth_date": problem})
    if can_travel:
        if max_distance_km is None:
            raise ValidationError(
                {"max_distance_km": "Indiquez la distance que le jeune peut parcourir (en km)."}
            )
        if max_distance_km <= 0:
            raise ValidationError(
                {"max_distance_km": "La distance maximale est un nombre de kilomètres positif."}
            )
    else:
        max_distance_km = None
    if qualification not in Qualification.values:
        raise ValidationError({"qualification": "Choisissez le plus haut diplôme du jeune."})
    today = timezone.localdate()
    phone, email, consent_on = check_contact(phone, email, today if contact_consent else None)
    learner = create_learner(
        by=by,
        other_person=other_person,
        reference=reference.strip(),
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        birth_date=birth_date,
        kind=Kind.YOUTH,
        mission_locale=mission_locale,
    )
    profile = YouthProfile(
        learner=learner,
        commune=commune,
        qualification=qualification,
        can_travel=can_travel,
        max_distance_km=max_distance_km,
        available_from=available_from,
        rhythm=rhythm,
        phone=phone,
        email=email,
        contact_consent_on=consent_on,
        created_by=acting_user(by),
    )
    profile.full_clean()
    profile.save()
    profile.sectors.set(list(sectors))
    return learner


#: A French or international telephone number as people write it.
PHONE = re.compile(r"^\+?[0-9][0-9 .\-]{5,18}[0-9]$")


def format_phone(phone: str) -> str:
    """« 0612345678 », « 06.12.34.56.78 » -> « 06 12 34 56 78 »; other numbers as typed."""
    digits = re.sub(r"[^0-9+]", "", phone)
    if re.fullmatch(r"0[0-9]{9}", digits):
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return phone.strip()


def check_contact(phone: str, email: str, consent_on: date | None) -> tuple[str, str, date | None]:
    """The young person's contact details, checked and formatted: a consent needs something to
    pass on, and is never in the future."""
    phone, email = phone.strip(), email.strip()
    errors: dict[str, str] = {}
    if phone and not PHONE.match(phone):
        errors["phone"] = f"« {phone} » n'est pas un numéro de téléphone (ex. 06 12 34 56 78)."
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = f"« {email} » n'est pas une adresse électronique."
    if consent_on is not None:
        if consent_on > timezone.localdate():
            errors["contact_consent"] = "La date du consentement ne peut pas être dans le futur."
        elif not (phone or email):
            errors["contact_consent"] = (
                "Indiquez un téléphone ou un courriel à transmettre au centre, ou décochez "
                "l'accord."
            )
    if errors:
        raise ValidationError(errors)
    return (format_phone(phone) if phone else ""), email, consent_on


@transaction.atomic
def update_contact(
    learner: Learner, *, phone: str, email: str, contact_consent: bool, by: Actor
) -> YouthProfile:
    """The counselor changes the young person's contact details and the consent to pass them
    to the centre (dated the day it is given; withdrawn when unticked)."""
    profile = YouthProfile.objects.select_for_update().get(learner=learner)
    if learner.mission_locale is None or not _may_follow(by, learner.mission_locale):
        raise PermissionDenied("Vous ne pouvez modifier que les jeunes de votre mission locale.")
    current = profile.contact_consent_on
    consent_on = (current or timezone.localdate()) if contact_consent else None
    profile.phone, profile.email, profile.contact_consent_on = check_contact(
        phone, email, consent_on
    )
    profile.save(update_fields=["phone", "email", "contact_consent_on"])
    journal.record(
        journal.Kind.LEARNER_UPDATED,
        learner,
        actor=by,
        payload={"fields": ["contact"]},
    )
    return profile


def shared_contact(profile: YouthProfile | None) -> tuple[str, str] | None:
    """What the centre may see of the young person's contact: only with their dated consent."""
    if profile is None or profile.contact_consent_on is None:
        return None
    if not (profile.phone or profile.email):
        return None
    return profile.phone, profile.email


@dataclass
class YoungPersonWrite:
    """One row of the youth-profiles import, checked by the importer with the rules of
    `create_young_person`: the young person (new, or existing with its changed fields set) and
    their orientation profile (likewise), and the sectors when they change."""

    learner: Learner
    profile: YouthProfile
    learner_fields: list[str] = field(default_factory=list)
    profile_fields: list[str] = field(default_factory=list)
    #: The sectors' ids when they are to be set (new profile, or changed); None: unchanged.
    sector_ids: frozenset[int] | None = None


@transaction.atomic
def save_young_people(writes: Sequence[YoungPersonWrite], *, by: Actor) -> None:
    """The bulk writes of the youth-profiles import: new young people (followed by their mission
    locale) and profiles created, changed fields updated, sectors set; a changed identity is a
    `learner.updated` event (its fields named, never their values), as from the record's form."""
    new_learners = [w.learner for w in writes if w.learner.pk is None]
    for learner in new_learners:
        learner.kind = Kind.YOUTH
        learner.status = LearnerStatus.FOLLOWED
    Learner.objects.bulk_create(new_learners, batch_size=1_000)
    journal.record_many(journal.Kind.YOUNG_PERSON_CREATED, new_learners, actor=by)
    changed = [w for w in writes if w.learner.pk is not None and w.learner_fields]
    fields = sorted({name for w in changed for name in w.learner_fields})
    if changed:
        Learner.objects.bulk_update([w.learner for w in changed], fields, batch_size=1_000)
        journal.record_many(
            journal.Kind.LEARNER_UPDATED,
            [w.learner for w in changed],
            actor=by,
            payloads=[{"fields": sorted(w.learner_fields)} for w in changed],
        )
    created_by = acting_user(by)
    new_profiles: list[YouthProfile] = []
    for write in writes:
        if write.profile.pk is None:
            write.profile.learner = write.learner
            write.profile.created_by = created_by
            new_profiles.append(write.profile)
    YouthProfile.objects.bulk_create(new_profiles, batch_size=1_000)
    updated = [w.profile for w in writes if w.profile.pk is not None and w.profile_fields]
    profile_fields = sorted({name for w in writes for name in w.profile_fields})
    if updated and profile_fields:
        YouthProfile.objects.bulk_update(updated, profile_fields, batch_size=1_000)
    through = YouthProfile.sectors.through
    with_sectors = [w for w in writes if w.sector_ids is not None]
    through.objects.filter(
        youthprofile_id__in=[w.profile.pk for w in with_sectors if w.profile.pk]
    ).delete()
    through.objects.bulk_create(
        [
            through(youthprofile_id=w.profile.pk, sector_id=sector_id)
            for w in with_sectors
            for sector_id in sorted(w.sector_ids or ())
        ],
        batch_size=2_000,
    )


@transaction.atomic
def save_centre_offers(
    to_create: Sequence[CentreOffer], to_update: Sequence[CentreOffer], fields: Sequence[str]
) -> None:
    """The bulk writes of the centre-offers import (rows checked by the importer)."""
    CentreOffer.objects.bulk_create(to_create, batch_size=2_000)
    if to_update and fields:
        CentreOffer.objects.bulk_update(to_update, list(fields), batch_size=2_000)
    journal.record_many(
        journal.Kind.CENTRE_OFFERS_SAVED, [*to_create, *(to_update if fields else [])]
    )


# ---------------------------------------------------------------------------------------------
# Referrals


@transaction.atomic
@journal.emits(journal.Kind.REFERRAL_SENT, lambda referral, _: referral)
def send_referral(
    learner: Learner,
    *,
    offer: CentreOffer,
    message: str,
    by: UserLike,
    now: datetime | None = None,
) -> Referral:
    """Refer a young person of the sender's mission locale to a centre's offer."""
    now = now or timezone.now()
    scope = scope_of(by)
    if not (scope.everything or scope.role in SENDERS):
        raise PermissionDenied("Votre rôle ne permet pas d'orienter un jeune vers un centre Cnam.")
    # Lock the young person: two referrals sent at once cannot both pass the duplicate check.
    locked = Learner.objects.select_for_update().filter(pk=learner.pk).first()
    if locked is None or not Learner.permissions.can_read(by, locked):
        raise PermissionDenied("Ce jeune n'est pas suivi par votre mission locale.")
    if locked.kind != Kind.YOUTH or locked.mission_locale_id is None:
        raise ValidationError(
            "Seul un jeune suivi par une mission locale peut être orienté vers un centre Cnam."
        )
    profile = YouthProfile.objects.select_related("commune").filter(learner=locked).first()
    if profile is None:
        raise ValidationError("Complétez d'abord le profil d'orientation de ce jeune.")
    problem = age_problem(
        locked.birth_date, timezone.localdate(now), when=" à la date de l'orientation"
    )
    if problem:
        raise ValidationError(problem)
    offer = CentreOffer.objects.select_related("centre__commune", "formation").get(pk=offer.pk)
    centre, formation = offer.centre, offer.formation
    live = (
        Referral.objects.filter(learner=locked, centre=centre, formation=formation)
        .exclude(status=Status.CLOSED)
        .first()
    )
    if live is not None:
        raise ValidationError(
            f"{locked.full_name} a déjà une orientation en cours vers « {formation.title} » "
            f"({centre.name}), envoyée le {timezone.localtime(live.sent_at):%d/%m/%Y} "
            f"(statut « {live.get_status_display()} »)."
        )
    size = centre.commune.size_class
    referral = Referral(
        learner=locked,
        mission_locale_id=locked.mission_locale_id,
        centre=centre,
        formation=formation,
        modality=offer.modality,
        distance_km=distance_between(profile.commune, centre.commune),
        size_class=size.value if size else "",
        message=message.strip(),
        sent_at=now,
        updated_at=now,
        created_by=acting_user(by),
    )
    referral.full_clean(exclude=["status"])
    referral.save()
    ReferralEvent.objects.create(
        referral=referral,
        from_status="",
        to_status=Referral.Status.SENT,
        by=referral.created_by,
        at=now,
        note="",
    )
    return referral


#: Each step is dated as its move (`updated_at`, set by the move).
PIPELINE = Pipeline(
    Referral,
    TRANSITIONS,
    "Cette orientation",
    history(ReferralEvent, "referral", dated=lambda referral: referral.updated_at),
)


def allowed_referral_moves(referral: Referral, user: Any) -> list[Move]:
    """The moves this user may make now on this referral, in the order of TRANSITIONS."""
    if not Referral.permissions.can_read(user, referral):
        return []
    return PIPELINE.available(referral, user)


@transaction.atomic
def move_referral(
    referral: Referral,
    name: str,
    *,
    by: Actor,
    reason: str = "",
    note: str = "",
    version: int | None = None,
    now: datetime | None = None,
    contact_known: bool = True,
) -> Referral:
    """Make one move of the referral's pipeline as `by`, and record it (who, when, note); `by`
    None is the command line (an administrator's: no scope or role check). The forms, the API
    and the referrals import all move referrals here.

    `reason` is the close reason (a CloseReason value) for "close"; for the other moves it is
    taken as the note when no `note` is given. `contact_known` False (an imported move): the
    date of the first contact is unknown, none is recorded. Returns a fresh instance: the status field is
    protected, so the caller's instance is left as it was."""
    now = now or timezone.now()
    spec = TRANSITIONS.get(name)
    note = note.strip() if name == "close" else (note or reason).strip()

    def prepare(current: Referral) -> list[str]:
        if spec is not None and spec.needs_reason and reason not in CloseReason.values:
            choices = " ; ".join(str(label) for label in CloseReason.labels)
            raise ValidationError({"reason": f"Choisissez le motif de clôture ({choices})."})
        if now < current.sent_at:
            raise ValidationError("La date de l'étape précède l'envoi de l'orientation.")
        if now > timezone.now() + timedelta(minutes=5):
            raise ValidationError("La date de l'étape ne peut pas être dans le futur.")
        last = current.events.order_by("-at").values_list("at", flat=True).first()
        if last is not None and now < last:
            raise ValidationError(
                "La date de l'étape précède la dernière étape enregistrée "
                f"({timezone.localtime(last):%d/%m/%Y})."
            )
        fields = ["updated_at"]
        current.updated_at = now
        if name == "close":
            current.close_reason = reason
            fields.append("close_reason")
        if current.status == Status.SENT and name != "close" and contact_known:
            # The first move out of "sent" is the centre's first contact; closing is not one.
            current.first_contact_at = now
            current.first_contact_days = elapsed_days(current.sent_at, now)
            fields += ["first_contact_at", "first_contact_days"]
        return fields

    current, from_status = advance(
        PIPELINE, referral, name, by=by, version=version, note=note, prepare=prepare
    )
    journal.record(
        journal.Kind.REFERRAL_STATUS_CHANGED,
        current,
        actor=by,
        payload={
            "referral": current.pk,
            "learner": current.learner.reference,
            "mission_locale": current.mission_locale.code,
            "centre": current.centre.code,
            "formation": current.formation.code,
            "from_status": from_status,
            "to_status": current.status,
            "close_reason": current.close_reason,
            "version": current.version,
            "at": current.updated_at,
            "by": by.get_username() if by is not None and by.is_authenticated else "",
        },
    )
    return current


#: Short name, as in enrolment.services.
allowed_moves = allowed_referral_moves


def elapsed_days(start: datetime, end: datetime) -> int:
    """Whole days (24 h) from `start` to `end`."""
    return max(0, int((end - start).total_seconds() // 86_400))


def reminder_cutoff(today: date) -> datetime:
    """Referrals sent before this instant have waited more than REMINDER_DAYS days on `today`."""
    day = today - timedelta(days=REMINDER_DAYS)
    return timezone.make_aware(datetime.combine(day, time.min))


def reminders(user: Any, *, today: date | None = None) -> QuerySet[Referral]:
    """Referrals in the user's scope still "sent" more than REMINDER_DAYS days after they were
    sent (counted in calendar days), the oldest first."""
    today = today or timezone.localdate()
    waiting = Referral.objects.filter(status=Status.SENT, sent_at__lt=reminder_cutoff(today))
    return (
        Referral.permissions.readable(user, waiting)
        .select_related("learner", "mission_locale", "centre", "formation")
        .order_by("sent_at", "pk")
    )


def count_reminders(user: Any, *, today: date | None = None) -> int:
    """`reminders(user).count()`. On PostgreSQL a region's are counted inside the indexes on
    (centre, status, sent_at) and (mission_locale, status, sent_at) (Referral.permissions.
    readable_count: 41 -> 14 ms at national scale); SQLite's planner counts those both from a
    region's missions locales and to its centres on the wrong index (20 ms, 7.6 ms at once)."""
    today = today or timezone.localdate()
    waiting = Referral.objects.filter(status=Status.SENT, sent_at__lt=reminder_cutoff(today))
    if connections[waiting.db].vendor == "postgresql":
        return Referral.permissions.readable_count(user, waiting)
    # Once per change of the referrals (core.stamps): every page of the list shows it.
    return stamped_count(Referral.permissions.readable(user, waiting))


def days_waiting(referral: Referral, today: date | None = None) -> int:
    """Calendar days since the referral was sent."""
    today = today or timezone.localdate()
    return (today - timezone.localdate(referral.sent_at)).days


#: The forward order of the statuses (the moves_between path).
ORDER: dict[str, int] = {
    Referral.Status.SENT: 0,
    Referral.Status.CONTACTED: 1,
    Referral.Status.INFORMATION_MEETING: 2,
    Referral.Status.ENROLLED: 3,
}


def moves_between(current: str, target: str) -> list[str] | None:
    """The transitions (method names) that bring a referral from `current` to `target`, in
    order; [] when equal; None when the pipeline does not allow it (backwards, or out of
    "closed" or "enrolled")."""
    if current == target:
        return []
    if current in (Referral.Status.CLOSED, Referral.Status.ENROLLED):
        return None
    if target == Referral.Status.CLOSED:
        return ["close"]
    if ORDER[target] < ORDER[current]:
        return None
    moves: list[str] = []
    state = current
    while state != target:
        if state == Referral.Status.SENT:
            moves.append("contact")
            state = Referral.Status.CONTACTED
        elif state == Referral.Status.CONTACTED and target == Referral.Status.INFORMATION_MEETING:
            moves.append("meet")
            state = Referral.Status.INFORMATION_MEETING
        else:
            moves.append("enrol")
            state = Referral.Status.ENROLLED
    return moves


def save_referrals(
    to_create: list[Referral],
    to_update: list[Referral],
    fields: list[str],
    *,
    moves: Mapping[int, str],
    note: str,
    by: Actor,
    now: datetime,
) -> list[tuple[Referral, str, bool, str]]:
    """The bulk variant for the referrals import (rows checked by the importer with the form's
    rules). New referrals with their history (sent, then the file's status); changed fields in
    bulk with a new version; then each status change (`moves`: referral id → status) through
    `move_referral`, as on the page: its checks, its history, its journal event and webhook.
    Returns the refused moves: (referral, status before, refused by the role matrix, message);
    the caller rejects the import when there is any (its transaction writes nothing)."""
    created = Referral.objects.bulk_create(to_create, batch_size=2_000)
    journal.record_many(journal.Kind.REFERRAL_SENT, created, actor=by)
    author = acting_user(by)
    events: list[ReferralEvent] = []
    for referral in created:
        events.append(
            ReferralEvent(
                referral=referral,
                from_status="",
                to_status=Referral.Status.SENT,
                by=author,
                at=referral.sent_at,
                note=note,
            )
        )
        if referral.status != Referral.Status.SENT:
            events.append(
                ReferralEvent(
                    referral=referral,
                    from_status=Referral.Status.SENT,
                    to_status=referral.status,
                    by=author,
                    at=max(now, referral.sent_at),
                    note=f"{note} : statut repris du fichier",
                )
            )
    # The status moves below, by the service (which dates the change itself).
    fields = sorted(set(fields) - {"status", "updated_at"})
    changed = to_update if fields else []
    for referral in changed:
        referral.version += 1
        referral.updated_at = now
    save_objects(Referral, [], changed, sorted({*fields, "version", "updated_at"}))
    ReferralEvent.objects.bulk_create(events, batch_size=2_000)
    refused: list[tuple[Referral, str, bool, str]] = []
    for referral in to_update:
        target = moves.get(referral.pk)
        if target is None:
            continue
        before = Referral.objects.values_list("status", flat=True).get(pk=referral.pk)
        try:
            steps = moves_between(before, target)
            if steps is None:
                raise ValidationError(target)
            for name in steps:
                move_referral(
                    referral,
                    name,
                    by=by,
                    reason=referral.close_reason if name == "close" else "",
                    note=note,
                    now=now,
                    contact_known=False,
                )
        except PermissionDenied as denied:  # the same matrix as the page's
            refused.append((referral, before, True, str(denied)))
        except ValidationError:
            refused.append((referral, before, False, ""))
    return refused


@transaction.atomic
def ensure_centre_offer(
    centre: CnamCentre, formation: Formation, *, modality: str, next_start: date | None
) -> tuple[CentreOffer, bool]:
    """The centre's offer of the formation, created with these when it is missing (the demo's
    offers). Returns it and whether it was created."""
    offer, created = CentreOffer.objects.get_or_create(
        centre=centre,
        formation=formation,
        defaults={"modality": modality, "next_start": next_start},
    )
    if created:
        journal.record(journal.Kind.CENTRE_OFFERS_SAVED, offer)
    return offer, created


@transaction.atomic
def insert_young_person_history(
    learner: Learner, profile: YouthProfile, sector_ids: Sequence[int]
) -> Learner:
    """A young person of a history written after the fact (the demo's), with their profile;
    the event without consequences."""
    learner.kind = Kind.YOUTH
    learner.status = LearnerStatus.FOLLOWED
    learner.save()
    profile.learner = learner
    profile.save()
    profile.sectors.set(sector_ids)
    journal.record_many(journal.Kind.YOUNG_PERSON_CREATED, [learner], consequences=False)
    return learner


@transaction.atomic
def insert_referral_history(referral: Referral, steps: Sequence[ReferralEvent]) -> Referral:
    """A referral of a history, with its steps as they happened; its events without
    consequences (no webhook for a past that partners never subscribed to)."""
    referral.save()
    for step in steps:
        step.referral = referral
    ReferralEvent.objects.bulk_create(steps)
    journal.record_many(journal.Kind.REFERRAL_SENT, [referral], consequences=False)
    moves = [step for step in steps if step.from_status]
    journal.record_many(
        journal.Kind.REFERRAL_STATUS_CHANGED,
        [referral for _ in moves],
        payloads=[
            {"from_status": m.from_status, "to_status": m.to_status, "at": m.at} for m in moves
        ],
        consequences=False,
    )
    return referral
