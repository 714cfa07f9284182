"""`manage.py import_admin` as scripts see it: output lines, standard error, exit status."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from students.models import RecordChange, Student

from .importing_helpers import ENROLMENTS_HEADER, STUDENTS_HEADER, csv_text, run_import

pytestmark = pytest.mark.django_db

ANNA = "1001,Anna,de Vries,2008-03-01,Alkmaar"
BRAM = "1002,Bram,Bakker,2009-06-15,Hoorn"
MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


def students_csv(*rows):
    return csv_text(STUDENTS_HEADER, *rows)


def only_error(outcome):
    assert outcome.code == 1, outcome
    assert len(outcome.err_lines) == 1, outcome.err_lines
    return outcome.err_lines[0]


def run_process(*args):
    """The real process, for the exit status of a wrong command line (no database needed)."""
    return subprocess.run(
        [sys.executable, str(MANAGE), "import_admin", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=False,
    )


# --- A clean run ------------------------------------------------------------------------


def test_clean_run_prints_one_line_per_file_and_exits_0(tmp_path):
    outcome = run_import(
        tmp_path,
        students=students_csv(ANNA, BRAM),
        enrolments=csv_text(
            ENROLMENTS_HEADER,
            "1001,Horizon College,Entree Dienstverlening,entree,2025-08-25",
        ),
    )
    assert outcome.code == 0
    assert outcome.out_lines == [
        "students.csv: 2 created, 0 updated, 0 unchanged",
        "enrolments.csv: 1 created, 0 updated, 0 unchanged",
    ]
    assert outcome.err == ""
    anna = Student.objects.get(student_number="1001")
    assert anna.municipality.name == "Alkmaar"
    assert anna.enrolments.get().institution.name == "Horizon College"


def test_counts_created_updated_and_unchanged_in_one_run(tmp_path):
    run_import(tmp_path, students=students_csv(ANNA, BRAM))
    outcome = run_import(
        tmp_path,
        students=students_csv(
            ANNA, "1002,Bram,Bakker-Jansen,2009-06-15,Hoorn", "1003,Cas,Cok,2007-01-01,Texel"
        ),
    )
    assert outcome.out_lines == ["students.csv: 1 created, 1 updated, 1 unchanged"]


def test_dry_run_prints_the_counts_and_writes_nothing(tmp_path):
    outcome = run_import(tmp_path, dry_run=True, students=students_csv(ANNA, BRAM))
    assert outcome.code == 0
    assert outcome.out_lines == ["students.csv: 2 created, 0 updated, 0 unchanged"]
    assert not Student.objects.exists()
    assert not RecordChange.objects.exists()


def test_dry_run_reports_errors_like_a_real_run(tmp_path):
    outcome = run_import(
        tmp_path, dry_run=True, students=students_csv("1001,Anna,de Vries,2008-3-01,Alkmaar")
    )
    assert only_error(outcome) == "students.csv:2: date_of_birth: not a date in the form YYYY-MM-DD"


# --- The command line ---------------------------------------------------------------


def test_no_file_is_a_wrong_command_line(tmp_path):
    outcome = run_import(tmp_path)
    assert outcome.code == 2


def test_unreadable_file_is_a_wrong_command_line(tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError) as raised:
        call_command("import_admin", "--students", str(tmp_path / "missing.csv"))
    assert raised.value.returncode == 2


def test_errors_name_the_files_base_name(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    path = folder / "eduarte-2026.csv"
    path.write_text(students_csv("1001,Anna,,2008-03-01,Alkmaar"))
    import io

    from django.core.management import call_command

    err = io.StringIO()
    with pytest.raises(SystemExit) as raised:
        call_command("import_admin", "--students", str(path), stderr=err)
    assert raised.value.code == 1
    assert err.getvalue() == "eduarte-2026.csv:2: last_name: required value is missing\n"


def test_errors_go_to_standard_error_and_nothing_to_standard_output(tmp_path):
    outcome = run_import(tmp_path, students=students_csv(ANNA, "1002,Bram,,2009-06-15,Hoorn"))
    assert outcome.code == 1
    assert outcome.out == ""
    assert outcome.err == "students.csv:3: last_name: required value is missing\n"


def test_the_command_writes_history_without_a_user(tmp_path):
    run_import(tmp_path, students=students_csv(ANNA))
    change = RecordChange.objects.get()
    assert (change.actor, change.source, change.action) == (None, "import", "create")


def test_wrong_command_line_exits_2_without_files():
    process = run_process()
    assert process.returncode == 2
    assert "--students" in process.stderr


def test_unknown_option_exits_2():
    process = run_process("--pupils", "x.csv")
    assert process.returncode == 2


def test_missing_file_exits_2(tmp_path):
    process = run_process("--students", str(tmp_path / "nothing-here.csv"))
    assert process.returncode == 2
    assert "nothing-here.csv" in process.stderr


def test_call_command_raises_with_status_2_for_no_files():
    with pytest.raises(CommandError) as raised:
        call_command("import_admin", stdout=io.StringIO(), stderr=io.StringIO())
    assert raised.value.returncode == 2
    assert not Student.objects.exists()
