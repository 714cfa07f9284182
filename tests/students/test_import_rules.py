"""The administration import's rules (INTERFACES.md section 1): one test per error in
the list, and the behaviours scripts rely on (all or nothing, idempotent, absent versus
empty columns, line numbers)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from students.models import Employment, Enrolment, Qualification, RecordChange, Student
from tests.factories import StudentFactory, make_user

from .importing_helpers import (
    ENROLMENTS_HEADER,
    STUDENTS_HEADER,
    VALID_BSN,
    csv_text,
    run_import,
    years_ago,
)

pytestmark = pytest.mark.django_db

ANNA = "1001,Anna,de Vries,2008-03-01,Alkmaar"
BRAM = "1002,Bram,Bakker,2009-06-15,Hoorn"


def students_csv(*rows, header=STUDENTS_HEADER):
    return csv_text(header, *rows)


def only_error(outcome):
    assert outcome.code == 1, outcome
    assert len(outcome.err_lines) == 1, outcome.err_lines
    return outcome.err_lines[0]


# --- Every error in the list, each with its own reason --------------------------------


def test_missing_required_column(tmp_path):
    outcome = run_import(
        tmp_path,
        students=csv_text(
            "student_number,first_name,last_name,municipality", "1001,Anna,de Vries,Alkmaar"
        ),
    )
    assert only_error(outcome) == "students.csv:1: date_of_birth: required column is missing"


def test_missing_required_value(tmp_path):
    outcome = run_import(tmp_path, students=students_csv("1001,Anna,   ,2008-03-01,Alkmaar"))
    assert only_error(outcome) == "students.csv:2: last_name: required value is missing"


def test_unknown_column(tmp_path):
    outcome = run_import(tmp_path, students=csv_text(STUDENTS_HEADER + ",Shoe_Size", ANNA + ",42"))
    assert only_error(outcome) == "students.csv:1: Shoe_Size: unknown column"


def test_column_named_twice(tmp_path):
    outcome = run_import(
        tmp_path, students=csv_text(STUDENTS_HEADER + ",FIRST_NAME", ANNA + ",Anne")
    )
    assert only_error(outcome) == "students.csv:1: FIRST_NAME: column appears more than once"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2008-3-1", "not a date in the form YYYY-MM-DD"),
        ("01-03-2008", "not a date in the form YYYY-MM-DD"),
        ("2008-02-30", "date does not exist"),
    ],
)
def test_malformed_or_impossible_date(tmp_path, value, reason):
    outcome = run_import(tmp_path, students=students_csv(f"1001,Anna,de Vries,{value},Alkmaar"))
    assert only_error(outcome) == f"students.csv:2: date_of_birth: {reason}"


def test_enrolment_end_date_before_start_date(tmp_path):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        enrolments=csv_text(
            ENROLMENTS_HEADER + ",end_date,end_reason",
            "1001,Horizon College,Zorg,2,2025-08-25,2025-08-24,dropout",
        ),
    )
    assert only_error(outcome) == "enrolments.csv:2: end_date: end_date is before start_date"


def test_enrolment_planned_end_date_before_start_date(tmp_path):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        enrolments=csv_text(
            ENROLMENTS_HEADER + ",planned_end_date",
            "1001,Horizon College,Zorg,2,2025-08-25,2024-07-01",
        ),
    )
    assert only_error(outcome) == (
        "enrolments.csv:2: planned_end_date: planned_end_date is before start_date"
    )


def test_employment_end_date_before_start_date(tmp_path):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        employment=csv_text(
            "student_number,employer,hours_per_week,start_date,end_date",
            "1001,Bakkerij Bol,12,2025-09-01,2025-08-31",
        ),
    )
    assert only_error(outcome) == "employment.csv:2: end_date: end_date is before start_date"


def test_date_of_birth_in_the_future(tmp_path):
    tomorrow = timezone.localdate() + timedelta(days=1)
    outcome = run_import(tmp_path, students=students_csv(f"1001,Anna,de Vries,{tomorrow},Alkmaar"))
    assert only_error(outcome) == "students.csv:2: date_of_birth: date of birth is in the future"


def test_younger_than_12_on_the_day_of_the_import(tmp_path):
    almost_12 = years_ago(12) + timedelta(days=1)
    outcome = run_import(tmp_path, students=students_csv(f"1001,Anna,de Vries,{almost_12},Alkmaar"))
    assert only_error(outcome) == (
        "students.csv:2: date_of_birth: date of birth makes the student younger than 12 today"
    )


def test_twelve_today_is_old_enough(tmp_path):
    outcome = run_import(
        tmp_path, students=students_csv(f"1001,Anna,de Vries,{years_ago(12)},Alkmaar")
    )
    assert outcome.code == 0, outcome


def test_unknown_municipality(tmp_path):
    outcome = run_import(tmp_path, students=students_csv("1001,Anna,de Vries,2008-03-01,Atlantis"))
    assert only_error(outcome) == (
        "students.csv:2: municipality: unknown municipality (not in the reference data)"
    )


def test_unknown_institution(tmp_path):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        enrolments=csv_text(ENROLMENTS_HEADER, "1001,Hogwarts,Zorg,2,2025-08-25"),
    )
    assert only_error(outcome) == (
        "enrolments.csv:2: institution: unknown institution (not a school in Koers)"
    )


def test_an_organisation_that_is_not_a_school_is_an_unknown_institution(tmp_path):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        enrolments=csv_text(ENROLMENTS_HEADER, "1001,Leerplicht Haaglanden,Zorg,2,2025-08-25"),
    )
    assert "institution: unknown institution" in only_error(outcome)


def test_unknown_level(tmp_path):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        enrolments=csv_text(ENROLMENTS_HEADER, "1001,Horizon College,Zorg,1,2025-08-25"),
    )
    assert only_error(outcome) == (
        "enrolments.csv:2: level: unknown value; expected one of: entree, 2, 3, 4, vavo"
    )


@pytest.mark.parametrize(
    ("kind", "content", "expected"),
    [
        (
            "students",
            csv_text(STUDENTS_HEADER + ",prior_education", ANNA + ",lyceum"),
            "students.csv:2: prior_education: unknown value",
        ),
        (
            "enrolments",
            csv_text(
                ENROLMENTS_HEADER + ",end_date,end_reason",
                "1001,Horizon College,Zorg,2,2025-08-25,2026-01-01,bored",
            ),
            "enrolments.csv:2: end_reason: unknown value",
        ),
        (
            "qualifications",
            csv_text("student_number,type,level,date", "1001,gymnasium,,2024-07-01"),
            "qualifications.csv:2: type: unknown value",
        ),
    ],
)
def test_unknown_enumerated_value(tmp_path, kind, content, expected):
    files = {"students": students_csv(ANNA)}
    files[kind] = content
    assert only_error(run_import(tmp_path, **files)).startswith(expected)


@pytest.mark.parametrize(
    "bsn", ["12345678", "1234567890", "123 456 782", "123-45-678", "12345678a"]
)
def test_bsn_not_exactly_nine_digits(tmp_path, bsn):
    outcome = run_import(tmp_path, students=csv_text(STUDENTS_HEADER + ",bsn", f'{ANNA},"{bsn}"'))
    assert only_error(outcome) == (
        "students.csv:2: bsn: BSN must be exactly 9 digits, without spaces or separators"
    )
    assert bsn not in outcome.err


def test_bsn_failing_the_11_proef_never_shows_the_number(tmp_path):
    outcome = run_import(tmp_path, students=csv_text(STUDENTS_HEADER + ",bsn", ANNA + ",123456788"))
    assert only_error(outcome) == "students.csv:2: bsn: BSN fails the 11-proef"
    assert "123456788" not in outcome.err + outcome.out


def test_duplicate_key_names_the_earlier_line(tmp_path):
    outcome = run_import(
        tmp_path, students=students_csv(ANNA, BRAM, "1001,Anne,Vries,2008-03-01,Alkmaar")
    )
    assert only_error(outcome) == "students.csv:4: student_number: same student_number as line 2"


def test_duplicate_enrolment_key_matches_institution_case_insensitively(tmp_path):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        enrolments=csv_text(
            ENROLMENTS_HEADER,
            "1001,Horizon College,Zorg,2,2025-08-25",
            "1001,HORIZON COLLEGE,Zorg,3,2025-08-25",
        ),
    )
    assert only_error(outcome) == (
        "enrolments.csv:3: -: same student_number, institution, programme, start_date as line 2"
    )


def test_student_number_neither_in_the_files_nor_known(tmp_path):
    StudentFactory(student_number="2002")
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        enrolments=csv_text(
            ENROLMENTS_HEADER,
            "1001,Horizon College,Zorg,2,2025-08-25",
            "2002,Horizon College,Zorg,2,2025-08-25",
            "3003,Horizon College,Zorg,2,2025-08-25",
        ),
    )
    assert only_error(outcome) == (
        "enrolments.csv:4: student_number: unknown student_number: "
        "not in the students file and not known in Koers"
    )


def test_a_students_row_with_errors_still_names_its_student(tmp_path):
    outcome = run_import(
        tmp_path,
        students=students_csv("1001,Anna,de Vries,2008-03-01,Atlantis"),
        qualifications=csv_text("student_number,type,date", "1001,vmbo,2024-07-01"),
    )
    assert only_error(outcome).startswith("students.csv:2: municipality:")


def test_end_reason_without_end_date(tmp_path):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        enrolments=csv_text(
            ENROLMENTS_HEADER + ",end_date,end_reason",
            "1001,Horizon College,Zorg,2,2025-08-25,,dropout",
        ),
    )
    assert only_error(outcome) == "enrolments.csv:2: end_date: required when end_reason is given"


def test_end_date_without_end_reason(tmp_path):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        enrolments=csv_text(
            ENROLMENTS_HEADER + ",end_date,end_reason",
            "1001,Horizon College,Zorg,2,2025-08-25,2026-01-31,",
        ),
    )
    assert only_error(outcome) == "enrolments.csv:2: end_reason: required when end_date is given"


def test_end_date_column_without_end_reason_column(tmp_path):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        enrolments=csv_text(
            ENROLMENTS_HEADER + ",end_date", "1001,Horizon College,Zorg,2,2025-08-25,"
        ),
    )
    assert only_error(outcome) == (
        "enrolments.csv:1: end_date: end_date and end_reason go together: add the end_reason column"
    )


def test_vavo_enrolment_cannot_end_with_a_diploma(tmp_path):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        enrolments=csv_text(
            ENROLMENTS_HEADER + ",end_date,end_reason",
            "1001,Horizon College,Vavo havo,VAVO,2025-08-25,2026-07-01,Diploma",
        ),
    )
    assert only_error(outcome).startswith(
        "enrolments.csv:2: end_reason: a vavo enrolment cannot end with diploma"
    )


@pytest.mark.parametrize(
    ("hours", "reason"),
    [
        ("61", "must be between 0 and 60"),
        ("-1", "must be between 0 and 60"),
        ("twelve", "not a number (use . as the decimal separator)"),
        ("12,5", "not a number (use . as the decimal separator)"),
        ("12.25", "at most one decimal allowed"),
    ],
)
def test_hours_outside_0_to_60_or_not_a_number(tmp_path, hours, reason):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        employment=csv_text(
            "student_number,employer,hours_per_week,start_date",
            f'1001,Bakkerij Bol,"{hours}",2025-09-01',
        ),
    )
    assert only_error(outcome) == f"employment.csv:2: hours_per_week: {reason}"


@pytest.mark.parametrize("hours", ["0", "60", "60.0", "12.5", "12.50"])
def test_hours_within_range_with_one_decimal_are_accepted(tmp_path, hours):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        employment=csv_text(
            "student_number,employer,hours_per_week,start_date",
            f"1001,Bakkerij Bol,{hours},2025-09-01",
        ),
    )
    assert outcome.code == 0, outcome
    assert Employment.objects.get().hours_per_week == Decimal(hours)


@pytest.mark.parametrize(
    "row", ["1001,Anna,de Vries,2008-03-01", "1001,Anna,de Vries,2008-03-01,Alkmaar,extra"]
)
def test_row_with_more_or_fewer_fields_than_the_header(tmp_path, row):
    outcome = run_import(tmp_path, students=students_csv(row))
    fields = row.count(",") + 1
    assert only_error(outcome) == f"students.csv:2: -: row has {fields} fields, the header has 5"


def test_file_that_is_not_utf8_names_the_line_of_the_first_bad_byte(tmp_path):
    content = students_csv(ANNA, BRAM, "1003,Zoë,Mulder,2007-01-01,Texel").encode("latin-1")
    outcome = run_import(tmp_path, students=content)
    assert only_error(outcome).startswith("students.csv:4: -: not UTF-8")


def test_semicolon_file_is_not_a_comma_separated_file_reported_once(tmp_path):
    content = "student_number;first_name;last_name;date_of_birth;municipality\n1001;Anna;de Vries;2008-03-01;Alkmaar\n1002;Bram;Bakker;2009-06-15;Hoorn\n"
    outcome = run_import(tmp_path, students=content)
    assert outcome.err_lines == ["students.csv:1: -: not a comma-separated file"]
    assert outcome.code == 1


def test_nul_bytes_are_not_a_comma_separated_file(tmp_path):
    outcome = run_import(tmp_path, students=students_csv(ANNA).encode() + b"\x00\x00")
    assert outcome.err_lines == ["students.csv:1: -: not a comma-separated file"]


def test_unparseable_quoting_is_not_a_comma_separated_file(tmp_path):
    outcome = run_import(
        tmp_path, students=students_csv(ANNA, '1002,"Bram"x,Bakker,2009-06-15,Hoorn')
    )
    assert outcome.err_lines == ["students.csv:1: -: not a comma-separated file"]


def test_unclosed_quote_is_not_a_comma_separated_file(tmp_path):
    outcome = run_import(
        tmp_path, students=students_csv(ANNA, '1002,"Bram,Bakker,2009-06-15,Hoorn')
    )
    assert outcome.err_lines == ["students.csv:1: -: not a comma-separated file"]


def test_unreadable_students_file_does_not_flood_the_other_files_with_unknown_students(tmp_path):
    outcome = run_import(
        tmp_path,
        students="student_number;first_name\n1001;Anna\n",
        qualifications=csv_text("student_number,type,date", "1001,vmbo,2024-07-01"),
    )
    assert outcome.err_lines == ["students.csv:1: -: not a comma-separated file"]


def test_mentor_email_without_account_is_a_notice_and_kept(tmp_path):
    outcome = run_import(
        tmp_path,
        students=csv_text(STUDENTS_HEADER + ",mentor_email", ANNA + ",Nobody@Horizon.test"),
    )
    assert outcome.code == 0, outcome
    assert outcome.out_lines == [
        "students.csv:2: mentor_email: no account yet; linked when it exists",
        "students.csv: 1 created, 0 updated, 0 unchanged",
    ]
    student = Student.objects.get()
    assert (student.mentor, student.pending_mentor_email) == (None, "nobody@horizon.test")


def test_mentor_email_of_a_closed_account_is_an_error(tmp_path):
    make_user("gone@horizon.test", "mentor", "Horizon College", is_active=False)
    outcome = run_import(
        tmp_path,
        students=csv_text(STUDENTS_HEADER + ",mentor_email", ANNA + ",gone@horizon.test"),
    )
    assert only_error(outcome) == (
        "students.csv:2: mentor_email: the account with this e-mail address is closed"
    )


def test_mentor_email_must_belong_to_a_mentor(tmp_path):
    make_user(
        "leerplicht@nhn.test", "leerplicht", "Regionaal Bureau Leerplicht Noord-Holland Noord"
    )
    outcome = run_import(
        tmp_path,
        students=csv_text(STUDENTS_HEADER + ",mentor_email", ANNA + ",leerplicht@nhn.test"),
    )
    assert only_error(outcome) == "students.csv:2: mentor_email: this user is not a mentor"


def test_mentor_email_matches_case_insensitively(tmp_path, mentor):
    outcome = run_import(
        tmp_path,
        students=csv_text(STUDENTS_HEADER + ",mentor_email", ANNA + ",Mentor@Horizon.TEST"),
    )
    assert outcome.code == 0, outcome
    assert Student.objects.get().mentor == mentor


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("1001,mbo,,2024-07-01", "qualifications.csv:2: level: required for type mbo (2, 3 or 4)"),
        (
            "1001,mbo,1,2024-07-01",
            "qualifications.csv:2: level: an mbo-1 diploma is imported as type entree, without level",
        ),
        ("1001,mbo,5,2024-07-01", "qualifications.csv:2: level: must be 2, 3 or 4"),
        ("1001,havo,4,2024-07-01", "qualifications.csv:2: level: must be empty for type havo"),
    ],
)
def test_qualification_level_rules(tmp_path, row, expected):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        qualifications=csv_text("student_number,type,level,date", row),
    )
    assert only_error(outcome) == expected


def test_every_error_is_reported_not_just_the_first(tmp_path):
    outcome = run_import(
        tmp_path,
        students=students_csv(
            "1001,Anna,,2008-03-01,Atlantis", "1002,Bram,Bakker,2009-02-30,Hoorn"
        ),
    )
    assert outcome.err_lines == [
        "students.csv:2: last_name: required value is missing",
        "students.csv:2: municipality: unknown municipality (not in the reference data)",
        "students.csv:3: date_of_birth: date does not exist",
    ]


# --- Behaviours ----------------------------------------------------------------------


def test_one_bad_row_changes_nothing(tmp_path):
    StudentFactory(student_number="1002", first_name="Bram", last_name="Bakker")
    outcome = run_import(
        tmp_path,
        students=students_csv(
            ANNA, "1002,Bram,Anders,2009-06-15,Hoorn", "1003,Cas,Cok,2007-01-01,Atlantis"
        ),
        enrolments=csv_text(ENROLMENTS_HEADER, "1001,Horizon College,Zorg,2,2025-08-25"),
    )
    assert outcome.code == 1
    assert outcome.out == ""
    assert list(Student.objects.values_list("student_number", "last_name")) == [("1002", "Bakker")]
    assert not Enrolment.objects.exists()
    assert not RecordChange.objects.exists()


def test_second_import_of_the_same_files_is_all_unchanged_and_writes_no_history(tmp_path, mentor):
    files = {
        "students": csv_text(
            STUDENTS_HEADER + ",bsn,email,phone,prior_education,mentor_email",
            f"{ANNA},{VALID_BSN},anna@example.test,06-12345678,vmbo,mentor@horizon.test",
            BRAM + ",,,,,",
        ),
        "enrolments": csv_text(
            ENROLMENTS_HEADER + ",location,planned_end_date,end_date,end_reason",
            "1001,Horizon College,Zorg,2,2025-08-25,Alkmaar,2027-07-01,,",
            "1002,Clusius College,Groen,entree,2024-08-26,Hoorn,,2025-01-31,dropout",
        ),
        "qualifications": csv_text(
            "student_number,type,level,date", "1001,vmbo,,2024-07-01", "1002,mbo,2,2024-07-01"
        ),
        "employment": csv_text(
            "student_number,employer,hours_per_week,start_date,end_date",
            "1001,Bakkerij Bol,12.5,2025-09-01,",
        ),
    }
    first = run_import(tmp_path, **files)
    assert first.code == 0, first
    history = RecordChange.objects.count()
    assert history == 2 + 2 + 2 + 1

    second = run_import(tmp_path, **files)
    assert second.out_lines == [
        "students.csv: 0 created, 0 updated, 2 unchanged",
        "enrolments.csv: 0 created, 0 updated, 2 unchanged",
        "qualifications.csv: 0 created, 0 updated, 2 unchanged",
        "employment.csv: 0 created, 0 updated, 1 unchanged",
    ]
    assert RecordChange.objects.count() == history


def test_a_row_that_differs_only_in_spelling_is_unchanged(tmp_path):
    run_import(
        tmp_path,
        students=students_csv(ANNA),
        enrolments=csv_text(ENROLMENTS_HEADER, "1001,Horizon College,Zorg,entree,2025-08-25"),
        employment=csv_text(
            "student_number,employer,hours_per_week,start_date", "1001,Bakkerij Bol,12,2025-09-01"
        ),
    )
    outcome = run_import(
        tmp_path,
        students=students_csv("1001,Anna,de Vries,2008-03-01,ALKMAAR"),
        enrolments=csv_text(ENROLMENTS_HEADER, "1001,horizon college,Zorg,Entree,2025-08-25"),
        employment=csv_text(
            "student_number,employer,hours_per_week,start_date", "1001,Bakkerij Bol,12.0,2025-09-01"
        ),
    )
    assert outcome.out_lines == [
        "students.csv: 0 created, 0 updated, 1 unchanged",
        "enrolments.csv: 0 created, 0 updated, 1 unchanged",
        "employment.csv: 0 created, 0 updated, 1 unchanged",
    ]


def test_update_records_old_and_new_values_but_never_the_bsn(tmp_path):
    run_import(tmp_path, students=csv_text(STUDENTS_HEADER + ",bsn", f"{ANNA},{VALID_BSN}"))
    creation = RecordChange.objects.get()
    assert creation.action == "create"
    assert creation.source == "import"
    assert creation.actor is None
    # The new record holds the values; the history does not copy them.
    assert creation.changes == {}

    other_bsn = "123456782"
    outcome = run_import(
        tmp_path,
        students=csv_text(
            STUDENTS_HEADER + ",bsn", f"1001,Anna,de Vries-Bos,2008-03-01,Heiloo,{other_bsn}"
        ),
    )
    assert outcome.out_lines == ["students.csv: 0 created, 1 updated, 0 unchanged"]
    update = RecordChange.objects.get(action="update")
    assert update.changes == {
        "last_name": {"old": "de Vries", "new": "de Vries-Bos"},
        "municipality": {"old": "Alkmaar", "new": "Heiloo"},
        "bsn": {"old": "•", "new": "•"},
    }
    anna = Student.objects.get()
    assert anna.bsn == other_bsn
    assert anna.version == 2


def test_absent_optional_column_leaves_the_field(tmp_path):
    run_import(
        tmp_path,
        students=csv_text(
            STUDENTS_HEADER + ",phone,email", ANNA + ",06-11111111,anna@example.test"
        ),
    )
    outcome = run_import(
        tmp_path, students=csv_text(STUDENTS_HEADER + ",email", ANNA + ",anna@example.test")
    )
    assert outcome.out_lines == ["students.csv: 0 created, 0 updated, 1 unchanged"]
    assert Student.objects.get().phone == "06-11111111"


def test_present_and_empty_optional_column_clears_the_field(tmp_path):
    run_import(tmp_path, students=csv_text(STUDENTS_HEADER + ",phone", ANNA + ",06-11111111"))
    outcome = run_import(tmp_path, students=csv_text(STUDENTS_HEADER + ",phone", ANNA + ",  "))
    assert outcome.out_lines == ["students.csv: 0 created, 1 updated, 0 unchanged"]
    assert Student.objects.get().phone == ""


def test_empty_end_date_and_reason_reopen_an_enrolment(tmp_path):
    header = ENROLMENTS_HEADER + ",end_date,end_reason"
    run_import(
        tmp_path,
        students=students_csv(ANNA),
        enrolments=csv_text(header, "1001,Horizon College,Zorg,2,2025-08-25,2026-01-31,dropout"),
    )
    outcome = run_import(
        tmp_path, enrolments=csv_text(header, "1001,Horizon College,Zorg,2,2025-08-25,,")
    )
    assert outcome.out_lines == ["enrolments.csv: 0 created, 1 updated, 0 unchanged"]
    enrolment = Enrolment.objects.get()
    assert (enrolment.end_date, enrolment.end_reason) == (None, "")


def test_the_import_never_deletes(tmp_path):
    run_import(
        tmp_path,
        students=students_csv(ANNA, BRAM),
        qualifications=csv_text(
            "student_number,type,date", "1001,vmbo,2024-07-01", "1002,havo,2024-07-01"
        ),
    )
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA),
        qualifications=csv_text("student_number,type,date", "1001,vmbo,2024-07-01"),
    )
    assert outcome.code == 0
    assert Student.objects.count() == 2
    assert Qualification.objects.count() == 2


def test_later_files_may_name_students_already_known(tmp_path):
    StudentFactory(student_number="7007")
    outcome = run_import(
        tmp_path, qualifications=csv_text("student_number,type,level,date", "7007,mbo,3,2025-07-01")
    )
    assert outcome.out_lines == ["qualifications.csv: 1 created, 0 updated, 0 unchanged"]


def test_names_match_case_insensitively(tmp_path):
    outcome = run_import(
        tmp_path,
        students=csv_text(
            "STUDENT_NUMBER, First_Name ,last_name,Date_Of_Birth,MUNICIPALITY,Prior_Education",
            "1001,Anna,de Vries,2008-03-01,den haag,HAVO",
            "1002,Bram,Bakker,2009-06-15,BERGEN (NH),Unknown",
        ),
        enrolments=csv_text(
            "Student_Number,INSTITUTION,Programme,Level,Start_Date",
            "1001,roc mondriaan,Zorg,ENTREE,2025-08-25",
        ),
    )
    assert outcome.code == 0, outcome
    anna = Student.objects.get(student_number="1001")
    assert anna.municipality.name == "'s-Gravenhage"
    assert anna.prior_education == "havo"
    assert anna.enrolments.get().level == "entree"
    assert Student.objects.get(student_number="1002").municipality.name == "Bergen (NH)"


def test_multi_line_quoted_record_is_numbered_by_its_first_line(tmp_path):
    content = students_csv(
        '1001,Anna,"de Vries\nvan Dam\nJansen",2008-03-01,Alkmaar',
        "1002,Bram,Bakker,2009-06-15,Atlantis",
    )
    outcome = run_import(tmp_path, students=content)
    assert only_error(outcome).startswith("students.csv:5: municipality:")


def test_blank_lines_and_empty_rows_are_skipped_but_counted(tmp_path):
    content = (
        STUDENTS_HEADER + "\n\n" + ANNA + "\n,,,,\n   \n" + "1002,Bram,Bakker,2009-06-15,Atlantis\n"
    )
    outcome = run_import(tmp_path, students=content)
    assert only_error(outcome).startswith("students.csv:6: municipality:")


def test_byte_order_mark_is_accepted(tmp_path):
    outcome = run_import(tmp_path, students=b"\xef\xbb\xbf" + students_csv(ANNA).encode())
    assert outcome.out_lines == ["students.csv: 1 created, 0 updated, 0 unchanged"]


def test_windows_line_endings_and_spaces_around_values(tmp_path):
    content = STUDENTS_HEADER + "\r\n" + " 1001 , Anna , de Vries , 2008-03-01 , Alkmaar \r\n"
    outcome = run_import(tmp_path, students=content)
    assert outcome.code == 0, outcome
    anna = Student.objects.get()
    assert (anna.student_number, anna.first_name) == ("1001", "Anna")


def test_a_quoted_value_with_a_comma(tmp_path):
    outcome = run_import(
        tmp_path, students=students_csv('1001,Anna,"Vries, de",2008-03-01,Alkmaar')
    )
    assert outcome.code == 0, outcome
    assert Student.objects.get().last_name == "Vries, de"


def test_header_only_file_imports_nothing(tmp_path):
    outcome = run_import(tmp_path, students=students_csv())
    assert outcome.out_lines == ["students.csv: 0 created, 0 updated, 0 unchanged"]


def test_a_record_edited_during_the_import_is_not_overwritten(tmp_path, monkeypatch):
    from django.db.models import F

    from students.importing import writing

    run_import(tmp_path, students=students_csv(ANNA))
    real_plan = writing.plan

    def plan_then_someone_edits(result):
        the_plan = real_plan(result)
        Student.objects.update(first_name="Anneke", version=F("version") + 1)
        return the_plan

    monkeypatch.setattr(writing, "plan", plan_then_someone_edits)
    outcome = run_import(
        tmp_path, students=students_csv("1001,Anna,de Vries-Bos,2008-03-01,Alkmaar")
    )
    assert outcome.code == 1
    assert "changed while importing" in outcome.err
    # The simulated edit ran in the import's transaction, so it is undone with it; what
    # matters is that the import noticed it instead of writing over it.
    assert Student.objects.get().last_name == "de Vries"
    assert not RecordChange.objects.filter(action="update").exists()
