"""Issue 17, item 8: an import naming a record outside the user's scope gets exactly the message
of a reference that does not exist (the record's existence is not disclosed)."""

from __future__ import annotations

from datetime import date

import pytest

from tremplin.accounts.models import User
from tremplin.core.csvimport import Importer, ImportRejected
from tremplin.enrolment.importers import EnrolmentImporter
from tremplin.followup.importers import InterviewImporter
from tremplin.learners.importers import LearnerImporter
from tremplin.learners.models import Kind, Learner, Status
from tremplin.places.models import Establishment

pytestmark = pytest.mark.django_db

OUTSIDE, UNKNOWN = "SCOPE-0050", "SCOPE-9999"
FILES = {
    EnrolmentImporter: "learner,academic_year,teaching_unit,establishment,result,grade\n"
    "{ref},2019-2020,CCG101,,validated,12\n",
    InterviewImporter: "learner,date,kind,referent,notes\n"
    "{ref},2020-01-15,information_orientation,referent,\n",
}


@pytest.fixture
def outsider(db: None) -> Learner:
    """A learner at MA ST MALO: outside the demo referent's establishments."""
    return Learner.objects.create(
        reference=OUTSIDE,
        last_name="Loin",
        first_name="Yves",
        birth_date=date(1980, 1, 1),
        kind=Kind.DETAINED,
        status=Status.PLACED,
        establishment=Establishment.objects.get(label="MA ST MALO"),
    )


def errors_of(importer: Importer[object], content: str) -> list[str]:
    with pytest.raises(ImportRejected) as info:
        importer.run(content.encode())
    return [f"{e.line}:{e.column}:{e.message}" for e in info.value.errors]


@pytest.mark.parametrize("kind", list(FILES), ids=lambda k: k.__name__)
def test_a_reference_outside_the_scope_reads_like_an_unknown_one(
    outsider: Learner, referent: User, kind: type[Importer[object]]
) -> None:
    outside = errors_of(kind(user=referent), FILES[kind].format(ref=OUTSIDE))
    unknown = errors_of(kind(user=referent), FILES[kind].format(ref=UNKNOWN))
    assert outside == [e.replace(UNKNOWN, OUTSIDE) for e in unknown]
    assert all("inconnu ou hors de votre périmètre" in e for e in outside)


def test_updating_a_learner_outside_the_scope_gets_the_unknown_reference_message(
    outsider: Learner, referent: User
) -> None:
    header = "reference,last_name,first_name,birth_date,kind,establishment,mission_locale\n"
    content = header + f"{OUTSIDE},Loin,Yves,1980-01-01,detained,CD MELUN,\n"
    (error,) = errors_of(LearnerImporter(user=referent), content)
    (unknown,) = errors_of(
        EnrolmentImporter(user=referent), FILES[EnrolmentImporter].format(ref=OUTSIDE)
    )
    assert error.split(":", 2)[2] == unknown.split(":", 2)[2]
    assert "dossier" not in error
