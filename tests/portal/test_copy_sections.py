"""The young person's own copy (AVG art. 15) holds their parents, guardians and contacts,
the list of their documents (not the files) and every journal note about them, "only me
and my coordinator" included, with staff as role and organisation only."""

import json
from datetime import timedelta

from casework.services import addendum_add, note_create
from documents.models import Document
from portal.copy import collect
from students.guardians import guardian_create


def _note(student, author, level, text):
    return note_create(
        student=student,
        data={
            "date": student.enrolments.first().start_date + timedelta(days=1),
            "kind": "conversation",
            "with_whom": "",
            "text": text,
            "level": level,
        },
        actor=author,
    )


def test_copy_has_guardians_documents_and_every_note_without_staff_names(
    pupil, account, mentor, coordinator
):
    guardian_create(
        student=pupil,
        data={"name": "Petra Ouder", "relation": "parent", "phone": "0612345678"},
        actor=mentor,
    )
    Document.objects.create(
        student=pupil,
        title="Stageovereenkomst",
        kind="pdf",
        content_type="application/pdf",
        size=10,
        uploaded_by=mentor,
        organisation=mentor.active_membership.organisation,
        attached_to="Stap: stage",
    )
    shared = _note(pupil, mentor, "file", "Notitie voor het hele dossier.")
    addendum_add(note=shared, text="Later aangevuld.", actor=mentor)
    _note(pupil, mentor, "organisation", "Notitie voor de school.")
    _note(pupil, coordinator, "private", "Alleen voor de coördinator.")

    data = collect(pupil, account=account)
    text = json.dumps(data, ensure_ascii=False)
    titles = [section["title"] for section in data["sections"]]
    assert "Ouders, verzorgers en contactpersonen" in titles
    assert "Petra Ouder" in text
    # The documents' list: title, what it belongs to; never the stored file's name.
    assert titles.count("Documenten") == 1
    document = Document.objects.get()
    assert "Stageovereenkomst" in text
    assert "Stap: stage" in text
    assert document.storage_name not in text
    assert document.sha256 == "" or document.sha256 not in text
    # Every note, whatever its level, and the addendum; once each.
    assert titles.count("Journaal") == 1
    for note_text in (
        "Notitie voor het hele dossier.",
        "Later aangevuld.",
        "Notitie voor de school.",
        "Alleen voor de coördinator.",
    ):
        assert text.count(note_text) == 1
    assert "Horizon College" in text
    for person in (mentor, coordinator):
        assert person.last_name not in text
        assert person.email not in text
    assert pupil.bsn not in text


def test_copy_without_journal_or_documents_has_no_empty_sections(pupil, account):
    titles = [section["title"] for section in collect(pupil, account=account)["sections"]]
    assert "Journaal" not in titles
    assert "Documenten" not in titles
