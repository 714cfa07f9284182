"""Every scoped read of documents: the student in the user's scope (students.queries)
and the document visible to the user's role (accounts.policy.documents_visible_q)."""

from django.http import Http404

from accounts.policy import documents_visible_q
from students.models import Student

from .models import Document


def documents_of(user, student):
    """The student's (present) documents this user may see; `student` already loaded
    through the user's scope."""
    return Document.objects.present().filter(student=student).filter(documents_visible_q(user))


def get_document_for_user(user, public_id):
    """The present document with this public id if the user may download it, else 404."""
    try:
        return (
            Document.objects.present()
            .filter(documents_visible_q(user), student__in=Student.objects.visible_to(user))
            .select_related("student")
            .get(public_id=public_id)
        )
    except Document.DoesNotExist:
        raise Http404("No document here") from None
