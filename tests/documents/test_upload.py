"""Uploading documents (issue 19 part 3): the type is decided by the content, not the
name; a file that is not what its name says, an unknown type or a file over the limit is
refused on the form field with a Dutch message; what is kept is private and random."""

import pytest
from django.utils.html import escape

from documents.models import Document, FileKind
from documents.services import download_name, file_path
from students.models import AccessLog, RecordChange

from . import files
from .conftest import post_upload


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("verslag.pdf", lambda: files.PDF, FileKind.PDF),
        ("foto.png", lambda: files.image("PNG"), FileKind.PNG),
        ("foto.jpg", lambda: files.image("JPEG"), FileKind.JPEG),
        ("foto.jpeg", lambda: files.image("JPEG"), FileKind.JPEG),
        ("brief.docx", lambda: files.ooxml("docx"), FileKind.DOCX),
        ("rooster.xlsx", lambda: files.ooxml("xlsx"), FileKind.XLSX),
        ("brief.odt", lambda: files.odf("odt"), FileKind.ODT),
        ("rooster.ods", lambda: files.odf("ods"), FileKind.ODS),
    ],
)
def test_allowed_types_are_accepted_by_their_content(client, mentor, student, name, content, kind):
    client.force_login(mentor)
    data = content()
    response = post_upload(client, student, files.upload(name, data))
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.kind == kind
    assert file_path(document).read_bytes() == data


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cv.pdf", files.EXE, "Dit bestand is geen echt PDF: de inhoud past niet bij de naam."),
        ("foto.png", files.PDF, "De inhoud van dit bestand past niet bij de naam: het is een PDF"),
        ("brief.docx", files.plain_zip(), "Dit bestand is geen echt Word-document"),
        ("brief.docx", files.ooxml("docm"), "Dit bestand is geen echt Word-document"),
        ("brief.docx", files.odf("odt"), "het is een OpenDocument-tekst"),
        ("setup.exe", files.EXE, "Dit soort bestand kan niet worden toegevoegd."),
        ("notitie.txt", b"gewoon tekst", "Dit soort bestand kan niet worden toegevoegd."),
        ("verslag", files.PDF, "De inhoud van dit bestand past niet bij de naam"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(
    client, mentor, student, name, content, message
):
    client.force_login(mentor)
    response = post_upload(client, student, files.upload(name, content))
    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert not Document.objects.exists()


def test_a_file_over_the_limit_is_refused_with_the_limit(client, mentor, student, settings):
    settings.KOERS_DOCUMENT_MAX_BYTES = 100
    client.force_login(mentor)
    response = post_upload(client, student, files.upload("verslag.pdf", files.PDF + b" " * 100))
    assert response.status_code == 400
    assert "het grootste toegestane bestand is 100" in response.content.decode()
    assert not Document.objects.exists()
    assert not any(p.is_file() for p in settings.KOERS_DOCUMENT_ROOT.rglob("*"))


def test_an_empty_file_is_refused(client, mentor, student):
    client.force_login(mentor)
    response = post_upload(client, student, files.upload("verslag.pdf", b""))
    assert response.status_code == 400
    assert "Het bestand is leeg." in response.content.decode()


@pytest.mark.parametrize("title", ["Brief 123456782", "Brief 1234.56.782", "Dossier 12345678"])
def test_a_title_with_a_bsn_or_long_number_is_refused(client, mentor, student, title):
    client.force_login(mentor)
    response = post_upload(client, student, files.upload("a.pdf", files.PDF), title=title)
    assert response.status_code == 400
    assert "Zet geen BSN" in response.content.decode()


def test_a_date_in_the_title_is_fine(client, mentor, student):
    client.force_login(mentor)
    response = post_upload(
        client, student, files.upload("a.pdf", files.PDF), title="Verslag 03-12-2026"
    )
    assert response.status_code == 302


def test_the_stored_file_is_private_and_random_and_the_upload_is_in_the_history(
    client, mentor, student, settings
):
    student.bsn = "123456782"
    student.save()
    client.force_login(mentor)
    post_upload(client, student, files.upload(f"{student.bsn} {student.last_name}.pdf", files.PDF))
    document = Document.objects.get()
    path = file_path(document)
    assert path.is_relative_to(settings.KOERS_DOCUMENT_ROOT)
    assert not path.is_relative_to(settings.MEDIA_ROOT)
    for secret in (student.bsn, student.last_name, "verslag", ".pdf", student.public_id):
        assert secret.lower() not in str(path.relative_to(settings.KOERS_DOCUMENT_ROOT)).lower()
    assert document.public_id not in str(path)
    change = RecordChange.objects.get(record_type="document")
    assert change.action == RecordChange.Action.CREATE
    assert change.changes["title"]["new"] == "Verslag intake"
    assert change.actor == mentor
    # The student's page shows the entry in people's words.
    html = client.get(f"/students/{student.public_id}/").content.decode()
    assert "Verslag intake" in html


def test_mentor_downloads_with_attachment_nosniff_safe_name_and_a_log_row(client, mentor, student):
    client.force_login(mentor)
    post_upload(client, student, files.upload("x.pdf", files.PDF), title="Verslag: één/twee")
    document = Document.objects.get()
    response = client.get(f"/documenten/{document.public_id}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="Verslag- een-twee.pdf"' in disposition or "Verslag" in disposition
    assert "/" not in disposition.split("filename=")[1].strip('"')
    log = AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD).get()
    assert log.student == student
    assert log.user == mentor
    assert document.public_id in log.detail


def test_download_name_drops_long_numbers_separators_and_accents():
    document = Document(title="Rapport 123456782 of ../../etc/passwd é", kind=FileKind.DOCX)
    name = download_name(document)
    assert "123456782" not in name
    assert "/" not in name
    assert ".." not in name.replace(".docx", "")
    assert name.endswith(".docx")
    assert download_name(Document(title="////", kind=FileKind.PDF)) == "document.pdf"
