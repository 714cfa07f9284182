"""The events of a user's calendar, from the apps below, within the user's scope.

    events_for(user, start, end, *, today) -> [Event]

Four sources, one query each whatever the number of events: the next due step of the
route of each running Entree enrolment (roadmap.route computes the due date, as on the
student's page), the follow-up meetings planned at the study advice (step 2), the
case-table meetings the user sees (accounts.policy.meetings_visible_q) and the user's
own open case-table actions. Every student comes from `Student.objects.visible_to`: a
student outside the scope never gives an event.
"""

from dataclasses import dataclass
from datetime import date, time

from django.db.models import Q, TextChoices
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import policy
from doorstroomtafel.documents import table_label
from doorstroomtafel.models import ActionItem, ActionStatus, Meeting
from roadmap.models import STEP_RELATED_NAMES, StepKind, StudyAdviceStep
from roadmap.route import build_route
from students.models import AccessLog, Enrolment, Level, Student
from students.services import access_log


class EventKind(TextChoices):
    STEP_DUE = "step_due", _("Stap op de route")
    FOLLOW_UP = "follow_up", _("Vervolgoverleg")
    MEETING = "meeting", _("Doorstroomtafel")
    ACTION = "action", _("Actie Doorstroomtafel")


@dataclass(frozen=True)
class Event:
    day: date
    kind: str
    title: str  # what it is: the step, "Vervolgoverleg", the table's name, the action
    first_name: str  # of the student, or "" (a meeting is about no single student)
    url: str
    uid: str
    student_id: int | None = None
    start_time: time | None = None

    @property
    def kind_label(self):
        return EventKind(self.kind).label


def visible_first_names(user, student_ids):
    """{student id: first name} of those students the user may open (one query), for the
    notification list; the names shown are a view of student data, so it is logged."""
    names = dict(
        Student.objects.visible_to(user)
        .filter(pk__in=list(student_ids))
        .values_list("pk", "first_name")
    )
    if names:
        access_log(
            user=user, action=AccessLog.Action.LIST_STUDENTS, students=sorted(names),
            detail="meldingen",
        )  # fmt: skip
    return names


def _step_events(user, students, start, end, today):
    names = [name for kind, name in STEP_RELATED_NAMES.items() if kind != StepKind.ABA]
    enrolments = (
        Enrolment.objects.filter(student__in=students, level=Level.ENTREE)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("student", *names)
        .order_by("pk")
    )
    events = []
    for enrolment in enrolments:
        step = build_route(enrolment, today=today, include_aba=False).next_step
        if step is None or step.due_date is None or not start <= step.due_date <= end:
            continue
        events.append(
            Event(
                day=step.due_date,
                kind=EventKind.STEP_DUE,
                title=str(step.label),
                first_name=enrolment.student.first_name,
                url=reverse("students:detail", args=[enrolment.student.public_id]),
                uid=f"step-{enrolment.pk}-{step.kind}",
                student_id=enrolment.student_id,
            )
        )
    return events


def _follow_up_events(students, start, end):
    steps = (
        StudyAdviceStep.objects.filter(
            enrolment__student__in=students, followup_meeting_date__range=(start, end)
        )
        .select_related("enrolment__student")
        .order_by("pk")
    )
    return [
        Event(
            day=step.followup_meeting_date,
            kind=EventKind.FOLLOW_UP,
            title=str(EventKind.FOLLOW_UP.label),
            first_name=step.enrolment.student.first_name,
            url=reverse("students:detail", args=[step.enrolment.student.public_id]),
            uid=f"followup-{step.pk}",
            student_id=step.enrolment.student_id,
        )
        for step in steps
    ]


def _meeting_events(user, start, end):
    meetings = (
        Meeting.objects.filter(policy.meetings_visible_q(user), date__range=(start, end))
        .select_related("table")
        .order_by("date", "start_time", "pk")
    )
    return [
        Event(
            day=meeting.date,
            kind=EventKind.MEETING,
            title=table_label(meeting.table),
            first_name="",
            url=reverse("doorstroomtafel:meeting", args=[meeting.public_id]),
            uid=f"meeting-{meeting.pk}",
            start_time=meeting.start_time,
        )
        for meeting in meetings
    ]


def _action_events(user, students, start, end):
    actions = (
        ActionItem.objects.filter(
            owner=user,
            status=ActionStatus.OPEN,
            due_date__range=(start, end),
            item__student__in=students,
        )
        .select_related("item__student", "item__meeting")
        .order_by("due_date", "pk")
    )
    return [
        Event(
            day=action.due_date,
            kind=EventKind.ACTION,
            title=action.what,
            first_name=action.item.student.first_name,
            url=reverse("doorstroomtafel:meeting", args=[action.item.meeting.public_id]),
            uid=f"action-{action.pk}",
            student_id=action.item.student_id,
        )
        for action in actions
    ]


def events_for(user, start: date, end: date, *, today: date) -> list[Event]:
    """Every event of the user's calendar from `start` to `end` (both included)."""
    if not policy.has_calendar(user):
        return []
    students = Student.objects.visible_to(user, today=today).values("pk")
    events = []
    if policy.sees_due_steps_in_calendar(user):
        events += _step_events(user, students, start, end, today)
    if not policy.sees_only_shared_sections(user):
        # A partner sees what a referral shared, never the route and its meetings.
        events += _follow_up_events(students, start, end)
    events += _meeting_events(user, start, end)
    events += _action_events(user, students, start, end)
    events.sort(key=lambda e: (e.day, e.start_time or time.min, e.kind, e.first_name, e.uid))
    return events
