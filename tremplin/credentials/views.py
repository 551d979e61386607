"""Public pages (no login): the verifier, the issuer's profile and keys, the status list."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from tremplin.core.audit import Action, record
from tremplin.core.forms import DsfrForm
from tremplin.core.permissions import readable_or_404
from tremplin.enrolment.models import Certification

from . import keys, services
from .models import Credential
from .verification import Verdict, verify

MAX_PASTE = 20_000


class VerifyForm(DsfrForm):
    credential = forms.CharField(
        label="Attestation à vérifier",
        max_length=MAX_PASTE,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text="Collez l'attestation vérifiable (le texte commençant par « eyJ ») ou le "
        "contenu du fichier .json remis avec l'attestation de réussite.",
    )


def _page(request: HttpRequest, form: VerifyForm, verdict: Verdict | None) -> HttpResponse:
    return render(
        request,
        "credentials/verifier.html",
        {"title": "Vérifier une attestation", "form": form, "verdict": verdict},
        status=400 if form.errors else 200,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def verifier(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.POST or None)
    verdict = verify(form.cleaned_data["credential"]) if form.is_bound and form.is_valid() else None
    return _page(request, form, verdict)


@login_not_required
@require_GET
def verifier_by_id(request: HttpRequest, uid: str) -> HttpResponse:
    """The address of the attestation's QR code: the stored credential, verified."""
    credential = Credential.objects.filter(uid=uid).first()
    if credential is None:
        raise Http404("Aucune attestation ne correspond à cette adresse.")
    form = VerifyForm(initial={"credential": credential.token})
    return _page(request, form, verify(credential.token))


@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The credential of an awarded certification, as the file handed to the person (with the
    attestation): for those who read the certification."""
    certification = readable_or_404(
        request.user, Certification.objects.select_related("learner", "formation"), pk=pk
    )
    try:
        credential = services.issue(certification)
    except ValidationError as exc:
        raise Http404(" ".join(exc.messages)) from exc
    record(request, Action.EXPORT, certification, "attestation vérifiable (Open Badges)")
    document = {
        "credential": credential.token,
        "verification": services.verification_url(credential),
    }
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = (
        f'attachment; filename="attestation-{certification.number}.json"'
    )
    return response


@login_not_required
@require_GET
def issuer(request: HttpRequest) -> JsonResponse:
    """The issuer's profile with its public keys (every key ever used)."""
    return JsonResponse(
        {
            "@context": services.CONTEXTS,
            "id": services.issuer_id(),
            "type": ["Profile"],
            "name": services.ISSUER_NAME,
            "url": "https://www.cnam.fr/",
            "publicKeys": keys.jwks()["keys"],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@login_not_required
@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(keys.jwks(), json_dumps_params={"ensure_ascii": False})


@login_not_required
@require_GET
def status_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse(services.status_list_token(), content_type="application/vc+jwt")
