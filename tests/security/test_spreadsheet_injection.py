"""No name becomes a formula in a file Koers writes (issue 13, OWASP "CSV injection").

A student named `=HYPERLINK("http://x","y")`, `+cmd|' /C calc'!A0` or `@SUM(1)` goes out
with a leading single quote in every CSV and as a text cell (never a formula) in every
XLSX: the streamed list, the background export and the aggregate files (page and
`export_report`). Numbers stay numbers.
"""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from accounts.spreadsheets import safe_cell, safe_csv_writer, xlsx_row
from reports import exports, services
from reports.models import ExportJob
from reports.tables import Count, Table
from reports.tasks import build_export
from tests.factories import EnrolmentFactory, StudentFactory

TODAY = date(2027, 11, 15)  # school year 2027-2028; the enrolments are of 2026-2027
PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("reports.scope.timezone.localdate", lambda: TODAY)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def payload_students(coordinator):
    students = []
    for index, payload in enumerate(PAYLOADS):
        student = StudentFactory(first_name=payload, last_name=payload, student_number=f"9{index}")
        EnrolmentFactory(student=student)
        students.append(student)
    return students


def _csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def _assert_csv_neutral(rows):
    names = {row[1] for row in rows[1:]} | {row[2] for row in rows[1:]}
    assert names == {"'" + payload for payload in PAYLOADS}


def _assert_xlsx_neutral(content):
    sheet = load_workbook(io.BytesIO(content))["studenten"]
    names = []
    for row in sheet.iter_rows(min_row=2):
        for cell in row[1:3]:
            assert cell.data_type != "f", cell.value
            assert cell.value.startswith("'"), cell.value
            names.append(cell.value)
        # The count of open signals stays a number.
        assert row[10].data_type == "n"
        assert row[10].value == 0
    # XML reads a carriage return back as a line feed.
    assert set(names) == {"'" + payload.replace("\r", "\n") for payload in PAYLOADS}


def test_streamed_csv_quotes_every_formula(payload_students, coordinator, client):
    client.force_login(coordinator)
    response = client.get("/rapportages/export/studenten.csv", {"jaar": 2026})
    _assert_csv_neutral(_csv_rows(b"".join(response.streaming_content)))


def test_streamed_xlsx_writes_text_cells_not_formulas(payload_students, coordinator, client):
    client.force_login(coordinator)
    response = client.get("/rapportages/export/studenten.xlsx", {"jaar": 2026})
    _assert_xlsx_neutral(b"".join(response.streaming_content))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_background_export_neutralises_formulas(payload_students, coordinator, client, fmt):
    client.force_login(coordinator)
    client.post(f"/rapportages/exports/nieuw/{fmt}/?jaar=2026")
    job = ExportJob.objects.get()
    assert build_export(job.pk) == "done"
    job.refresh_from_db()
    content = client.get(f"/rapportages/exports/{job.public_id}/download/")
    data = b"".join(content.streaming_content)
    if fmt == "csv":
        _assert_csv_neutral(_csv_rows(data))
    else:
        _assert_xlsx_neutral(data)


def _payload_table():
    return Table(
        key="t",
        title="=1+1",
        columns=["Naam", "Aantal"],
        rows=[[payload, Count(12)] for payload in PAYLOADS] + [["-3", Count(7)]],
        note="@note",
    )


def test_aggregate_csv_and_xlsx_neutralise_formulas():
    text = "".join(exports.tables_csv_lines([_payload_table()], heading="+heading"))
    rows = _csv_rows(text.encode())
    cells = [cell for row in rows for cell in row]
    assert "'+heading" in cells
    assert "'=1+1" in cells
    assert "'@note" in cells
    for payload in PAYLOADS:
        assert "'" + payload in cells
        assert payload not in cells
    assert "-3" in cells  # a number written as text is no formula: unchanged
    sheet = load_workbook(io.BytesIO(exports.tables_xlsx([_payload_table()], heading="+h")))["t"]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str) and cell.value[:1] in "=+@\t\r":
                pytest.fail(f"formula-like text left: {cell.value!r}")


def test_export_report_command_neutralises_formulas(monkeypatch, tmp_path, db):
    monkeypatch.setattr(
        "reports.management.commands.export_report.all_tables", lambda scope: [_payload_table()]
    )
    output = tmp_path / "alles.xlsx"
    call_command(
        "export_report", "alles", "--format", "xlsx", "--school-year", "2026", "--output", output
    )
    sheet = load_workbook(output)["t"]
    values = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in values)
    assert "'" + PAYLOADS[0] in {cell.value for cell in values}
    csv_output = tmp_path / "alles.csv"
    call_command("export_report", "alles", "--school-year", "2026", "--output", csv_output)
    assert "'@SUM(1)" in csv_output.read_text(encoding="utf-8-sig")


def test_the_helper_keeps_numbers_and_plain_text():
    assert safe_cell(-3) == -3
    assert safe_cell(-2.5) == -2.5
    assert safe_cell("-3") == "-3"
    assert safe_cell("12,5") == "12,5"
    assert safe_cell("Jansen") == "Jansen"
    assert safe_cell("") == ""
    assert safe_cell(None) is None
    assert safe_cell(date(2027, 1, 1)) == date(2027, 1, 1)
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("-1+1") == "'-1+1"
    buffer = io.StringIO()
    safe_csv_writer(buffer, delimiter=";").writerows([["=A1", -4, "x"]])
    assert buffer.getvalue() == "'=A1;-4;x\r\n"


def test_xlsx_row_writes_numbers_as_numbers_and_text_as_text():
    from openpyxl import Workbook

    sheet = Workbook(write_only=True).create_sheet()
    number, text, formula = xlsx_row(sheet, [-3, "-3", "=SUM(1)"])
    assert (number.data_type, number.value) == ("n", -3)
    assert (text.data_type, text.value) == ("s", "-3")
    assert (formula.data_type, formula.value) == ("s", "'=SUM(1)")


def test_every_writer_in_the_project_goes_through_the_helper():
    """A new csv.writer or openpyxl Workbook elsewhere would bypass the neutralising."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root).as_posix()
        if (
            relative.startswith((".venv/", "var/", "tests/", "bench/"))
            or "/migrations/" in relative
        ):
            continue
        text = path.read_text(encoding="utf-8")
        if relative != "accounts/spreadsheets.py" and (
            "csv.writer(" in text or "csv.DictWriter(" in text
        ):
            offenders.append(relative)
        if ".append(" in text and "Workbook(" in text and "xlsx_row" not in text:
            offenders.append(relative)
    assert offenders == []
    assert services.safe_csv_writer is safe_csv_writer
