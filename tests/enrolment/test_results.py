"""Results: the consistency rules, the all-or-nothing grid, its optimistic lock, and the teacher's
grid page, which proposes the certifications that a validated result completes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tremplin.accounts.models import User
from tremplin.catalog.models import TeachingUnit
from tremplin.core.models import AuditEvent
from tremplin.enrolment.models import Certification, Enrolment, Result
from tremplin.enrolment.services import ResultEntry, check_result, record_results
from tremplin.learners.models import Kind, Learner, Status
from tremplin.places.models import Establishment

pytestmark = pytest.mark.django_db

YEAR = "2025-2026"
DGC_MANDATORY = [f"CCG1{n:02d}" for n in range(1, 12)]


def user(username: str) -> User:
    return User.objects.get(username=username)


def learner(reference: str, last_name: str = "Martin", establishment: str = "CD MELUN") -> Learner:
    return Learner.objects.create(
        reference=reference,
        last_name=last_name,
        first_name="Léa",
        birth_date=date(1994, 3, 7),
        kind=Kind.DETAINED,
        status=Status.PLACED,
        establishment=Establishment.objects.get(label=establishment),
    )


def enrolment(
    who: Learner,
    code: str = "CCG101",
    *,
    year: str = YEAR,
    result: str = Result.PENDING,
    grade: str | None = None,
) -> Enrolment:
    return Enrolment.objects.create(
        learner=who,
        academic_year=year,
        unit=TeachingUnit.objects.get(code=code),
        establishment=who.establishment,
        result=result,
        grade=Decimal(grade) if grade is not None else None,
    )


def state(e: Enrolment) -> tuple[object, ...]:
    e = Enrolment.objects.get(pk=e.pk)
    return (e.result, e.grade, e.abandon_reason, e.version, e.result_by_id, e.result_at)


def d(value: str) -> Decimal:
    return Decimal(value)


# ---------------------------------------------------------------------------------------------
# check_result


@pytest.mark.parametrize(
    ("result", "grade", "reason"),
    [
        (Result.VALIDATED, d("10"), ""),
        (Result.VALIDATED, d("20"), ""),
        (Result.FAILED, d("9.99"), ""),
        (Result.FAILED, d("0"), ""),
        (Result.FAILED, None, ""),
        (Result.ABSENT, None, ""),
        (Result.PENDING, None, ""),
        (Result.CANCELLED, None, ""),
        (Result.ABANDONED, None, "release"),
        (Result.ABANDONED, None, "transfer"),
        (Result.ABANDONED, None, "other"),
    ],
)
def test_a_consistent_result_passes_the_rules(
    result: str, grade: Decimal | None, reason: str
) -> None:
    assert check_result(ResultEntry(1, result, grade, abandon_reason=reason)) is None


@pytest.mark.parametrize(
    ("result", "grade", "reason", "message"),
    [
        (Result.VALIDATED, d("9.99"), "", "une UE validée a une note d'au moins 10/20."),
        (Result.VALIDATED, None, "", "une UE validée a une note d'au moins 10/20."),
        (Result.FAILED, d("10"), "", "une note d'au moins 10/20 valide l'UE."),
        (Result.FAILED, d("15"), "", "une note d'au moins 10/20 valide l'UE."),
        (Result.ABSENT, d("0"), "", "pas de note pour ce résultat."),
        (Result.PENDING, d("12"), "", "pas de note pour ce résultat."),
        (Result.CANCELLED, d("12"), "", "pas de note pour ce résultat."),
        (Result.ABANDONED, d("5"), "other", "pas de note pour ce résultat."),
        (
            Result.ABANDONED,
            None,
            "",
            "indiquez le motif de l'abandon (transfert, libération, autre).",
        ),
        (
            Result.ABANDONED,
            None,
            "santé",
            "indiquez le motif de l'abandon (transfert, libération, autre).",
        ),
        (Result.VALIDATED, d("20.5"), "", "la note est sur 20 (entre 0 et 20)."),
        (Result.FAILED, d("-1"), "", "la note est sur 20 (entre 0 et 20)."),
        ("passed", d("12"), "", "résultat inconnu."),
    ],
)
def test_an_inconsistent_result_is_refused_with_its_reason(
    result: str, grade: Decimal | None, reason: str, message: str
) -> None:
    assert check_result(ResultEntry(1, result, grade, abandon_reason=reason)) == message


# ---------------------------------------------------------------------------------------------
# record_results


def test_a_grid_records_every_result_with_who_and_when_and_bumps_the_versions() -> None:
    alice, bruno, chloe = (
        learner("TR-0001", "Abel"),
        learner("TR-0002", "Blanc"),
        learner("TR-0003", "Colin"),
    )
    a, b, c = enrolment(alice), enrolment(bruno), enrolment(chloe)
    teacher = user("enseignant")
    changed = record_results(
        [
            ResultEntry(a.pk, Result.VALIDATED, d("12.5"), version=1),
            ResultEntry(b.pk, Result.FAILED, d("7"), version=1),
            ResultEntry(c.pk, Result.ABANDONED, None, abandon_reason="release", version=1),
        ],
        by=teacher,
    )
    assert changed == 3
    a, b, c = (Enrolment.objects.get(pk=e.pk) for e in (a, b, c))
    assert (a.result, a.grade, a.version, a.result_by) == ("validated", d("12.5"), 2, teacher)
    assert (b.result, b.grade, b.version) == ("failed", d("7"), 2)
    assert (c.result, c.grade, c.abandon_reason) == ("abandoned", None, "release")
    assert a.result_at is not None


def test_an_unchanged_row_is_not_counted_and_keeps_its_version() -> None:
    e = enrolment(learner("TR-0001"), result=Result.VALIDATED, grade="12.50")
    assert (
        record_results(
            [ResultEntry(e.pk, Result.VALIDATED, d("12.5"), version=1)], by=user("enseignant")
        )
        == 0
    )
    assert state(e)[3] == 1


def test_the_abandon_reason_is_dropped_when_the_result_is_not_an_abandon() -> None:
    e = enrolment(learner("TR-0001"))
    record_results(
        [ResultEntry(e.pk, Result.ABSENT, None, abandon_reason="other")], by=user("enseignant")
    )
    assert state(e)[:3] == ("absent", None, "")


def test_one_bad_row_saves_nothing_at_all() -> None:
    good, bad = enrolment(learner("TR-0001", "Abel")), enrolment(learner("TR-0002", "Blanc"))
    before = (state(good), state(bad))
    with pytest.raises(ValidationError) as info:
        record_results(
            [
                ResultEntry(good.pk, Result.VALIDATED, d("14"), version=1),
                ResultEntry(bad.pk, Result.VALIDATED, d("8"), version=1),
            ],
            by=user("enseignant"),
        )
    assert info.value.messages == [
        "BLANC Léa (TR-0002) : une UE validée a une note d'au moins 10/20."
    ]
    assert (state(good), state(bad)) == before


def test_every_bad_row_is_reported_at_once() -> None:
    a, b = enrolment(learner("TR-0001", "Abel")), enrolment(learner("TR-0002", "Blanc"))
    with pytest.raises(ValidationError) as info:
        record_results(
            [
                ResultEntry(a.pk, Result.ABANDONED, None),
                ResultEntry(b.pk, Result.FAILED, d("25")),
            ],
            by=user("enseignant"),
        )
    assert info.value.messages == [
        "ABEL Léa (TR-0001) : indiquez le motif de l'abandon (transfert, libération, autre).",
        "BLANC Léa (TR-0002) : la note est sur 20 (entre 0 et 20).",
    ]


def test_a_row_changed_meanwhile_by_someone_else_is_refused() -> None:
    e = enrolment(learner("TR-0001"))
    record_results([ResultEntry(e.pk, Result.ABSENT, None, version=1)], by=user("coordination"))
    other = enrolment(learner("TR-0002", "Blanc"))
    with pytest.raises(ValidationError) as info:
        record_results(
            [
                ResultEntry(other.pk, Result.VALIDATED, d("11"), version=1),
                ResultEntry(e.pk, Result.VALIDATED, d("15"), version=1),  # the grid was stale
            ],
            by=user("enseignant"),
        )
    assert info.value.messages == [
        "MARTIN Léa (TR-0001) : résultat modifié entre-temps par quelqu'un d'autre, "
        "rechargez la grille."
    ]
    assert state(e)[:2] == ("absent", None)
    assert state(other)[0] == "pending"


def test_a_teacher_cannot_record_a_result_in_a_ue_they_do_not_teach() -> None:
    e = enrolment(learner("TR-0001"), "CFA040")
    with pytest.raises(ValidationError) as info:
        record_results([ResultEntry(e.pk, Result.VALIDATED, d("12"))], by=user("enseignant"))
    assert info.value.messages == [f"Inscription {e.pk} : introuvable."]
    assert state(e)[0] == "pending"


# ---------------------------------------------------------------------------------------------
# The grid page, as the demo teacher


def grid_url(code: str = "CCG101", year: str = YEAR) -> str:
    return reverse("enrolment:grid", args=[code, year])


def grid_post(rows: list[dict[str, object]]) -> dict[str, object]:
    data: dict[str, object] = {
        "form-TOTAL_FORMS": len(rows),
        "form-INITIAL_FORMS": len(rows),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    return data


def row(e: Enrolment, result: str, grade: str = "", reason: str = "") -> dict[str, object]:
    return {
        "enrolment": e.pk,
        "version": Enrolment.objects.get(pk=e.pk).version,
        "result": result,
        "grade": grade,
        "abandon_reason": reason,
    }


def test_the_teacher_is_offered_the_grids_of_their_ues(
    client_as: Callable[[User], Client],
) -> None:
    enrolment(learner("TR-0001"), "CCG103")
    enrolment(learner("TR-0002", "Blanc"), "CFA040")
    page = client_as(user("enseignant")).get(reverse("enrolment:grids")).content.decode()
    assert grid_url("CCG103") in page
    assert grid_url("CFA040") not in page


def test_the_grids_are_offered_one_academic_year_at_a_time_the_latest_first(
    client_as: Callable[[User], Client],
) -> None:
    enrolment(learner("TR-0001"), "CCG103")
    enrolment(learner("TR-0002", "Blanc"), "CCG101", year="2024-2025")
    client = client_as(user("enseignant"))
    page = client.get(reverse("enrolment:grids")).content.decode()
    assert grid_url("CCG103") in page and grid_url("CCG101", "2024-2025") not in page
    assert '<option value="2024-2025">' in page and "Vos grilles de 2025-2026" in page
    older = client.get(reverse("enrolment:grids"), {"annee": "2024-2025"}).content.decode()
    assert grid_url("CCG101", "2024-2025") in older and grid_url("CCG103") not in older
    # A year without grids (or not a year) shows the latest one.
    unknown = client.get(reverse("enrolment:grids"), {"annee": "1990-1991"}).content.decode()
    assert grid_url("CCG103") in unknown


def test_the_teacher_saves_a_grid_with_french_decimals(
    client_as: Callable[[User], Client],
) -> None:
    a, b = enrolment(learner("TR-0001", "Abel")), enrolment(learner("TR-0002", "Blanc"))
    client = client_as(user("enseignant"))
    page = client.get(grid_url())
    assert page.status_code == 200
    assert "ABEL Léa" in page.content.decode() and "BLANC Léa" in page.content.decode()
    response = client.post(
        grid_url(),
        grid_post([row(a, "validated", "12,5"), row(b, "abandoned", reason="transfer")]),
        follow=True,
    )
    assert response.redirect_chain == [(grid_url(), 302)]
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["2 résultat(s) enregistré(s)."]
    assert state(a)[:3] == ("validated", d("12.5"), "")
    assert state(b)[:3] == ("abandoned", None, "transfer")
    assert AuditEvent.objects.filter(
        action="update", model="enrolment.Enrolment", username="enseignant"
    ).exists()


def test_a_grid_with_one_inconsistent_row_saves_nothing_and_says_why(
    client_as: Callable[[User], Client],
) -> None:
    a, b = enrolment(learner("TR-0001", "Abel")), enrolment(learner("TR-0002", "Blanc"))
    before = (state(a), state(b))
    response = client_as(user("enseignant")).post(
        grid_url(), grid_post([row(a, "validated", "14"), row(b, "failed", "12")])
    )
    assert response.status_code == 400
    assert "BLANC Léa (TR-0002) : une note d&#x27;au moins 10/20 valide l&#x27;UE." in (
        response.content.decode()
    )
    assert (state(a), state(b)) == before


def test_a_grid_posted_from_a_stale_page_is_refused(
    client_as: Callable[[User], Client],
) -> None:
    a = enrolment(learner("TR-0001"))
    stale = row(a, "validated", "15")
    record_results([ResultEntry(a.pk, Result.FAILED, d("6"))], by=user("coordination"))
    response = client_as(user("enseignant")).post(grid_url(), grid_post([stale]))
    assert response.status_code == 400
    assert "résultat modifié entre-temps" in response.content.decode()
    assert state(a)[:2] == ("failed", d("6"))


def test_the_grid_of_a_ue_the_teacher_does_not_teach_answers_404(
    client_as: Callable[[User], Client],
) -> None:
    enrolment(learner("TR-0001"), "CFA040")
    assert client_as(user("enseignant")).get(grid_url("CFA040")).status_code == 404


def test_a_validated_result_that_completes_a_formation_proposes_its_certification(
    client_as: Callable[[User], Client],
) -> None:
    graduate = learner("TR-0001")
    for code in DGC_MANDATORY[1:]:
        enrolment(graduate, code, year="2024-2025", result=Result.VALIDATED, grade="13")
    enrolment(graduate, "CCG112", year="2024-2025", result=Result.VALIDATED, grade="15")
    last = enrolment(graduate, "CCG101")
    assert not Certification.objects.filter(learner=graduate).exists()

    response = client_as(user("enseignant")).post(
        grid_url(), grid_post([row(last, "validated", "11")]), follow=True
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "1 résultat(s) enregistré(s). 1 certification(s) proposée(s) à la coordination."
    ]
    (certification,) = Certification.objects.filter(learner=graduate)
    assert certification.formation.code == "DIE3100"
    assert certification.status == Certification.Status.PROPOSED
    assert certification.number is None
    assert certification.academic_year == YEAR
    assert certification.events.get().by == user("enseignant")


def test_a_result_that_does_not_complete_a_formation_proposes_nothing(
    client_as: Callable[[User], Client],
) -> None:
    e = enrolment(learner("TR-0001"))
    response = client_as(user("enseignant")).post(
        grid_url(), grid_post([row(e, "validated", "16")]), follow=True
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 résultat(s) enregistré(s)."]
    assert not Certification.objects.filter(learner=e.learner).exists()


def test_a_grid_with_a_bad_grade_names_the_row_links_to_its_field_and_marks_it_invalid(
    client_as: Callable[[User], Client],
) -> None:
    a, b = enrolment(learner("TR-0001", "Abel")), enrolment(learner("TR-0002", "Blanc"))
    response = client_as(user("enseignant")).post(
        grid_url(), grid_post([row(a, "validated", "14"), row(b, "validated", "25")])
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Erreur : " in page
    summary = page[
        page.index("data-tr-error-summary") : page.index(
            "</div>", page.index("data-tr-error-summary")
        )
    ]
    assert 'href="#id_form-1-grade"' in summary and "Léa BLANC" in summary
    assert (
        'id="id_form-1-grade" aria-invalid="true" aria-describedby="id_form-1-grade-erreur"' in page
    )
    assert 'id="id_form-1-grade-erreur"' in page
    assert 'id="id_form-0-grade" aria-invalid' not in page


def test_a_large_grid_is_entered_one_establishment_at_a_time(
    client_as: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A UE's enrolments across the country (2,336 on the national demo: a grid of 3 MB built in
    1.4 s) are graded one establishment at a time; a grid small enough shows them all."""
    from tremplin.enrolment import views

    monkeypatch.setattr(views, "GRID_ROWS", 2)
    melun = [enrolment(learner(f"TR-1{n:03d}", f"Abel{n}")) for n in range(2)]
    fresnes = enrolment(learner("TR-2000", "Blanc", "CP FRESNES"))
    client = client_as(user("coordination"))
    melun_key = str(melun[0].establishment_id)

    choice = client.get(grid_url()).content.decode()
    grid = client.get(grid_url(), {"etablissement": melun_key}).content.decode()
    unknown = client.get(grid_url(), {"etablissement": "999999"})
    response = client.post(
        f"{grid_url()}?etablissement={melun_key}",
        grid_post([row(melun[0], "validated", "14"), row(melun[1], "failed", "6")]),
        follow=True,
    )

    # The choice: each establishment with its learners, no result to enter.
    assert "3 apprenants sont inscrits à cette UE cette année" in choice
    assert f'href="{grid_url()}?etablissement={melun_key}">CD MELUN</a>' in choice
    assert "fr-input" not in choice and 'name="form-TOTAL_FORMS"' not in choice
    # One establishment's grid: its learners only, saved there, back to it.
    assert "2 inscrits — CD MELUN" in grid and "BLANC Léa" not in grid
    assert f'action="?etablissement={melun_key}"' in grid
    assert unknown.status_code == 404
    assert response.redirect_chain == [(f"{grid_url()}?etablissement={melun_key}", 302)]
    assert state(melun[0])[:2] == ("validated", d("14"))
    assert state(fresnes)[0] == "pending"

    # A grid opened whole and posted once it has grown past the limit: nothing saved, said so.
    stale = client.post(grid_url(), grid_post([row(fresnes, "validated", "15")]))
    assert stale.status_code == 409 and state(fresnes)[0] == "pending"
    (said,) = [str(m) for m in get_messages(stale.wsgi_request)]
    assert "La grille compte désormais 3 inscrits : rien n'a été enregistré." in said

    monkeypatch.setattr(views, "GRID_ROWS", 300)
    everyone = client.get(grid_url()).content.decode()
    assert "3 inscrits" in everyone and "BLANC Léa" in everyone
    assert "Tous les établissements (3)" in everyone
