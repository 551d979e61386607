"""The interviews import and its authors (issue 17, item 3): an import records the importing
user as the author of what it creates, names another interviewer only for the coordination, and
never rewrites another author's interview."""

from __future__ import annotations

from datetime import date

import pytest

from tests.personal_world import make_record
from tremplin.accounts.models import User
from tremplin.core.csvimport import ImportRejected
from tremplin.followup.importers import InterviewImporter
from tremplin.followup.models import Interview
from tremplin.learners.models import Learner

pytestmark = pytest.mark.django_db

HEADER = "learner,date,kind,referent,notes\n"


def user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def melun() -> Learner:
    return make_record("T-AUTH-0001", establishment="CD MELUN").learner


def run(username: str, content: str) -> None:
    InterviewImporter(user=user(username)).run((HEADER + content).encode())


def errors_of(username: str, content: str) -> list[str]:
    before = sorted(Interview.objects.values_list("pk", "referent_id", "notes"))
    with pytest.raises(ImportRejected) as info:
        run(username, content)
    assert sorted(Interview.objects.values_list("pk", "referent_id", "notes")) == before
    return [str(e) for e in info.value.errors]


def test_a_referents_file_naming_the_coordinator_is_refused_on_its_line(melun: Learner) -> None:
    errors = errors_of(
        "referent",
        "T-AUTH-0001,2026-01-15,training_followup,referent,Vu\n"
        "T-AUTH-0001,2026-02-15,training_followup,coordination,Réécrit\n",
    )
    assert len(errors) == 1
    assert errors[0].startswith("ligne 3, colonne « referent » : « coordination » n'est pas vous")


def test_a_referents_file_cannot_rewrite_the_coordinators_interview(melun: Learner) -> None:
    Interview.objects.create(
        learner=melun,
        date=date(2026, 1, 15),
        kind="training_followup",
        referent=user("coordination"),
        notes="Notes de la coordination",
    )
    errors = errors_of("referent", "T-AUTH-0001,2026-01-15,training_followup,referent,Réécrit\n")
    assert errors == [
        "ligne 2, colonne « referent » : cet entretien existe déjà et a été mené par "
        "« coordination » : un import ne réécrit pas l'entretien d'un autre intervenant."
    ]


def test_an_empty_referent_makes_the_importing_user_the_author(melun: Learner) -> None:
    run("referent", "T-AUTH-0001,2026-01-15,training_followup,,Vu\n")
    assert melun.interviews.get(date=date(2026, 1, 15)).referent == user("referent")


def test_the_coordinator_may_import_a_referents_interviews(melun: Learner) -> None:
    run("coordination", "T-AUTH-0001,2026-01-15,training_followup,referent,Vu\n")
    assert melun.interviews.get(date=date(2026, 1, 15)).referent == user("referent")


def test_a_referent_may_correct_their_own_interview(melun: Learner) -> None:
    run("referent", "T-AUTH-0001,2026-01-15,training_followup,referent,Vu\n")
    run("referent", "T-AUTH-0001,2026-01-15,training_followup,referent,Corrigé\n")
    assert melun.interviews.get(date=date(2026, 1, 15)).notes == "Corrigé"
