"""Small helpers for the administration import tests: write CSV text, run the command."""

import io
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.management import CommandError, call_command
from django.utils import timezone

STUDENTS_HEADER = "student_number,first_name,last_name,date_of_birth,municipality"
ENROLMENTS_HEADER = "student_number,institution,programme,level,start_date"
# A BSN that passes the 11-proef: 9*1+8*1+7*1+6*2+5*2+4*2+3*3+2*3-1*3 = 66 = 6*11.
VALID_BSN = "111222333"


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def err_lines(self):
        return self.err.splitlines()

    @property
    def out_lines(self):
        return self.out.splitlines()


def csv_text(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def write(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return str(path)


def run_import(tmp_path, *, dry_run=False, institution=None, **files) -> Outcome:
    """Write each given kind (students="...csv text...") to tmp_path and import them
    (acting for `institution`, a school's name, when given)."""
    args = []
    for kind, content in files.items():
        args += [f"--{kind}", write(tmp_path, f"{kind}.csv", content)]
    if dry_run:
        args.append("--dry-run")
    if institution is not None:
        args += ["--institution", institution]
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import_admin", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return Outcome(code, out.getvalue(), err.getvalue())


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - timedelta(days=days)
