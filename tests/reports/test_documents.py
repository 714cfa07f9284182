"""The reports as documents (issue 15): the PDF fits A4 landscape and says its filters
in words; XLSX cells are typed (numbers, percentages beside numerator and denominator,
dates with a date format, labels), sheets and headers are Dutch, the header row is
frozen and filterable; CSV has labels, Dutch dates said in the header, and a BOM."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from accounts.spreadsheets import xlsx_sheet_title
from reports.exports import SHEET_NAMES
from reports.figures import REPORT_TABLE_KEYS
from reports.tables import SUPPRESSED, Count, Ratio, Table
from tests.pdfcheck import assert_fits_a4, pdf_pages

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def flexservice_here(settings):
    """The documents hold every table, the Flexservice's too: let the fixtures' region
    (Noord-Holland Noord) run the measure as Haaglanden does."""
    settings.KOERS_FLEXSERVICE_REGIONS = ["Haaglanden", "Noord-Holland Noord"]


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr("reports.scope.timezone.localdate", lambda: TODAY)


def test_the_report_pdf_fits_a4_landscape_and_says_its_filters_in_words(
    known, coordinator, client, fixed_today
):
    client.force_login(coordinator)
    response = client.get("/rapportages/export/alles.pdf", {"jaar": 2026, "niveau": "entree"})
    assert response.status_code == 200
    pages = pdf_pages(response.content)
    assert_fits_a4(pages, landscape=True)
    text = " ".join(" ".join(page.text for page in pages).split())
    assert "Instelling: Horizon College" in text
    assert "Niveau: Entree (mbo 1)" in text
    assert "Schooljaar 2026-2027" in text
    for internal in ("instelling=", "niveau=", "MONITORING.md", ".md", "paragraaf 3"):
        assert internal not in text, internal
    # The widest table (Flexservice, 11 columns) is on the page with its last column.
    assert "Resultaten Flexservice" in text


def workbook_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content))


def test_the_report_xlsx_has_typed_cells_dutch_sheets_a_frozen_filtered_header(
    known, regio, client, fixed_today
):
    client.force_login(regio)
    workbook = workbook_of(client.get("/rapportages/export/alles.xlsx", {"jaar": 2026}))

    assert workbook.sheetnames == [
        "Uitstroom Entree",
        "Tijdigheid route",
        "VSV op peildatum",
        "VSV-peiling 1 oktober",
        "Signalen per soort",
        "Signalen per behandelaar",
        "Doorstroomtafel",
        "Flexservice",
    ]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A4", sheet.title
        header = [cell.value for cell in sheet[3] if cell.value is not None]
        assert sheet.auto_filter.ref.startswith("A3:"), sheet.title
        last_column = sheet.auto_filter.ref.split(":")[1].rstrip("0123456789")
        assert sheet.cell(row=3, column=len(header)).column_letter == last_column
        for value in header:
            assert "_" not in value, value  # no codes as headers

    sheet = workbook["Uitstroom Entree"]
    header = [cell.value for cell in sheet[3]]
    assert header[3:6] == [
        "Vervolgopleiding (aantal)",
        "Vervolgopleiding (totaal)",
        "Vervolgopleiding (%)",
    ]
    row = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == "2026-2027")
    students, enrolled, numerator, denominator, share = row[1:6]
    for cell in (students, enrolled, numerator, denominator, share):
        assert cell.data_type == "n", cell.value
    assert (students.value, numerator.value, denominator.value) == (24, 6, 17)
    assert share.value == pytest.approx(6 / 17)
    assert share.number_format == "0.0%"
    assert numerator.number_format == "0"
    # Dagbesteding: 2 of 17, a small group: "< 5" is the only text in a numeric column.
    small, whole, small_share = row[9:12]
    assert (small.value, small.data_type) == (SUPPRESSED, "s")
    assert (whole.value, whole.data_type) == (17, "n")
    assert small_share.value == SUPPRESSED

    # Every cell of a numeric column below the header is a number, "< 5" or empty.
    for sheet in workbook.worksheets:
        header = [cell.value for cell in sheet[3]]
        last = 3 + sum(1 for r in sheet.iter_rows(min_row=4) if r[0].value not in (None, ""))
        for index, title in enumerate(header):
            if index == 0 or title is None:
                continue
            for cells in sheet.iter_rows(min_row=4, max_row=last, min_col=index + 1):
                cell = cells[0]
                if cell.data_type == "s" and cell.value not in (SUPPRESSED, ""):
                    # Text columns: labels (group names, the Flexservice status).
                    assert "_" not in cell.value, (sheet.title, title, cell.value)
                    assert not cell.value.replace(" ", "").isdigit(), (sheet.title, cell.value)


def test_every_report_table_has_a_dutch_sheet_name():
    keys = set().union(*REPORT_TABLE_KEYS.values())
    assert keys == set(SHEET_NAMES)
    for name in SHEET_NAMES.values():
        assert xlsx_sheet_title(name) == str(name)  # fits Excel: no cutting, no characters


def test_sheet_titles_are_made_valid_and_unique():
    assert xlsx_sheet_title("VSV-peiling 1 oktober 2026 - 1 oktober 2027") == (
        "VSV-peiling 1 oktober 2026 - 1"
    )
    assert xlsx_sheet_title("a/b:c") == "a b c"
    assert xlsx_sheet_title("Signalen", taken=["signalen"]) == "Signalen (2)"


def test_a_share_becomes_numerator_denominator_and_percentage():
    table = Table(
        key="t",
        title="T",
        columns=["Groep", "Aantal", "Op tijd / van wie de datum voorbij is"],
        rows=[
            ["a", Count(16), Ratio(16, 137)],
            ["b", Count(3), Ratio(3, 137)],
            ["c", Count(0), Ratio(0, 0)],
            ["d", Count(4), Ratio(2, 4)],
        ],
    )
    headers, rows = table.sheet()
    assert headers == [
        "Groep",
        "Aantal",
        "Op tijd",
        "Van wie de datum voorbij is",
        "Op tijd / van wie de datum voorbij is (%)",
    ]
    values = [[value for value, _format in row] for row in rows]
    assert values[0] == ["a", 16, 16, 137, pytest.approx(16 / 137)]
    assert values[1] == ["b", SUPPRESSED, SUPPRESSED, 137, SUPPRESSED]
    assert values[2] == ["c", 0, 0, 0, None]
    assert values[3] == ["d", SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED]
    assert [fmt for _value, fmt in rows[0]] == [None, "0", "0", "0", "0.0%"]


def test_the_student_list_xlsx_has_dates_labels_and_a_frozen_filtered_header(
    known, coordinator, client, fixed_today
):
    client.force_login(coordinator)
    workbook = workbook_of(client.get("/rapportages/export/studenten.xlsx", {"jaar": 2026}))
    sheet = workbook["studenten"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:K{sheet.max_row}"
    header = [cell.value for cell in sheet[1]]
    assert header[3] == "Geboortedatum"
    assert header[6] == "Niveau"
    dropout = known.entree["dropout"][0].student
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == dropout.student_number)
    born = row[3]
    assert born.is_date
    assert born.value.date() == dropout.date_of_birth
    assert born.number_format == "dd-mm-yyyy"
    assert row[6].value == "Entree (mbo 1)"
    assert row[7].is_date
    assert row[7].value.date() == date(2027, 2, 1)
    assert row[8].value == "Ja"
    assert (row[10].value, row[10].data_type) == (1, "n")


def test_the_student_list_csv_has_a_bom_labels_and_dutch_dates_said_in_the_header(
    known, coordinator, client, fixed_today
):
    client.force_login(coordinator)
    response = client.get("/rapportages/export/studenten.csv", {"jaar": 2026})
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][3] == "Geboortedatum (dd-mm-jjjj)"
    assert rows[0][7] == "Ingeschreven tot (dd-mm-jjjj)"
    dropout = known.entree["dropout"][0].student
    row = next(r for r in rows if r[0] == dropout.student_number)
    assert row[3] == dropout.date_of_birth.strftime("%d-%m-%Y")
    assert row[6] == "Entree (mbo 1)"
    assert row[7] == "01-02-2027"
    assert row[8] == "Ja"


def test_the_report_csv_has_a_bom_and_says_how_dates_are_written(known, regio, client, fixed_today):
    client.force_login(regio)
    response = client.get("/rapportages/export/entree_outflow.csv", {"jaar": 2026})
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert "Regio: Noord-Holland Noord" in rows[0][0]
    assert rows[1] == ["Datums als dd-mm-jjjj."]
    text = content.decode("utf-8-sig")
    assert "entree_outflow" not in text
    assert "=" not in rows[0][0]
