"""Parents, guardians and network (issue 19, part 1): who sees and edits them, history,
retention, the step-free import of guardians.csv and the panel's fixed query count."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from students.guardians import guardian_create, remove_guardians
from students.models import AccessLog, Guardian, RecordChange, Student
from students.retention import apply_retention
from tests.factories import EnrolmentFactory, StudentFactory, factory_today, municipality

from .importing_helpers import csv_text, run_import

GUARDIANS_HEADER = "student_number,name,relation,parental_authority,email,phone"
MINOR_DOB = factory_today() - timedelta(days=15 * 365 + 100)  # 15 years old
SIXTEEN_DOB = factory_today() - timedelta(days=17 * 365)  # 16 going on 17


def own_student(mentor, **extra):
    student = StudentFactory(mentor=mentor, **extra)
    EnrolmentFactory(student=student)
    return student


def guardian(student, actor=None, **values):
    data = {"name": "Petra de Vries", "relation": "parent", "parental_authority": "yes"}
    data.update(values)
    return guardian_create(student=student, data=data, actor=actor)


# --- Seeing and editing -------------------------------------------------------------------


def test_mentor_adds_a_guardian_and_sees_it_on_the_page_with_history(client, mentor):
    student = own_student(mentor, date_of_birth=SIXTEEN_DOB)
    client.force_login(mentor)
    url = reverse("students:guardian_new", args=[student.public_id])
    page = client.get(url)
    assert page.status_code == 200
    assert "student_agreed" in page.context["form"].fields  # asked from 16
    response = client.post(
        url,
        {
            "name": "Fatma Yılmaz",
            "relation": "guardian",
            "parental_authority": "yes",
            "email": "fatma@example.test",
            "phone": "06-12345678",
            "student_agreed": "yes",
        },
    )
    assert response.status_code == 302
    saved = Guardian.objects.get(student=student)
    assert (saved.relation, saved.student_agreed) == ("guardian", "yes")
    detail = client.get(reverse("students:detail", args=[student.public_id])).content.decode()
    assert "Fatma Yılmaz" in detail
    assert "Voogd" in detail
    assert "Ouders en netwerk" in detail
    change = RecordChange.objects.get(student=student, record_type="guardian")
    assert change.action == "create"
    assert change.actor == mentor


def test_the_agreement_is_not_asked_under_16(client, mentor):
    student = own_student(mentor, date_of_birth=MINOR_DOB)
    client.force_login(mentor)
    page = client.get(reverse("students:guardian_new", args=[student.public_id]))
    assert "student_agreed" not in page.context["form"].fields


def test_edit_and_remove_keep_history(client, mentor):
    student = own_student(mentor)
    record = guardian(student)
    client.force_login(mentor)
    url = reverse("students:guardian_edit", args=[student.public_id, record.pk])
    response = client.post(
        url,
        {
            "name": "Petra de Vries",
            "relation": "parent",
            "parental_authority": "no",
            "email": "",
            "phone": "0229-123456",
            "version": record.version,
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.parental_authority, record.version) == ("no", 2)
    update = RecordChange.objects.get(student=student, record_type="guardian", action="update")
    assert update.changes["parental_authority"] == {"old": "yes", "new": "no"}
    # A stale version is refused, nothing overwritten.
    stale = client.post(
        url,
        {"name": "X", "relation": "parent", "parental_authority": "yes", "version": 1},
    )
    assert stale.status_code == 409
    record.refresh_from_db()
    assert record.name == "Petra de Vries"
    removed = client.post(
        reverse("students:guardian_remove", args=[student.public_id, record.pk]),
        {"version": record.version},
    )
    assert removed.status_code == 302
    assert not Guardian.objects.filter(pk=record.pk).exists()
    assert RecordChange.objects.filter(record_type="guardian", action="delete").count() == 1


def test_edit_page_is_logged(client, mentor):
    student = own_student(mentor)
    record = guardian(student)
    client.force_login(mentor)
    client.get(reverse("students:guardian_edit", args=[student.public_id, record.pk]))
    assert AccessLog.objects.filter(student=student, user=mentor, detail="contact").exists()


def test_a_duplicate_name_and_relation_is_a_form_error(client, mentor):
    student = own_student(mentor)
    guardian(student)
    client.force_login(mentor)
    response = client.post(
        reverse("students:guardian_new", args=[student.public_id]),
        {"name": "Petra de Vries", "relation": "parent", "parental_authority": "yes"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]


def test_outside_scope_every_path_is_404(client, mentor, other_mentor):
    student = own_student(other_mentor)
    record = guardian(student)
    client.force_login(mentor)
    public_id = student.public_id
    assert client.get(reverse("students:guardian_new", args=[public_id])).status_code == 404
    assert (
        client.post(
            reverse("students:guardian_new", args=[public_id]),
            {"name": "A", "relation": "parent", "parental_authority": "yes"},
        ).status_code
        == 404
    )
    edit = reverse("students:guardian_edit", args=[public_id, record.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"name": "A", "relation": "parent", "version": 1}).status_code == 404
    remove = reverse("students:guardian_remove", args=[public_id, record.pk])
    assert client.post(remove, {"version": 1}).status_code == 404
    assert Guardian.objects.filter(pk=record.pk, name="Petra de Vries").exists()


def test_a_guardian_of_another_student_is_404_through_an_own_student(client, mentor, other_mentor):
    mine = own_student(mentor)
    theirs = guardian(own_student(other_mentor))
    client.force_login(mentor)
    url = reverse("students:guardian_edit", args=[mine.public_id, theirs.pk])
    assert client.get(url).status_code == 404
    remove = reverse("students:guardian_remove", args=[mine.public_id, theirs.pk])
    assert client.post(remove, {"version": 1}).status_code == 404


def test_leerplicht_sees_guardians_but_does_not_edit(client, leerplicht, mentor):
    student = own_student(mentor, municipality=municipality("Hoorn"), date_of_birth=MINOR_DOB)
    record = guardian(student)
    client.force_login(leerplicht)
    detail = client.get(reverse("students:detail", args=[student.public_id])).content.decode()
    assert escape(record.name) in detail
    assert reverse("students:guardian_new", args=[student.public_id]) not in detail
    assert client.get(reverse("students:guardian_new", args=[student.public_id])).status_code == 404


@pytest.mark.parametrize("count", [1, 50])
def test_guardians_panel_query_count_is_fixed(client, mentor, django_assert_num_queries, count):
    from students import guardians as module

    student = own_student(mentor, date_of_birth=SIXTEEN_DOB)
    for n in range(count):
        guardian(student, name=f"Contact {n}")
    client.force_login(mentor)
    request = client.get(reverse("students:detail", args=[student.public_id])).wsgi_request
    with django_assert_num_queries(GUARDIANS_PANEL_QUERIES):
        panel = module.guardians_panel(request, student)
    assert len(panel["context"]["guardians"]) == count


# The contacts. The write check asks nothing more: the page view that made this request
# loaded the student through the user's scope (accounts.policy.remember_in_scope, issue 16).
GUARDIANS_PANEL_QUERIES = 1


# --- Retention ------------------------------------------------------------------------------


def test_retention_removes_guardians(db, mentor):
    student = own_student(mentor)
    guardian(student)
    other = guardian(own_student(mentor), name="Blijft Staan")
    remove_guardians([student.pk])
    assert not Guardian.objects.filter(student=student).exists()
    assert Guardian.objects.filter(pk=other.pk).exists()


def test_retention_run_removes_guardians_of_due_students(db, mentor):
    # Past the upper age long ago: due whatever today is.
    student = own_student(mentor, date_of_birth=factory_today() - timedelta(days=40 * 365))
    guardian(student)
    apply_retention()
    assert not Guardian.objects.filter(student=student).exists()


# --- The import (INTERFACES.md 1, guardians.csv) --------------------------------------------


def test_import_creates_and_is_idempotent(tmp_path, db):
    StudentFactory(student_number="7001")
    content = csv_text(
        GUARDIANS_HEADER,
        "7001,Petra de Vries,Parent,yes,petra@example.test,06-1",
        "7001,Jan de Vries,parent,,,",
        "7001,Oom Kees,other,no,,",
    )
    first = run_import(tmp_path, guardians=content)
    assert first.code == 0, first.err
    assert first.out_lines == ["guardians.csv: 3 created, 0 updated, 0 unchanged"]
    jan = Guardian.objects.get(name="Jan de Vries")
    assert (jan.relation, jan.parental_authority) == ("parent", "unknown")
    assert RecordChange.objects.filter(record_type="guardian", action="create").count() == 3
    again = run_import(tmp_path, guardians=content)
    assert again.out_lines == ["guardians.csv: 0 created, 0 updated, 3 unchanged"]
    changed = run_import(
        tmp_path, guardians=csv_text(GUARDIANS_HEADER, "7001,Jan de Vries,parent,yes,,")
    )
    assert changed.out_lines == ["guardians.csv: 0 created, 1 updated, 0 unchanged"]
    jan.refresh_from_db()
    assert jan.parental_authority == "yes"


def test_import_bad_rows_name_every_error_and_change_nothing(tmp_path, db):
    StudentFactory(student_number="7001")
    content = csv_text(
        GUARDIANS_HEADER,
        "7001,Petra de Vries,mother,yes,,",
        "7001,,parent,,,",
        "7001,Jan,parent,maybe,not-an-address,",
        "7001,Petra,parent,,,",
        "7001,Petra,parent,,,",
        "9999,Onbekend,parent,,,",
    )
    outcome = run_import(tmp_path, guardians=content)
    assert outcome.code == 1
    assert outcome.err_lines == [
        "guardians.csv:2: relation: unknown value; expected one of: parent, guardian, other",
        "guardians.csv:3: name: required value is missing",
        "guardians.csv:4: parental_authority: unknown value; expected one of: yes, no",
        "guardians.csv:4: email: not a valid e-mail address",
        "guardians.csv:6: -: same student_number, name, relation as line 5",
        "guardians.csv:7: student_number: unknown student_number: not in the students file "
        "and not known in Koers",
    ]
    assert not Guardian.objects.exists()


def test_import_with_a_new_student_in_the_same_run(tmp_path, db):
    students = csv_text(
        "student_number,first_name,last_name,date_of_birth,municipality",
        f"7100,Sem,Bakker,{MINOR_DOB.isoformat()},Alkmaar",
    )
    outcome = run_import(
        tmp_path,
        students=students,
        guardians=csv_text(GUARDIANS_HEADER, "7100,Els Bakker,parent,yes,,"),
    )
    assert outcome.code == 0, outcome.err
    assert Guardian.objects.get().student.student_number == "7100"


def test_import_for_an_institution_refuses_another_schools_student(tmp_path, db):
    EnrolmentFactory(student__student_number="7200")  # Horizon College
    content = csv_text(GUARDIANS_HEADER, "7200,Els Bakker,parent,yes,,")
    outcome = run_import(tmp_path, guardians=content, institution="Clusius College")
    assert outcome.code == 1
    assert outcome.err_lines == [
        "guardians.csv:2: student_number: belongs to a student outside this institution"
    ]
    own = run_import(tmp_path, guardians=content, institution="Horizon College")
    assert own.code == 0, own.err
    assert Guardian.objects.filter(student__student_number="7200").count() == 1


def test_import_page_takes_guardians_csv(client, coordinator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    EnrolmentFactory(student__student_number="7300")
    client.force_login(coordinator)
    upload = SimpleUploadedFile(
        "ouders.csv", csv_text(GUARDIANS_HEADER, "7300,Els Bakker,parent,yes,,").encode()
    )
    response = client.post(reverse("students:import"), {"guardians": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert "Els Bakker" in preview.content.decode()
    assert not Student.objects.filter(student_number="7300", guardians__isnull=False).exists()
