from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "tremplin.credentials"
    verbose_name = "Attestations vérifiables"

    def ready(self) -> None:
        from tremplin.core import journal, registry

        from .services import forget_erased, issue, issue_awarded, verification_url

        # Each certification awarded is also issued as a verifiable credential; an erasure
        # deletes the credentials that name the person.
        journal.subscribe(journal.Kind.CERTIFICATION_AWARDED, issue_awarded)
        journal.subscribe(journal.Kind.LEARNER_ERASED, forget_erased)
        # The attestation PDF (enrolment, below) prints the credential's verification address.
        registry.provide("certification.verification_url", lambda c: verification_url(issue(c)))
