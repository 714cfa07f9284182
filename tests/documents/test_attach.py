"""What a document belongs to: the student's own roadmap step (chosen on the documents
page), and the history says what it belongs to in people's words."""

from django.utils import timezone

from documents.models import Document
from roadmap.models import StartStep, StepKind
from students.models import RecordChange

from . import files
from .conftest import documents_url, post_upload


def test_a_document_attached_to_the_students_start_step(client, mentor, student):
    enrolment = student.enrolments.get()
    StartStep.objects.create(
        enrolment=enrolment, date=timezone.localdate(), author=mentor, intake_origin="vo"
    )
    client.force_login(mentor)
    value = f"stap-{StepKind.START}-{enrolment.pk}"
    assert value in client.get(documents_url(student)).content.decode()
    response = post_upload(client, student, files.upload("a.pdf", files.PDF), belongs_to=value)
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.step_kind == StepKind.START
    assert document.step_enrolment == enrolment
    assert "Stap 1" in document.attached_to
    change = RecordChange.objects.get(record_type="document")
    assert change.changes["attached_to"]["new"] == document.attached_to


def test_another_students_step_is_not_offered_and_refused(client, mentor, student):
    from tests.factories import EnrolmentFactory

    other = EnrolmentFactory(student__mentor=mentor)
    StartStep.objects.create(
        enrolment=other, date=timezone.localdate(), author=mentor, intake_origin="vo"
    )
    client.force_login(mentor)
    value = f"stap-{StepKind.START}-{other.pk}"
    assert value not in client.get(documents_url(student)).content.decode()
    response = post_upload(client, student, files.upload("a.pdf", files.PDF), belongs_to=value)
    assert response.status_code == 400
    assert not Document.objects.exists()
