"""What each role finds on its home page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Count
from django.urls import reverse

from tremplin.accounts.models import User
from tremplin.catalog.selectors import current_edition
from tremplin.core.roles import Role
from tremplin.core.stamps import count as stamped_count
from tremplin.core.typography import thousands
from tremplin.places.models import CnamCentre, Disp, Establishment, MissionLocale


@dataclass
class Card:
    title: str
    lines: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)


INTRODUCTIONS: dict[str, str] = {
    Role.NATIONAL_COORDINATOR: "Vous pilotez l'offre nationale : catalogue, conventions, utilisateurs.",
    Role.REGIONAL_COORDINATOR: "Vous suivez les établissements et les centres de votre périmètre.",
    Role.REFERENT: "Vous accompagnez les apprenants des établissements qui vous sont confiés.",
    Role.RLE: "Vous organisez l'enseignement dans votre établissement.",
    Role.ML_COUNSELOR: "Vous orientez les jeunes de votre mission locale vers le Cnam.",
    Role.CENTRE_STAFF: "Vous accueillez les jeunes orientés et les apprenants libérés confiés à votre centre.",
    Role.TEACHER: "Vous saisissez les résultats des UE que vous enseignez.",
    Role.STATISTICIAN: "Vous consultez les chiffres agrégés, sans accès aux dossiers personnels.",
}


def home_cards(user: User) -> list[Card]:
    cards: list[Card] = []
    edition = current_edition()
    if edition is not None:
        cards.append(
            Card(
                f"Catalogue {edition.year}",
                [f"{edition.title} — {edition.get_status_display().lower()}."],
                [
                    ("Consulter le catalogue", reverse("catalog:edition", args=[edition.year])),
                    ("Télécharger le PDF", reverse("catalog:edition_pdf", args=[edition.year])),
                ],
            )
        )
    role = user.role
    if role in {Role.REFERENT, Role.RLE}:
        mine = list(user.establishments.select_related("disp").order_by("label"))
        cards.append(
            Card(
                "Vos établissements" if role == Role.REFERENT else "Votre établissement",
                [] if mine else ["Aucun établissement ne vous est encore attribué."],
                [
                    (
                        f"{e.label} — {e.name} ({e.disp.code})",
                        reverse("places:establishment", args=[e.pk]),
                    )
                    for e in mine
                ],
            )
        )
    elif role == Role.REGIONAL_COORDINATOR:
        disps = Disp.objects.filter(users=user).annotate(n=Count("establishments"))
        cards.append(
            Card(
                "Votre périmètre",
                [f"{d.code} : {d.n} établissements" for d in disps]
                + [f"Région Cnam : {r.name}" for r in user.regions.all()],
                [(d.code, reverse("places:establishments") + f"?disp={d.pk}") for d in disps],
            )
        )
    elif role == Role.ML_COUNSELOR and user.mission_locale_id:
        ml = MissionLocale.objects.select_related("commune").get(pk=user.mission_locale_id)
        cards.append(Card("Votre mission locale", [f"{ml.name} — {ml.commune.name}"]))
    elif role == Role.CENTRE_STAFF and user.centre_id:
        centre = CnamCentre.objects.select_related("commune").get(pk=user.centre_id)
        cards.append(Card("Votre centre", [f"{centre.name} — {centre.commune.name}"]))
    elif role == Role.TEACHER:
        units = list(user.teaching_units.order_by("code"))
        cards.append(
            Card(
                "Vos unités d'enseignement",
                [] if units else ["Aucune UE ne vous est encore attribuée."],
                [(str(u), reverse("catalog:unit", args=[u.code])) for u in units],
            )
        )
    else:
        cards.append(
            Card(
                "Le réseau",
                [
                    f"{Establishment.objects.count()} établissements pénitentiaires, "
                    f"{Disp.objects.count()} directions interrégionales",
                    f"{CnamCentre.objects.count()} centres Cnam, "
                    f"{MissionLocale.objects.count()} missions locales",
                ],
                [
                    ("Les établissements", reverse("places:establishments")),
                    ("La carte", reverse("places:map")),
                ],
            )
        )
    cards += work_cards(user)
    if user.can_edit_catalogue:
        cards.append(
            Card(
                "Administration",
                ["Gérez le catalogue, les lieux partenaires et les comptes."],
                [
                    ("Gérer le catalogue", reverse("catalog:index")),
                    ("Comptes utilisateurs", reverse("admin:accounts_user_changelist")),
                ],
            )
        )
    return cards


def work_cards(user: User) -> list[Card]:
    """What is waiting for this user today."""
    from tremplin.enrolment.models import Application, Certification, Enrolment
    from tremplin.followup.selectors import caseload
    from tremplin.learners.models import Learner

    role = user.role
    cards: list[Card] = []
    coordinator = role in (Role.NATIONAL_COORDINATOR, Role.REGIONAL_COORDINATOR)
    if coordinator or role in (Role.REFERENT, Role.RLE, Role.ML_COUNSELOR):
        # A merged file is a redirect to the kept one: not a file of its own.
        learners = stamped_count(
            Learner.permissions.readable(user, Learner.objects.exclude(status="merged"))
        )
        cards.append(
            Card(
                "Apprenants",
                [
                    f"{thousands(learners)} dossier{'s' if learners > 1 else ''} dans votre périmètre."
                ],
                [("Rechercher un apprenant", reverse("learners:list"))],
            )
        )
    if role in (Role.REFERENT, Role.RLE) or coordinator:
        rows = caseload(user)
        alerts = sum(1 for r in rows if r.alerts)
        cards.append(
            Card(
                "Suivi",
                [f"{len(rows)} apprenant(s) en formation cette année, {alerts} avec une alerte."],
                [("Ouvrir le suivi", reverse("followup:caseload"))],
            )
        )
        applications = Application.permissions.readable(user, Application.objects.all())
        waiting: tuple[str, str] = {
            Role.RLE: (Application.Status.SUBMITTED, "en attente de votre avis"),
            Role.REFERENT: (Application.Status.VALIDATED, "validées, à inscrire"),
        }.get(Role(role), (Application.Status.REVIEWED, "à valider"))
        n = applications.filter(status=waiting[0]).count()
        cards.append(
            Card(
                "Candidatures",
                [f"{n} candidature(s) {waiting[1]}."],
                [
                    (
                        "Voir les candidatures",
                        reverse("enrolment:applications") + f"?statut={waiting[0]}",
                    )
                ],
            )
        )
    if coordinator:
        proposed = Certification.permissions.readable(
            user, Certification.objects.filter(status=Certification.Status.PROPOSED)
        ).count()
        cards.append(
            Card(
                "Certifications",
                [f"{proposed} certification(s) proposée(s), à confirmer."],
                [("Confirmer les certifications", reverse("enrolment:certifications"))],
            )
        )
    if role == Role.TEACHER:
        grids = list(
            Enrolment.permissions.readable(user, Enrolment.objects.filter(result="pending"))
            .values("unit__code", "academic_year")
            .annotate(n=Count("pk"))
            .order_by("-academic_year", "unit__code")
        )
        pending = sum(grid["n"] for grid in grids)
        cards.append(
            Card(
                "Grilles de résultats à compléter",
                [f"{plural(pending, 'résultat')} en attente dans {plural(len(grids), 'grille')}."],
                [
                    (
                        f"{grid['unit__code']} {grid['academic_year']} : "
                        f"{plural(grid['n'], 'résultat')} à saisir",
                        reverse("enrolment:grid", args=[grid["unit__code"], grid["academic_year"]]),
                    )
                    for grid in grids
                ]
                + [("Toutes vos grilles", reverse("enrolment:grids"))],
            )
        )
    if role in LOGISTICS_ROLES or coordinator:
        cards.append(_sessions_this_week(user))
    if role in (Role.CENTRE_STAFF, Role.ML_COUNSELOR):
        cards += _orientation_work(user)
    if role == Role.STATISTICIAN:
        cards.append(
            Card(
                "Chiffres à publier",
                [
                    "Le bilan chiffré de chaque année universitaire et les statistiques des "
                    "orientations, en mode publication (effectifs inférieurs à 5 masqués)."
                ],
                [
                    ("Bilan chiffré", reverse("reporting:dashboard")),
                    ("Statistiques des orientations", reverse("orientation:statistics")),
                ],
            )
        )
    return cards


#: The roles that organise exams inside the establishments (with the coordinators).
LOGISTICS_ROLES = (Role.REFERENT, Role.RLE)


def plural(n: int, word: str) -> str:
    """« 1 résultat », « 3 résultats » (words taking an s)."""
    return f"{n} {word}{'s' if n > 1 else ''}"


def _sessions_this_week(user: User) -> Card:
    from django.utils import timezone

    from tremplin.delivery.models import ExamSession

    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    start = timezone.make_aware(datetime.combine(monday, time.min))
    sessions = ExamSession.permissions.readable(
        user,
        ExamSession.objects.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=7)),
    ).count()
    return Card(
        "Examens de la semaine",
        [
            f"{plural(sessions, 'session')} d'examen cette semaine."
            if sessions
            else "Aucune session d'examen cette semaine."
        ],
        [("Supports et examens", reverse("delivery:index"))],
    )


def _orientation_work(user: User) -> list[Card]:
    from tremplin.delivery.models import HandOver
    from tremplin.delivery.selectors import hand_overs_for
    from tremplin.orientation.models import Referral
    from tremplin.orientation.selectors import visible_referrals

    waiting = stamped_count(visible_referrals(user).filter(status=Referral.Status.SENT))
    referrals_url = reverse("orientation:referrals") + f"?status={Referral.Status.SENT}"
    if user.role == Role.CENTRE_STAFF:
        hand_overs = hand_overs_for(user).filter(status=HandOver.Status.PENDING).count()
        return [
            Card(
                "Jeunes à contacter",
                [
                    f"{plural(waiting, 'orientation')} reçue{'s' if waiting > 1 else ''}, sans premier contact."
                ],
                [("Contacter les jeunes orientés", referrals_url)],
            ),
            Card(
                "Reprises de formation",
                [
                    f"{plural(hand_overs, 'apprenant')} libéré{'s' if hand_overs > 1 else ''} "
                    "à accueillir."
                ],
                [("Voir les reprises de formation", reverse("delivery:handovers"))],
            ),
        ]
    return [
        Card(
            "Orientations en attente",
            [
                f"{plural(waiting, 'orientation')} envoyée{'s' if waiting > 1 else ''}, "
                "sans premier contact du centre."
            ],
            [
                ("Voir les orientations", referrals_url),
                ("Vos jeunes", reverse("orientation:young_people")),
            ],
        )
    ]
