"""The dashboard and its files: who gets them, what they hold, what is logged."""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from reports import figures, precompute
from students.models import AccessLog
from tests.factories import EnrolmentFactory, StudentFactory

from .conftest import TODAY
from .test_figures import region_scope

DASHBOARD = "/rapportages/"


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr("reports.scope.timezone.localdate", lambda: TODAY)


@pytest.mark.parametrize("persona", ["mentor", "wi", "functional_admin", "leerplicht"])
def test_other_roles_get_no_report_pages(persona, request, client, db):
    client.force_login(request.getfixturevalue(persona))
    for url in (
        DASHBOARD,
        "/rapportages/export/entree_outflow.csv",
        "/rapportages/export/alles.xlsx",
        "/rapportages/export/studenten.csv",
    ):
        assert client.get(url).status_code == 404, url
    assert not AccessLog.objects.filter(action="export").exists()


def test_menu_shows_rapportages_to_coordinators_only(coordinator, mentor, client):
    client.force_login(coordinator)
    assert 'href="/rapportages/"' in client.get("/").content.decode()
    client.force_login(mentor)
    assert 'href="/rapportages/"' not in client.get("/").content.decode()


def test_dashboard_shows_tables_charts_without_inline_script(known, regio, client, fixed_today):
    client.force_login(regio)
    page = client.get(DASHBOARD, {"jaar": 2026, "peildatum": "2027-11-15"}).content.decode()
    assert "6 / 17 (35,3%)" in page
    assert "11 / 25 (44,0%)" in page
    assert 'id="chart-data-entree_outflow" type="application/json"' in page
    assert "vendor/chartjs/chart.umd.js" in page
    assert "reports/charts.js" in page
    # Every <script> either has a src or carries JSON data.
    for chunk in page.split("<script")[1:]:
        head = chunk.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head, head


def test_dashboard_filters_by_level_and_subregion(known, regio, client, fixed_today):
    client.force_login(regio)
    page = client.get(DASHBOARD, {"jaar": 2026, "niveau": "4"}).content.decode()
    assert "6 / 17 (35,3%)" not in page
    assert "Niveau: Mbo 4" in page


def test_school_coordinator_sees_only_their_institution(
    known, clusius_coordinator, client, fixed_today
):
    client.force_login(clusius_coordinator)
    page = client.get(DASHBOARD, {"jaar": 2026}).content.decode()
    assert "6 / 17 (35,3%)" not in page
    assert "Clusius College" in page


def _dashboard_queries(client, user):
    """Queries of a dashboard that computes every figure (nothing kept yet)."""
    precompute.new_generation()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD, {"jaar": 2026}).status_code == 200
    return len(queries)


def _students(count):
    for index in range(count):
        EnrolmentFactory(
            student=StudentFactory(),
            start_date=date(2026, 8, 24),
            end_date=date(2027, 2, 1) if index % 2 else None,
            end_reason="dropout" if index % 2 else "",
        )


def test_dashboard_query_count_does_not_grow_with_the_students(regio, client, fixed_today):
    _students(1)
    one = _dashboard_queries(client, regio)
    _students(49)
    fifty = _dashboard_queries(client, regio)
    assert one == fifty, (one, fifty)


def test_xlsx_export_holds_what_the_page_shows_and_is_logged(known, regio, client, fixed_today):
    client.force_login(regio)
    response = client.get("/rapportages/export/alles.xlsx", {"jaar": 2026})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Uitstroom Entree"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert list(values[2][:3]) == ["Cohort (startjaar)", "Studenten", "Nog ingeschreven"]
    headers, expected = figures.entree_outflow(region_scope()).sheet()
    assert values[2] == headers

    def rounded(row):
        return [round(v, 9) if isinstance(v, float) else v for v in row]

    assert [rounded(row) for row in values[3:7]] == [
        rounded([v for v, _f in row]) for row in expected
    ]
    # The 2026 cohort: 6 of the 17 who left went on to further education; 2 (< 5) to
    # dagbesteding.
    assert values[6][:6] == ["2026-2027", 24, 7, 6, 17, pytest.approx(6 / 17)]
    assert values[6][9:12] == ["< 5", 17, "< 5"]
    log = AccessLog.objects.get(action="export")
    assert log.user == regio
    assert log.detail.startswith("rapportage alles xlsx")
    assert log.student_ids == []


def test_csv_export_streams_the_suppressed_figures(known, regio, client, fixed_today):
    client.force_login(regio)
    response = client.get("/rapportages/export/vsv_snapshot.csv", {"jaar": 2026})
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert ["Totaal", "", "11", "11 / 25 (44,0%)"] in rows
    assert ["Niveau", "Mbo 4", "0", "< 5"] in rows
    assert AccessLog.objects.filter(action="export", user=regio).count() == 1


def test_pdf_summary(known, regio, client, fixed_today):
    client.force_login(regio)
    response = client.get("/rapportages/export/alles.pdf", {"jaar": 2026})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_student_list_export_logs_every_student_on_it(known, coordinator, client, fixed_today):
    client.force_login(coordinator)
    response = client.get("/rapportages/export/studenten.csv", {"jaar": 2026})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    numbers = {row[0] for row in rows[1:]}
    # Horizon's students: 24 Entree, the Delft resident and the mbo-4 student.
    assert len(numbers) == 26
    assert known.delft.student_number in numbers
    log = AccessLog.objects.get(action="export")
    assert sorted(log.student_ids) == sorted(
        s.pk for s in [*known.students, known.delft, known.mbo4]
    )
    dropout = known.entree["dropout"][0].student
    row = next(r for r in rows if r[0] == dropout.student_number)
    assert row[8] == "Ja"  # VSV by the last sweep
    assert row[10] == "1"  # one open signal


def test_regional_list_has_the_regions_residents_only(known, regio, client, fixed_today):
    client.force_login(regio)
    response = client.get("/rapportages/export/studenten.xlsx", {"jaar": 2026})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["studenten"]
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert known.delft.student_number not in numbers
    assert len(numbers) == 25
    assert len(AccessLog.objects.get(action="export", user=regio).student_ids) == 25


def test_export_report_command_writes_the_file_and_logs(known, tmp_path, monkeypatch):
    monkeypatch.setattr("reports.scope.timezone.localdate", lambda: TODAY)
    output = tmp_path / "outflow.xlsx"
    call_command(
        "export_report",
        "entree_outflow",
        "--format",
        "xlsx",
        "--school-year",
        "2026",
        "--region",
        "Noord-Holland Noord",
        "--output",
        str(output),
    )
    sheet = load_workbook(output)["Uitstroom Entree"]
    rows = {row[0]: list(row) for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["2026-2027"][:6] == ["2026-2027", 24, 7, 6, 17, pytest.approx(6 / 17)]
    assert AccessLog.objects.filter(action="export", detail__contains="commandoregel").count() == 1
    csv_output = tmp_path / "signals.csv"
    call_command("export_report", "signals", "--school-year", "2026", "--output", str(csv_output))
    assert "Studieadvies nodig;10;5;5;< 5 / 5" in csv_output.read_text(encoding="utf-8-sig")
