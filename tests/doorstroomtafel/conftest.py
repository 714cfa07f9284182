"""A case table for Noord-Kennemerland with Leerplicht, the Doorstroompunt, Horizon
College and the Check-In as standing members, and students with open signals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Organisation, Region, SubRegion
from doorstroomtafel import services
from doorstroomtafel.models import CaseTable, ScopeKind
from monitoring.models import Signal
from tests.factories import EnrolmentFactory, StudentFactory, municipality


@pytest.fixture
def today():
    return timezone.localdate()


def make_signal(student, kind="dropout", *, today, status="open", assignee="leerplicht"):
    organisation = Organisation.objects.get(
        name="Regionaal Bureau Leerplicht Noord-Holland Noord"
        if assignee == "leerplicht"
        else "Doorstroompunt Noord-Holland Noord"
    )
    return Signal.objects.create(
        student=student,
        kind=kind,
        assignee=assignee,
        organisation=organisation,
        due_date=today - timedelta(days=3),
        status=status,
        opened_at=timezone.now(),
        closed_at=None if status == "open" else timezone.now(),
    )


def make_student(*, today, town="Alkmaar", age=19, **extra):
    student = StudentFactory(
        municipality=municipality(town),
        date_of_birth=today - timedelta(days=age * 365 + 40),
        **extra,
    )
    EnrolmentFactory(
        student=student,
        start_date=today - timedelta(weeks=30),
        planned_end_date=today + timedelta(weeks=10),
        end_date=today - timedelta(days=20),
        end_reason="dropout",
        programme="Entree Assistent logistiek",
    )
    return student


@pytest.fixture
def table(db, leerplicht, dsp, startpunt, coordinator):
    subregion = SubRegion.objects.get(name="Noord-Kennemerland")
    table = CaseTable.objects.create(
        name="Doorstroomtafel Noord-Kennemerland",
        scope_kind=ScopeKind.SUBREGION,
        region=Region.objects.get(name="Noord-Holland Noord"),
        subregion=subregion,
    )
    table.member_organisations.set(
        Organisation.objects.filter(
            name__in=[
                "Regionaal Bureau Leerplicht Noord-Holland Noord",
                "Doorstroompunt Noord-Holland Noord",
                "Horizon College",
                "Check-In en Doorstroompunt",
            ]
        )
    )
    table.member_users.set([leerplicht, dsp, coordinator])
    return table


@pytest.fixture
def meeting(table, leerplicht, today):
    return services.meeting_create(
        table=table, date=today + timedelta(days=7), place="Stadhuis Alkmaar", actor=leerplicht
    )


@pytest.fixture
def dropout(today):
    """A 19-year-old from Alkmaar who dropped out, with an open dropout signal."""
    student = make_student(today=today, first_name="Daan", last_name="Uitvaller")
    make_signal(student, "dropout", today=today, assignee="doorstroompunt")
    return student


def add(meeting, student, actor, reason="Uitval"):
    """Put a student on the agenda from the candidates: the rules propose them (an open
    dropout signal, made here if they have no candidate signal yet)."""
    from doorstroomtafel.queries import is_candidate

    today = timezone.localdate()
    if not is_candidate(meeting, student, today=today):
        make_signal(student, "dropout", today=today)
    return services.item_add(
        meeting=meeting, student=student, reason=reason, origin="signal", actor=actor
    )


@pytest.fixture
def past_meeting(table, leerplicht, today):
    """A meeting planned (on its day, ten days ago) and since held-able."""
    date = today - timedelta(days=10)
    return services.meeting_create(
        table=table, date=date, place="Stadhuis Alkmaar", actor=leerplicht, today=date
    )


def hold(meeting, actor):
    """Finalise the agenda and mark the meeting held on its own day (it is planned ahead)."""
    services.agenda_finalise(meeting=meeting, actor=actor)
    services.meeting_mark_held(meeting=meeting, actor=actor, today=meeting.date)
    meeting.refresh_from_db()
    return meeting
