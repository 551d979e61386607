"""The roles of DOMAIN.md. Kept apart from the user model so that every app can name them."""

from django.db import models


class Role(models.TextChoices):
    NATIONAL_COORDINATOR = "national_coordinator", "Coordination nationale"
    REGIONAL_COORDINATOR = "regional_coordinator", "Coordination régionale"
    REFERENT = "referent", "Référent pédagogique pénitentiaire"
    RLE = "rle", "Responsable local de l'enseignement (RLE)"
    ML_COUNSELOR = "ml_counselor", "Conseiller ou conseillère de mission locale"
    CENTRE_STAFF = "centre_staff", "Équipe d'un centre Cnam"
    TEACHER = "teacher", "Enseignant ou enseignante"
    STATISTICIAN = "statistician", "Statisticien ou statisticienne"
