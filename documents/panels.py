"""The "Documenten" panel on the student's page (students.panels): the latest documents
this user may see, with links to download them and to the documents page. Two queries,
whatever the number of documents; a partner sees only what a referral shared."""

from accounts.policy import may_upload_documents, sees_only_shared_sections
from students.panels import has_rows

from .views import document_rows

PANEL_LIMIT = 10


def student_documents_panel(request, student):
    user = request.user
    # Most students have no document: then there is nothing to look up (issue 16).
    documents, more = (
        document_rows(user, student, limit=PANEL_LIMIT)
        if has_rows(student, "documents.documents")
        else ([], False)
    )
    shared_only = sees_only_shared_sections(user)
    if shared_only and not documents:
        return None
    return {
        "template": "documents/_student_panel.html",
        "context": {
            "student": student,
            "documents": documents,
            "more": more,
            "may_upload": may_upload_documents(user),
            "shared_only": shared_only,
        },
    }
