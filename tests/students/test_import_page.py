"""The coordinators' import page: upload, preview with every error, confirm or discard."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from students import importing
from students.models import AccessLog, Enrolment, ImportBatch, ImportFile, RecordChange, Student
from students.tasks import remove_expired_import_batches
from tests.factories import EnrolmentFactory, StudentFactory, school

from .importing_helpers import ENROLMENTS_HEADER, STUDENTS_HEADER, VALID_BSN, csv_text

pytestmark = pytest.mark.django_db

UPLOAD_URL = reverse("students:import")

ANNA = "1001,Anna,de Vries,2008-03-01,Alkmaar"
ANNA_AT_HORIZON = "1001,Horizon College,Entree Dienstverlening,entree,2025-08-25"


def upload(client, **files):
    data = {
        kind: SimpleUploadedFile(f"export-{kind}.csv", content.encode(), content_type="text/csv")
        for kind, content in files.items()
    }
    return client.post(UPLOAD_URL, data)


def preview_url(batch):
    return reverse("students:import_preview", args=[batch.public_id])


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def upload_students_and_enrolments(client, *, bsn=VALID_BSN):
    response = upload(
        client,
        students=csv_text(STUDENTS_HEADER + ",bsn", f"{ANNA},{bsn}"),
        enrolments=csv_text(ENROLMENTS_HEADER, ANNA_AT_HORIZON),
    )
    assert response.status_code == 302
    return ImportBatch.objects.latest("pk")


def clean_upload(client):
    response = upload(
        client,
        students=csv_text(STUDENTS_HEADER + ",bsn", f"{ANNA},{VALID_BSN}"),
        enrolments=csv_text(ENROLMENTS_HEADER, ANNA_AT_HORIZON),
    )
    assert response.status_code == 302
    return ImportBatch.objects.get()


# --- Who may use it -----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["mentor", "leerplicht", "functional_admin", "regio"])
def test_only_school_coordinators_find_the_upload_page(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(UPLOAD_URL).status_code == 404
    assert upload(client, students=csv_text(STUDENTS_HEADER, ANNA)).status_code == 404
    assert not ImportBatch.objects.exists()


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(UPLOAD_URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_coordinator_sees_the_upload_form(coordinator_client):
    response = coordinator_client.get(UPLOAD_URL)
    assert response.status_code == 200
    assert b'type="file"' in response.content


def test_upload_needs_at_least_one_file(coordinator_client):
    response = coordinator_client.post(UPLOAD_URL, {})
    assert response.status_code == 200
    assert "Kies minstens één bestand" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_another_coordinator_cannot_see_the_batch(
    client, coordinator_client, clusius_coordinator, other_mentor
):
    batch = clean_upload(coordinator_client)
    for user in (clusius_coordinator, other_mentor):
        client.force_login(user)
        assert client.get(preview_url(batch)).status_code == 404
        assert client.post(preview_url(batch), {"action": "confirm"}).status_code == 404
    assert not Student.objects.exists()


# --- Upload and preview ---------------------------------------------------------------


def test_upload_stores_a_batch_under_canonical_file_names(coordinator_client, coordinator):
    batch = clean_upload(coordinator_client)
    assert batch.uploaded_by == coordinator
    assert batch.organisation == school("Horizon College")
    assert batch.status == "preview"
    assert sorted(batch.files.values_list("kind", "name")) == [
        ("enrolments", "enrolments.csv"),
        ("students", "students.csv"),
    ]
    assert not Student.objects.exists()


def test_clean_preview_shows_the_counts_and_writes_one_access_log_row(
    coordinator_client, coordinator
):
    batch = clean_upload(coordinator_client)
    response = coordinator_client.get(preview_url(batch))
    assert response.status_code == 200
    assert response.context["counts"] == [
        {"name": "students.csv", "created": 1, "updated": 0, "unchanged": 0},
        {"name": "enrolments.csv", "created": 1, "updated": 0, "unchanged": 0},
    ]
    assert b'value="confirm"' in response.content
    log = AccessLog.objects.get()
    assert (log.action, log.user, log.role) == ("import_preview", coordinator, "school_coordinator")
    assert not Student.objects.exists()


def test_preview_lists_every_error_with_file_line_and_column(coordinator_client):
    upload(
        coordinator_client,
        students=csv_text(STUDENTS_HEADER + ",bsn", "1001,Anna,,2008-03-01,Atlantis,123456788"),
        enrolments=csv_text(ENROLMENTS_HEADER, ANNA_AT_HORIZON),
    )
    batch = ImportBatch.objects.get()
    response = coordinator_client.get(preview_url(batch))
    errors = response.context["errors"]
    assert [(e.file, e.line, e.column) for e in errors] == [
        ("students.csv", 2, "last_name"),
        ("students.csv", 2, "municipality"),
        ("students.csv", 2, "bsn"),
    ]
    content = response.content.decode()
    assert "11-proef" in content
    assert "123456788" not in content
    assert 'value="confirm"' not in content
    assert AccessLog.objects.filter(action="import_preview").count() == 1


def test_all_errors_download_as_text(coordinator_client):
    upload(
        coordinator_client,
        students=csv_text(STUDENTS_HEADER, "1001,Anna,de Vries,2008-02-30,Alkmaar"),
        enrolments=csv_text(ENROLMENTS_HEADER, ANNA_AT_HORIZON),
    )
    batch = ImportBatch.objects.get()
    response = coordinator_client.get(preview_url(batch), {"format": "text"})
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "students.csv:2: date_of_birth: date does not exist\n"


# --- The coordinator's own institution --------------------------------------------------


def test_enrolment_at_another_institution_is_an_error_on_the_institution_column(coordinator_client):
    upload(
        coordinator_client,
        students=csv_text(STUDENTS_HEADER, ANNA),
        enrolments=csv_text(ENROLMENTS_HEADER, "1001,Clusius College,Groen,2,2025-08-25"),
    )
    errors = coordinator_client.get(preview_url(ImportBatch.objects.get())).context["errors"]
    assert [(e.line, e.column, e.code) for e in errors if e.file == "enrolments.csv"] == [
        (2, "institution", "not_this_institution")
    ]


def test_student_of_another_school_is_refused_and_named_by_no_one(coordinator_client):
    EnrolmentFactory(
        student=StudentFactory(student_number="1001", first_name="Geheim"),
        institution=school("Clusius College"),
    )
    upload(coordinator_client, students=csv_text(STUDENTS_HEADER, ANNA))
    response = coordinator_client.get(preview_url(ImportBatch.objects.get()))
    errors = response.context["errors"]
    assert [(e.file, e.line, e.column, e.code) for e in errors] == [
        ("students.csv", 2, "student_number", "outside_institution")
    ]
    assert "Geheim" not in response.content.decode()


def test_student_of_another_school_is_refused_even_with_an_enrolment_here(coordinator_client):
    # The issue: an enrolment at Horizon in the same upload was a way into Clusius' students.
    student = StudentFactory(student_number="1001", last_name="Vries")
    EnrolmentFactory(student=student, institution=school("Clusius College"))
    batch = upload_students_and_enrolments(coordinator_client, bsn="")
    errors = coordinator_client.get(preview_url(batch)).context["errors"]
    assert [(e.file, e.line, e.column, e.code) for e in errors] == [
        ("students.csv", 2, "student_number", "outside_institution"),
        ("enrolments.csv", 2, "student_number", "outside_institution"),
    ]
    coordinator_client.post(preview_url(batch), {"action": "confirm"})
    student.refresh_from_db()
    assert student.last_name == "Vries"
    assert student.enrolments.count() == 1


def test_same_person_arriving_from_another_school_is_imported(coordinator_client):
    student = StudentFactory(student_number="1001", last_name="Vries", bsn=VALID_BSN)
    EnrolmentFactory(student=student, institution=school("Clusius College"))
    batch = clean_upload(coordinator_client)
    response = coordinator_client.get(preview_url(batch))
    assert response.context["errors"] == []
    coordinator_client.post(preview_url(batch), {"action": "confirm"})
    student.refresh_from_db()
    assert student.last_name == "de Vries"
    assert student.enrolments.count() == 2


def test_unknown_and_outside_students_are_refused(coordinator_client):
    StudentFactory(student_number="2002")
    upload(
        coordinator_client,
        qualifications=csv_text(
            "student_number,type,date", "2002,vmbo,2024-07-01", "3003,vmbo,2024-07-01"
        ),
    )
    errors = coordinator_client.get(preview_url(ImportBatch.objects.get())).context["errors"]
    assert [(e.line, e.code) for e in errors] == [
        (2, "outside_institution"),
        (3, "unknown_student"),
    ]


def test_new_student_without_enrolment_is_created_and_may_be_updated_later(
    coordinator_client, coordinator
):
    upload(coordinator_client, students=csv_text(STUDENTS_HEADER, ANNA))
    batch = ImportBatch.objects.get()
    assert coordinator_client.get(preview_url(batch)).context["errors"] == []
    coordinator_client.post(preview_url(batch), {"action": "confirm"})
    anna = Student.objects.get()
    assert anna.created_by_institution == school("Horizon College")

    upload(
        coordinator_client,
        students=csv_text(STUDENTS_HEADER, "1001,Anna,Visser,2008-03-01,Alkmaar"),
    )
    second = ImportBatch.objects.latest("pk")
    assert coordinator_client.get(preview_url(second)).context["errors"] == []
    coordinator_client.post(preview_url(second), {"action": "confirm"})
    anna.refresh_from_db()
    assert anna.last_name == "Visser"


def test_student_created_by_own_import_but_enrolled_elsewhere_is_refused(coordinator_client):
    anna = StudentFactory(student_number="1001", created_by_institution=school("Horizon College"))
    EnrolmentFactory(student=anna, institution=school("Clusius College"))
    upload(coordinator_client, students=csv_text(STUDENTS_HEADER, ANNA))
    errors = coordinator_client.get(preview_url(ImportBatch.objects.get())).context["errors"]
    assert [(e.line, e.code) for e in errors] == [(2, "outside_institution")]


def test_own_students_may_be_updated_without_a_new_enrolment(coordinator_client):
    EnrolmentFactory(student=StudentFactory(student_number="1001", first_name="Ann"))
    upload(coordinator_client, students=csv_text(STUDENTS_HEADER, ANNA))
    batch = ImportBatch.objects.get()
    assert coordinator_client.get(preview_url(batch)).context["errors"] == []
    coordinator_client.post(preview_url(batch), {"action": "confirm"})
    assert Student.objects.get().first_name == "Anna"


def test_mentor_must_work_at_the_coordinators_institution(coordinator_client, mentor):
    from tests.factories import make_user

    make_user("mentor@clusius.test", "mentor", "Clusius College")
    upload(
        coordinator_client,
        students=csv_text(
            STUDENTS_HEADER + ",mentor_email",
            ANNA + ",mentor@horizon.test",
            "1002,Bram,Bakker,2009-06-15,Hoorn,mentor@clusius.test",
        ),
        enrolments=csv_text(
            ENROLMENTS_HEADER, ANNA_AT_HORIZON, "1002,Horizon College,Zorg,2,2025-08-25"
        ),
    )
    errors = coordinator_client.get(preview_url(ImportBatch.objects.get())).context["errors"]
    assert [(e.line, e.column, e.code) for e in errors] == [
        (3, "mentor_email", "mentor_other_school")
    ]


# --- Confirm and discard ----------------------------------------------------------------


def test_confirm_applies_everything_and_logs_it(coordinator_client, coordinator):
    batch = clean_upload(coordinator_client)
    response = coordinator_client.post(preview_url(batch), {"action": "confirm"})
    assert response.status_code == 302
    anna = Student.objects.get()
    assert anna.bsn == VALID_BSN
    assert Enrolment.objects.get().institution == school("Horizon College")
    assert set(RecordChange.objects.values_list("actor", "source")) == {(coordinator.pk, "import")}
    batch.refresh_from_db()
    assert batch.status == "applied"
    assert batch.summary[0] == {"name": "students.csv", "created": 1, "updated": 0, "unchanged": 0}
    assert not ImportFile.objects.exists()
    log = AccessLog.objects.get(action="import_apply")
    assert log.student_ids == [anna.pk]

    page = coordinator_client.get(preview_url(batch))
    assert page.status_code == 200
    assert "Doorgevoerd op" in page.content.decode()


def test_confirming_twice_applies_once(coordinator_client):
    batch = clean_upload(coordinator_client)
    coordinator_client.post(preview_url(batch), {"action": "confirm"})
    coordinator_client.post(preview_url(batch), {"action": "confirm"})
    assert Student.objects.count() == 1
    assert RecordChange.objects.count() == 2


def test_confirm_validates_again_and_changes_nothing_when_the_data_changed(
    coordinator_client, mentor
):
    upload(
        coordinator_client,
        students=csv_text(STUDENTS_HEADER + ",mentor_email", ANNA + ",mentor@horizon.test"),
        enrolments=csv_text(ENROLMENTS_HEADER, ANNA_AT_HORIZON),
    )
    batch = ImportBatch.objects.get()
    assert coordinator_client.get(preview_url(batch)).context["errors"] == []
    mentor.memberships.update(is_active=False)

    response = coordinator_client.post(preview_url(batch), {"action": "confirm"})
    assert response.status_code == 200
    assert [(e.column, e.code) for e in response.context["errors"]] == [
        ("mentor_email", "mentor_not_mentor")
    ]
    assert not Student.objects.exists()
    batch.refresh_from_db()
    assert batch.status == "preview"


def test_discard_removes_the_files_and_changes_nothing(coordinator_client):
    batch = clean_upload(coordinator_client)
    response = coordinator_client.post(preview_url(batch), {"action": "discard"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "discarded"
    assert not ImportFile.objects.exists()
    coordinator_client.post(preview_url(batch), {"action": "confirm"})
    assert not Student.objects.exists()


# --- Clean-up task ----------------------------------------------------------------------


def test_expired_preview_batches_are_removed_and_the_task_is_idempotent(
    coordinator_client, settings
):
    settings.KOERS_IMPORT_BATCH_HOURS = 24
    old = clean_upload(coordinator_client)
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    fresh = importing.batch_create(user=old.uploaded_by, files={"students": b"x"})
    applied = importing.batch_create(user=old.uploaded_by, files={"students": b"x"})
    ImportBatch.objects.filter(pk=applied.pk).update(
        status="applied", created_at=timezone.now() - timedelta(hours=48)
    )

    assert remove_expired_import_batches() == 1
    assert remove_expired_import_batches() == 0
    assert set(ImportBatch.objects.values_list("pk", flat=True)) == {fresh.pk, applied.pk}
    assert not ImportFile.objects.filter(batch_id=old.pk).exists()
    assert coordinator_client.get(preview_url(old)).status_code == 404
