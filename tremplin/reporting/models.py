"""The state of each academic year's data, kept by the database itself.

`YearStamp.token` changes (to a new random number) whenever a row that a bilan of that year reads
is written, by any path: a form, an import, the API, a bulk COPY or raw SQL. Triggers do it
(migration 0001), so no writer can forget. The referrals are watched by `ReferralStamp`
(migrations 0002 and 0003), the interviews and the placements by `FollowupStamp` (0004). The stored figures (`stored.py`) are keyed by the
token: figures stored under a token describe exactly the data that carried that token, and a
rolled-back write leaves the old token, which still describes the committed data.
"""

from __future__ import annotations

from django.db import models

#: The years that have a stamp (migrations 0001 and 0002); figures of other years are computed
#: each time.
FIRST_YEAR = 1990
LAST_YEAR = 2100


class Stamp(models.Model):
    year = models.CharField("année universitaire", max_length=9, primary_key=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    #: Bounds one day wider on each side, for datetimes compared in any time zone.
    wide_start = models.DateField()
    wide_end = models.DateField()
    token = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.year} ({self.token})"


class YearStamp(Stamp):
    """Every write a bilan of the year reads (migration 0001), but the referrals (0003) and
    the interviews and placements (0004): the bilan draws its orientation rows from the
    orientation statistics, which the referral stamps key, and its follow-up figures are
    stored per follow-up stamp."""

    class Meta:
        verbose_name = "état d'une année universitaire"


class ReferralStamp(Stamp):
    """The writes the orientation statistics of the year read, and those only (migration
    0002): the year's referrals, the centres, missions locales and regions they are grouped
    by. An enrolment, an interview or a placement written in the year leaves it as it was, so
    that the statistics and their masks (seconds at national scale) are not decided again for
    a write they do not read."""

    class Meta:
        verbose_name = "état des orientations d'une année universitaire"


class FollowupStamp(Stamp):
    """The writes the bilan's follow-up figures of the year read, and those only (migration
    0004): the year's interviews, the placements (a placement decides where the interviews
    of its day and after are counted: every year from its own on), the establishments and the
    DISPs. The interviews are the referents' everyday writes: one leaves the rest of the bilan
    stored, an enrolment leaves the follow-up figures stored."""

    class Meta:
        verbose_name = "état du suivi d'une année universitaire"
