"""The regional coordinator's dashboard in real Chromium on the demo data: filter, see a
chart drawn from its JSON and the same figures as a table, export XLSX and CSV, and the
files hold what the page shows."""

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from students.models import AccessLog

from .conftest import assert_accessible, login


def _table(page, key):
    rows = page.locator(f'table[data-table="{key}"] tbody tr')
    return [
        [cell.strip() for cell in rows.nth(i).locator("th, td").all_inner_texts()]
        for i in range(rows.count())
    ]


def test_regional_coordinator_filters_sees_chart_and_exports(page, live_server, demo_data):
    login(page, live_server, "regio@nhn.demo")
    page.get_by_role("link", name="Rapportages", exact=True).click()
    page.wait_for_url(f"{live_server.url}/rapportages/")
    page.get_by_label("Niveau").select_option("entree")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url("**/rapportages/?*niveau=entree*")
    assert page.get_by_text("Niveau: Entree (mbo 1)").is_visible()

    chart = page.locator("canvas#chart-entree_outflow")
    chart.wait_for()
    page.wait_for_function(
        "document.querySelector('canvas#chart-entree_outflow').dataset.drawn === 'true'"
    )
    assert chart.bounding_box()["height"] > 50
    outflow = _table(page, "entree_outflow")
    assert len(outflow) == 4  # four cohorts
    # Shares show numerator and denominator, or "< 5" for a small group.
    assert all(" / " in cell or cell == "< 5" for row in outflow for cell in row[3:9])
    timeliness = _table(page, "roadmap_timeliness")
    assert timeliness[0][0].startswith("Studieadvies")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX)").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    # The same figures as the page, as typed cells: counts are numbers, a share is its
    # numerator, denominator and percentage (tests/reports/test_documents.py).
    sheet = workbook["Uitstroom Entree"]
    sheet_rows = list(sheet.iter_rows(min_row=4, max_row=3 + len(outflow), values_only=True))
    assert [row[0] for row in sheet_rows] == [row[0] for row in outflow]
    assert [str(row[1]) for row in sheet_rows] == [row[1] for row in outflow]
    timeliness_rows = list(
        workbook["Tijdigheid route"].iter_rows(
            min_row=4, max_row=3 + len(timeliness), values_only=True
        )
    )
    assert [row[0] for row in timeliness_rows] == [row[0] for row in timeliness]
    for page_row, sheet_row in zip(timeliness, timeliness_rows, strict=True):
        if isinstance(sheet_row[1], int):
            assert page_row[1].startswith(f"{sheet_row[1]} / {sheet_row[2]}")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").first.click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    for row in outflow:
        assert row in rows
    assert "Niveau: Entree (mbo 1)" in rows[0][0]
    assert AccessLog.objects.filter(action="export", role="regional_coordinator").count() == 2
