"""Hand-made data of known counts for the reports (today is 15 November 2027, the school
year 2026-2027, region Noord-Holland Noord, Horizon College).

Entree cohort 2026 (start 24 Aug 2026, planned end 9 Jul 2027), 24 students in NHN:
- 6 Entree diploma, then a level-2 programme from 30 Aug 2027 (further education);
  perspective "further_education" on 1 April 2027 (the spring date: on time);
- 5 Entree diploma, working 16 h since 1 Jun 2027 (work; secured; exempt from VSV);
  perspective "work" on 2 April 2027 for 3 of them (late);
- 2 Entree diploma, perspective dagbesteding at a named place on 1 March 2027;
- 1 dropout on 1 Feb 2027, born 2011 (VSV by the last sweep too); an open dropout signal;
- 3 Entree diploma, nothing after (unknown; 2 of them with monitoring ended);
- 7 still enrolled.
Study advice: on time (1 Dec 2026) for 10, late (15 Jan 2027) for 4, none for 10.
Plus: a Delft resident (Haaglanden) who dropped out of Horizon's Entree programme, and
an NHN mbo-4 student with a diploma on 30 June 2027 (a startkwalificatie).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest

from accounts.models import Organisation, Region
from doorstroomtafel.models import ActionItem, AgendaItem, CaseTable, Meeting
from monitoring.models import MonitoringStatus, Signal
from referrals.models import MaatwerkTrajectory
from roadmap.models import PerspectiveStep, StudyAdviceStep
from tests.factories import (
    EmploymentFactory,
    EnrolmentFactory,
    StudentFactory,
    municipality,
    school,
)

TODAY = date(2027, 11, 15)
START = date(2026, 8, 24)
PLANNED_END = date(2027, 7, 9)


def at(day):
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@dataclass
class Known:
    entree: dict = field(default_factory=dict)  # group -> [enrolment]
    students: list = field(default_factory=list)


def _entree(author, group, known, *, end=None, reason="", born=date(2009, 5, 1), place="Alkmaar"):
    student = StudentFactory(date_of_birth=born, municipality=municipality(place))
    enrolment = EnrolmentFactory(
        student=student,
        start_date=START,
        planned_end_date=PLANNED_END,
        end_date=end,
        end_reason=reason,
    )
    known.entree.setdefault(group, []).append(enrolment)
    known.students.append(student)
    return enrolment


@pytest.fixture
def known(coordinator):
    author = coordinator
    known = Known()
    diploma = {"end": PLANNED_END, "reason": "diploma"}
    for _ in range(6):
        enrolment = _entree(author, "further", known, **diploma)
        EnrolmentFactory(
            student=enrolment.student,
            programme="Mbo 2 Logistiek",
            level="2",
            start_date=date(2027, 8, 30),
            planned_end_date=date(2029, 7, 1),
        )
        PerspectiveStep.objects.create(
            enrolment=enrolment,
            date=date(2027, 4, 1),
            author=author,
            perspective="further_education",
        )
    for index in range(5):
        enrolment = _entree(author, "work", known, **diploma)
        EmploymentFactory(student=enrolment.student, hours_per_week=16, start_date=date(2027, 6, 1))
        if index < 3:
            PerspectiveStep.objects.create(
                enrolment=enrolment, date=date(2027, 4, 2), author=author, perspective="work"
            )
    for _ in range(2):
        enrolment = _entree(author, "dagbesteding", known, **diploma)
        PerspectiveStep.objects.create(
            enrolment=enrolment,
            date=date(2027, 3, 1),
            author=author,
            perspective="dagbesteding",
            destination_place="Zorgboerderij De Wei",
        )
    dropout = _entree(
        author, "dropout", known, end=date(2027, 2, 1), reason="dropout", born=date(2011, 1, 1)
    )
    MonitoringStatus.objects.create(
        student=dropout.student, vsv=True, leaving_situation="dropout", changed_on=date(2027, 2, 2)
    )
    for index in range(3):
        enrolment = _entree(author, "unknown", known, **diploma)
        if index < 2:
            MonitoringStatus.objects.create(
                student=enrolment.student, monitoring_ended=True, end_reason="age", changed_on=TODAY
            )
    for _ in range(7):
        _entree(author, "enrolled", known)
    entree = [e for group in known.entree.values() for e in group]
    for index, enrolment in enumerate(entree[:14]):
        StudyAdviceStep.objects.create(
            enrolment=enrolment,
            date=date(2026, 12, 1) if index < 10 else date(2027, 1, 15),
            author=author,
            advice="continue",
        )
    # Outside the region: a Delft resident who dropped out of Horizon's Entree programme.
    delft = StudentFactory(date_of_birth=date(2009, 5, 1), municipality=municipality("Delft"))
    EnrolmentFactory(
        student=delft,
        start_date=START,
        planned_end_date=PLANNED_END,
        end_date=date(2027, 2, 1),
        end_reason="dropout",
    )
    known.delft = delft
    # A startkwalificatie: mbo 4, diploma on 30 June 2027.
    mbo4 = StudentFactory(date_of_birth=date(2005, 1, 1))
    EnrolmentFactory(
        student=mbo4,
        programme="Mbo 4 Zorg",
        level="4",
        start_date=date(2024, 8, 1),
        planned_end_date=date(2027, 6, 30),
        end_date=date(2027, 6, 30),
        end_reason="diploma",
    )
    known.mbo4 = mbo4
    # Signals: 10 study-advice signals (5 open and overdue, 4 resolved on time, 1 late)
    # and the dropout's open signal for Leerplicht.
    horizon = school()
    for index, enrolment in enumerate(entree[:10]):
        due = date(2026, 12, 14)
        if index < 5:
            status, closed = "open", None
        else:
            status, closed = "resolved", at(date(2026, 12, 10) if index < 9 else date(2026, 12, 20))
        Signal.objects.create(
            student=enrolment.student,
            kind="study_advice_due",
            assignee="school",
            organisation=horizon,
            enrolment=enrolment,
            due_date=due,
            status=status,
            opened_at=at(date(2026, 11, 30)),
            closed_at=closed,
        )
    Signal.objects.create(
        student=dropout.student,
        kind="dropout",
        assignee="leerplicht",
        due_date=date(2027, 2, 8),
        opened_at=at(date(2027, 2, 2)),
    )
    # Doorstroomtafel: one meeting with 6 students discussed; 6 decisions, 5 with a lead;
    # 7 actions due 24 March 2027: 5 done on time, 1 late, 1 still open.
    region = Region.objects.get(name="Noord-Holland Noord")
    table = CaseTable.objects.create(name="Tafel Alkmaar", scope_kind="region", region=region)
    meeting = Meeting.objects.create(table=table, date=date(2027, 3, 10), status="minutes_final")
    lead = Organisation.objects.get(name="Regionaal Bureau Leerplicht Noord-Holland Noord")
    for index, enrolment in enumerate(entree[:6]):
        item = AgendaItem.objects.create(
            meeting=meeting,
            student=enrolment.student,
            position=index + 1,
            origin="manual",
            reason="Besproken",
            decision="Afspraak gemaakt",
            lead_organisation=lead if index < 5 else None,
        )
        ActionItem.objects.create(
            item=item,
            what="Bellen",
            owner=author,
            owner_organisation=horizon,
            due_date=date(2027, 3, 24),
            status="done",
            done_at=at(date(2027, 3, 20) if index < 5 else date(2027, 4, 1)),
        )
        if index == 0:
            ActionItem.objects.create(
                item=item,
                what="Nabellen",
                owner=author,
                owner_organisation=horizon,
                due_date=date(2027, 3, 24),
            )
    # Flexservice at Horizon: 6 trajectories at level 3 in 2026-2027, 4 ended retained,
    # 2 ended routed.
    for index in range(6):
        MaatwerkTrajectory.objects.create(
            student=entree[index].student,
            school=horizon,
            location="Alkmaar",
            level="3",
            start_date=date(2026, 9, 1),
            reason="Dreigt uit te vallen",
            expert="Jeugdhulp",
            goals="Behouden",
            end_date=date(2027, 1, 1),
            outcome="retained" if index < 4 else "routed",
            routed_to="" if index < 4 else "Werk",
            created_by=author,
        )
    return known
