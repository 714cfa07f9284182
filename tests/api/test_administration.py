"""Administration writes through the API: the CSV import's validation, keys and
"acting for one institution" rules, all or nothing, per row and field, idempotent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Organisation
from students.importing import validate
from students.models import AccessLog, Enrolment, Student
from tests.factories import EnrolmentFactory, StudentFactory

from .conftest import api_as, register

pytestmark = pytest.mark.django_db

URL = "/api/v1/administration-imports"
VALID_BSN = "111222333"


def today():
    return timezone.localdate()


def student_row(number, **extra):
    return {
        "student_number": number,
        "first_name": "Sam",
        "last_name": f"Jansen {number}",
        "date_of_birth": (today() - timedelta(days=6425)).isoformat(),
        "municipality": "Alkmaar",
        **extra,
    }


def enrolment_row(number, **extra):
    return {
        "student_number": number,
        "institution": "Horizon College",
        "programme": "Entree Dienstverlening",
        "level": "entree",
        "start_date": (today() - timedelta(days=100)).isoformat(),
        **extra,
    }


def test_thousand_students_round_trip_create_read_back_and_resend_unchanged(horizon_api):
    body = {
        "students": [student_row(f"70{n:04d}") for n in range(1000)],
        "enrolments": [enrolment_row(f"70{n:04d}") for n in range(1000)],
    }
    created = horizon_api.post(URL, body)
    assert created.status_code == 200, created.content
    assert created.json()["students"] == {"created": 1000, "updated": 0, "unchanged": 0}
    assert created.json()["enrolments"]["created"] == 1000
    seen = []
    url = "/api/v1/students?pageSize=500"
    while url:
        page = horizon_api.get(url).json()
        seen += page["results"]
        url = page["next"] and page["next"].replace("http://testserver", "")
    assert len(seen) == 1000
    assert {s["student_number"] for s in seen} == {f"70{n:04d}" for n in range(1000)}
    assert all(s["enrolments"][0]["institution"] == "Horizon College" for s in seen)
    assert all("bsn" not in s for s in seen)
    again = horizon_api.post(URL, body)
    assert again.status_code == 200
    assert again.json()["students"] == {"created": 0, "updated": 0, "unchanged": 1000}
    assert again.json()["enrolments"] == {"created": 0, "updated": 0, "unchanged": 1000}
    # The reads were logged with the client's service account as actor.
    logs = AccessLog.objects.filter(action=AccessLog.Action.LIST_STUDENTS)
    assert logs.count() == 2
    assert all(log.detail.startswith("api client") for log in logs)


def test_all_or_nothing_with_errors_per_row_and_field(horizon_api):
    body = {
        "students": [
            student_row("800001"),
            student_row("800002", bsn="123456789"),
            student_row("800003", municipality="Atlantis"),
        ]
    }
    response = horizon_api.post(URL, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert names == {"students[1].bsn", "students[2].municipality"}
    assert "123456789" not in response.content.decode()
    assert not Student.objects.exists()


def test_dry_run_writes_nothing(horizon_api):
    response = horizon_api.post(URL, {"students": [student_row("800001")], "dry_run": True})
    assert response.status_code == 200
    assert response.json()["students"]["created"] == 1
    assert not Student.objects.exists()


def test_idempotency_key_replays_the_answer_and_refuses_another_body(horizon_api):
    body = {"students": [student_row("800001")]}
    first = horizon_api.post(URL, body, **{"Idempotency-Key": "abc"})
    second = horizon_api.post(URL, body, **{"Idempotency-Key": "abc"})
    assert first.json() == second.json()
    assert second.json()["students"]["created"] == 1  # the first answer, not "unchanged"
    assert second["Idempotent-Replayed"] == "true"
    other = horizon_api.post(
        URL, {"students": [student_row("800002")]}, **{"Idempotency-Key": "abc"}
    )
    assert other.status_code == 422
    assert Student.objects.count() == 1


def test_enrolments_are_for_the_clients_own_institution(horizon_api):
    response = horizon_api.post(
        URL,
        {
            "students": [student_row("800001")],
            "enrolments": [enrolment_row("800001", institution="Clusius College")],
        },
    )
    assert response.status_code == 400
    [param] = response.json()["invalidParams"]
    assert param["name"] == "enrolments[0].institution"
    assert param["code"] == "not_this_institution"


def test_a_student_of_another_institution_is_refused_naming_no_one(clusius_api):
    other = EnrolmentFactory(student=StudentFactory(student_number="900001")).student
    response = clusius_api.post(URL, {"students": [student_row("900001")]})
    assert response.status_code == 400
    [param] = response.json()["invalidParams"]
    assert param["name"] == "students[0].student_number"
    assert param["code"] == "outside_institution"
    other.refresh_from_db()
    assert other.last_name != "Jansen 900001"


def test_same_bsn_takes_over_the_same_person(clusius_api):
    StudentFactory(student_number="900001", bsn=VALID_BSN)
    response = clusius_api.post(URL, {"students": [student_row("900001", bsn=VALID_BSN)]})
    assert response.status_code == 200, response.content


def test_a_non_school_cannot_write_administration(db):
    system = register("Werk en Inkomen Noord-Holland Noord", "wi")
    response = api_as(system).post(URL, {"students": [student_row("800001")]})
    assert response.status_code == 403


def test_without_the_scope_it_is_403(horizon_system):
    response = api_as(horizon_system, ["students:read"]).post(
        URL, {"students": [student_row("800001")]}
    )
    assert response.status_code == 403


def test_over_the_row_limit_is_refused(horizon_api, settings):
    settings.KOERS_API_IMPORT_MAX_ROWS = 2
    response = horizon_api.post(URL, {"students": [student_row(f"8{n:05d}") for n in range(3)]})
    assert response.status_code == 400
    assert not Student.objects.exists()


def test_non_scalar_values_are_refused_by_field(horizon_api):
    response = horizon_api.post(URL, {"students": [student_row("800001", first_name={"a": 1})]})
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "students[0].first_name"


# The CSV import's rejected cases (INTERFACES.md 1), as CSV text and as the same rows in
# JSON: the API rejects each with the same column and the same reason.
DOB = "{dob}"
CASES = {
    "missing required value": ("students", [student_row("810001", first_name="")]),
    "unknown column": ("students", [student_row("810001", shoe_size="42")]),
    "malformed date": ("students", [student_row("810001", date_of_birth="2010-13-45")]),
    "future birth": ("students", [student_row("810001", date_of_birth="2999-01-01")]),
    "too young": ("students", [student_row("810001", date_of_birth="{young}")]),
    "unknown municipality": ("students", [student_row("810001", municipality="Atlantis")]),
    "bsn not 9 digits": ("students", [student_row("810001", bsn="12345")]),
    "bsn fails 11-proef": ("students", [student_row("810001", bsn="123456789")]),
    "unknown prior education": ("students", [student_row("810001", prior_education="mavo")]),
    "duplicate key": ("students", [student_row("810001"), student_row("810001")]),
    "unknown student": ("enrolments", [enrolment_row("819999")]),
    "unknown level": ("enrolments", [enrolment_row("810001", level="5")]),
    "end before start": (
        "enrolments",
        [enrolment_row("810001", end_date="2000-01-01", end_reason="dropout")],
    ),
    "end reason without end date": ("enrolments", [enrolment_row("810001", end_reason="other")]),
    "hours out of range": (
        "employment",
        [
            {
                "student_number": "810001",
                "employer": "Bakker",
                "hours_per_week": "61",
                "start_date": "2024-01-01",
            }
        ],
    ),
}


def _concrete(rows):
    young = (today() - timedelta(days=365 * 11)).isoformat()
    return [{k: (young if v == "{young}" else v) for k, v in row.items()} for row in rows]


def _csv(rows):
    columns = list(dict.fromkeys(key for row in rows for key in row))
    lines = [",".join(columns)] + [",".join(str(row.get(c, "")) for c in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_imports_rejected_cases_are_rejected_by_the_api_with_the_same_reasons(
    case, horizon_api
):
    kind, rows = CASES[case]
    rows = _concrete(rows)
    files = {kind: (f"{kind}.csv", _csv(rows))}
    if kind != "students":
        EnrolmentFactory(student=StudentFactory(student_number="810001"))
    horizon = Organisation.objects.get(name="Horizon College")
    expected = validate(files, institution_id=horizon.pk).errors
    assert expected, case
    response = horizon_api.post(URL, {kind: rows})
    assert response.status_code == 400, case
    got = response.json()["invalidParams"]
    assert sorted((p["code"], p["name"].rsplit(".", 1)[-1]) for p in got) == sorted(
        (e.code, e.column if e.column != "-" else kind) for e in expected
    ), case
    assert [p["reason"] for p in got] == [e.localized_reason for e in expected]
    assert Enrolment.objects.count() == (0 if kind == "students" else 1)


def guardian_row(number, **extra):
    return {"student_number": number, "name": "Petra Ouder", "relation": "parent", **extra}


def test_guardians_are_written_with_the_imports_rules_and_keys(horizon_api):
    from students.models import Guardian

    body = {
        "students": [student_row("810001")],
        "guardians": [
            guardian_row("810001", parental_authority="yes", phone="0612345678"),
            guardian_row("810001", name="Oom Kees", relation="other"),
        ],
    }
    created = horizon_api.post(URL, body)
    assert created.status_code == 200, created.content
    assert created.json()["guardians"] == {"created": 2, "updated": 0, "unchanged": 0}
    student = Student.objects.get(student_number="810001")
    assert set(student.guardians.values_list("name", flat=True)) == {"Petra Ouder", "Oom Kees"}
    assert Guardian.objects.get(name="Petra Ouder").parental_authority == "yes"
    # The key is (student, name, relation): sent again, unchanged.
    again = horizon_api.post(URL, {"guardians": body["guardians"]})
    assert again.json()["guardians"] == {"created": 0, "updated": 0, "unchanged": 2}


def test_invalid_guardians_are_refused_per_row_and_field_all_or_nothing(horizon_api):
    from students.models import Guardian

    body = {
        "students": [student_row("810002")],
        "guardians": [
            guardian_row("810002"),
            guardian_row("810002", name="Tante", relation="aunt"),
            guardian_row("999999", name="Onbekend"),
            {"student_number": "810002", "relation": "parent"},
        ],
    }
    response = horizon_api.post(URL, body)
    assert response.status_code == 400
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert "guardians[1].relation" in names
    assert "guardians[2].student_number" in names
    assert "guardians[3].name" in names
    assert not Student.objects.exists()
    assert not Guardian.objects.exists()


def test_the_openapi_schema_names_the_guardians_array(client):
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    request = next(v for k, v in schemas.items() if k.startswith("AdministrationImport"))
    assert "guardians" in request["properties"]
    result = next(v for k, v in schemas.items() if k.startswith("AdministrationResult"))
    assert "guardians" in result["properties"]
