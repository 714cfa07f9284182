"""An import acting for one institution (INTERFACES.md 1), a mentor_email with no account
yet, the preview per student, validating once, and the row limit of the upload page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import policy
from accounts.models import Membership
from students.importing import batches
from students.models import Enrolment, ImportBatch, RecordChange, Student
from tests.factories import EnrolmentFactory, StudentFactory, make_user, school

from .importing_helpers import ENROLMENTS_HEADER, STUDENTS_HEADER, VALID_BSN, csv_text, run_import

pytestmark = pytest.mark.django_db

ANNA = "1001,Anna,de Vries,2008-03-01,Alkmaar"
ANNA_AT_HORIZON = "1001,Horizon College,Entree Dienstverlening,entree,2025-08-25"
OUTSIDE = "student_number: belongs to a student outside this institution"


def clusius_student(**extra):
    extra.setdefault("bsn", "123456782")
    student = StudentFactory(student_number="1001", first_name="Geheim", **extra)
    EnrolmentFactory(student=student, institution=school("Clusius College"))
    return student


# --- The command with --institution ----------------------------------------------------


def test_unknown_institution_is_a_wrong_command_line(tmp_path):
    outcome = run_import(
        tmp_path, institution="Nergens College", students=csv_text(STUDENTS_HEADER, ANNA)
    )
    assert outcome.code == 2
    assert not Student.objects.exists()


def test_a_non_school_is_no_institution_to_act_for(tmp_path):
    outcome = run_import(
        tmp_path, institution="Leerplicht Haaglanden", students=csv_text(STUDENTS_HEADER, ANNA)
    )
    assert outcome.code == 2


def test_institution_name_matches_case_insensitively(tmp_path):
    outcome = run_import(
        tmp_path,
        institution="horizon college",
        students=csv_text(STUDENTS_HEADER, ANNA),
        enrolments=csv_text(ENROLMENTS_HEADER, ANNA_AT_HORIZON),
    )
    assert outcome.code == 0, outcome
    assert Student.objects.get().created_by_institution == school("Horizon College")


def test_every_enrolment_names_the_institution_the_import_is_for(tmp_path):
    outcome = run_import(
        tmp_path,
        institution="Horizon College",
        students=csv_text(STUDENTS_HEADER, ANNA),
        enrolments=csv_text(ENROLMENTS_HEADER, "1001,Clusius College,Groen,2,2025-08-25"),
    )
    assert outcome.code == 1
    assert outcome.err_lines == [
        "enrolments.csv:2: institution: not the institution this import is for"
    ]
    assert not Student.objects.exists()


@pytest.mark.parametrize(
    ("kind", "header", "row"),
    [
        ("students", STUDENTS_HEADER, ANNA),
        ("enrolments", ENROLMENTS_HEADER, ANNA_AT_HORIZON),
        ("qualifications", "student_number,type,date", "1001,vmbo,2024-07-01"),
        (
            "employment",
            "student_number,employer,hours_per_week,start_date",
            "1001,Bakkerij,12,2025-09-01",
        ),
    ],
)
def test_command_refuses_a_student_of_another_institution_in_every_file(
    tmp_path, kind, header, row
):
    student = clusius_student()
    outcome = run_import(tmp_path, institution="Horizon College", **{kind: csv_text(header, row)})
    assert outcome.code == 1
    assert outcome.err_lines == [f"{kind}.csv:2: {OUTSIDE}"]
    assert "Geheim" not in outcome.err
    assert student.bsn not in outcome.err
    student.refresh_from_db()
    assert student.first_name == "Geheim"
    assert student.enrolments.count() == 1
    assert not student.qualifications.exists()
    assert not student.employments.exists()


def test_without_institution_the_command_acts_for_the_whole_system(tmp_path):
    student = clusius_student()
    outcome = run_import(tmp_path, students=csv_text(STUDENTS_HEADER, ANNA))
    assert outcome.code == 0, outcome
    student.refresh_from_db()
    assert student.first_name == "Anna"
    assert student.created_by_institution is None


def test_same_bsn_is_the_same_person_arriving_from_another_school(tmp_path):
    student = clusius_student(bsn=VALID_BSN)
    outcome = run_import(
        tmp_path,
        institution="Horizon College",
        students=csv_text(STUDENTS_HEADER + ",bsn", f"{ANNA},{VALID_BSN}"),
        enrolments=csv_text(ENROLMENTS_HEADER, ANNA_AT_HORIZON),
    )
    assert outcome.code == 0, outcome
    student.refresh_from_db()
    assert student.first_name == "Anna"
    assert student.enrolments.count() == 2


def test_another_bsn_is_no_way_in(tmp_path):
    clusius_student(bsn="123456782")
    outcome = run_import(
        tmp_path,
        institution="Horizon College",
        students=csv_text(STUDENTS_HEADER + ",bsn", f"{ANNA},{VALID_BSN}"),
    )
    assert outcome.err_lines == [f"students.csv:2: {OUTSIDE}"]


def test_student_created_by_the_institutions_import_and_enrolled_nowhere_may_be_updated(tmp_path):
    StudentFactory(student_number="1001", created_by_institution=school("Horizon College"))
    outcome = run_import(
        tmp_path,
        institution="Horizon College",
        students=csv_text(STUDENTS_HEADER, ANNA),
        qualifications=csv_text("student_number,type,date", "1001,vmbo,2024-07-01"),
    )
    assert outcome.code == 0, outcome
    assert Student.objects.get().first_name == "Anna"


def test_student_created_by_another_institutions_import_is_refused(tmp_path):
    StudentFactory(student_number="1001", created_by_institution=school("Clusius College"))
    outcome = run_import(
        tmp_path, institution="Horizon College", students=csv_text(STUDENTS_HEADER, ANNA)
    )
    assert outcome.err_lines == [f"students.csv:2: {OUTSIDE}"]


def test_a_former_student_of_the_institution_may_be_updated(tmp_path):
    student = StudentFactory(student_number="1001")
    EnrolmentFactory(student=student, institution=school("Clusius College"))
    EnrolmentFactory(
        student=student,
        institution=school("Horizon College"),
        start_date="2023-08-21",
        planned_end_date=None,
        end_date="2024-01-31",
        end_reason="switch",
    )
    outcome = run_import(
        tmp_path, institution="Horizon College", students=csv_text(STUDENTS_HEADER, ANNA)
    )
    assert outcome.code == 0, outcome


def test_policy_q_and_predicate_agree_on_a_mixed_population():
    horizon, clusius = school("Horizon College"), school("Clusius College")
    population = [
        StudentFactory(),  # nobody's
        StudentFactory(created_by_institution=horizon),
        StudentFactory(created_by_institution=clusius),
    ]
    for enrolled_at in ([horizon], [clusius], [horizon, clusius]):
        for created_by in (None, horizon):
            student = StudentFactory(created_by_institution=created_by)
            for institution in enrolled_at:
                EnrolmentFactory(student=student, institution=institution)
            population.append(student)
    by_q = set(
        Student.objects.filter(policy.import_may_touch_q(horizon.pk)).values_list("pk", flat=True)
    )
    by_predicate = {
        student.pk
        for student in Student.objects.prefetch_related("enrolments")
        if policy.import_may_touch(student, horizon.pk)
    }
    assert by_q == by_predicate
    assert len(by_q) == 5


# --- mentor_email without an account -------------------------------------------------------


def import_pending_mentor(tmp_path, email="new.mentor@horizon.test"):
    outcome = run_import(
        tmp_path,
        institution="Horizon College",
        students=csv_text(STUDENTS_HEADER + ",mentor_email", f"{ANNA},{email}"),
        enrolments=csv_text(ENROLMENTS_HEADER, ANNA_AT_HORIZON),
    )
    assert outcome.code == 0, outcome
    assert outcome.out_lines[0] == (
        "students.csv:2: mentor_email: no account yet; linked when it exists"
    )
    return Student.objects.get(student_number="1001")


def test_pending_mentor_is_linked_when_the_account_becomes_a_mentor_here(tmp_path):
    anna = import_pending_mentor(tmp_path)
    version = anna.version
    mentor = make_user("New.Mentor@horizon.test", "mentor", "Horizon College")
    anna.refresh_from_db()
    assert (anna.mentor, anna.pending_mentor_email) == (mentor, "")
    assert anna.version == version + 1
    change = RecordChange.objects.filter(student=anna).latest("pk")
    assert change.changes["mentor"]["new"]


def test_pending_mentor_is_never_linked_to_a_mentor_of_another_school(tmp_path):
    anna = import_pending_mentor(tmp_path)
    make_user("new.mentor@horizon.test", "mentor", "Clusius College")
    anna.refresh_from_db()
    assert anna.mentor is None
    assert anna.pending_mentor_email == "new.mentor@horizon.test"


def test_pending_mentor_is_not_linked_to_another_role_and_waits_for_the_mentor_role(tmp_path):
    anna = import_pending_mentor(tmp_path)
    user = make_user("new.mentor@horizon.test", "school_coordinator", "Horizon College")
    anna.refresh_from_db()
    assert anna.mentor is None
    Membership.objects.create(user=user, organisation=school("Horizon College"), role="mentor")
    anna.refresh_from_db()
    assert anna.mentor == user


def test_pending_mentor_of_a_new_student_enrolled_nowhere_links_only_at_the_importing_school(
    tmp_path,
):
    outcome = run_import(
        tmp_path,
        institution="Horizon College",
        students=csv_text(STUDENTS_HEADER + ",mentor_email", f"{ANNA},later@horizon.test"),
    )
    assert outcome.code == 0, outcome
    make_user("later@horizon.test", "mentor", "ROC Mondriaan")
    anna = Student.objects.get()
    assert anna.mentor is None
    make_user("someone@horizon.test", "mentor", "Horizon College")
    anna.refresh_from_db()
    assert anna.mentor is None  # another address is never linked
    later = Membership.objects.get(user__email="later@horizon.test").user
    Membership.objects.create(user=later, organisation=school("Horizon College"), role="mentor")
    anna.refresh_from_db()
    assert anna.mentor == later


def test_empty_mentor_email_clears_the_mentor_and_the_pending_address(tmp_path):
    anna = import_pending_mentor(tmp_path)
    outcome = run_import(
        tmp_path,
        institution="Horizon College",
        students=csv_text(STUDENTS_HEADER + ",mentor_email", f"{ANNA},"),
    )
    assert outcome.code == 0, outcome
    anna.refresh_from_db()
    assert (anna.mentor, anna.pending_mentor_email) == (None, "")


def test_existing_user_who_is_no_mentor_here_stays_an_error(tmp_path, mentor):
    make_user("mentor@clusius.test", "mentor", "Clusius College")
    outcome = run_import(
        tmp_path,
        institution="Horizon College",
        students=csv_text(STUDENTS_HEADER + ",mentor_email", f"{ANNA},mentor@clusius.test"),
    )
    assert outcome.code == 1
    assert outcome.err_lines[0].startswith("students.csv:2: mentor_email: ")


# --- The page: preview, validate once, row limit ------------------------------------------


UPLOAD_URL = reverse("students:import")


def upload(client, **files):
    data = {
        kind: SimpleUploadedFile(f"{kind}.csv", content.encode(), content_type="text/csv")
        for kind, content in files.items()
    }
    return client.post(UPLOAD_URL, data)


def preview_url(batch):
    return reverse("students:import_preview", args=[batch.public_id])


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def test_preview_lists_each_change_old_to_new_with_labels_and_the_bsn_only_as_changed(
    coordinator_client,
):
    anna = StudentFactory(
        student_number="1001", first_name="Ann", date_of_birth="2008-03-02", bsn="123456782"
    )
    EnrolmentFactory(student=anna, institution=school("Horizon College"))
    upload(
        coordinator_client,
        students=csv_text(STUDENTS_HEADER + ",bsn,prior_education", f"{ANNA},{VALID_BSN},vmbo"),
        enrolments=csv_text(ENROLMENTS_HEADER, "1001,Horizon College,Zorg en Welzijn,2,2025-08-25"),
    )
    response = coordinator_client.get(preview_url(ImportBatch.objects.get()))
    assert response.context["errors"] == []
    (entry,) = response.context["students"]
    assert entry["number"] == "1001"
    personal, enrolment = entry["records"]
    fields = {row["label"]: (row["old"], row["new"]) for row in personal["fields"]}
    assert fields["voornaam"] == ("Ann", "Anna")
    assert fields["geboortedatum"] == ("2 maart 2008", "1 maart 2008")
    assert fields["BSN"] == ("gewijzigd", "gewijzigd")
    assert fields["vooropleiding"] == ("—", "Vmbo")
    assert enrolment["new"] is True
    shown = {row["label"]: row["new"] for row in enrolment["fields"]}
    assert shown["niveau"] == "Mbo 2"
    assert shown["startdatum"] == "25 augustus 2025"
    html = response.content.decode()
    assert "Ann" in html
    assert "→ Anna" in html
    assert VALID_BSN not in html
    assert "123456782" not in html


def test_preview_lists_a_capped_number_of_students_and_counts_the_rest(
    coordinator_client, monkeypatch
):
    monkeypatch.setattr("students.importing.preview.PREVIEW_STUDENTS", 2)
    rows = [f"{1001 + i},Anna,Vries,2008-03-01,Alkmaar" for i in range(5)]
    upload(coordinator_client, students=csv_text(STUDENTS_HEADER, *rows))
    response = coordinator_client.get(preview_url(ImportBatch.objects.get()))
    assert len(response.context["students"]) == 2
    assert response.context["students_total"] == 5
    assert "En nog 3 studenten" in response.content.decode()


def test_pending_mentor_shows_as_a_notice_not_an_error(coordinator_client):
    upload(
        coordinator_client,
        students=csv_text(STUDENTS_HEADER + ",mentor_email", f"{ANNA},later@horizon.test"),
    )
    response = coordinator_client.get(preview_url(ImportBatch.objects.get()))
    assert response.context["errors"] == []
    assert [(n.line, n.column, n.code) for n in response.context["notices"]] == [
        (2, "mentor_email", "mentor_pending")
    ]
    assert "nog geen account" in response.content.decode()
    assert b'value="confirm"' in response.content


def test_preview_is_validated_once_at_upload_and_confirm_does_not_read_the_files_again(
    coordinator_client, monkeypatch
):
    calls = []
    real = batches.read_files

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(batches, "read_files", counting)
    upload(
        coordinator_client,
        students=csv_text(STUDENTS_HEADER, ANNA),
        enrolments=csv_text(ENROLMENTS_HEADER, ANNA_AT_HORIZON),
    )
    batch = ImportBatch.objects.get()
    assert len(calls) == 1
    coordinator_client.get(preview_url(batch))
    coordinator_client.get(preview_url(batch))
    assert len(calls) == 1
    coordinator_client.post(preview_url(batch), {"action": "confirm"})
    assert len(calls) == 1
    assert Student.objects.get().first_name == "Anna"
    assert Enrolment.objects.count() == 1


def test_confirm_refuses_a_plan_that_went_stale_and_shows_the_new_one(coordinator_client):
    anna = StudentFactory(student_number="1001", first_name="Ann")
    EnrolmentFactory(student=anna, institution=school("Horizon College"))
    upload(coordinator_client, students=csv_text(STUDENTS_HEADER, ANNA))
    batch = ImportBatch.objects.get()
    assert batch.preview["counts"][0]["updated"] == 1
    # Someone else saves the same change meanwhile: the previewed plan no longer holds.
    Student.objects.filter(pk=anna.pk).update(
        first_name="Anna", last_name="de Vries", date_of_birth="2008-03-01", version=2
    )
    response = coordinator_client.post(preview_url(batch), {"action": "confirm"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "preview"
    assert batch.preview["counts"][0] == {
        "name": "students.csv",
        "created": 0,
        "updated": 0,
        "unchanged": 1,
    }
    assert not RecordChange.objects.filter(source="import").exists()
    coordinator_client.post(preview_url(batch), {"action": "confirm"})
    batch.refresh_from_db()
    assert batch.status == "applied"


def test_upload_over_the_row_limit_is_refused_on_the_file_field(coordinator_client, settings):
    settings.KOERS_IMPORT_MAX_ROWS = 3
    rows = [f"{1001 + i},Anna,Vries,2008-03-01,Alkmaar" for i in range(4)]
    response = upload(coordinator_client, students=csv_text(STUDENTS_HEADER, *rows))
    assert response.status_code == 200
    assert response.context["form"].errors["students"] == [
        "Dit bestand heeft meer dan 3 rijen. Upload hoogstens 3 rijen per bestand, of laat "
        "de functioneel beheerder het met import_admin inlezen."
    ]
    assert not ImportBatch.objects.exists()
    # Exactly at the limit (blank lines not counted) is fine.
    response = upload(coordinator_client, students=csv_text(STUDENTS_HEADER, *rows[:3], "", ""))
    assert response.status_code == 302


def test_row_limit_reads_no_more_than_it_needs():
    from students.forms_import import more_rows_than

    class Endless(io.RawIOBase):
        """A file that never ends: reading it to the end would never return."""

        line = b"1001,Anna,Vries,2008-03-01,Alkmaar\n"

        def __init__(self):
            self.reads = 0

        def readable(self):
            return True

        def seek(self, *args):
            return 0

        def readinto(self, buffer):
            self.reads += 1
            size = len(buffer) - len(buffer) % len(self.line)
            buffer[:size] = self.line * (size // len(self.line))
            return size

    source = Endless()
    assert more_rows_than(source, 10_000) is True
    assert source.reads < 1000


def test_a_batch_kept_from_before_is_validated_once_on_its_first_view(
    coordinator_client, monkeypatch
):
    upload(coordinator_client, students=csv_text(STUDENTS_HEADER, ANNA))
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(preview={}, validated=None)
    calls = []
    real = batches.read_files

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(batches, "read_files", counting)
    first = coordinator_client.get(preview_url(batch))
    assert first.context["counts"][0]["created"] == 1
    coordinator_client.get(preview_url(batch))
    assert len(calls) == 1
    coordinator_client.post(preview_url(batch), {"action": "confirm"})
    assert Student.objects.get().first_name == "Anna"
