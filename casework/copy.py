"""The journal in the young person's own copy of their data (AVG art. 15;
students.copies, composed by portal/copy.py).

Every note about the student is in it, whatever its confidentiality level, "only me and
my coordinator" included: the levels decide which staff read a note (ACCESS.md, the
journal rules in accounts.policy), not what the person it is about may see, and ACCESS.md
makes no exception to the right of access for them. Authors appear as role and
organisation only, never by name, as in the rest of the copy."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from accounts.models import Membership

from .models import Note, NoteAddendum


def _writer(user_id, organisation, roles):
    role = roles.get((user_id, organisation.pk))
    return f"{role} ({organisation.name})" if role else organisation.name


def journal_copy(student):
    notes = list(
        Note.objects.filter(student=student)
        .select_related("organisation")
        .prefetch_related(
            "guardians",
            Prefetch(
                "addenda",
                queryset=NoteAddendum.objects.select_related("organisation").order_by(
                    "created_at", "id"
                ),
            ),
        )
        .order_by("date", "id")
    )
    if not notes:
        return []
    people = {n.author_id for n in notes} | {a.author_id for n in notes for a in n.addenda.all()}
    roles = {
        (m.user_id, m.organisation_id): m.get_role_display()
        for m in Membership.objects.filter(user_id__in=people)
    }
    rows = []
    for note in notes:
        row = {
            _("datum"): note.date.isoformat(),
            _("soort"): str(note.get_kind_display()),
            _("geschreven door"): _writer(note.author_id, note.organisation, roles),
            _("vertrouwelijkheid"): str(note.get_level_display()),
        }
        with_whom = [g.name for g in note.guardians.all()] + (
            [note.with_whom] if note.with_whom else []
        )
        if with_whom:
            row[_("met wie")] = ", ".join(with_whom)
        row[_("verslag")] = note.text
        for number, addendum in enumerate(note.addenda.all(), start=1):
            row[_("aanvulling %(number)s") % {"number": number}] = _(
                "%(when)s, %(who)s: %(text)s"
            ) % {
                "when": addendum.created_at.date().isoformat(),
                "who": _writer(addendum.author_id, addendum.organisation, roles),
                "text": addendum.text,
            }
        rows.append(row)
    return [{"title": _("Journaal"), "rows": rows}]
