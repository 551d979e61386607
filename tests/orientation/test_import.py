"""`tremplin import referrals FILE`: a good file, idempotency, a corrected file moving a referral
forward, and one test per kind of error (each names its line, its column and its reason, and
nothing is written)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tremplin.accounts.models import User
from tremplin.api.models import Event
from tremplin.core.csvimport import ImportRejected
from tremplin.core.models import DomainEvent
from tremplin.core.registry import importers
from tremplin.learners.models import Kind, Learner, Status
from tremplin.learners.services import create_learner
from tremplin.orientation.importers import IMPORT_NOTE, ReferralImporter, moves_between
from tremplin.orientation.models import CentreOffer, Referral, ReferralEvent
from tremplin.places.models import Establishment

from .conftest import YoungPersonFactory, years_ago

pytestmark = pytest.mark.django_db

HEADER = "learner,centre,formation,sent_at,status,close_reason,message\n"
S = Referral.Status


@pytest.fixture
def people(young: YoungPersonFactory, offers: dict[str, CentreOffer]) -> list[Learner]:
    return [young(reference=f"JI-{n}", birth_date=years_ago(20)) for n in range(1, 4)]


GOOD = (
    HEADER
    + "JI-1,DEMO-BRE,CPN58,2026-03-02,sent,,Projet comptable\n"
    + "JI-1,DEMO-BRE-VITRE,CC13000,02/04/2026,enrolled,,\n"
    + "JI-2,demo-bre-stbrieuc,cpn58,2026-05-10,closed,no_answer,\n"
    + 'JI-3,DEMO-IDF,DIE3100,2026-06-01,contacted,,"Suivi, à distance"\n'
)


def write(tmp_path: Path, content: str, name: str = "orientations.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8"))
    return path


def run(
    tmp_path: Path, content: str, user: User | None = None, *, dry_run: bool = False
) -> dict[str, int]:
    report = ReferralImporter(user).run(content.encode("utf-8"), dry_run=dry_run)
    return {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}


def rejected(content: str, user: User | None = None) -> list[str]:
    before = (Referral.objects.count(), ReferralEvent.objects.count())
    with pytest.raises(ImportRejected) as error:
        ReferralImporter(user).run(content.encode("utf-8"))
    assert (Referral.objects.count(), ReferralEvent.objects.count()) == before
    return [str(e) for e in error.value.errors]


def test_the_importer_is_registered_for_counselors_and_the_national_coordinator() -> None:
    assert importers()["referrals"] is ReferralImporter
    assert ReferralImporter.roles == {"ml_counselor", "national_coordinator"}


def test_a_good_file_creates_the_referrals_in_their_status_with_their_steps(
    tmp_path: Path, people: list[Learner]
) -> None:
    assert run(tmp_path, GOOD) == {"created": 4, "updated": 0, "unchanged": 0}

    rennes = Referral.objects.get(learner__reference="JI-1", centre__code="DEMO-BRE")
    assert rennes.status == S.SENT
    assert timezone.localdate(rennes.sent_at) == date(2026, 3, 2)
    assert rennes.message == "Projet comptable"
    assert rennes.mission_locale.code == "DEMO-ML-STMALO"
    assert rennes.distance_km == Decimal("62.8")
    assert rennes.size_class == "large"
    assert rennes.modality == "on_site"
    vitre = Referral.objects.get(learner__reference="JI-1", centre__code="DEMO-BRE-VITRE")
    assert vitre.status == S.ENROLLED
    assert vitre.size_class == "small"
    assert vitre.first_contact_at is None  # the file does not say when
    assert [(e.from_status, e.to_status) for e in vitre.events.all()] == [
        ("", S.SENT),
        (S.SENT, S.ENROLLED),
    ]
    closed = Referral.objects.get(learner__reference="JI-2")
    assert (closed.status, closed.close_reason) == (S.CLOSED, "no_answer")
    assert Referral.objects.get(learner__reference="JI-3").message == "Suivi, à distance"


def test_importing_the_same_file_twice_changes_nothing(
    tmp_path: Path, people: list[Learner]
) -> None:
    run(tmp_path, GOOD)
    events = ReferralEvent.objects.count()

    assert run(tmp_path, GOOD) == {"created": 0, "updated": 0, "unchanged": 4}
    assert ReferralEvent.objects.count() == events


def test_a_referral_sent_in_tremplin_is_matched_on_its_sending_day(
    tmp_path: Path, people: list[Learner], counselor: User, offers: dict[str, CentreOffer]
) -> None:
    from tremplin.orientation.services import send_referral

    from .conftest import at

    sent = send_referral(
        people[0], offer=offers["rennes"], message="", by=counselor, now=at(date(2026, 3, 2), 16)
    )

    assert run(tmp_path, HEADER + "JI-1,DEMO-BRE,CPN58,2026-03-02,sent,,\n") == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
    }
    assert Referral.objects.get(pk=sent.pk).sent_at == at(date(2026, 3, 2), 16)


def test_a_corrected_file_moves_a_referral_forward_and_records_the_step(
    tmp_path: Path, people: list[Learner]
) -> None:
    run(tmp_path, GOOD)
    corrected = GOOD.replace(
        "JI-1,DEMO-BRE,CPN58,2026-03-02,sent,,Projet comptable",
        "JI-1,DEMO-BRE,CPN58,2026-03-02,information_meeting,,Projet comptable",
    )

    assert run(tmp_path, corrected) == {"created": 0, "updated": 1, "unchanged": 3}

    moved = Referral.objects.get(learner__reference="JI-1", centre__code="DEMO-BRE")
    assert moved.status == S.INFORMATION_MEETING
    assert moved.version == 3  # two moves, made by the referral service as on the page
    assert [(e.from_status, e.to_status, e.note) for e in moved.events.all()][-2:] == [
        (S.SENT, S.CONTACTED, IMPORT_NOTE),
        (S.CONTACTED, S.INFORMATION_MEETING, IMPORT_NOTE),
    ]
    assert moved.first_contact_at is None  # not in the file: unknown
    assert [
        e.payload["to_status"]
        for e in DomainEvent.objects.filter(kind=Event.REFERRAL_STATUS_CHANGED)
    ] == [
        S.CONTACTED,
        S.INFORMATION_MEETING,
    ]  # and so the partners' webhooks


def test_a_file_never_moves_a_referral_back(tmp_path: Path, people: list[Learner]) -> None:
    run(tmp_path, GOOD)
    backwards = GOOD.replace("02/04/2026,enrolled", "02/04/2026,contacted")

    errors = rejected(backwards)

    assert errors == [
        "ligne 3, colonne « status » : l'orientation enregistrée est « Inscrit » : elle ne peut "
        "pas passer à « Jeune contacté par le centre »."
    ]


def test_the_dry_run_writes_nothing(tmp_path: Path, people: list[Learner]) -> None:
    assert run(tmp_path, GOOD, dry_run=True) == {"created": 4, "updated": 0, "unchanged": 0}
    assert Referral.objects.count() == 0


def test_the_command_line_imports_and_says_so(
    tmp_path: Path, people: list[Learner], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import", "referrals", str(write(tmp_path, GOOD)), "--format", "json")

    assert json.loads(capsys.readouterr().out)["created"] == 4


def test_the_command_line_lists_the_errors_in_french(tmp_path: Path, people: list[Learner]) -> None:
    with pytest.raises(CommandError) as error:
        call_command(
            "import",
            "referrals",
            str(write(tmp_path, HEADER + "JI-9,DEMO-BRE,CPN58,2026-03-02,sent,,\n")),
        )

    assert "orientations.csv, ligne 2, colonne « learner » : jeune inconnu" in str(error.value)


# ---------------------------------------------------------------------------------------------
# One test per kind of error


def test_an_unknown_young_person(people: list[Learner]) -> None:
    assert rejected(HEADER + "JI-9,DEMO-BRE,CPN58,2026-03-02,sent,,\n") == [
        "ligne 2, colonne « learner » : jeune inconnu ou hors de votre périmètre : « JI-9 »."
    ]


def test_a_learner_who_is_not_a_young_person_of_a_mission_locale(
    people: list[Learner], referent: User
) -> None:
    create_learner(
        by=referent,
        reference="DET-1",
        last_name="Martin",
        first_name="Léo",
        birth_date=years_ago(22),
        kind=Kind.DETAINED,
        establishment=Establishment.objects.get(label="CD MELUN"),
    )

    assert rejected(HEADER + "DET-1,DEMO-BRE,CPN58,2026-03-02,sent,,\n") == [
        "ligne 2, colonne « learner » : « DET-1 » n'est pas un jeune suivi par une mission locale."
    ]


def test_a_young_person_without_a_profile(people: list[Learner], counselor: User) -> None:
    Learner.objects.create(
        reference="JI-NOPROFILE",
        last_name="Sans",
        first_name="Profil",
        birth_date=years_ago(20),
        kind=Kind.YOUTH,
        status=Status.FOLLOWED,
        mission_locale=counselor.mission_locale,
    )

    assert rejected(HEADER + "JI-NOPROFILE,DEMO-BRE,CPN58,2026-03-02,sent,,\n") == [
        "ligne 2, colonne « learner » : « JI-NOPROFILE » n'a pas de profil d'orientation."
    ]


def test_an_unknown_centre_an_unknown_formation_and_an_offer_the_centre_does_not_make(
    people: list[Learner],
) -> None:
    errors = rejected(
        HEADER
        + "JI-1,DEMO-NOWHERE,CPN58,2026-03-02,sent,,\n"
        + "JI-1,DEMO-BRE,ZZZ999,2026-03-02,sent,,\n"
        + "JI-1,DEMO-BRE,CC13000,2026-03-02,sent,,\n"
    )

    assert errors == [
        "ligne 2, colonne « centre » : centre Cnam inconnu : « DEMO-NOWHERE ».",
        "ligne 3, colonne « formation » : formation inconnue : « ZZZ999 ».",
        "ligne 4, colonne « formation » : le centre DEMO-BRE ne propose pas la formation CC13000.",
    ]


def test_a_bad_date_and_a_date_in_the_future(people: list[Learner]) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    errors = rejected(
        HEADER
        + "JI-1,DEMO-BRE,CPN58,2026-02-30,sent,,\n"
        + f"JI-2,DEMO-BRE,CPN58,{tomorrow:%Y-%m-%d},sent,,\n"
    )

    assert errors == [
        "ligne 2, colonne « sent_at » : « 2026-02-30 » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA).",
        f"ligne 3, colonne « sent_at » : date dans le futur : {tomorrow:%d/%m/%Y}.",
    ]


def test_a_young_person_out_of_16_to_25_on_the_sending_date(people: list[Learner]) -> None:
    born = Learner.objects.get(reference="JI-1").birth_date
    too_early = date(born.year + 15, 1, 1)

    assert rejected(HEADER + f"JI-1,DEMO-BRE,CPN58,{too_early:%Y-%m-%d},sent,,\n") == [
        "ligne 2, colonne « sent_at » : le jeune doit avoir entre 16 et 25 ans à la date de "
        f"l'orientation (ici {too_early.year - born.year - 1} ans)."
    ]


def test_a_bad_status_and_the_close_reason_required_exactly_when_closed(
    people: list[Learner],
) -> None:
    errors = rejected(
        HEADER
        + "JI-1,DEMO-BRE,CPN58,2026-03-02,lost,,\n"
        + "JI-2,DEMO-BRE,CPN58,2026-03-02,closed,,\n"
        + "JI-3,DEMO-BRE,CPN58,2026-03-02,closed,bored,\n"
        + "JI-1,DEMO-BRE-VITRE,CC13000,2026-03-02,sent,no_answer,\n"
    )

    assert errors == [
        "ligne 2, colonne « status » : « lost » n'est pas une valeur admise (sent, contacted, "
        "information_meeting, enrolled, closed).",
        "ligne 3, colonne « close_reason » : valeur obligatoire parmi : no_answer, not_eligible, "
        "other_path, centre_full.",
        "ligne 4, colonne « close_reason » : « bored » n'est pas une valeur admise (no_answer, "
        "not_eligible, other_path, centre_full).",
        "ligne 5, colonne « close_reason » : à laisser vide : l'orientation n'est pas close.",
    ]


def test_a_row_repeating_another(people: list[Learner]) -> None:
    row = "JI-1,DEMO-BRE,CPN58,2026-03-02,sent,,\n"

    assert rejected(HEADER + row + row.replace("sent,,", "contacted,,")) == [
        "ligne 3, colonne « learner, centre, formation, sent_at » : doublon de la ligne 2 "
        "(mêmes valeurs dans ces colonnes)."
    ]


def test_two_live_referrals_to_the_same_offer(tmp_path: Path, people: list[Learner]) -> None:
    assert rejected(
        HEADER
        + "JI-1,DEMO-BRE,CPN58,2026-03-02,sent,,\n"
        + "JI-1,DEMO-BRE,CPN58,2026-04-02,contacted,,\n"
    ) == [
        "ligne 2, colonne « status » : ce jeune a déjà une orientation en cours vers cette "
        "formation de ce centre (envoyée le 02/04/2026) : une seule à la fois.",
        "ligne 3, colonne « status » : ce jeune a déjà une orientation en cours vers cette "
        "formation de ce centre (envoyée le 02/03/2026) : une seule à la fois.",
    ]
    # A closed one and a new one are fine, and so is a file closing the stored live one.
    run(tmp_path, HEADER + "JI-1,DEMO-BRE,CPN58,2026-03-02,sent,,\n")
    assert rejected(HEADER + "JI-1,DEMO-BRE,CPN58,2026-04-02,sent,,\n") == [
        "ligne 2, colonne « status » : ce jeune a déjà une orientation en cours vers cette "
        "formation de ce centre (envoyée le 02/03/2026) : une seule à la fois."
    ]
    assert run(
        tmp_path,
        HEADER
        + "JI-1,DEMO-BRE,CPN58,2026-03-02,closed,other_path,\n"
        + "JI-1,DEMO-BRE,CPN58,2026-04-02,sent,,\n",
    ) == {"created": 1, "updated": 1, "unchanged": 0}


def test_a_wrong_header(people: list[Learner]) -> None:
    errors = rejected(
        "learner,centre,formation,sent_at,etat\nJI-1,DEMO-BRE,CPN58,2026-03-02,sent\n"
    )

    assert any("ligne 1, colonne « etat » : colonne inattendue" in e for e in errors)
    assert (
        "ligne 1, colonne « status » : colonne obligatoire absente (en-tête « Statut » ou "
        "« status »)." in errors
    )


def test_a_counselor_imports_only_their_mission_locales_young_people(
    people: list[Learner], rennes_counselor: User, counselor: User, tmp_path: Path
) -> None:
    assert rejected(HEADER + "JI-1,DEMO-BRE,CPN58,2026-03-02,sent,,\n", rennes_counselor) == [
        "ligne 2, colonne « learner » : jeune inconnu ou hors de votre périmètre : « JI-1 »."
    ]
    assert (
        run(tmp_path, HEADER + "JI-1,DEMO-BRE,CPN58,2026-03-02,sent,,\n", counselor)["created"] == 1
    )
    assert Referral.objects.get().created_by == counselor


def test_the_moves_between_two_statuses() -> None:
    assert moves_between("sent", "sent") == []
    assert moves_between("sent", "enrolled") == ["contact", "enrol"]
    assert moves_between("sent", "information_meeting") == ["contact", "meet"]
    assert moves_between("information_meeting", "enrolled") == ["enrol"]
    assert moves_between("contacted", "closed") == ["close"]
    assert moves_between("enrolled", "closed") is None
    assert moves_between("closed", "sent") is None
    assert moves_between("information_meeting", "contacted") is None


def test_an_empty_message_keeps_the_stored_one_and_a_new_message_replaces_it(
    tmp_path: Path, people: list[Learner]
) -> None:
    run(tmp_path, GOOD)
    without = GOOD.replace("sent,,Projet comptable", "sent,,")
    assert run(tmp_path, without) == {"created": 0, "updated": 0, "unchanged": 4}

    rewritten = GOOD.replace("Projet comptable", "Projet de paie")
    assert run(tmp_path, rewritten) == {"created": 0, "updated": 1, "unchanged": 3}
    stored = Referral.objects.get(learner__reference="JI-1", centre__code="DEMO-BRE")
    assert stored.message == "Projet de paie"
    assert stored.version == 2
