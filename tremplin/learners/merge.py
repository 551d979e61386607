"""Two files of the same person made one, by a coordinator: every record that hangs off the
merged file (placements, applications, enrolments and results, certifications, interviews,
Émergence, hand-overs, referrals, the youth profile) moves to the kept one, the merged file
stays as a redirect, and the merge can be undone until it is confirmed. Every record that
points to a learner is found from the model's relations: a new one is moved without a word
here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from tremplin.accounts.models import acting_user
from tremplin.core import journal
from tremplin.core.actions import Action, require
from tremplin.core.permissions import Actor

from .models import Learner, LearnerMerge, Status


def _relations() -> list[models.ForeignObjectRel]:
    """The relations whose rows belong to a learner (the merges themselves and the redirect
    excepted)."""
    return [
        rel
        for rel in Learner._meta.related_objects
        if rel.related_model is not LearnerMerge
        and rel.related_model is not Learner
        and not rel.many_to_many
    ]


def _label(model: type[models.Model], count: int) -> str:
    """« 1 étape du parcours », « 3 inscriptions aux UE »."""
    meta = model._meta
    return f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"


@dataclass
class MergePlan:
    """What a merge would move (French label -> count) and what prevents it."""

    kept: Learner
    merged: Learner
    #: What would move, counted: « 3 inscriptions aux UE ».
    moves: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    @property
    def possible(self) -> bool:
        return not self.conflicts


def _unique_sets(model: type[models.Model], fk: str) -> list[tuple[tuple[str, ...], Any]]:
    """The other fields of each uniqueness rule that names the learner, with the rule's
    condition (a partial unique constraint: « one certification per formation unless
    revoked »), None when it always holds."""
    sets: list[tuple[tuple[str, ...], Any]] = []
    for constraint in model._meta.constraints:
        fields = tuple(getattr(constraint, "fields", ()) or ())
        if fk in fields:
            others = tuple(name for name in fields if name != fk)
            sets.append((others, getattr(constraint, "condition", None)))
    for together in model._meta.unique_together:
        if fk in together:
            sets.append((tuple(name for name in together if name != fk), None))
    return sets


def plan(kept: Learner, merged: Learner) -> MergePlan:
    """What merging `merged` into `kept` would do, and the conflicts that forbid it (the same
    UE the same year in both files, the same formation certified twice, two youth profiles…):
    they are settled on the files first, never silently."""
    result = MergePlan(kept, merged)
    if kept.pk == merged.pk:
        result.conflicts.append("Un dossier ne peut pas être fusionné avec lui-même.")
        return result
    for who in (kept, merged):
        if who.status == Status.MERGED:
            result.conflicts.append(f"Le dossier {who.reference} est déjà fusionné dans un autre.")
    if result.conflicts:
        return result
    for rel in _relations():
        model = rel.related_model
        fk = rel.field.name
        rows = model._default_manager.filter(**{fk: merged})
        count = rows.count()
        if not count:
            continue
        result.moves.append(_label(model, count))
        if rel.one_to_one:
            if model._default_manager.filter(**{fk: kept}).exists():
                result.conflicts.append(
                    f"{str(model._meta.verbose_name).capitalize()} : les deux dossiers en ont "
                    "une ; supprimez celle qui est en trop avant de fusionner."
                )
            continue
        for others, condition in _unique_sets(model, fk):
            theirs = rows if condition is None else rows.filter(condition)
            mine_rows = model._default_manager.filter(**{fk: kept})
            if condition is not None:
                mine_rows = mine_rows.filter(condition)
            mine = set(mine_rows.values_list(*others))
            for row in theirs:
                values = tuple(
                    getattr(row, f"{name}_id", getattr(row, name, None)) for name in others
                )
                if values in mine:
                    result.conflicts.append(
                        f"{str(model._meta.verbose_name).capitalize()} « {row} » : dans les deux "
                        "dossiers ; supprimez ou annulez l'un des deux avant de fusionner."
                    )
    return result


def _can_merge(user: Any, learner: Learner) -> bool:
    from tremplin.core.permissions import permissions_of

    return permissions_of(Learner).can_change(user, learner)


@transaction.atomic
def merge(kept: Learner, merged: Learner, *, by: Actor) -> LearnerMerge:
    """Move everything of `merged` to `kept`; `merged` becomes a redirect ("Dossier fusionné").
    Refused whole when the plan has a conflict or the user may not change both files."""
    require(by, Action.MERGE_LEARNERS)
    kept, merged = (
        Learner.objects.select_for_update().get(pk=kept.pk),
        Learner.objects.select_for_update().get(pk=merged.pk),
    )
    if not (_can_merge(by, kept) and _can_merge(by, merged)):
        raise PermissionDenied("Les deux dossiers doivent être dans votre périmètre.")
    result = plan(kept, merged)
    if not result.possible:
        raise ValidationError(result.conflicts)
    moved: dict[str, list[int]] = defaultdict(list)
    for rel in _relations():
        model = rel.related_model
        rows = model._default_manager.filter(**{rel.field.name: merged})
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            moved[model._meta.label].extend(ids)
            model._default_manager.filter(pk__in=ids).update(**{rel.field.name: kept})
    record = LearnerMerge.objects.create(
        kept=kept,
        merged=merged,
        moved=dict(moved),
        previous_status=merged.status,
        by=acting_user(by),
    )
    merged.status = Status.MERGED
    merged.merged_into = kept
    merged.save(update_fields=["status", "merged_into", "updated_at"])
    journal.record(
        journal.Kind.LEARNER_MERGED,
        kept,
        actor=by,
        payload={
            "merge": record.pk,
            "merged": merged.pk,
            "moved": {k: len(v) for k, v in moved.items()},
        },
    )
    return record


def _decide(merge_id: int, state: str, by: Actor) -> LearnerMerge:
    """Settle a pending merge (undone or confirmed), as a coordinator of the kept file."""
    require(by, Action.MERGE_LEARNERS)
    record = (
        LearnerMerge.objects.select_for_update().select_related("kept", "merged").get(pk=merge_id)
    )
    if record.state != LearnerMerge.State.PENDING:
        raise ValidationError(f"Cette fusion est déjà {record.get_state_display().lower()}.")
    if not _can_merge(by, record.kept):
        raise PermissionDenied("Ce dossier n'est pas dans votre périmètre.")
    record.state = state
    record.decided_by = acting_user(by)
    record.decided_at = timezone.now()
    record.save(update_fields=["state", "decided_by", "decided_at"])
    return record


@transaction.atomic
def undo(merge_id: int, *, by: Actor) -> LearnerMerge:
    """Put back what the merge moved (the rows it moved, not those added to the kept file
    since) and make the merged file a file again."""
    record = _decide(merge_id, LearnerMerge.State.UNDONE, by)
    fks = {rel.related_model._meta.label: rel.field.name for rel in _relations()}
    for label, ids in record.moved.items():
        model = apps.get_model(label)
        model._default_manager.filter(pk__in=ids).update(**{fks[label]: record.merged})
    merged = record.merged
    merged.status = record.previous_status
    merged.merged_into = None
    merged.save(update_fields=["status", "merged_into", "updated_at"])
    journal.record(
        journal.Kind.LEARNER_MERGE_UNDONE, record.kept, actor=by, payload={"merge": record.pk}
    )
    return record


@transaction.atomic
def confirm(merge_id: int, *, by: Actor) -> LearnerMerge:
    """Make the merge final: it can no longer be undone."""
    record = _decide(merge_id, LearnerMerge.State.CONFIRMED, by)
    journal.record(
        journal.Kind.LEARNER_MERGE_CONFIRMED, record.kept, actor=by, payload={"merge": record.pk}
    )
    return record


def pending_merges(learner: Learner) -> list[LearnerMerge]:
    return list(
        LearnerMerge.objects.filter(kept=learner, state=LearnerMerge.State.PENDING)
        .select_related("merged", "by")
        .order_by("at")
    )


__all__ = ["MergePlan", "confirm", "merge", "pending_merges", "plan", "undo"]
