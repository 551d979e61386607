"""Demo orientation: the demo Cnam centres' offers, about sixty fictitious young people followed
by the fifteen demo missions locales, living in real communes near them, and a year of referrals
(November 2025 to November 2026) in every state of the pipeline, with their steps.

Everything comes from one seeded `random.Random` walked in a fixed order, and every date is
fixed (the demo's "today" is `tremplin.demo.learners.DEMO_NOW`): two loads on the same reference
data give the same rows, whatever the day. A second load creates nothing: offers are keyed on
(centre, formation), young people on their reference (`J26-0001`…), and a young person's
referrals are written with them.

The demo counselor `conseil-ml` (Mission locale du Pays de Saint-Malo) sends the Saint-Malo
referrals; the first referral of every Saint-Malo young person goes to Cnam Bretagne (DEMO-BRE),
where `centre-rennes` works, the others to the Bretagne centres nearby. Some referrals have
waited for a first contact for more than 15 days (reminders); most go to centres in small and
medium towns.

Names are drawn from the learners' demo lists, combined at random: they designate nobody.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from tremplin.accounts.models import User
from tremplin.catalog.models import Formation, Level, Modality, Sector
from tremplin.demo.learners import DEMO_NOW, FEMALE_FIRST_NAMES, MALE_FIRST_NAMES, SURNAMES
from tremplin.demo.places import CENTRES, MISSIONS_LOCALES
from tremplin.learners.models import Kind, Learner, Status
from tremplin.orientation.models import (
    CentreOffer,
    CloseReason,
    Qualification,
    Referral,
    ReferralEvent,
    Rhythm,
    YouthProfile,
)
from tremplin.orientation.proposals import (
    bounding_box,
    distance_between,
    geodesic_km,
    levels_for,
    propose,
)
from tremplin.orientation.services import (
    elapsed_days,
    ensure_centre_offer,
    insert_referral_history,
    insert_young_person_history,
)
from tremplin.places.models import CnamCentre, Commune, MissionLocale, SizeClass

__all__ = ["DEMO_SEED", "FIRST_SENT", "LAST_SENT", "load_orientation"]

DEMO_SEED = 20210609  # the convention State / UNML / Cnam
FIRST_SENT = date(2025, 11, 3)
LAST_SENT = date(2026, 11, 20)
TZ = ZoneInfo("Europe/Paris")
REFERENCE_PREFIX = "J26-"
COUNSELOR = "conseil-ml"
CENTRE_STAFF = "centre-rennes"
STMALO = "DEMO-ML-STMALO"
BRETAGNE = "DEMO-BRE"
NEXT_STARTS = (
    date(2027, 1, 11),
    date(2027, 2, 1),
    date(2027, 3, 8),
    date(2027, 9, 13),
    date(2027, 10, 4),
)
#: Young people per mission locale (60 in all); the others have 3.
PEOPLE = {
    STMALO: 10,
    "DEMO-ML-RENNES": 5,
    "DEMO-ML-FOUGERES": 4,
    "DEMO-ML-GUINGAMP": 4,
    "DEMO-ML-MORLAIX": 4,
    "DEMO-ML-PONTIVY": 4,
    "DEMO-ML-MEAUX": 4,
    "DEMO-ML-DENAIN": 4,
}
#: Young people live within this distance of their mission locale.
NEIGHBOURHOOD_KM = 25.0
SMALL_MEDIUM = (SizeClass.SMALL, SizeClass.MEDIUM)
Step = tuple[str, str, datetime, str]  # (from status, to status, when, note)


@dataclass
class PlannedReferral:
    offer: CentreOffer
    sent_at: datetime
    message: str
    steps: list[Step] = field(default_factory=list)
    close_reason: str = ""

    @property
    def status(self) -> str:
        return self.steps[-1][1] if self.steps else Referral.Status.SENT


@dataclass
class PlannedYoungPerson:
    reference: str
    first_name: str
    last_name: str
    birth_date: date
    mission_locale: MissionLocale
    commune: Commune
    qualification: str
    sectors: list[Sector]
    can_travel: bool
    max_distance_km: int | None
    available_from: date
    rhythm: str
    referrals: list[PlannedReferral] = field(default_factory=list)


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))), TZ)


# ---------------------------------------------------------------------------------------------
# Offers


def _offers(rng: random.Random) -> list[tuple[str, str, str, date]]:
    """(centre code, formation code, modality, next start) of every demo centre."""
    post_bac = sorted(Formation.objects.filter(level=Level.POST_BAC).values_list("code", flat=True))
    pre_bac = sorted(
        Formation.objects.filter(level=Level.PRE_BAC)
        .exclude(kind="business_creation_programme")
        .values_list("code", flat=True)
    )
    planned: list[tuple[str, str, str, date]] = []
    for index, (code, _name, kind, _town, _dep) in enumerate(CENTRES):
        on_site = rng.sample(post_bac, 8 if kind == "regional" else 5)
        for formation in sorted(on_site):
            modality = rng.choice((Modality.ON_SITE, Modality.ON_SITE, Modality.HYBRID))
            planned.append((code, formation, modality.value, rng.choice(NEXT_STARTS)))
        if kind == "regional":
            remote = rng.sample([f for f in post_bac if f not in on_site], 4)
            for formation in sorted(remote):
                planned.append((code, formation, Modality.DISTANCE.value, rng.choice(NEXT_STARTS)))
        elif index % 2 == 0:
            for formation in pre_bac:
                planned.append((code, formation, Modality.ON_SITE.value, rng.choice(NEXT_STARTS)))
    return planned


# ---------------------------------------------------------------------------------------------
# Young people and their referrals


def _neighbourhood(ml: MissionLocale) -> list[Commune]:
    """Real communes of at least 300 inhabitants within NEIGHBOURHOOD_KM of the mission locale."""
    town = ml.commune
    assert town.latitude is not None and town.longitude is not None
    lat_min, lat_max, lon_min, lon_max = bounding_box(
        town.latitude, town.longitude, NEIGHBOURHOOD_KM
    )
    near = Commune.objects.filter(
        kind=Commune.Kind.COMMUNE,
        population__gte=300,
        latitude__gte=lat_min,
        latitude__lte=lat_max,
        longitude__gte=lon_min,
        longitude__lte=lon_max,
    ).order_by("code")
    return [
        c
        for c in near
        if (geodesic_km((town.latitude, town.longitude), (c.latitude, c.longitude)) or 0.0)
        <= NEIGHBOURHOOD_KM
    ]


MESSAGES = (
    "Projet construit en atelier collectif ; disponible en semaine.",
    "Souhaite une formation courte menant à l'emploi. Joignable l'après-midi.",
    "A déjà une expérience en alternance ; attend un rendez-vous d'information.",
    "Motivé·e, sans solution de transport le samedi.",
    "Demande à être rappelé·e après 17 h.",
    "",
)
CLOSE_NOTES = {
    CloseReason.NO_ANSWER: "Trois appels et un courriel sans réponse.",
    CloseReason.NOT_ELIGIBLE: "Prérequis non réunis pour cette session.",
    CloseReason.OTHER_PATH: "A trouvé un contrat en alternance.",
    CloseReason.CENTRE_FULL: "Session complète : proposée à la rentrée suivante.",
}


def _steps(rng: random.Random, sent_at: datetime, stale: bool) -> tuple[list[Step], str]:
    """The steps after sending, all before the demo's today, and the close reason if any."""
    S = Referral.Status
    end = datetime.combine(DEMO_NOW, time(18, 0), TZ)
    steps: list[Step] = []
    if stale:
        return steps, ""
    outcome = rng.choices(
        ("contacted", "meeting", "enrolled", "closed_sent", "closed_later"),
        weights=(14, 16, 30, 12, 28),
    )[0]
    if outcome == "closed_sent":
        when = sent_at + timedelta(days=rng.randint(16, 40), hours=rng.randint(0, 3))
        if when > end:
            return steps, ""
        reason = rng.choice((CloseReason.NO_ANSWER, CloseReason.OTHER_PATH))
        return [(S.SENT, S.CLOSED, when, CLOSE_NOTES[reason])], reason.value
    when = sent_at + timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 5))
    if when > end:
        return steps, ""
    steps.append((S.SENT, S.CONTACTED, when, "Premier appel au jeune."))
    if outcome == "contacted":
        return steps, ""
    closing = outcome == "closed_later"
    if outcome in ("meeting", "enrolled") or (closing and rng.random() < 0.6):
        when += timedelta(days=rng.randint(5, 20))
        if when > end:
            return steps, ""
        steps.append((S.CONTACTED, S.INFORMATION_MEETING, when, "Réunion d'information au centre."))
    if outcome == "enrolled":
        when += timedelta(days=rng.randint(7, 30))
        if when > end:
            return steps, ""
        steps.append((steps[-1][1], S.ENROLLED, when, "Inscription faite."))
    elif closing:
        when += timedelta(days=rng.randint(7, 30))
        if when > end:
            return steps, ""
        reason = rng.choice(
            (CloseReason.NOT_ELIGIBLE, CloseReason.OTHER_PATH, CloseReason.CENTRE_FULL)
        )
        steps.append((steps[-1][1], S.CLOSED, when, CLOSE_NOTES[reason]))
        return steps, reason.value
    return steps, ""


def _plan(rng: random.Random) -> list[PlannedYoungPerson]:
    sectors = list(Sector.objects.order_by("code"))
    bretagne_codes = {c[0] for c in CENTRES if c[0].startswith(BRETAGNE)}
    demo_codes = {c[0] for c in CENTRES}
    offers = {
        o.pk: o
        for o in CentreOffer.objects.select_related("centre__commune", "formation").filter(
            centre__code__in=demo_codes
        )
    }
    names: set[tuple[str, str]] = set()
    people: list[PlannedYoungPerson] = []
    for ml_code, _name, _town, _dep in MISSIONS_LOCALES:
        ml = MissionLocale.objects.select_related("commune").get(code=ml_code)
        around = _neighbourhood(ml)
        count = PEOPLE.get(ml_code, 3)
        for _ in range(count):
            woman = rng.random() < 0.5
            while True:
                name = (
                    rng.choice(FEMALE_FIRST_NAMES if woman else MALE_FIRST_NAMES),
                    rng.choice(SURNAMES),
                )
                if name not in names:
                    names.add(name)
                    break
            commune = ml.commune if rng.random() < 0.4 or not around else rng.choice(around)
            can_travel = rng.random() < 0.85
            stmalo = ml_code == STMALO
            person = PlannedYoungPerson(
                reference=f"{REFERENCE_PREFIX}{len(people) + 1:04d}",
                first_name=name[0],
                last_name=name[1],
                # 17 to 24 all year long: 16 to 25 on every sending date.
                birth_date=date(2002, 12, 1) + timedelta(days=rng.randint(0, 2_100)),
                mission_locale=ml,
                commune=commune,
                qualification=rng.choices(Qualification.values, weights=(40, 45, 15))[0],
                sectors=sorted(rng.sample(sectors, rng.randint(1, 2)), key=lambda s: s.code),
                can_travel=can_travel or stmalo,
                max_distance_km=rng.choice((80, 100)) if stmalo else rng.choice((30, 50, 80)),
                available_from=date(2026, 9, 1) + timedelta(days=rng.randint(0, 240)),
                rhythm=rng.choice(Rhythm.values),
            )
            if not person.can_travel:
                person.max_distance_km = None
            people.append(person)
            _plan_referrals(rng, person, offers, bretagne_codes)
    return people


def _plan_referrals(
    rng: random.Random,
    person: PlannedYoungPerson,
    offers: dict[int, CentreOffer],
    bretagne_codes: set[str],
) -> None:
    stmalo = person.mission_locale.code == STMALO
    count = rng.randint(2, 3) if stmalo else rng.randint(1, 3)
    span = (LAST_SENT - FIRST_SENT).days
    days = sorted(rng.sample(range(span + 1), count))
    used: set[int] = set()
    for n, day in enumerate(days):
        sent_on = FIRST_SENT + timedelta(days=day)
        result = propose(
            person.commune,
            radius_km=float(person.max_distance_km) if person.max_distance_km else 0.0,
            qualification=person.qualification,
            sectors=person.sectors if rng.random() < 0.7 else (),
            today=sent_on,
        )
        candidates = [
            p.offer_id
            for p in (*result.near[:6], *result.remote[:4])
            if p.offer_id in offers and p.offer_id not in used
        ]
        if stmalo:
            # The first one to Cnam Bretagne (Rennes), the others to the Bretagne centres.
            wanted = {BRETAGNE} if n == 0 else bretagne_codes
            candidates = [i for i in candidates if offers[i].centre.code in wanted] or [
                i for i in _offers_of(offers, BRETAGNE, person.qualification) if i not in used
            ]
        if not candidates:
            continue
        # Small and medium towns first, as the convention wishes.
        weights = [
            3 if offers[i].centre.commune.size_class in SMALL_MEDIUM else 1 for i in candidates
        ]
        chosen = rng.choices(candidates, weights=weights)[0]
        used.add(chosen)
        sent_at = _at(sent_on, rng)
        age_days = (DEMO_NOW - sent_on).days
        stale = age_days < 10 or rng.random() < 0.1
        steps, reason = _steps(rng, sent_at, stale)
        person.referrals.append(
            PlannedReferral(
                offer=offers[chosen],
                sent_at=sent_at,
                message=rng.choice(MESSAGES),
                steps=steps,
                close_reason=reason,
            )
        )


def _offers_of(offers: dict[int, CentreOffer], centre: str, qualification: str) -> list[int]:
    """A centre's offers that fit the qualification (see proposals.levels_for), by code."""
    levels = levels_for(qualification)
    return [
        o.pk
        for o in sorted(offers.values(), key=lambda o: o.formation.code)
        if o.centre.code == centre and o.formation.level in levels
    ]


# ---------------------------------------------------------------------------------------------
# Writing


def _write(people: Sequence[PlannedYoungPerson], users: dict[str, User]) -> tuple[int, int, int]:
    counselor = users.get(COUNSELOR)
    staff = users.get(CENTRE_STAFF)
    created = referrals = steps = 0
    existing = set(
        Learner.objects.filter(reference__startswith=REFERENCE_PREFIX).values_list(
            "reference", flat=True
        )
    )
    for person in people:
        if person.reference in existing:
            continue
        learner = Learner(
            reference=person.reference,
            last_name=person.last_name,
            first_name=person.first_name,
            birth_date=person.birth_date,
            kind=Kind.YOUTH,
            status=Status.FOLLOWED,
            mission_locale=person.mission_locale,
        )
        sender = counselor if person.mission_locale.code == STMALO else None
        profile = YouthProfile(
            commune=person.commune,
            qualification=person.qualification,
            can_travel=person.can_travel,
            max_distance_km=person.max_distance_km,
            available_from=person.available_from,
            rhythm=person.rhythm,
            created_by=sender,
        )
        insert_young_person_history(learner, profile, [s.pk for s in person.sectors])
        created += 1
        for planned in person.referrals:
            offer = planned.offer
            centre_commune = offer.centre.commune
            size = centre_commune.size_class
            contact = next(
                (when for (before, _after, when, _note) in planned.steps if before == "sent"),
                None,
            )
            first_contact = (
                contact
                if contact is not None and planned.steps[0][1] != Referral.Status.CLOSED
                else None
            )
            referral = Referral(
                learner=learner,
                mission_locale=person.mission_locale,
                centre=offer.centre,
                formation=offer.formation,
                modality=offer.modality,
                distance_km=distance_between(person.commune, centre_commune),
                size_class=size.value if size else "",
                message=planned.message,
                status=planned.status,
                close_reason=planned.close_reason,
                sent_at=planned.sent_at,
                first_contact_at=first_contact,
                first_contact_days=(
                    None if first_contact is None else elapsed_days(planned.sent_at, first_contact)
                ),
                updated_at=planned.steps[-1][2] if planned.steps else planned.sent_at,
                created_by=sender,
                version=1 + len(planned.steps),
            )
            referrals += 1
            at_centre = staff if offer.centre.code == BRETAGNE else None
            events = [
                ReferralEvent(
                    from_status="",
                    to_status=Referral.Status.SENT,
                    by=sender,
                    at=planned.sent_at,
                )
            ]
            for before, after, when, note in planned.steps:
                by = (
                    sender
                    if after == Referral.Status.CLOSED
                    and planned.close_reason == CloseReason.OTHER_PATH
                    else at_centre
                )
                events.append(
                    ReferralEvent(
                        from_status=before,
                        to_status=after,
                        by=by,
                        at=when,
                        note=note,
                    )
                )
            insert_referral_history(referral, events)
            steps += len(events)
    return created, referrals, steps


@transaction.atomic
def load_orientation() -> list[str]:
    rng = random.Random(DEMO_SEED)  # noqa: S311 - fictitious data, not security
    centres = {c.code: c for c in CnamCentre.objects.filter(code__in=[c[0] for c in CENTRES])}
    formations = {f.code: f for f in Formation.objects.all()}
    offers_created = 0
    for centre_code, formation_code, modality, next_start in _offers(rng):
        _, made = ensure_centre_offer(
            centres[centre_code],
            formations[formation_code],
            modality=modality,
            next_start=next_start,
        )
        offers_created += made
    users = {u.username: u for u in User.objects.filter(username__in=(COUNSELOR, CENTRE_STAFF))}
    people = _plan(rng)
    created, referrals, steps = _write(people, users)
    planned = sum(len(p.referrals) for p in people)
    lines = [
        f"Orientation : {CentreOffer.objects.filter(centre__in=centres.values()).count()} offres "
        f"dans {len(centres)} centres de démonstration ({offers_created} créées)."
    ]
    if created:
        lines.append(
            f"Orientation : {created} jeunes fictifs de {len(MISSIONS_LOCALES)} missions locales, "
            f"{referrals} orientations ({FIRST_SENT:%m/%Y} à {LAST_SENT:%m/%Y}), {steps} étapes."
        )
    else:
        lines.append(f"Orientation : {len(people)} jeunes et {planned} orientations déjà chargés.")
    return lines
