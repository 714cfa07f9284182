"""The journal's panel on the student's page: the latest notes the user may read."""

from accounts import policy
from students.panels import has_rows

from .queries import notes_for_page, shared_notes

PANEL_NOTES = 5


def journal_panel(request, student):
    """A fixed number of queries (notes, contacts, addenda), whatever their number."""
    user = request.user
    if not policy.may_use_journal(user):
        return None
    notes = (
        notes_for_page(user, student, limit=PANEL_NOTES + 1)
        if has_rows(student, "casework.notes")
        else []
    )
    return {
        "template": "casework/_journal_panel.html",
        "context": {
            "student": student,
            "notes": notes[:PANEL_NOTES],
            "more": len(notes) > PANEL_NOTES,
            "may_write": policy.may_write_note(user, student),
        },
    }


SHARED_PANEL_NOTES = 50


def shared_notes_panel(request, student):
    """A partner's panel: the journal notes a referral shared with their organisation
    (and their addenda), nothing else of the journal. None when nothing is shared."""
    user = request.user
    if not policy.sees_only_shared_sections(user) or not has_rows(student, "casework.notes"):
        return None
    notes = shared_notes(user, student, limit=SHARED_PANEL_NOTES + 1)
    if not notes:
        return None
    return {
        "template": "casework/_shared_notes_panel.html",
        "context": {
            "student": student,
            "notes": notes[:SHARED_PANEL_NOTES],
            "more": len(notes) > SHARED_PANEL_NOTES,
        },
    }
