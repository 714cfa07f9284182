"""Demo documents (accounts.demo registry): two small PDFs made with accounts.pdf, added
by the Horizon mentor: one to a student's own file, one shared with the accepted
referral to W&I (so W&I sees it, and the disclosures list it). Idempotent."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from accounts.models import User
from accounts.pdf import render_pdf
from referrals.models import Referral, ReferralStatus
from students.models import Student

from .filetypes import detect
from .forms import attach_choices
from .models import Document
from .services import document_upload

MENTOR = "mentor@horizon.demo"


def _pdf(*, user, title, text):
    content = render_pdf("documents/demo_pdf.html", {"text": text}, user=user, title=title)
    return SimpleUploadedFile("demo.pdf", content, content_type="application/pdf")


def _add(*, user, student, title, text, attach=None):
    upload = _pdf(user=user, title=title, text=text)
    document_upload(
        student=student,
        upload=upload,
        detected=detect(upload),
        title=title,
        actor=user,
        attach=attach,
    )


def seed_documents(ctx):
    mentor = User.objects.filter(email=MENTOR).first()
    if mentor is None or Document.objects.filter(uploaded_by=mentor).exists():
        return
    referral = (
        Referral.objects.filter(
            created_by=mentor,
            status=ReferralStatus.ACCEPTED,
            to_organisation__kind="wi",
        )
        .filter(Q(consent_withdrawn_at__isnull=True))
        .select_related("student", "to_organisation")
        .order_by("pk")
        .first()
    )
    if referral is not None:
        _add(
            user=mentor,
            student=referral.student,
            title="Praktijkverklaring leerwerkplek",
            text="De student werkt drie dagen per week op een leerwerkplek in de logistiek.",
            attach=attach_choices(student=referral.student, user=mentor)[1].get(
                f"verwijzing-{referral.public_id}"
            ),
        )
    student = Student.objects.filter(mentor=mentor).order_by("student_number").first()
    if student is not None:
        _add(
            user=mentor,
            student=student,
            title="Verslag intakegesprek",
            text="Afspraken uit het intakegesprek met de student en de ouders.",
        )
    ctx.log("documents: demo documents added")
