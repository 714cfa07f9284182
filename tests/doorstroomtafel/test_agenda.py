"""Agenda preparation: candidates from signals, items, proposals, finalising."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import TestCase

from doorstroomtafel import services
from doorstroomtafel.models import AgendaItem, MeetingChange, MeetingStatus
from doorstroomtafel.queries import candidates
from roadmap.models import StudyAdviceStep
from students.models import Disclosure

from .conftest import add, make_signal, make_student

pytestmark = pytest.mark.django_db


def test_candidates_are_students_in_scope_with_open_candidate_signals(meeting, today, mentor):
    in_scope = make_student(today=today, last_name="Alkmaar")
    make_signal(in_scope, "dropout", today=today)
    other_region = make_student(today=today, town="Hoorn", last_name="Hoorn")
    make_signal(other_region, "dropout", today=today)
    closed = make_student(today=today, last_name="Gesloten")
    make_signal(closed, "dropout", today=today, status="resolved")
    not_a_candidate_kind = make_student(today=today, last_name="Studieadvies")
    make_signal(not_a_candidate_kind, "study_advice_due", today=today)
    stop = make_student(today=today, last_name="Stopadvies")
    StudyAdviceStep.objects.create(
        enrolment=stop.enrolments.get(),
        date=today - timedelta(days=30),
        advice="stop",
        author=mentor,
    )

    found = {c["student"].pk: c for c in candidates(meeting, today=today)}

    assert set(found) == {in_scope.pk, stop.pk}
    assert found[in_scope.pk]["reason"] == "Uitval"
    assert found[stop.pk]["kinds"] == ["study_advice_stop"]


def test_a_student_on_the_agenda_is_no_longer_a_candidate(meeting, dropout, leerplicht, today):
    add(meeting, dropout, leerplicht)
    assert candidates(meeting, today=today) == []


def test_items_are_added_ordered_moved_and_removed_with_history(meeting, leerplicht, today):
    students = [make_student(today=today, last_name=f"S{n}") for n in range(3)]
    items = [add(meeting, s, leerplicht) for s in students]
    services.item_move(item=items[2], direction=-1, actor=leerplicht)
    order = list(AgendaItem.objects.filter(meeting=meeting).values_list("student_id", flat=True))
    assert order == [students[0].pk, students[2].pk, students[1].pk]

    services.item_remove(item=items[0], actor=leerplicht)
    assert list(meeting.items.values_list("student_id", flat=True)) == [
        students[2].pk,
        students[1].pk,
    ]
    actions = list(MeetingChange.objects.filter(meeting=meeting).values_list("action", flat=True))
    assert actions.count("item_add") == 3
    assert "item_move" in actions
    assert "item_remove" in actions


def test_a_student_outside_the_tables_scope_cannot_be_added(meeting, leerplicht, today):
    hoorn = make_student(today=today, town="Hoorn")
    with pytest.raises(ValidationError):
        add(meeting, hoorn, leerplicht)


def test_a_mentors_proposal_becomes_an_item_when_accepted(meeting, mentor, leerplicht, today):
    student = make_student(today=today, mentor=mentor, last_name="Voorgedragen")
    proposal = services.proposal_create(
        meeting=meeting, student=student, reason="Veel verzuim", actor=mentor
    )
    item = services.proposal_accept(proposal=proposal, actor=leerplicht)
    assert item.origin == "proposal"
    assert item.reason.startswith("Veel verzuim")
    with pytest.raises(ValidationError):
        services.proposal_accept(proposal=proposal, actor=leerplicht)


def test_finalising_records_a_disclosure_per_student_per_other_member_organisation_and_mails(
    meeting, leerplicht, today, dropout
):
    second = make_student(today=today, last_name="Tweede")
    add(meeting, dropout, leerplicht)
    add(meeting, second, leerplicht)

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.agenda_finalise(meeting=meeting, actor=leerplicht)

    disclosures = Disclosure.objects.filter(source="doorstroomtafel", source_id=meeting.pk)
    # Four member organisations, minus the preparer's own: three, for each of two students.
    assert disclosures.count() == 6
    assert set(disclosures.values_list("legal_basis", flat=True)) == {"wettelijke_taak"}
    assert all("Leerplichtwet" in d.legal_reference for d in disclosures)
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(u.email for u in meeting.invited_users.all())
    assert all(dropout.last_name not in message.body for message in mail.outbox)


def test_the_agenda_is_fixed_once_final_and_cannot_be_finalised_twice(
    meeting, leerplicht, dsp, dropout, today
):
    add(meeting, dropout, leerplicht)
    services.agenda_finalise(meeting=meeting, actor=leerplicht)
    with pytest.raises(services.MeetingStateError):
        services.agenda_finalise(meeting=meeting, actor=dsp)
    with pytest.raises(services.MeetingStateError):
        add(meeting, make_student(today=today), leerplicht)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.AGENDA_FINAL
    assert meeting.changes.filter(action="status").count() == 1


def test_an_empty_agenda_cannot_be_finalised(meeting, leerplicht):
    with pytest.raises(ValidationError):
        services.agenda_finalise(meeting=meeting, actor=leerplicht)
