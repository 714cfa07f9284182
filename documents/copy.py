"""The documents in the young person's own copy of their data (AVG art. 15;
students.copies, composed by portal/copy.py): the list (title, kind, when, what it
belongs to, which organisation added it), never the files themselves nor their storage
names. A removed document is listed with the date it was removed (its row is kept for
the history until retention)."""

from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from .models import Document


def documents_copy(student):
    documents = list(
        Document.objects.filter(student=student)
        .select_related("organisation")
        .order_by("uploaded_at", "id")
    )
    if not documents:
        return []
    rows = []
    for document in documents:
        row = {
            _("titel"): document.title,
            _("soort bestand"): str(document.get_kind_display()),
            _("toegevoegd op"): localtime(document.uploaded_at).date().isoformat(),
            _("toegevoegd door"): document.organisation.name,
        }
        if document.attached_to:
            row[_("hoort bij")] = document.attached_to
        if document.removed_at is not None:
            row[_("verwijderd op")] = localtime(document.removed_at).date().isoformat()
        rows.append(row)
    return [{"title": _("Documenten"), "rows": rows}]
