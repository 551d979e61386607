"""The data subject: a learner or young person seen through their rights (GDPR articles 15 to
17). A proxy of `Learner`, so that the permissions of the rights pages are declared once, like
every other model's (`DataSubject.permissions`)."""

from __future__ import annotations

from tremplin.learners.models import Learner

from .permissions import SubjectRightsPermissions

#: The reference of an anonymised record starts with this (an opaque random token follows).
ANONYMOUS_PREFIX = "ANON-"


class DataSubject(Learner):
    permissions = SubjectRightsPermissions()

    class Meta:
        proxy = True
        verbose_name = "personne concernée"
        verbose_name_plural = "personnes concernées"

    def __str__(self) -> str:
        return f"Personne concernée {self.reference}"


def is_anonymised(learner: Learner) -> bool:
    return learner.reference.startswith(ANONYMOUS_PREFIX)
