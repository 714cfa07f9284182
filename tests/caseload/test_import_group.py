"""The import's optional `group` column of enrolments.csv (INTERFACES.md section 1)."""

import pytest

from students.models import Enrolment, RecordChange
from tests.students.importing_helpers import STUDENTS_HEADER, csv_text, run_import

pytestmark = pytest.mark.django_db

HEADER = "student_number,institution,programme,level,start_date,group"


def enrolments(*groups):
    return csv_text(
        HEADER,
        *(
            f"100{index + 1},Horizon College,Entree Dienstverlening,entree,2025-08-25,{group}"
            for index, group in enumerate(groups)
        ),
    )


def students(count=1):
    return csv_text(
        STUDENTS_HEADER,
        *(f"100{index + 1},Anna,Visser,2008-03-01,Alkmaar" for index in range(count)),
    )


def test_group_is_imported_and_updated_with_history(tmp_path):
    outcome = run_import(tmp_path, students=students(), enrolments=enrolments("E1A"))
    assert outcome.code == 0, outcome.err
    assert Enrolment.objects.get().group_name == "E1A"
    outcome = run_import(tmp_path, enrolments=enrolments("E1B"))
    assert outcome.out_lines == ["enrolments.csv: 0 created, 1 updated, 0 unchanged"]
    enrolment = Enrolment.objects.get()
    assert enrolment.group_name == "E1B"
    change = RecordChange.objects.filter(record_type="enrolment", action="update").get()
    assert change.changes == {"group_name": {"old": "E1A", "new": "E1B"}}
    # The same file again: unchanged.
    outcome = run_import(tmp_path, enrolments=enrolments("E1B"))
    assert outcome.out_lines == ["enrolments.csv: 0 created, 0 updated, 1 unchanged"]


def test_an_empty_group_clears_it_and_an_absent_column_keeps_it(tmp_path):
    run_import(tmp_path, students=students(), enrolments=enrolments("E1A"))
    without = csv_text(
        "student_number,institution,programme,level,start_date",
        "1001,Horizon College,Entree Dienstverlening,entree,2025-08-25",
    )
    run_import(tmp_path, enrolments=without)
    assert Enrolment.objects.get().group_name == "E1A"
    run_import(tmp_path, enrolments=enrolments(""))
    assert Enrolment.objects.get().group_name == ""


def test_a_group_over_40_characters_is_an_error_and_nothing_is_written(tmp_path):
    outcome = run_import(tmp_path, students=students(2), enrolments=enrolments("E1A", "x" * 41))
    assert outcome.code == 1
    assert outcome.err_lines == ["enrolments.csv:3: group: longer than 40 characters"]
    assert not Enrolment.objects.exists()


def test_the_api_import_takes_the_group_too(tmp_path):
    """The API's administration import writes the same CSV for the same validator."""
    from api.administration import as_csv

    written = as_csv([{"student_number": "1", "group": "E1A"}])
    assert b'"group"' in written.data.splitlines()[0]
