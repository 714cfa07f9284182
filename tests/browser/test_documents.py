"""Documents in real Chromium: the mentor adds a PDF to a student's file from the
student's page, sees it in the list and downloads it (the same bytes, as an attachment
with a safe name); a Windows program renamed to .pdf is refused with the message on the
file field, and nothing is kept."""

from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import User
from documents.models import Document
from students.models import AccessLog
from tests.documents import files
from tests.factories import EnrolmentFactory, StudentFactory

from .conftest import assert_accessible, login

MENTOR = "mentor@horizon.demo"


@pytest.fixture
def student(demo_accounts):
    student = StudentFactory(
        first_name="Noor",
        last_name="Visser",
        mentor=User.objects.get(email=MENTOR),
    )
    EnrolmentFactory(student=student, start_date=timezone.localdate().replace(day=1))
    return student


def test_mentor_uploads_a_pdf_downloads_it_and_a_renamed_exe_is_refused(
    page, live_server, student, tmp_path
):
    login(page, live_server, MENTOR)
    page.goto(f"{live_server.url}/students/{student.public_id}/")
    page.get_by_role("link", name="Alle documenten en document toevoegen").click()
    page.wait_for_url(f"**/documenten/student/{student.public_id}/")
    assert page.get_by_role("heading", name="Document toevoegen").is_visible()

    pdf = tmp_path / "intake.pdf"
    pdf.write_bytes(files.PDF)
    page.get_by_label("Bestand").set_input_files(str(pdf))
    page.get_by_label("Titel").fill("Verslag intakegesprek")
    page.get_by_role("button", name="Toevoegen").click()
    page.get_by_text("Het document Verslag intakegesprek is toegevoegd.").wait_for()
    document = Document.objects.get()
    assert document.student == student
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Verslag intakegesprek").click()
    download = download_info.value
    assert download.suggested_filename == "Verslag intakegesprek.pdf"
    assert Path(download.path()).read_bytes() == files.PDF
    assert AccessLog.objects.filter(
        action=AccessLog.Action.DOWNLOAD, student=student, user__email=MENTOR
    ).exists()

    fake = tmp_path / "rapport.pdf"
    fake.write_bytes(files.EXE)
    page.get_by_label("Bestand").set_input_files(str(fake))
    page.get_by_label("Titel").fill("Rapport")
    page.get_by_role("button", name="Toevoegen").click()
    message = page.get_by_text("Dit bestand is geen echt PDF: de inhoud past niet bij de naam.")
    message.wait_for()
    assert message.is_visible()
    assert Document.objects.count() == 1
    assert_accessible(page)
