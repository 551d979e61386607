"""The action matrix: which role may do what, declared once, with the scope filter of each
action's target. The web views, the navigation, the templates (`{% can %}`), the API and the
imports all ask `can()`, so the same user gets the same answer on every channel.

The national coordination (and a superuser) may do every action on every target. For the
other roles, an action is allowed when the role is in its row of the matrix and, when a target
is named, the scope check that the target's app registered accepts it (`core` knows no domain
app: the apps register their checks in `AppConfig.ready`)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied

from tremplin.core.scope import Scope, scope_of

from .roles import Role

R = Role


class Action(StrEnum):
    ENTER_RESULTS = "results.enter"
    CREATE_ENROLMENTS = "enrolments.create"
    CHANGE_ENROLMENTS = "enrolments.change"
    MERGE_LEARNERS = "learners.merge"
    # The areas of the navigation whose pages a role opens (the views require them, the
    # navigation shows them: the same declaration).
    READ_CASELOAD = "followup.read"
    READ_APPLICATIONS = "applications.read"
    READ_CERTIFICATIONS = "certifications.read"
    READ_HANDOVERS = "handovers.read"
    READ_CONVENTIONS = "conventions.read"
    # A person's rights (export, erasure) exercised on their behalf: the national coordination.
    SUBJECT_RIGHTS = "privacy.rights"
    # The establishment copies (docs/sync.md): made, fed and revoked at the centre; a copy's
    # bundles written and read in the establishment.
    MANAGE_COPIES = "sync.manage"
    SYNC_COPY = "sync.copy"


#: role × action. Every action also belongs to the national coordination.
MATRIX: dict[Action, frozenset[str]] = {
    # Results: the UE's teacher only (issue 17: the API and the imports included).
    Action.ENTER_RESULTS: frozenset({R.TEACHER}),
    # Enrolments (without a result): the roles that follow the learners, in their scope.
    Action.CREATE_ENROLMENTS: frozenset({R.REGIONAL_COORDINATOR, R.REFERENT, R.RLE}),
    Action.CHANGE_ENROLMENTS: frozenset({R.REGIONAL_COORDINATOR, R.REFERENT, R.RLE}),
    # Two files of the same person made one: the coordinations, both files in their scope.
    Action.MERGE_LEARNERS: frozenset({R.REGIONAL_COORDINATOR}),
    # The follow-up of the learners in detention: the coordinations, the referents, the RLEs.
    Action.READ_CASELOAD: frozenset({R.REGIONAL_COORDINATOR, R.REFERENT, R.RLE}),
    Action.READ_APPLICATIONS: frozenset({R.REGIONAL_COORDINATOR, R.REFERENT, R.RLE}),
    Action.READ_CERTIFICATIONS: frozenset({R.REGIONAL_COORDINATOR, R.REFERENT, R.RLE}),
    # A released learner's hand-over: the receiving centre, and those who followed the learner.
    Action.READ_HANDOVERS: frozenset({R.CENTRE_STAFF, R.REGIONAL_COORDINATOR, R.REFERENT, R.RLE}),
    # The partnership conventions and their indicators: the coordinations and the statistician.
    Action.READ_CONVENTIONS: frozenset({R.REGIONAL_COORDINATOR, R.STATISTICIAN}),
    Action.SUBJECT_RIGHTS: frozenset(),
    Action.MANAGE_COPIES: frozenset({R.REGIONAL_COORDINATOR}),
    Action.SYNC_COPY: frozenset({R.RLE, R.REFERENT}),
}
#: What an establishment copy never decides (docs/sync.md): refused there, whatever the role.
CENTRAL: frozenset[Action] = frozenset(
    {Action.MERGE_LEARNERS, Action.SUBJECT_RIGHTS, Action.MANAGE_COPIES}
)
#: What only an establishment copy does.
ON_COPY: frozenset[Action] = frozenset({Action.SYNC_COPY})

#: What a refusal says, per action.
REFUSALS: dict[Action, str] = {
    Action.ENTER_RESULTS: "la saisie des résultats est réservée à l'enseignant de l'UE",
    Action.CREATE_ENROLMENTS: "votre rôle ne permet pas d'inscrire un apprenant à une UE",
    Action.CHANGE_ENROLMENTS: "votre rôle ne permet pas de modifier une inscription",
    Action.MERGE_LEARNERS: "la fusion de dossiers est réservée aux coordinations",
    Action.READ_CASELOAD: "votre rôle ne donne pas accès au suivi des apprenants",
    Action.READ_APPLICATIONS: "votre rôle ne donne pas accès aux candidatures",
    Action.READ_CERTIFICATIONS: "votre rôle ne donne pas accès aux certifications",
    Action.READ_HANDOVERS: "votre rôle ne donne pas accès aux reprises de formation",
    Action.READ_CONVENTIONS: "votre rôle ne donne pas accès aux conventions",
    Action.SUBJECT_RIGHTS: "les droits des personnes sont exercés par la coordination nationale",
    Action.MANAGE_COPIES: "les copies d'établissement sont gérées par les coordinations, au centre",
    Action.SYNC_COPY: "la synchronisation se fait sur une copie d'établissement, par son RLE ou "
    "un référent",
}

ScopeCheck = Callable[[Scope, Any], bool]
_scope_checks: dict[Action, ScopeCheck] = {}


def register_scope(action: Action, check: ScopeCheck) -> None:
    """Declare how `action`'s target is checked against a scope (by the target's app)."""
    _scope_checks[action] = check


def roles_for(action: Action) -> frozenset[str]:
    return MATRIX[action] | {R.NATIONAL_COORDINATOR}


def can(user: Any, action: Action | str, target: Any = None) -> bool:
    """May `user` do `action` (on `target`, when named)?"""
    action = Action(action)
    if action in CENTRAL or action in ON_COPY:
        from .registry import on_copy

        if (action in CENTRAL) == on_copy():
            return False
    scope = scope_of(user)
    if scope.everything:
        return True
    if scope.role not in MATRIX[action]:
        return False
    if target is None:
        return True
    check = _scope_checks.get(action)
    return check is None or check(scope, target)


def require(user: Any, action: Action | str, target: Any = None) -> None:
    """403 (PermissionDenied with the French reason) unless `can()`."""
    if not can(user, action, target):
        reason = REFUSALS[Action(action)]
        raise PermissionDenied(reason[0].upper() + reason[1:] + ".")


__all__ = [
    "CENTRAL",
    "MATRIX",
    "ON_COPY",
    "REFUSALS",
    "Action",
    "can",
    "register_scope",
    "require",
    "roles_for",
]
