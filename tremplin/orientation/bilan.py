"""The orientation part of the bilan chiffré: the referrals of a year by region (the bilan,
in reporting, reads it through the registry)."""

from __future__ import annotations

from tremplin.core.text import sort_key
from tremplin.reporting.tables import OrientationRow, days

from .publication import publish_stats
from .stats import Figures, referral_stats


def orientation_rows(year: str, *, threshold: int | None = None) -> list[OrientationRow]:
    """The referrals of the year by region; published (`publish_stats`, the masks of the
    orientation statistics pages) when a threshold is given."""
    stats = referral_stats(year=year)
    if not stats.total.sent:
        return []
    if threshold is not None:
        stats = publish_stats(stats, threshold)

    def row(figures: Figures) -> OrientationRow:
        return OrientationRow(
            region=figures.label,
            sent=figures.sent,
            contacted=figures.contacted,
            enrolled=figures.enrolled,
            enrolment_rate=figures.enrolment_rate,
            median_days_to_first_contact=days(figures.median_days_to_first_contact),
            small_medium_share=figures.small_medium_share,
        )

    regions = sorted(stats.by_region, key=lambda f: sort_key(f.label))
    return [*(row(f) for f in regions), row(stats.total)]
