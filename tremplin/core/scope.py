"""A user's scope, read once per request: which DISPs, regions, establishments, mission locale,
centre and UEs their role covers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tremplin.core.roles import Role

#: Roles that read every record.
NATIONAL = frozenset({Role.NATIONAL_COORDINATOR})
#: Roles that never read a personal record.
NO_PERSONAL_DATA = frozenset({Role.STATISTICIAN})


@dataclass(frozen=True)
class Scope:
    role: str
    everything: bool
    disp_ids: frozenset[int] = frozenset()
    region_codes: frozenset[str] = frozenset()
    establishment_ids: frozenset[int] = frozenset()
    mission_locale_id: int | None = None
    centre_id: int | None = None
    unit_ids: frozenset[int] = frozenset()

    @property
    def personal_data(self) -> bool:
        return self.everything or self.role not in NO_PERSONAL_DATA

    @property
    def local(self) -> bool:
        """Whether the scope is one place's or a few (establishments, a mission locale, a
        centre), not a region's or the country's: few enough rows to test each one."""
        return not self.everything and self.role != Role.REGIONAL_COORDINATOR


NOBODY = Scope(role="", everything=False)


def scope_of(user: Any) -> Scope:
    if not getattr(user, "is_authenticated", False):
        return NOBODY
    cached = getattr(user, "_tremplin_scope", None)
    if isinstance(cached, Scope):
        return cached
    role = user.role
    if user.is_superuser or role in NATIONAL:
        scope = Scope(role=role, everything=True)
    else:
        scope = Scope(
            role=role,
            everything=False,
            disp_ids=frozenset(user.disps.values_list("id", flat=True))
            if role == Role.REGIONAL_COORDINATOR
            else frozenset(),
            region_codes=frozenset(user.regions.values_list("code", flat=True))
            if role in (Role.REGIONAL_COORDINATOR, Role.CENTRE_STAFF)
            else frozenset(),
            establishment_ids=frozenset(user.establishments.values_list("id", flat=True))
            if role in (Role.REFERENT, Role.RLE)
            else frozenset(),
            mission_locale_id=user.mission_locale_id if role == Role.ML_COUNSELOR else None,
            centre_id=user.centre_id if role == Role.CENTRE_STAFF else None,
            unit_ids=frozenset(user.teaching_units.values_list("id", flat=True))
            if role == Role.TEACHER
            else frozenset(),
        )
    user._tremplin_scope = scope
    return scope
