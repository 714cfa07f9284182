"""Every write to the journal: keyword-only, atomic, with the note's history (NoteChange)
in the same transaction. Access is accounts.policy's; callers have checked the student's
scope, the services check the note rules (author, lock, the student's own contacts)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from referrals.models import Referral
from referrals.services import ReferralRefused, referral_disclosure_add
from students.services import ConcurrentEditError, field_changes, history_value

from .models import Note, NoteAddendum, NoteChange, NoteShare

# The key of a shared note in a disclosure's sections (students.panels labels it).
DISCLOSURE_SECTION = "journal_note"

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
    if values["level"] == policy.NOTE_LEVEL_PRIVATE and note.shares.exists():
        raise ValidationError(
            {
                "level": _(
                    "Deze notitie is gedeeld met een verwijzing; "
                    "zij kan niet meer alleen voor u en uw coördinator zijn."
                )
            }
        )
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


def share_referrals(actor: User, note: Note) -> QuerySet[Referral]:
    """The referrals of the note's student this user may share the note with (sent by
    the user's organisation, sent or accepted, consent not withdrawn), not yet shared."""
    return (
        Referral.objects.filter(policy.document_referrals_q(actor), student_id=note.student_id)
        .exclude(pk__in=note.shares.values("referral_id"))
        .select_related("to_organisation")
        .order_by("-pk")
    )


@transaction.atomic
def note_share(*, note: Note, referral: Referral, actor: User) -> NoteShare:
    """Share a note with a referral of the same student: the receiver reads it (and its
    addenda) once the referral is accepted, until it ends or consent is withdrawn. The
    share is a disclosure on the referral's own legal basis (as a shared document is)."""
    if not policy.can_read_note(actor, note):
        raise PermissionDenied
    if not policy.note_shareable_level(note):
        raise ValidationError(
            _(
                "Een notitie die alleen voor u en uw coördinator is, kan niet gedeeld worden. "
                "Schrijf zo nodig een notitie voor de verwijzing."
            )
        )
    allowed = Referral.objects.filter(
        policy.document_referrals_q(actor), student_id=note.student_id, pk=referral.pk
    ).exists()
    if not allowed:
        raise ValidationError(_("Kies een verstuurde verwijzing van deze student uit de lijst."))
    if NoteShare.objects.filter(note=note, referral=referral).exists():
        raise ValidationError(_("Deze notitie is al gedeeld met die verwijzing."))
    share = NoteShare.objects.create(note=note, referral=referral, shared_by=actor)
    label = f"{note.get_kind_display()} {note.date:%d-%m-%Y}"
    try:
        referral_disclosure_add(
            referral=referral,
            actor=actor,
            sections=[DISCLOSURE_SECTION],
            description=_("Journaalnotitie: %(note)s") % {"note": label},
        )
    except ReferralRefused as refusal:
        raise ValidationError(str(refusal)) from refusal
    NoteChange.objects.create(
        note=note,
        action=NoteChange.Action.SHARE,
        actor=actor,
        changes={"shares": {"old": None, "new": str(referral.to_organisation)}},
    )
    return share


def remove_notes(student_ids: Collection[int]) -> None:
    """Retention: the journal goes with the student's file (addenda and history with it)."""
    Note.objects.filter(student_id__in=student_ids).delete()
