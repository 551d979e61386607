"""The six conventions of the seeds, with illustrative objectives.

Parties, dates and scopes come from the seeds (the 2020-2021 catalogue's "quelques dates" and
the 15 July 2021 article on the State / UNML / Cnam convention). When a source gives only a
month or a year, the date kept is the first day of that month (or 1 January) and the summary
says so; no source gives an end date, so none is set. The sources give no figures for the
objectives: their targets are illustrative, chosen so that the demo history
(`tremplin.demo.learners`) can compute every indicator but the missions locales' referrals,
which Tremplin does not record yet.

Idempotent: a convention is keyed on its title and an objective on its label within its
convention; what exists is left as it is (the national coordinator may have edited it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from tremplin.conventions.models import Convention, ConventionKind, ScopeKind
from tremplin.conventions.services import (
    ConventionSpec,
    ObjectiveSpec,
    add_objective,
    create_convention,
)
from tremplin.places.models import Disp, Establishment, Region

__all__ = ["DEMO_CONVENTIONS", "load_conventions"]

CNAM = "Conservatoire national des arts et métiers (Cnam)"
DAP = "Direction de l'administration pénitentiaire (DAP)"
DISP_PARIS = "Direction interrégionale des services pénitentiaires (DISP) de Paris"
UPR_PARIS = "Unité pédagogique régionale (UPR) de Paris"

Goal = ObjectiveSpec.for_academic_years


@dataclass(frozen=True)
class DemoConvention:
    title: str
    kind: str
    parties: tuple[str, ...]
    signed_on: date
    summary: str
    scope: str = ScopeKind.NATIONAL
    disps: tuple[str, ...] = ()
    establishments: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    objectives: tuple[ObjectiveSpec, ...] = field(default=())


DEMO_CONVENTIONS: tuple[DemoConvention, ...] = (
    DemoConvention(
        title="Convention Cnam – DISP de Paris – UPR de Paris (2015)",
        kind=ConventionKind.REGIONAL_TRIPARTITE,
        parties=(CNAM, DISP_PARIS, UPR_PARIS),
        signed_on=date(2015, 6, 1),
        scope=ScopeKind.DISPS,
        disps=("DISP PARIS",),
        summary=(
            "Convention qui facilite l'inscription aux formations du Cnam des étudiants "
            "empêchés détenus dans les établissements de la DISP de Paris. Première étape de "
            "l'engagement du Cnam auprès des personnes détenues ; renouvelée en 2018.\n"
            "Signée en juin 2015 : le jour n'étant pas connu, la date retenue est le 1er juin "
            "2015."
        ),
        objectives=(
            Goal(
                "Ouvrir les formations dans au moins 4 établissements de la DISP de Paris",
                "partner_establishments",
                4,
                "2015-2016",
            ),
            Goal(
                "Inscrire au moins 10 personnes détenues la première année",
                "enrolled_learners",
                10,
                "2015-2016",
            ),
        ),
    ),
    DemoConvention(
        title="Convention pluriannuelle d'objectifs DAP – Cnam (2017)",
        kind=ConventionKind.NATIONAL_DAP_CNAM,
        parties=(DAP, CNAM),
        signed_on=date(2017, 1, 1),
        summary=(
            "Convention pluriannuelle d'objectifs entre l'administration pénitentiaire et le "
            "Cnam, afin de réaffirmer le déploiement des offres de formation du Cnam auprès des "
            "étudiants empêchés et d'élargir son champ d'action à l'ensemble du territoire "
            "national. Convention triennale, renouvelée en 2020.\n"
            "Signée en 2017 : seule l'année étant connue, la date retenue est le 1er janvier "
            "2017."
        ),
        objectives=(
            Goal(
                "Des personnes inscrites dans au moins 6 DISP",
                "disps_covered",
                6,
                "2018-2019",
            ),
            Goal("Au moins 60 personnes inscrites", "enrolled_learners", 60, "2019-2020"),
            Goal("Au moins 50 % d'UE validées", "ue_validation_rate", 50, "2019-2020"),
        ),
    ),
    DemoConvention(
        title="Renouvellement de la convention régionale Cnam – DISP – UPR d'Île-de-France (2018)",
        kind=ConventionKind.REGIONAL_TRIPARTITE,
        parties=(CNAM, DISP_PARIS, UPR_PARIS),
        signed_on=date(2018, 1, 1),
        scope=ScopeKind.DISPS,
        disps=("DISP PARIS",),
        summary=(
            "Renouvellement de la convention régionale de 2015 entre le Cnam, la DISP de Paris "
            "et l'UPR de Paris en faveur de la formation des personnes détenues d'Île-de-France."
            "\nSigné en 2018 : seule l'année étant connue, la date retenue est le 1er janvier "
            "2018."
        ),
        objectives=(
            Goal(
                "Les 9 établissements de l'UPR de Paris partenaires",
                "partner_establishments",
                9,
                "2018-2019",
            ),
            Goal(
                "Au moins 90 entretiens menés par le référent pédagogique",
                "interviews",
                90,
                "2019-2020",
            ),
            Goal(
                "Au moins 50 participants à Émergence sur trois ans",
                "emergence_participants",
                50,
                "2017-2018",
                "2019-2020",
            ),
            Goal(
                "Au moins 5 certifications délivrées",
                "certifications_awarded",
                5,
                "2017-2018",
                "2019-2020",
            ),
        ),
    ),
    DemoConvention(
        title="Convention tripartite Cnam Bretagne – UPR de Rennes – DISP de Rennes (2020)",
        kind=ConventionKind.REGIONAL_TRIPARTITE,
        parties=(
            "Cnam Bretagne",
            "Unité pédagogique régionale (UPR) de Rennes",
            "Direction interrégionale des services pénitentiaires (DISP) de Rennes",
        ),
        signed_on=date(2020, 1, 1),
        scope=ScopeKind.DISPS,
        disps=("DISP RENNES",),
        summary=(
            "Convention tripartite entre le centre Cnam Bretagne, l'UPR de Rennes et la DISP de "
            "Rennes (appelée « DISP Grand Ouest » dans la source), pour développer les "
            "formations du Cnam dans les établissements de la DISP de Rennes avec l'appui du "
            "centre Cnam en région.\n"
            "Signée en 2020 : seule l'année étant connue, la date retenue est le 1er janvier "
            "2020."
        ),
        objectives=(
            Goal(
                "Au moins 8 personnes inscrites dans la DISP de Rennes",
                "enrolled_learners",
                8,
                "2020-2021",
            ),
            Goal(
                "Au moins 5 établissements partenaires dans la DISP de Rennes",
                "partner_establishments",
                5,
                "2020-2021",
            ),
        ),
    ),
    DemoConvention(
        title="Renouvellement de la convention triennale DAP – Cnam : essaimage (2020)",
        kind=ConventionKind.NATIONAL_DAP_CNAM,
        parties=(DAP, CNAM),
        signed_on=date(2020, 1, 1),
        summary=(
            "Renouvellement de la convention triennale entre l'administration pénitentiaire et "
            "le Cnam, intégrant un projet d'essaimage des formations destinées aux personnes "
            "placées sous main de justice sur le territoire national : extension progressive de "
            "la géographie des actions de formation et renforcement de la coordination "
            "pédagogique au sein des centres Cnam en région.\n"
            "Signé en 2020 : seule l'année étant connue, la date retenue est le 1er janvier "
            "2020."
        ),
        objectives=(
            Goal(
                "Au moins 25 établissements partenaires",
                "partner_establishments",
                25,
                "2020-2021",
            ),
            Goal("Des personnes inscrites dans au moins 8 DISP", "disps_covered", 8, "2020-2021"),
            Goal("Au moins 80 personnes inscrites", "enrolled_learners", 80, "2020-2021"),
        ),
    ),
    DemoConvention(
        title="Convention État – UNML – Cnam pour les jeunes des missions locales (2021)",
        kind=ConventionKind.STATE_UNML_CNAM,
        parties=(
            "État (ministère chargé de l'Insertion)",
            "Union nationale des missions locales (UNML)",
            CNAM,
        ),
        signed_on=date(2021, 6, 9),
        summary=(
            "Première convention de partenariat entre l'État, l'UNML et le Cnam, signée le 9 "
            "juin 2021 : tout jeune accompagné par l'une des 436 missions locales peut être "
            "orienté vers le Cnam, en particulier vers les formations courtes post-baccalauréat "
            "développées dans les villes petites et moyennes."
        ),
        objectives=(
            Goal(
                "Orienter au moins 100 jeunes des missions locales vers le Cnam",
                "mission_locale_referrals",
                100,
                "2025-2026",
            ),
        ),
    ),
)


def _spec(demo: DemoConvention) -> ConventionSpec:
    disps = {d.code: d for d in Disp.objects.filter(code__in=demo.disps)}
    establishments = {
        e.label: e for e in Establishment.objects.filter(label__in=demo.establishments)
    }
    regions = {r.name: r for r in Region.objects.filter(name__in=demo.regions)}
    return ConventionSpec(
        title=demo.title,
        kind=demo.kind,
        parties=demo.parties,
        signed_on=demo.signed_on,
        scope=demo.scope,
        # A KeyError here means the reference data lacks a place the demo names.
        disps=[disps[code] for code in demo.disps],
        establishments=[establishments[label] for label in demo.establishments],
        regions=[regions[name] for name in demo.regions],
        summary=demo.summary,
    )


@transaction.atomic
def load_conventions() -> list[str]:
    created = added = 0
    for demo in DEMO_CONVENTIONS:
        convention = Convention.objects.filter(title=demo.title).first()
        if convention is None:
            convention = create_convention(_spec(demo))
            created += 1
        labels = set(convention.objectives.values_list("label", flat=True))
        for objective in demo.objectives:
            if objective.label not in labels:
                add_objective(convention, objective)
                added += 1
    total = Convention.objects.count()
    if not created and not added:
        return [f"Conventions : rien de nouveau ({total} conventions)."]
    return [
        f"Conventions : {created} créée{'s' if created > 1 else ''}, {added} objectif"
        f"{'s' if added > 1 else ''} ajouté{'s' if added > 1 else ''} ({total} conventions)."
    ]
