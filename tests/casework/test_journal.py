"""The journal (issue 19, part 2): confidentiality levels, the author's day, addenda,
scope (404 on every path), history, retention, access log and fixed query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import policy
from casework.models import Note, NoteAddendum, NoteChange
from casework.services import note_create, remove_notes
from students.guardians import guardian_create
from students.models import AccessLog
from tests.factories import EnrolmentFactory, StudentFactory, factory_today, make_user, municipality

MINOR_DOB = factory_today() - timedelta(days=16 * 365)


def own_student(mentor, **extra):
    extra.setdefault("municipality", municipality("Hoorn"))
    extra.setdefault("date_of_birth", MINOR_DOB)
    student = StudentFactory(mentor=mentor, **extra)
    EnrolmentFactory(student=student)
    return student


def note(student, author, level="file", **extra):
    data = {
        "date": factory_today() - timedelta(days=1),
        "kind": "conversation",
        "with_whom": "student",
        "text": "Gesprek over de stage.",
        "level": level,
    }
    data.update(extra)
    return note_create(student=student, data=data, actor=author)


def journal_url(student):
    return reverse("casework:journal", args=[student.public_id])


def note_form(level="organisation", **extra):
    data = {
        "date": factory_today().isoformat(),
        "kind": "phone",
        "level": level,
        "with_whom": "moeder",
        "text": "Gebeld over het verzuim.",
    }
    data.update(extra)
    return data


# --- Writing and reading ---------------------------------------------------------------------


def test_mentor_writes_a_note_and_reads_it_with_history_and_log(client, mentor):
    student = own_student(mentor)
    client.force_login(mentor)
    response = client.post(reverse("casework:note_new", args=[student.public_id]), note_form())
    assert response.status_code == 302
    saved = Note.objects.get(student=student)
    assert saved.author == mentor
    assert saved.organisation.name == "Horizon College"
    assert NoteChange.objects.get(note=saved).action == "create"
    page = client.get(journal_url(student))
    assert page.status_code == 200
    assert "Gebeld over het verzuim." in page.content.decode()
    assert AccessLog.objects.filter(student=student, user=mentor, detail="journaal").exists()
    detail = client.get(reverse("students:detail", args=[student.public_id])).content.decode()
    assert "Gebeld over het verzuim." in detail


def test_form_warns_about_special_category_data(client, mentor):
    student = own_student(mentor)
    client.force_login(mentor)
    page = client.get(reverse("casework:note_new", args=[student.public_id])).content.decode()
    assert "bijzondere persoonsgegevens" in page.lower()


def test_leerplicht_writes_and_reads_file_level_notes(client, mentor, leerplicht):
    student = own_student(mentor)
    note(student, mentor, "file", text="Voor iedereen met het dossier.")
    note(student, mentor, "organisation", text="Alleen de school.")
    client.force_login(leerplicht)
    response = client.post(
        reverse("casework:note_new", args=[student.public_id]), note_form(level="file")
    )
    assert response.status_code == 302
    page = client.get(journal_url(student)).content.decode()
    assert "Voor iedereen met het dossier." in page
    assert "Alleen de school." not in page


def test_private_note_is_invisible_to_a_colleague_but_not_to_the_coordinator(
    client, mentor, other_mentor, coordinator
):
    student = own_student(mentor)
    private = note(student, mentor, "private", text="Alleen ik en mijn coordinator.")
    # The colleague may see the student (made their mentee for the check), not the note.
    colleague_student = student
    colleague_student.mentor = other_mentor
    colleague_student.save()
    client.force_login(other_mentor)
    assert "Alleen ik en mijn coordinator." not in client.get(journal_url(student)).content.decode()
    assert (
        client.get(reverse("casework:note_edit", args=[student.public_id, private.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("casework:addendum_new", args=[student.public_id, private.pk]),
            {"text": "Poging"},
        ).status_code
        == 404
    )
    client.force_login(coordinator)
    assert "Alleen ik en mijn coordinator." in client.get(journal_url(student)).content.decode()


def test_organisation_note_is_read_by_a_colleague_of_the_same_school(client, mentor, coordinator):
    student = own_student(mentor)
    note(student, mentor, "organisation", text="Voor de school.")
    client.force_login(coordinator)
    assert "Voor de school." in client.get(journal_url(student)).content.decode()


def test_partners_never_use_the_journal(client, mentor, wi):
    student = own_student(mentor)
    written = note(student, mentor, "file")
    client.force_login(wi)
    assert client.get(journal_url(student)).status_code == 404
    assert client.get(reverse("casework:note_new", args=[student.public_id])).status_code == 404
    assert (
        client.post(
            reverse("casework:addendum_new", args=[student.public_id, written.pk]), {"text": "x"}
        ).status_code
        == 404
    )


# --- Scope ------------------------------------------------------------------------------------


def test_outside_scope_is_404_on_every_path(client, mentor, other_mentor):
    student = own_student(other_mentor)
    written = note(student, other_mentor, "file")
    client.force_login(mentor)
    public_id = student.public_id
    assert client.get(journal_url(student)).status_code == 404
    assert client.get(reverse("casework:note_new", args=[public_id])).status_code == 404
    assert (
        client.post(reverse("casework:note_new", args=[public_id]), note_form()).status_code == 404
    )
    edit = reverse("casework:note_edit", args=[public_id, written.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, note_form(version=1)).status_code == 404
    addendum = reverse("casework:addendum_new", args=[public_id, written.pk])
    assert client.post(addendum, {"text": "x"}).status_code == 404
    assert Note.objects.count() == 1
    assert not NoteAddendum.objects.exists()


def test_a_note_of_another_student_through_an_own_student_is_404(client, mentor, other_mentor):
    mine = own_student(mentor)
    theirs = note(own_student(other_mentor), other_mentor, "file")
    client.force_login(mentor)
    edit = reverse("casework:note_edit", args=[mine.public_id, theirs.pk])
    assert client.get(edit).status_code == 404
    addendum = reverse("casework:addendum_new", args=[mine.public_id, theirs.pk])
    assert client.post(addendum, {"text": "x"}).status_code == 404


def test_a_forged_guardian_is_a_form_error(client, mentor, other_mentor):
    student = own_student(mentor)
    guardian_create(
        student=student, data={"name": "Eigen Ouder", "relation": "parent"}, actor=mentor
    )
    foreign = guardian_create(
        student=own_student(other_mentor),
        data={"name": "Andere Ouder", "relation": "parent"},
        actor=other_mentor,
    )
    client.force_login(mentor)
    response = client.post(
        reverse("casework:note_new", args=[student.public_id]),
        note_form(guardians=[foreign.pk]),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["guardians"]
    assert not Note.objects.exists()


# --- The author's day, then addenda ------------------------------------------------------------


def test_author_edits_within_a_day_with_history(client, mentor):
    student = own_student(mentor)
    written = note(student, mentor, "organisation")
    client.force_login(mentor)
    edit = reverse("casework:note_edit", args=[student.public_id, written.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, note_form(text="Verbeterd verslag.", version=written.version))
    assert response.status_code == 302
    written.refresh_from_db()
    assert written.text == "Verbeterd verslag."
    change = NoteChange.objects.get(note=written, action="update")
    assert change.changes["text"]["old"] == "Gesprek over de stage."


def test_after_a_day_the_note_is_locked_and_takes_addenda(client, mentor, coordinator):
    student = own_student(mentor)
    written = note(student, mentor, "organisation")
    Note.objects.filter(pk=written.pk).update(created_at=timezone.now() - timedelta(hours=25))
    written.refresh_from_db()
    assert policy.note_locked(written, timezone.now())
    client.force_login(mentor)
    edit = reverse("casework:note_edit", args=[student.public_id, written.pk])
    assert client.get(edit).status_code == 302  # back to the journal, with a message
    client.post(edit, note_form(text="Te laat.", version=written.version))
    written.refresh_from_db()
    assert written.text == "Gesprek over de stage."
    client.force_login(coordinator)
    response = client.post(
        reverse("casework:addendum_new", args=[student.public_id, written.pk]),
        {"text": "Aanvulling van de coordinator."},
    )
    assert response.status_code == 302
    assert NoteAddendum.objects.get(note=written).author == coordinator
    assert NoteChange.objects.filter(note=written, action="addendum").exists()
    assert "Aanvulling van de coordinator." in client.get(journal_url(student)).content.decode()


def test_another_person_never_edits_a_note(client, mentor, coordinator):
    student = own_student(mentor)
    written = note(student, mentor, "organisation")
    client.force_login(coordinator)
    edit = reverse("casework:note_edit", args=[student.public_id, written.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, note_form(version=1)).status_code == 404


# --- Retention ----------------------------------------------------------------------------------


def test_retention_removes_notes_addenda_and_their_history(db, mentor):
    from casework.services import addendum_add

    student = own_student(mentor)
    written = note(student, mentor, "file")
    mentor.active_membership  # noqa: B018 - the membership the addendum is written for
    addendum_add(note=written, text="Erbij.", actor=mentor)
    kept = note(own_student(mentor), mentor, "file")
    remove_notes([student.pk])
    assert not Note.objects.filter(student=student).exists()
    assert not NoteAddendum.objects.exists()
    assert not NoteChange.objects.filter(note_id=written.pk).exists()
    assert Note.objects.filter(pk=kept.pk).exists()


def test_retention_run_removes_notes_of_due_students(db, mentor):
    from students.retention import apply_retention

    student = own_student(mentor, date_of_birth=factory_today() - timedelta(days=40 * 365))
    note(student, mentor, "file")
    apply_retention()
    assert not Note.objects.filter(student=student).exists()


# --- Query counts ---------------------------------------------------------------------------------


def fill(student, author, count):
    for n in range(count):
        written = note(student, author, ["file", "organisation", "private"][n % 3], text=f"N{n}")
        NoteAddendum.objects.create(
            note=written, author=author, organisation_id=written.organisation_id, text="Erbij"
        )


@pytest.mark.parametrize("count", [1, 50])
def test_journal_page_query_count_is_fixed(client, mentor, django_assert_num_queries, count):
    student = own_student(mentor)
    fill(student, mentor, count)
    client.force_login(mentor)
    client.get(journal_url(student))  # warm up what is cached per process
    with django_assert_num_queries(JOURNAL_PAGE_QUERIES):
        response = client.get(journal_url(student))
    assert len(response.context["notes"]) == count


@pytest.mark.parametrize("count", [1, 50])
def test_journal_panel_query_count_is_fixed(client, mentor, django_assert_num_queries, count):
    from casework.panels import journal_panel

    student = own_student(mentor)
    fill(student, mentor, count)
    client.force_login(mentor)
    request = client.get(journal_url(student)).wsgi_request
    with django_assert_num_queries(JOURNAL_PANEL_QUERIES):
        panel = journal_panel(request, student)
    assert len(panel["context"]["notes"]) == min(count, 5)


# Session, the user with their memberships, the student in scope; the notes, their contacts, addenda and
# history (one query each); the write check; the access-log row.
JOURNAL_PAGE_QUERIES = 9
# The notes, their contacts and addenda; the write check.
JOURNAL_PANEL_QUERIES = 4


def test_a_colleague_at_another_school_sees_nothing(client, mentor):
    student = own_student(mentor)
    note(student, mentor, "file")
    outsider = make_user("mentor@clusius.test", "mentor", "Clusius College")
    client.force_login(outsider)
    assert client.get(journal_url(student)).status_code == 404
