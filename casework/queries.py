"""Reads of the journal: a student's notes that the user may read, in a fixed number of
queries whatever their number (notes, their contacts, their addenda, their history)."""

from django.db.models import Prefetch

from accounts import policy

from .models import Note, NoteAddendum, NoteChange


def readable_notes(user, student):
    """The notes of `student` (already checked to be in the user's scope) the user may read."""
    if not policy.may_use_journal(user):
        return Note.objects.none()
    return Note.objects.filter(student=student).filter(policy.notes_visible_q(user))


def notes_for_page(user, student, *, limit=None, history=False):
    notes = (
        readable_notes(user, student)
        .select_related("author", "organisation")
        .prefetch_related(
            "guardians",
            Prefetch(
                "addenda",
                queryset=NoteAddendum.objects.select_related("author", "organisation").order_by(
                    "created_at", "id"
                ),
            ),
        )
        .order_by("-date", "-id")
    )
    if history:
        notes = notes.prefetch_related(
            Prefetch(
                "changes", queryset=NoteChange.objects.select_related("actor").order_by("at", "id")
            )
        )
    if limit is not None:
        notes = notes[:limit]
    return list(notes)


def get_note(user, student, note_id):
    """One note the user may read, or None (the caller answers 404)."""
    return readable_notes(user, student).select_related("student").filter(pk=note_id).first()


def shared_notes(user, student, *, limit=None):
    """A partner's notes of `student`: those shared with a referral whose shared sections
    their organisation sees now, with their addenda (a fixed number of queries)."""
    notes = (
        Note.objects.filter(student=student)
        .filter(policy.shared_notes_q(user))
        .select_related("author", "organisation")
        .prefetch_related(
            "guardians",
            Prefetch(
                "addenda",
                queryset=NoteAddendum.objects.select_related("author", "organisation").order_by(
                    "created_at", "id"
                ),
            ),
        )
        .order_by("-date", "-id")
    )
    if limit is not None:
        notes = notes[:limit]
    return list(notes)
