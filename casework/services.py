"""Every write to the journal: keyword-only, atomic, with the note's history (NoteChange)
in the same transaction. Access is accounts.policy's; callers have checked the student's
scope, the services check the note rules (author, lock, the student's own contacts)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from students.services import ConcurrentEditError, field_changes, history_value

from .models import Note, NoteAddendum, NoteChange

if TYPE_CHECKING:
    from accounts.models import User
    from students.models import Guardian, Student

NOTE_FIELDS = ("date", "kind", "with_whom", "text", "level")


def _check(
    student: Student, values: Mapping[str, Any], guardians: Iterable[Guardian], today: date
) -> None:
    errors: dict[str, str] = {}
    if values.get("date") and values["date"] > today:
        errors["date"] = _("De datum ligt in de toekomst.")
    if not (values.get("text") or "").strip():
        errors["text"] = _("Schrijf wat er besproken is.")
    foreign = [g for g in guardians if g.student_id != student.pk]
    if foreign:
        errors["guardians"] = _("Kies alleen contactpersonen van deze student.")
    if errors:
        raise ValidationError(errors)


def _guardian_names(guardians: Iterable[Guardian]) -> str:
    return ", ".join(sorted(g.name for g in guardians))


@transaction.atomic
def note_create(
    *,
    student: Student,
    data: Mapping[str, Any],
    guardians: Iterable[Guardian] = (),
    actor: User,
    today: date | None = None,
) -> Note:
    today = today or timezone.localdate()
    membership = actor.active_membership
    values = {name: data[name] for name in NOTE_FIELDS}
    guardians = list(guardians)
    _check(student, values, guardians, today)
    note = Note.objects.create(
        student=student, author=actor, organisation_id=membership.organisation_id, **values
    )
    note.guardians.set(guardians)
    changes: dict[str, dict[str, Any]] = {
        name: {"old": None, "new": history_value(value)}
        for name, value in values.items()
        if value not in ("", None)
    }
    if guardians:
        changes["guardians"] = {"old": None, "new": _guardian_names(guardians)}
    NoteChange.objects.create(
        note=note, action=NoteChange.Action.CREATE, actor=actor, changes=changes
    )
    return note


@transaction.atomic
def note_update(
    *,
    note: Note,
    expected_version: int,
    data: Mapping[str, Any],
    guardians: Iterable[Guardian] = (),
    actor: User,
    now: datetime | None = None,
) -> tuple[Note, dict[str, dict[str, Any]]]:
    """The author changes a note during its first day; then it is locked."""
    now = now or timezone.now()
    if not policy.can_edit_note(actor, note, now):
        raise PermissionDenied
    values = {name: data[name] for name in NOTE_FIELDS}
    guardians = list(guardians)
    _check(note.student, values, guardians, timezone.localdate(now))
    changes = field_changes(note, values)
    old_guardians = list(note.guardians.all())
    if {g.pk for g in old_guardians} != {g.pk for g in guardians}:
        changes["guardians"] = {
            "old": _guardian_names(old_guardians),
            "new": _guardian_names(guardians),
        }
    if not changes:
        return note, {}
    updated = Note.objects.filter(pk=note.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=now, **values
    )
    if not updated:
        raise ConcurrentEditError(Note.objects.get(pk=note.pk))
    note.guardians.set(guardians)
    NoteChange.objects.create(
        note=note, action=NoteChange.Action.UPDATE, actor=actor, changes=changes
    )
    note.refresh_from_db()
    return note, changes


@transaction.atomic
def addendum_add(*, note: Note, text: str, actor: User) -> NoteAddendum:
    if not policy.can_add_addendum(actor, note):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Schrijf de aanvulling.")})
    addendum = NoteAddendum.objects.create(
        note=note,
        author=actor,
        organisation_id=actor.active_membership.organisation_id,
        text=text,
    )
    NoteChange.objects.create(
        note=note,
        action=NoteChange.Action.ADDENDUM,
        actor=actor,
        changes={"text": {"old": None, "new": text}},
    )
    return addendum


def remove_notes(student_ids: Collection[int]) -> None:
    """Retention: the journal goes with the student's file (addenda and history with it)."""
    Note.objects.filter(student_id__in=student_ids).delete()
