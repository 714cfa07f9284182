"""The foundation in real Chromium: a school coordinator imports the administration
through the page, and the list and student page are accessible (issue: foundation)."""

import re

from playwright.sync_api import expect

from .conftest import assert_accessible, login

GOOD_STUDENTS = """student_number,first_name,last_name,date_of_birth,municipality,bsn,mentor_email
7700001,Fenna,Zwaneveld,2009-03-14,Alkmaar,111222333,mentor@horizon.demo
7700002,Bram,Zwaneveld,2008-11-02,heiloo,,
"""
GOOD_ENROLMENTS = """student_number,institution,location,programme,level,start_date,planned_end_date
7700001,Horizon College,Alkmaar,Entree Assistent logistiek,Entree,2026-08-24,2027-07-09
7700002,horizon college,Hoorn,Kok,2,2025-08-25,2027-07-09
"""
# Line 2 has an impossible date, line 3 a BSN that fails the 11-proef (line 1 is the header).
BAD_STUDENTS = """student_number,first_name,last_name,date_of_birth,municipality,bsn
7700001,Fenna,Zwaneveld,2009-02-30,Alkmaar,
7700002,Bram,Zwaneveld,2008-11-02,Heiloo,123456789
"""


def upload(page, live_server, tmp_path, files):
    page.goto(f"{live_server.url}/students/import/")
    for kind, content in files.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(content, encoding="utf-8")
        page.get_by_label(re.compile(rf"\({kind}\.csv\)")).set_input_files(str(path))
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorbeeld van de import")


def test_coordinator_imports_two_files_through_the_page_and_finds_the_student(
    page, live_server, demo_accounts, tmp_path
):
    login(page, live_server, "coordinator@horizon.demo")

    # A bad file: every error by file, line and column; nothing is imported.
    upload(page, live_server, tmp_path, {"students": BAD_STUDENTS, "enrolments": GOOD_ENROLMENTS})
    errors = page.get_by_role("table", name=re.compile("Fouten per bestand"))
    expect(errors).to_contain_text("students.csv")
    expect(errors.get_by_role("row").filter(has_text="date_of_birth")).to_contain_text(
        "students.csv2"
    )
    expect(errors.get_by_role("row").filter(has_text="bsn")).to_contain_text("students.csv3")
    expect(page.get_by_role("button", name="Bevestigen en importeren")).to_have_count(0)
    assert "123456789" not in page.content()
    assert_accessible(page)

    # The good files: a preview with the counts, then confirm.
    upload(page, live_server, tmp_path, {"students": GOOD_STUDENTS, "enrolments": GOOD_ENROLMENTS})
    expect(page.get_by_role("table", name=re.compile("Wat de import doet"))).to_contain_text(
        "students.csv"
    )
    page.get_by_role("button", name="Bevestigen en importeren").click()
    expect(page.get_by_text("De import is doorgevoerd.")).to_be_visible()
    result = page.get_by_role("table", name=re.compile("Resultaat per bestand"))
    expect(result.get_by_role("row").filter(has_text="students.csv")).to_contain_text("2")

    # Find the student through the list's search and open the file.
    page.goto(f"{live_server.url}/students/")
    page.get_by_label("Zoeken").fill("zwaneveld fenna")
    page.get_by_role("button", name="Zoeken").click()
    row = page.get_by_role("row").filter(has_text="7700001")
    expect(row).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="7700002")).to_have_count(0)
    assert_accessible(page)
    row.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fenna Zwaneveld")
    expect(page.locator("main")).to_contain_text("Entree Assistent logistiek")
    expect(page.locator("main")).to_contain_text("333")  # the masked BSN's last digits
    assert "111222333" not in page.content()
    assert "/students/7700001" not in page.url
    assert_accessible(page)
