"""Reaching the young person: the counselor's form holds the young person's contact details and
their dated consent; the centre sees them only with that consent, always with the counselor's
contact; the centre dates a move when it happened (not in the future, not before the referral)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tremplin.accounts.models import User
from tremplin.orientation.models import CentreOffer, Referral, YouthProfile
from tremplin.orientation.services import move_referral, send_referral, update_contact

from .conftest import YoungPersonFactory

pytestmark = pytest.mark.django_db


def test_the_young_persons_contact_is_kept_formatted_with_the_consent_dated_today(
    young: YoungPersonFactory,
) -> None:
    learner = young(phone="0612345678", email="lina@example.org", contact_consent=True)
    profile = YouthProfile.objects.get(learner=learner)
    assert (profile.phone, profile.email) == ("06 12 34 56 78", "lina@example.org")
    assert profile.contact_consent_on == timezone.localdate()


@pytest.mark.parametrize(
    ("phone", "email", "consent", "field"),
    [
        ("appelez-moi", "", False, "phone"),
        ("", "pas une adresse", False, "email"),
        ("", "", True, "contact_consent"),  # a consent with nothing to pass on
    ],
)
def test_bad_contact_details_are_refused_naming_the_field(
    young: YoungPersonFactory, phone: str, email: str, consent: bool, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        young(phone=phone, email=email, contact_consent=consent)
    assert field in info.value.message_dict


def test_the_counselor_adds_the_contact_and_the_consent_on_the_young_persons_page(
    young: YoungPersonFactory, counselor: User, client_as: Callable[[User], Client]
) -> None:
    learner = young()
    client = client_as(counselor)
    page = client.get(f"/orientation/jeunes/{learner.pk}/").content.decode()
    assert "aucun téléphone ni courriel du jeune" in page
    answer = client.post(
        f"/orientation/jeunes/{learner.pk}/coordonnees/",
        {"phone": "06.12.34.56.78", "email": "", "contact_consent": "on"},
    )
    assert answer.status_code == 302
    profile = YouthProfile.objects.get(learner=learner)
    assert (profile.phone, profile.contact_consent_on) == ("06 12 34 56 78", timezone.localdate())
    answer = client.post(
        f"/orientation/jeunes/{learner.pk}/coordonnees/",
        {"phone": "", "email": "", "contact_consent": "on"},
    )
    assert answer.status_code == 400
    assert "Indiquez un téléphone ou un courriel" in answer.content.decode()


def referral_to_rennes(
    young: YoungPersonFactory, counselor: User, offers: dict[str, CentreOffer], **contact: object
) -> Referral:
    learner = young(**contact)
    return send_referral(
        learner,
        offer=offers["rennes"],
        message="",
        by=counselor,
        # At noon ten days ago: a step dated by its day is recorded at noon (views.py), so the
        # whole days between them do not depend on the hour the test runs.
        now=timezone.make_aware(
            datetime.combine(timezone.localdate() - timedelta(days=10), time(12))
        ),
    )


def test_the_centre_sees_the_contact_given_with_consent_and_the_counselors(
    young: YoungPersonFactory,
    counselor: User,
    staff: User,
    offers: dict[str, CentreOffer],
    client_as: Callable[[User], Client],
) -> None:
    referral = referral_to_rennes(
        young, counselor, offers, phone="0612345678", email="", contact_consent=True
    )
    page = client_as(staff).get(f"/orientation/{referral.pk}/").content.decode()
    assert 'href="tel:0612345678"' in page
    assert "Transmis avec son accord du" in page
    assert counselor.display_name in page


def test_without_consent_the_centre_sees_only_the_counselors_contact(
    young: YoungPersonFactory,
    counselor: User,
    staff: User,
    offers: dict[str, CentreOffer],
    client_as: Callable[[User], Client],
) -> None:
    referral = referral_to_rennes(young, counselor, offers, phone="0612345678")
    page = client_as(staff).get(f"/orientation/{referral.pk}/").content.decode()
    assert "0612345678" not in page and "06 12 34 56 78" not in page
    assert "par le conseiller" in page
    update_contact(
        referral.learner, phone="0612345678", email="", contact_consent=False, by=counselor
    )
    assert (
        "06 12 34 56 78"
        not in client_as(staff).get(f"/orientation/{referral.pk}/").content.decode()
    )


def test_the_centre_dates_the_first_contact_on_the_day_it_happened(
    young: YoungPersonFactory,
    counselor: User,
    staff: User,
    offers: dict[str, CentreOffer],
    client_as: Callable[[User], Client],
) -> None:
    referral = referral_to_rennes(young, counselor, offers)
    three_days_ago = timezone.localdate() - timedelta(days=3)
    client_as(staff).post(
        f"/orientation/{referral.pk}/contact/",
        {"contact-version": referral.version, "contact-on": three_days_ago.isoformat()},
    )
    moved = Referral.objects.get(pk=referral.pk)
    assert moved.status == "contacted"
    assert timezone.localtime(moved.first_contact_at).date() == three_days_ago
    assert moved.first_contact_days == 7


@pytest.mark.parametrize(
    ("days", "message"),
    [(2, "dans le futur"), (-20, "précède l'envoi")],
)
def test_a_move_dated_in_the_future_or_before_the_referral_is_refused(
    young: YoungPersonFactory,
    counselor: User,
    staff: User,
    offers: dict[str, CentreOffer],
    client_as: Callable[[User], Client],
    days: int,
    message: str,
) -> None:
    referral = referral_to_rennes(young, counselor, offers)
    on = timezone.localdate() + timedelta(days=days)
    client = client_as(staff)
    client.post(
        f"/orientation/{referral.pk}/contact/",
        {"contact-version": referral.version, "contact-on": on.isoformat()},
    )
    assert Referral.objects.get(pk=referral.pk).status == "sent"
    page = client.get(f"/orientation/{referral.pk}/").content.decode()
    assert message.split("'")[0] in page
    with pytest.raises(ValidationError, match=message):
        move_referral(referral, "contact", by=staff, now=timezone.now() + timedelta(days=days))


def test_a_move_cannot_be_dated_before_the_previous_one(
    young: YoungPersonFactory, counselor: User, staff: User, offers: dict[str, CentreOffer]
) -> None:
    referral = referral_to_rennes(young, counselor, offers)
    moved = move_referral(referral, "contact", by=staff, now=timezone.now() - timedelta(days=2))
    with pytest.raises(ValidationError, match="précède la dernière étape"):
        move_referral(
            moved,
            "close",
            by=staff,
            reason="no_answer",
            now=timezone.now() - timedelta(days=5),
        )
    assert Referral.objects.get(pk=referral.pk).status == "contacted"


def test_the_youth_profiles_import_refuses_a_second_file_for_the_same_young_person(
    young: YoungPersonFactory, counselor: User
) -> None:
    from tremplin.core.csvimport import ImportRejected
    from tremplin.orientation.profile_imports import YouthProfileImporter

    first = young(last_name="Le Goff", first_name="Anaïs")
    header = "Référence;Nom;Prénom;Date de naissance;Commune;Plus haut diplôme;Autre personne\n"
    line = f"ML-9000;LE GOFF;Anais;{first.birth_date:%d/%m/%Y};Saint-Malo;bac;"
    with pytest.raises(ImportRejected) as info:
        YouthProfileImporter(counselor).run((header + line + "\n").encode())
    (error,) = info.value.errors
    assert f"même personne que le dossier {first.reference}" in error.message
    YouthProfileImporter(counselor).run((header + line + "oui\n").encode())
    assert YouthProfile.objects.filter(learner__reference="ML-9000").exists()
