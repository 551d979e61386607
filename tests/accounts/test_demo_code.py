"""`tremplin demo code USERNAME`: the current two-factor code of a demo account, and of no other."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from tremplin.accounts.twofactor import current_code
from tremplin.demo.accounts import DEMO_TOTP_KEY

from .helpers import make_user

pytestmark = pytest.mark.django_db


def test_the_command_prints_the_current_code_of_a_demo_account() -> None:
    out = StringIO()
    call_command("demo", "code", "referent", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    assert code in {current_code(DEMO_TOTP_KEY, step_offset=o) for o in (-1, 0)}


def test_the_command_refuses_any_other_account() -> None:
    user = make_user("nadia")
    TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    with pytest.raises(CommandError, match="nadia n'est pas un compte de démonstration"):
        call_command("demo", "code", "nadia")


def test_the_command_refuses_an_account_named_like_a_demo_one_but_not_from_the_demo() -> None:
    from tremplin.accounts.models import User

    User.objects.filter(username="referent").update(email="nadia@cnam.fr")
    with pytest.raises(CommandError, match="referent n'est pas un compte de démonstration"):
        call_command("demo", "code", "referent")


def test_the_statistician_has_no_demo_code() -> None:
    with pytest.raises(CommandError, match="pas d'authentificateur"):
        call_command("demo", "code", "statistique")
