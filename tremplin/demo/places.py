"""Demo partners: a small, clearly labelled set of Cnam centres and missions locales in real
towns (no public offline list of them exists; see the refdata README)."""

from __future__ import annotations

from django.db import transaction

from tremplin.places.models import CnamCentre, Commune, MissionLocale

# (code, name, kind, commune name, department)
CENTRES: tuple[tuple[str, str, str, str, str], ...] = (
    ("DEMO-BRE", "Cnam Bretagne", "regional", "Rennes", "35"),
    ("DEMO-BRE-LANNION", "Cnam Bretagne — centre de Lannion", "teaching", "Lannion", "22"),
    (
        "DEMO-BRE-STBRIEUC",
        "Cnam Bretagne — centre de Saint-Brieuc",
        "teaching",
        "Saint-Brieuc",
        "22",
    ),
    ("DEMO-BRE-QUIMPER", "Cnam Bretagne — centre de Quimper", "teaching", "Quimper", "29"),
    ("DEMO-BRE-LORIENT", "Cnam Bretagne — centre de Lorient", "teaching", "Lorient", "56"),
    ("DEMO-BRE-VITRE", "Cnam Bretagne — centre de Vitré", "teaching", "Vitré", "35"),
    ("DEMO-CVL", "Cnam Centre-Val de Loire", "regional", "Orléans", "45"),
    (
        "DEMO-CVL-BOURGES",
        "Cnam Centre-Val de Loire — centre de Bourges",
        "teaching",
        "Bourges",
        "18",
    ),
    (
        "DEMO-CVL-CHATEAUROUX",
        "Cnam Centre-Val de Loire — centre de Châteauroux",
        "teaching",
        "Châteauroux",
        "36",
    ),
    ("DEMO-CVL-DREUX", "Cnam Centre-Val de Loire — centre de Dreux", "teaching", "Dreux", "28"),
    (
        "DEMO-CVL-VIERZON",
        "Cnam Centre-Val de Loire — centre de Vierzon",
        "teaching",
        "Vierzon",
        "18",
    ),
    ("DEMO-IDF", "Cnam Île-de-France", "regional", "Paris", "75"),
    ("DEMO-IDF-MEAUX", "Cnam Île-de-France — centre de Meaux", "teaching", "Meaux", "77"),
    ("DEMO-IDF-EVRY", "Cnam Île-de-France — centre d'Évry", "teaching", "Évry-Courcouronnes", "91"),
    ("DEMO-HDF", "Cnam Hauts-de-France", "regional", "Lille", "59"),
    ("DEMO-HDF-ARRAS", "Cnam Hauts-de-France — centre d'Arras", "teaching", "Arras", "62"),
    (
        "DEMO-HDF-MAUBEUGE",
        "Cnam Hauts-de-France — centre de Maubeuge",
        "teaching",
        "Maubeuge",
        "59",
    ),
    ("DEMO-GE", "Cnam Grand Est", "regional", "Strasbourg", "67"),
    ("DEMO-GE-EPINAL", "Cnam Grand Est — centre d'Épinal", "teaching", "Épinal", "88"),
    ("DEMO-NA", "Cnam Nouvelle-Aquitaine", "regional", "Bordeaux", "33"),
    (
        "DEMO-NA-PERIGUEUX",
        "Cnam Nouvelle-Aquitaine — centre de Périgueux",
        "teaching",
        "Périgueux",
        "24",
    ),
    ("DEMO-OCC", "Cnam Occitanie", "regional", "Toulouse", "31"),
    ("DEMO-OCC-ALBI", "Cnam Occitanie — centre d'Albi", "teaching", "Albi", "81"),
    ("DEMO-ARA", "Cnam Auvergne-Rhône-Alpes", "regional", "Lyon", "69"),
    ("DEMO-ARA-ROANNE", "Cnam Auvergne-Rhône-Alpes — centre de Roanne", "teaching", "Roanne", "42"),
)

# (code, name, commune name, department)
MISSIONS_LOCALES: tuple[tuple[str, str, str, str], ...] = (
    ("DEMO-ML-RENNES", "Mission locale du bassin d'emploi de Rennes", "Rennes", "35"),
    ("DEMO-ML-STMALO", "Mission locale du Pays de Saint-Malo", "Saint-Malo", "35"),
    ("DEMO-ML-FOUGERES", "Mission locale du Pays de Fougères", "Fougères", "35"),
    ("DEMO-ML-GUINGAMP", "Mission locale Ouest Côtes-d'Armor", "Guingamp", "22"),
    ("DEMO-ML-MORLAIX", "Mission locale du Pays de Morlaix", "Morlaix", "29"),
    ("DEMO-ML-PONTIVY", "Mission locale Centre-Bretagne", "Pontivy", "56"),
    ("DEMO-ML-ORLEANS", "Mission locale de l'Orléanais", "Orléans", "45"),
    ("DEMO-ML-VIERZON", "Mission locale de Vierzon", "Vierzon", "18"),
    ("DEMO-ML-ISSOUDUN", "Mission locale de l'Indre — antenne d'Issoudun", "Issoudun", "36"),
    ("DEMO-ML-MEAUX", "Mission locale du Pays de Meaux", "Meaux", "77"),
    ("DEMO-ML-DENAIN", "Mission locale du Denaisis", "Denain", "59"),
    ("DEMO-ML-SAINTDIE", "Mission locale de la Déodatie", "Saint-Dié-des-Vosges", "88"),
    ("DEMO-ML-BERGERAC", "Mission locale du Bergeracois", "Bergerac", "24"),
    ("DEMO-ML-CASTRES", "Mission locale de Castres", "Castres", "81"),
    ("DEMO-ML-ROANNE", "Mission locale du Roannais", "Roanne", "42"),
)


def _commune(name: str, department: str) -> Commune:
    return Commune.objects.get(name=name, department_id=department, kind=Commune.Kind.COMMUNE)


@transaction.atomic
def load_partners() -> list[str]:
    for code, name, kind, town, department in CENTRES:
        commune = _commune(town, department)
        CnamCentre.objects.update_or_create(
            code=code,
            defaults={
                "name": f"{name} (démo)",
                "kind": kind,
                "commune": commune,
                "region_id": commune.region_id,
                "email": f"{code.lower()}@demo.invalid",
                "is_demo": True,
            },
        )
    for code, name, town, department in MISSIONS_LOCALES:
        MissionLocale.objects.update_or_create(
            code=code,
            defaults={
                "name": f"{name} (démo)",
                "commune": _commune(town, department),
                "email": f"{code.lower()}@demo.invalid",
                "is_demo": True,
            },
        )
    return [
        f"Partenaires de démonstration : {len(CENTRES)} centres Cnam, {len(MISSIONS_LOCALES)} missions locales."
    ]
