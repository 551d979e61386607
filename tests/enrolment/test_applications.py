"""The application pipeline: submit, RLE opinion, validation, enrolment, refusal, withdrawal; who
may make each move, what each move records, and the optimistic lock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from tremplin.accounts.models import User
from tremplin.catalog.models import Formation, TeachingUnit
from tremplin.core.models import AuditEvent
from tremplin.enrolment.models import Application, ApplicationStep, Enrolment, Funding
from tremplin.enrolment.services import allowed_moves, move, submit
from tremplin.learners.models import Kind, Learner, Status
from tremplin.learners.services import create_learner, release, transfer
from tremplin.places.models import Establishment

pytestmark = pytest.mark.django_db

YEAR = "2026-2027"
SUBMITTED, REVIEWED, VALIDATED, ENROLLED, REFUSED, WITHDRAWN = (
    Application.Status.SUBMITTED,
    Application.Status.REVIEWED,
    Application.Status.VALIDATED,
    Application.Status.ENROLLED,
    Application.Status.REFUSED,
    Application.Status.WITHDRAWN,
)


def user(username: str) -> User:
    return User.objects.get(username=username)


def place(label: str) -> Establishment:
    return Establishment.objects.get(label=label)


def learner_at(establishment: str = "CD MELUN", reference: str = "TA-0001") -> Learner:
    return create_learner(
        by=user("referent"),
        other_person=True,  # namesakes on purpose: the identity check is tested apart
        placed_on=date(2025, 9, 1),
        reference=reference,
        last_name="Martin",
        first_name="Léa",
        birth_date=date(1994, 3, 7),
        kind=Kind.DETAINED,
        establishment=place(establishment),
    )


def fresh(application: Application) -> Application:
    """Read the application again (the FSM field is protected: no refresh_from_db)."""
    return Application.objects.get(pk=application.pk)


def submitted(
    learner: Learner | None = None, units: tuple[str, ...] = ("CCG101", "CCG102")
) -> Application:
    return submit_as_the_referent(learner or learner_at(), units)


def submit_as_the_referent(
    learner: Learner, units: tuple[str, ...] = ("CCG101", "CCG102")
) -> Application:
    return submit(
        learner,
        academic_year=YEAR,
        formation=None,
        unit_codes=list(units),
        funding=Funding.DAP,
        motivation="Reprendre des études de gestion.",
        by=user("referent"),
    )


def reviewed(application: Application | None = None) -> Application:
    return move(
        application or submitted(),
        "review",
        by=user("rle-melun"),
        opinion=Application.Opinion.FAVOURABLE,
        reason="Assidu en classe.",
    )


def validated(application: Application | None = None) -> Application:
    return move(reviewed(application), "validate", by=user("coord-paris"))


def at(application: Application, status: str) -> Application:
    """An application of a fresh learner, brought to `status` along the allowed path."""
    if status == SUBMITTED:
        return application
    if status == REVIEWED:
        return reviewed(application)
    if status == VALIDATED:
        return validated(application)
    if status == ENROLLED:
        return move(validated(application), "enrol", by=user("referent"))
    if status == REFUSED:
        return move(application, "refuse", by=user("coordination"), reason="Hors projet.")
    return move(application, "withdraw", by=user("referent"), reason="Projet abandonné.")


def snapshot(application: Application) -> tuple[object, ...]:
    current = fresh(application)
    return (
        current.status,
        current.version,
        current.rle_opinion,
        current.rle_comment,
        current.reason,
        current.steps.count(),
        Enrolment.objects.filter(application=current).count(),
    )


# ---------------------------------------------------------------------------------------------
# The allowed path


def test_a_submitted_application_records_its_first_step_with_who_submitted_it() -> None:
    application = submit_as_the_referent(learner_at())
    assert application.status == SUBMITTED
    assert application.version == 1
    assert application.created_by == user("referent")
    assert sorted(application.units.values_list("code", flat=True)) == ["CCG101", "CCG102"]
    (step,) = application.steps.all()
    assert (step.from_status, step.to_status, step.by) == ("", SUBMITTED, user("referent"))
    assert step.at is not None


def test_an_application_naming_an_unknown_ue_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        submit_as_the_referent(learner_at(), units=("CCG101", "ZZZ999"))
    assert info.value.message_dict == {"units": ["UE inconnue(s) : ZZZ999."]}
    assert not Application.objects.filter(learner__reference="TA-0001").exists()


def test_a_released_person_cannot_apply() -> None:
    learner = learner_at()
    release(learner, on=date(2026, 1, 5), commune=None, by=user("referent"))
    with pytest.raises(ValidationError, match="orientez-la vers un centre Cnam"):
        submit_as_the_referent(Learner.objects.get(pk=learner.pk))


def test_the_rle_reviews_with_an_opinion_and_the_step_records_who_and_when() -> None:
    application = reviewed()
    assert application.status == REVIEWED
    assert application.rle_opinion == Application.Opinion.FAVOURABLE
    assert application.rle_comment == "Assidu en classe."
    assert application.version == 2
    step = application.steps.last()
    assert step is not None
    assert (step.from_status, step.to_status, step.by) == (SUBMITTED, REVIEWED, user("rle-melun"))
    assert step.note == "Assidu en classe."
    assert step.at is not None


def test_a_review_without_an_opinion_is_refused() -> None:
    application = submitted()
    before = snapshot(application)
    with pytest.raises(ValidationError) as info:
        move(application, "review", by=user("rle-melun"), opinion="")
    assert info.value.message_dict == {"opinion": ["Choisissez un avis."]}
    assert snapshot(application) == before


def test_a_coordinator_validates_a_reviewed_application() -> None:
    application = validated()
    assert application.status == VALIDATED
    assert application.version == 3
    assert [s.to_status for s in application.steps.all()] == [SUBMITTED, REVIEWED, VALIDATED]
    step = application.steps.last()
    assert step is not None and step.by == user("coord-paris")


def test_a_coordinator_may_validate_without_waiting_for_the_rle() -> None:
    application = move(submitted(), "validate", by=user("coordination"))
    assert application.status == VALIDATED


def test_enrolling_creates_the_enrolments_at_the_learners_establishment_with_the_funding() -> None:
    application = move(validated(), "enrol", by=user("referent"))
    assert application.status == ENROLLED
    enrolments = Enrolment.objects.filter(application=application).order_by("unit__code")
    assert [
        (e.unit.code, e.academic_year, e.establishment, e.funding, e.result, e.learner_id)
        for e in enrolments
    ] == [
        ("CCG101", YEAR, place("CD MELUN"), Funding.DAP, "pending", application.learner_id),
        ("CCG102", YEAR, place("CD MELUN"), Funding.DAP, "pending", application.learner_id),
    ]
    step = application.steps.last()
    assert step is not None
    assert (step.from_status, step.to_status, step.by) == (VALIDATED, ENROLLED, user("referent"))


def test_enrolling_after_a_transfer_enrols_at_the_new_establishment() -> None:
    application = validated()
    transfer(application.learner, to=place("CP FRESNES"), on=date(2026, 2, 1), by=user("referent"))
    application = move(application, "enrol", by=user("coord-paris"))
    assert set(
        Enrolment.objects.filter(application=application).values_list(
            "establishment__label", flat=True
        )
    ) == {"CP FRESNES"}


def test_enrolling_a_formation_application_without_ues_enrols_in_its_mandatory_ues() -> None:
    formation = Formation.objects.get(code="DIE3100")
    application = Application.objects.create(
        learner=learner_at(), academic_year=YEAR, formation=formation, funding=Funding.REGION
    )
    application = move(validated(application), "enrol", by=user("referent"))
    codes = set(
        Enrolment.objects.filter(application=application).values_list("unit__code", flat=True)
    )
    assert codes == set(formation.mandatory_units.values_list("code", flat=True))
    assert len(codes) == 11
    assert set(
        Enrolment.objects.filter(application=application).values_list("funding", flat=True)
    ) == {Funding.REGION}


def test_a_release_withdraws_the_application_under_way_and_it_can_no_longer_be_enrolled() -> None:
    application = validated()
    release(application.learner, on=date(2026, 1, 5), commune=None, by=user("referent"))
    application = Application.objects.get(pk=application.pk)
    assert (application.status, application.reason) == (WITHDRAWN, "libération")
    step = application.steps.last()
    assert step is not None
    assert (step.from_status, step.to_status, step.note) == (VALIDATED, WITHDRAWN, "libération")
    before = snapshot(application)
    with pytest.raises(ValidationError, match="Retirée"):
        move(application, "enrol", by=user("referent"))
    assert snapshot(application) == before


@pytest.mark.parametrize("status", [SUBMITTED, REVIEWED, VALIDATED])
def test_a_coordinator_refuses_with_a_reason(status: str) -> None:
    application = at(submitted(), status)
    refused = move(application, "refuse", by=user("coord-paris"), reason="Prérequis manquants.")
    assert refused.status == REFUSED
    assert refused.reason == "Prérequis manquants."
    step = refused.steps.last()
    assert step is not None
    assert (step.from_status, step.to_status, step.by, step.note) == (
        status,
        REFUSED,
        user("coord-paris"),
        "Prérequis manquants.",
    )


@pytest.mark.parametrize("username", ["referent", "rle-melun", "coordination"])
def test_the_learners_team_withdraws_with_a_reason(username: str) -> None:
    withdrawn = move(submitted(), "withdraw", by=user(username), reason="Ne souhaite plus.")
    assert withdrawn.status == WITHDRAWN
    assert withdrawn.reason == "Ne souhaite plus."


@pytest.mark.parametrize(
    ("name", "username"), [("refuse", "coordination"), ("withdraw", "referent")]
)
@pytest.mark.parametrize("reason", ["", "   "])
def test_refusing_or_withdrawing_without_a_reason_is_refused(
    name: str, username: str, reason: str
) -> None:
    application = submitted()
    before = snapshot(application)
    with pytest.raises(ValidationError) as info:
        move(application, name, by=user(username), reason=reason)
    assert info.value.message_dict == {"reason": ["Indiquez le motif."]}
    assert snapshot(application) == before


# ---------------------------------------------------------------------------------------------
# Illegal moves: refused with a French message, nothing changed

ILLEGAL = [
    (SUBMITTED, "enrol", "Impossible de passer de « Déposée » à « Inscription faite »."),
    (REVIEWED, "review", "Impossible de passer de « Avis du RLE donné » à « Avis du RLE donné »."),
    (REVIEWED, "enrol", "Impossible de passer de « Avis du RLE donné » à « Inscription faite »."),
    (
        VALIDATED,
        "review",
        "Impossible de passer de « Validée par le Cnam » à « Avis du RLE donné ».",
    ),
    (
        VALIDATED,
        "validate",
        "Impossible de passer de « Validée par le Cnam » à « Validée par le Cnam ».",
    ),
    (ENROLLED, "enrol", "Impossible de passer de « Inscription faite » à « Inscription faite »."),
    (ENROLLED, "refuse", "Impossible de passer de « Inscription faite » à « Refusée »."),
    (ENROLLED, "withdraw", "Impossible de passer de « Inscription faite » à « Retirée »."),
    *[
        (REFUSED, name, f"Impossible de passer de « Refusée » à « {target} ».")
        for name, target in [
            ("review", "Avis du RLE donné"),
            ("validate", "Validée par le Cnam"),
            ("enrol", "Inscription faite"),
            ("refuse", "Refusée"),
            ("withdraw", "Retirée"),
        ]
    ],
    *[
        (WITHDRAWN, name, f"Impossible de passer de « Retirée » à « {target} ».")
        for name, target in [
            ("review", "Avis du RLE donné"),
            ("validate", "Validée par le Cnam"),
            ("enrol", "Inscription faite"),
            ("refuse", "Refusée"),
            ("withdraw", "Retirée"),
        ]
    ],
]


@pytest.mark.parametrize(("status", "name", "message"), ILLEGAL)
def test_an_illegal_move_is_refused_with_a_french_message_and_changes_nothing(
    status: str, name: str, message: str
) -> None:
    application = at(submitted(), status)
    before = snapshot(application)
    with pytest.raises(ValidationError) as info:
        # The national coordinator may make every move: only the pipeline refuses here.
        move(
            application,
            name,
            by=user("coordination"),
            opinion=Application.Opinion.UNFAVOURABLE,
            reason="Essai.",
        )
    assert info.value.messages == [message]
    assert snapshot(application) == before


def test_an_unknown_move_is_refused() -> None:
    application = submitted()
    with pytest.raises(ValidationError, match=r"Étape inconnue : publish\."):
        move(application, "publish", by=user("coordination"))
    assert fresh(application).status == SUBMITTED


# ---------------------------------------------------------------------------------------------
# Role rules


@pytest.mark.parametrize(
    ("name", "username", "message"),
    [
        ("validate", "rle-melun", "Votre rôle ne permet pas de : valider le parcours pédagogique."),
        ("validate", "referent", "Votre rôle ne permet pas de : valider le parcours pédagogique."),
        ("refuse", "referent", "Votre rôle ne permet pas de : refuser."),
        ("refuse", "rle-melun", "Votre rôle ne permet pas de : refuser."),
        ("review", "referent", "Votre rôle ne permet pas de : donner l'avis du RLE."),
        ("enrol", "rle-melun", "Votre rôle ne permet pas de : inscrire aux UE."),
        # Outside their scope, the refusal says so first (as for the referrals: one mechanism).
        ("withdraw", "enseignant", "Cette candidature n'est pas dans votre périmètre."),
        ("validate", "statistique", "Cette candidature n'est pas dans votre périmètre."),
    ],
)
def test_a_role_without_the_right_to_make_a_move_gets_permission_denied(
    name: str, username: str, message: str
) -> None:
    application = submitted()
    before = snapshot(application)
    with pytest.raises(PermissionDenied) as info:
        move(
            application,
            name,
            by=user(username),
            opinion=Application.Opinion.FAVOURABLE,
            reason="Essai.",
        )
    assert str(info.value) == message
    assert snapshot(application) == before


def test_each_role_is_offered_only_the_moves_it_may_make_now() -> None:
    application = submitted()

    def names(username: str, app: Application) -> list[str]:
        return [m.name for m in allowed_moves(app, user(username))]

    assert names("rle-melun", application) == ["review", "withdraw"]
    assert names("referent", application) == ["withdraw"]
    assert names("coord-paris", application) == ["review", "validate", "refuse", "withdraw"]
    assert names("statistique", application) == []
    application = validated(application)
    assert names("referent", application) == ["enrol", "withdraw"]
    assert names("coordination", application) == ["enrol", "refuse", "withdraw"]
    refused = move(application, "refuse", by=user("coordination"), reason="Hors projet.")
    assert names("coordination", refused) == []


def test_a_move_on_an_application_outside_the_users_scope_is_refused_by_the_service() -> None:
    application = submitted(learner_at("MA ST MALO", reference="TA-0098"))
    with pytest.raises(PermissionDenied):
        move(application, "review", by=user("rle-melun"), opinion="favourable")


# ---------------------------------------------------------------------------------------------
# Optimistic locking


def test_a_move_made_with_a_stale_version_is_refused() -> None:
    application = submitted()
    seen = application.version
    reviewed(application)  # someone else moved it meanwhile
    with pytest.raises(ValidationError) as info:
        move(application, "validate", by=user("coordination"), version=seen)
    assert info.value.messages == [
        "Cette candidature a été modifiée entre-temps par quelqu'un d'autre : "
        "rechargez la page avant de recommencer."
    ]
    current = fresh(application)
    assert (current.status, current.version, current.steps.count()) == (REVIEWED, 2, 2)


def test_a_move_made_with_the_current_version_goes_through_and_bumps_it() -> None:
    application = reviewed()
    moved = move(application, "validate", by=user("coordination"), version=application.version)
    assert (moved.status, moved.version) == (VALIDATED, 3)


def test_each_step_records_the_status_the_application_really_left() -> None:
    application = submitted()
    reviewed(application)
    move(application, "validate", by=user("coordination"))  # `application` is the old instance
    step = fresh(application).steps.last()
    assert step is not None
    assert (step.from_status, step.to_status) == (REVIEWED, VALIDATED)


# ---------------------------------------------------------------------------------------------
# Through the web


def post_move(
    client: Client, application: Application, name: str, **data: object
) -> tuple[HttpResponse, list[str]]:
    data.setdefault("version", fresh(application).version)
    prefixed = {f"{name}-{key}": value for key, value in data.items()}  # one form per move
    response = client.post(
        reverse("enrolment:application_move", args=[application.pk, name]), prefixed, follow=True
    )
    return response, [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def test_the_rle_gives_an_opinion_through_the_page_and_reads_the_confirmation(
    client_as: Callable[[User], Client],
) -> None:
    application = submitted()
    client = client_as(user("rle-melun"))
    page = client.get(reverse("enrolment:application", args=[application.pk])).content.decode()
    assert reverse("enrolment:application_move", args=[application.pk, "review"]) in page
    assert reverse("enrolment:application_move", args=[application.pk, "validate"]) not in page
    response, messages = post_move(
        client, application, "review", opinion="reserved", reason="Sous réserve."
    )
    assert response.redirect_chain == [
        (reverse("enrolment:application", args=[application.pk]), 302)
    ]
    assert messages == ["Candidature : avis du RLE donné."]
    assert "Candidature : avis du RLE donné." in response.content.decode()
    current = fresh(application)
    assert (current.status, current.rle_opinion, current.rle_comment) == (
        REVIEWED,
        "reserved",
        "Sous réserve.",
    )
    event = AuditEvent.objects.filter(action="transition", object_id=str(application.pk)).get()
    assert (event.username, event.model, event.summary) == (
        "rle-melun",
        "enrolment.Application",
        "Avis du RLE donné",
    )


def test_the_page_shows_the_refusal_of_a_move_the_role_may_not_make(
    client_as: Callable[[User], Client],
) -> None:
    application = submitted()
    response, messages = post_move(client_as(user("rle-melun")), application, "validate")
    assert messages == ["Votre rôle ne permet pas de : valider le parcours pédagogique."]
    assert "Votre rôle ne permet pas de : valider le parcours pédagogique." in (
        response.content.decode().replace("&#x27;", "'")
    )
    assert fresh(application).status == SUBMITTED
    assert not AuditEvent.objects.filter(action="transition").exists()


def test_the_page_shows_an_illegal_move_and_a_missing_reason(
    client_as: Callable[[User], Client],
) -> None:
    application = submitted()
    client = client_as(user("coordination"))
    _, messages = post_move(client, application, "enrol")
    assert messages == ["Impossible de passer de « Déposée » à « Inscription faite »."]
    _, messages = post_move(client, application, "refuse", reason="")
    assert messages == ["Indiquez le motif."]
    assert fresh(application).status == SUBMITTED


def test_the_page_refuses_a_move_made_from_a_stale_page(
    client_as: Callable[[User], Client],
) -> None:
    application = submitted()
    reviewed(application)
    _, messages = post_move(client_as(user("coord-paris")), application, "validate", version=1)
    assert messages == [
        "Cette candidature a été modifiée entre-temps par quelqu'un d'autre : "
        "rechargez la page avant de recommencer."
    ]
    assert fresh(application).status == REVIEWED


def test_a_move_posted_without_its_version_is_refused(
    client_as: Callable[[User], Client],
) -> None:
    application = submitted()
    response = client_as(user("coordination")).post(
        reverse("enrolment:application_move", args=[application.pk, "validate"]), {}, follow=True
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Formulaire incomplet : rechargez la page."
    ]
    assert fresh(application).status == SUBMITTED


def test_a_move_on_an_application_outside_the_users_scope_answers_404(
    client_as: Callable[[User], Client],
) -> None:
    application = submitted(learner_at("MA ST MALO", reference="TA-0099"))
    response = client_as(user("rle-melun")).post(
        reverse("enrolment:application_move", args=[application.pk, "review"]),
        {"review-opinion": "favourable", "review-version": 1},
    )
    assert response.status_code == 404
    assert fresh(application).status == SUBMITTED


def test_the_whole_pipeline_through_the_pages_enrols_the_learner(
    client_as: Callable[[User], Client],
) -> None:
    application = submitted()
    for username, name, data in [
        ("rle-melun", "review", {"opinion": "favourable"}),
        ("coord-paris", "validate", {}),
        ("referent", "enrol", {}),
    ]:
        _, messages = post_move(client_as(user(username)), application, name, **data)
        assert len(messages) == 1 and messages[0].startswith("Candidature : ")
    assert fresh(application).status == ENROLLED
    assert Enrolment.objects.filter(application=application).count() == 2
    steps = ApplicationStep.objects.filter(application=application)
    assert [(s.to_status, s.by.username if s.by else None) for s in steps] == [
        (SUBMITTED, "referent"),
        (REVIEWED, "rle-melun"),
        (VALIDATED, "coord-paris"),
        (ENROLLED, "referent"),
    ]
    assert TeachingUnit.objects.filter(enrolments__application=application).count() == 2
    assert fresh(application).learner.status == Status.PLACED


def test_a_referent_submits_an_application_through_the_page(
    client_as: Callable[[User], Client],
) -> None:
    learner = learner_at()
    response = client_as(user("referent")).post(
        reverse("enrolment:application_create", args=[learner.pk]),
        {"academic_year": YEAR, "units": "ccg101, CCG102", "funding": "dap", "motivation": ""},
    )
    application = Application.objects.get(learner=learner)
    assert response.status_code == 302
    assert response["Location"] == reverse("enrolment:application", args=[application.pk])
    assert application.status == SUBMITTED
    assert sorted(application.units.values_list("code", flat=True)) == ["CCG101", "CCG102"]
    assert AuditEvent.objects.filter(
        action="create", model="enrolment.Application", object_id=str(application.pk)
    ).exists()


def test_an_application_naming_an_unknown_ue_is_refused_on_the_page(
    client_as: Callable[[User], Client],
) -> None:
    learner = learner_at()
    response = client_as(user("referent")).post(
        reverse("enrolment:application_create", args=[learner.pk]),
        {"academic_year": YEAR, "units": "CCG101, ZZZ999", "funding": "dap"},
    )
    assert response.status_code == 400
    assert "UE inconnue(s) : ZZZ999." in response.content.decode()
    assert not Application.objects.filter(learner=learner).exists()
