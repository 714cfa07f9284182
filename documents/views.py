from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.policy import can_remove_document, may_upload_documents
from students.models import AccessLog
from students.queries import get_student_for_user
from students.services import access_log

from .forms import DocumentRemoveForm, DocumentUploadForm
from .queries import documents_of, get_document_for_user
from .services import (
    DocumentRemoveRefused,
    document_remove,
    document_upload,
    download_name,
    open_file,
)

LIST_LIMIT = 200


def document_rows(user, student, *, limit=LIST_LIMIT):
    """The student's documents for this user (two queries whatever the number), each
    marked with whether the user may remove it."""
    rows = list(
        documents_of(user, student)
        .select_related("uploaded_by", "organisation")
        .order_by("-uploaded_at", "-id")[: limit + 1]
    )
    for document in rows:
        document.removable = can_remove_document(user, document)
    return rows[:limit], len(rows) > limit


@login_required
@never_cache
def student_documents(request, public_id):
    """The student's documents: the list, and the upload form for the roles that add."""
    user = request.user
    student = get_student_for_user(user, public_id)
    may_upload = may_upload_documents(user)
    form = None
    if request.method == "POST":
        if not may_upload:
            raise Http404("No upload here")
        form = DocumentUploadForm(request.POST, request.FILES, student=student, user=user)
        if form.is_valid():
            document = document_upload(
                student=student,
                upload=form.cleaned_data["file"],
                detected=form.detected,
                title=form.cleaned_data["title"],
                actor=user,
                attach=form.attach(),
            )
            messages.success(
                request, _("Het document %(title)s is toegevoegd.") % {"title": document.title}
            )
            return redirect("documents:student", public_id=student.public_id)
    elif may_upload:
        initial = {}
        if request.GET.get("hoort_bij"):
            initial["belongs_to"] = request.GET["hoort_bij"]
        form = DocumentUploadForm(student=student, user=user, initial=initial)
    documents, more = document_rows(user, student)
    access_log(
        user=user, action=AccessLog.Action.VIEW_STUDENT, student=student, detail="documenten"
    )
    return render(
        request,
        "documents/student_documents.html",
        {
            "student": student,
            "documents": documents,
            "more": more,
            "limit": LIST_LIMIT,
            "form": form,
            "remove_form": DocumentRemoveForm(),
        },
        status=400 if form is not None and form.is_bound else 200,
    )


@login_required
@never_cache
def download(request, doc_id):
    """The file, only through here: scope checked, the download logged, never inline."""
    document = get_document_for_user(request.user, doc_id)
    try:
        handle = open_file(document)
    except FileNotFoundError:
        raise Http404("No file here") from None
    access_log(
        user=request.user,
        action=AccessLog.Action.DOWNLOAD,
        student=document.student,
        detail=f"document {document.public_id}",
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(document),
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def remove(request, doc_id):
    document = get_document_for_user(request.user, doc_id)
    if not can_remove_document(request.user, document):
        raise Http404("No removal here")
    student = document.student
    form = DocumentRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Niet verwijderd: geef de reden van het verwijderen."))
        return redirect("documents:student", public_id=student.public_id)
    try:
        document_remove(document=document, actor=request.user, reason=form.cleaned_data["reason"])
    except DocumentRemoveRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, _("Het document %(title)s is verwijderd.") % {"title": document.title}
        )
    return redirect("documents:student", public_id=student.public_id)
