"""Organisations stay apart on the administration import's write paths (issue 13): every
school coordinator of the demo data, uploading in the browser or through
`import_admin --institution`, tries to touch another school's students with each of
the four files. Every row is refused on its line with a reason that names no one, and
nothing of the other school's student changes."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import Exists, OuterRef
from django.urls import reverse

from accounts.models import Membership, User
from students.models import Enrolment, ImportBatch, RecordChange, Student

pytestmark = pytest.mark.django_db

COORDINATORS = [
    "coordinator@horizon.demo",
    "coordinator@clusius.demo",
    "coordinator@mondriaan.demo",
]
OUTSIDE = "belongs to a student outside this institution"


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", force=True, verbosity=0)


def files_touching(student, school_name):
    number = student.student_number
    return {
        "students": (
            "student_number,first_name,last_name,date_of_birth,municipality\n"
            f"{number},Overschreven,Naam,2008-03-01,Alkmaar\n"
        ),
        "enrolments": (
            "student_number,institution,programme,level,start_date\n"
            f"{number},{school_name},Entree Dienstverlening,entree,2025-08-25\n"
        ),
        "qualifications": f"student_number,type,date\n{number},vmbo,2024-07-01\n",
        "employment": (
            "student_number,employer,hours_per_week,start_date\n"
            f"{number},Bakkerij Overschreven,12,2025-09-01\n"
        ),
    }


def snapshot(student):
    student.refresh_from_db()
    return (
        student.first_name,
        student.last_name,
        student.date_of_birth,
        student.bsn,
        student.version,
        sorted(student.enrolments.values_list("institution_id", flat=True)),
        student.qualifications.count(),
        student.employments.count(),
    )


def other_schools_student(membership):
    """A student enrolled at another school only, never at the coordinator's."""
    return (
        Student.objects.filter(
            Exists(Enrolment.objects.filter(student=OuterRef("pk"))),
            ~Exists(
                Enrolment.objects.filter(
                    student=OuterRef("pk"), institution_id=membership.organisation_id
                )
            ),
        )
        .order_by("pk")
        .first()
    )


@pytest.mark.parametrize("email", COORDINATORS)
def test_school_coordinator_upload_cannot_touch_another_schools_student(client, demo, email):
    user = User.objects.get(email=email)
    membership = Membership.objects.get(user=user, role="school_coordinator")
    student = other_schools_student(membership)
    assert student is not None
    before = snapshot(student)
    changes = RecordChange.objects.count()
    client.force_login(user)
    for kind, content in files_touching(student, membership.organisation.name).items():
        response = client.post(
            reverse("students:import"),
            {kind: SimpleUploadedFile(f"{kind}.csv", content.encode(), content_type="text/csv")},
        )
        assert response.status_code == 302, kind
        batch = ImportBatch.objects.filter(uploaded_by=user).latest("pk")
        url = reverse("students:import_preview", args=[batch.public_id])
        page = client.get(url)
        assert [(e.file, e.line, e.column, e.code) for e in page.context["errors"]] == [
            (f"{kind}.csv", 2, "student_number", "outside_institution")
        ]
        html = page.content.decode()
        assert student.first_name not in html
        assert student.last_name not in html
        client.post(url, {"action": "confirm"})
        batch.refresh_from_db()
        assert batch.status == "preview"
    assert snapshot(student) == before
    assert RecordChange.objects.count() == changes


@pytest.mark.parametrize("email", COORDINATORS)
def test_import_for_one_institution_cannot_touch_another_schools_student(tmp_path, demo, email):
    membership = Membership.objects.get(user__email=email, role="school_coordinator")
    student = other_schools_student(membership)
    before = snapshot(student)
    args = []
    for kind, content in files_touching(student, membership.organisation.name).items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(content)
        args += [f"--{kind}", str(path)]
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import_admin",
            *args,
            "--institution",
            membership.organisation.name,
            stdout=out,
            stderr=err,
        )
    assert exit_.value.code == 1
    assert err.getvalue().splitlines() == [
        f"{kind}.csv:2: student_number: {OUTSIDE}"
        for kind in ("students", "enrolments", "qualifications", "employment")
    ]
    assert student.first_name not in err.getvalue()
    assert snapshot(student) == before
