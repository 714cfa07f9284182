"""Every scoped read of the Doorstroomtafel, and who may do what.

- A user takes part in a meeting when the organisation they act for is a standing member
  of the table (mentors excepted: they take part only when named), when they are a
  standing member of the table by name, or when they were invited to the meeting.
  Anyone else gets a 404 for the meeting and everything under it.
- Leerplicht and the Doorstroompunt prepare and minute (ACCESS.md); the other members
  read the agenda and the minutes.
- Leerplicht and Doorstroompunt members see the students of an agenda in their student
  list and file while the meeting is prepared and minuted (students.queries scope
  provider below); partners see them only on the agenda page, with its minimum fields.
"""

from collections import defaultdict

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from accounts import policy
from accounts.models import Municipality
from monitoring.models import MONITORING_SOURCE, Signal, SignalStatus
from roadmap.models import Advice, StepKind, StudyAdviceStep
from roadmap.queries import step_dates, with_step_facts
from rulebook import expressions as rulebook
from students.dates import age_on
from students.models import Enrolment, Student

from .models import (
    ACTIVE_STATUSES,
    AgendaItem,
    CaseTable,
    Meeting,
    ScopeKind,
)

# The candidates shown at once on the meeting page (the first in name order); the
# query stops there, whatever the number of students the rules propose.
CANDIDATES_SHOWN = 100


def _membership(user):
    return getattr(user, "active_membership", None)


def member_meetings_q(membership) -> Q:
    """Meetings this membership takes part in (accounts.policy.meetings_visible_q)."""
    return policy.meetings_visible_q(membership.user, membership=membership)


def meetings_for_user(user):
    """Every meeting the user sees (accounts.policy, "Who sees a meeting")."""
    if policy.active_membership(user) is None or not user.is_active:
        return Meeting.objects.none()
    return Meeting.objects.filter(policy.meetings_visible_q(user))


def get_meeting_for_user(user, public_id, *, edit=False):
    """The meeting if the user sees it (and, with edit, may prepare and minute it), else
    404, whatever its status."""
    try:
        meeting = (
            meetings_for_user(user)
            .select_related("table__region", "table__subregion", "table__school")
            .get(public_id=public_id)
        )
    except Meeting.DoesNotExist:
        raise Http404("No meeting here") from None
    if edit and not policy.can_prepare_meeting(user, meeting):
        raise Http404("No meeting here")
    return meeting


def can_edit(user):
    """The user's role prepares and minutes meetings (per meeting: can_prepare_meeting)."""
    return policy.edits_case_tables(user)


def tables_for_user(user):
    """The active tables the user takes part in as a standing member (organisation,
    mentors excepted, or by name): accounts.policy.case_tables_standing_q."""
    if _membership(user) is None or not user.is_active:
        return CaseTable.objects.none()
    return CaseTable.objects.filter(policy.case_tables_standing_q(user), is_active=True)


def tables_with_visible_meetings(user):
    """The tables of the user's index: those they stand at, and those with a meeting
    they were invited to."""
    visible = meetings_for_user(user).values("table_id")
    return CaseTable.objects.filter(
        Q(pk__in=tables_for_user(user).values("pk")) | Q(pk__in=visible)
    )


# --- The table's scope ---------------------------------------------------------------


def table_scope_q(table) -> Q:
    """The students a table may discuss, as a filter over Student."""
    if table.scope_kind == ScopeKind.SUBREGION:
        return Q(municipality__subregion_id=table.subregion_id)
    if table.scope_kind == ScopeKind.SCHOOL:
        enrolments = Enrolment.objects.filter(
            student=OuterRef("pk"), institution_id=table.school_id
        )
        names = [location.name for location in table.locations.all()]
        if names:
            by_name = Q()
            for name in names:
                by_name |= Q(location__iexact=name)
            enrolments = enrolments.filter(by_name)
        return Q(Exists(enrolments))
    return Q(municipality__region_id=table.region_id)


def _walked_scope_q(table) -> Q:
    """table_scope_q with the municipalities of a (sub)region named (one small query), for
    the candidates: PostgreSQL walks the students in name order and then tests each one's
    municipality before it asks the indexes for signals and advice, where a join to the
    municipalities would come after them."""
    if table.scope_kind == ScopeKind.SUBREGION:
        municipalities = Municipality.objects.filter(subregion_id=table.subregion_id)
    elif table.scope_kind == ScopeKind.SCHOOL:
        return table_scope_q(table)
    else:
        municipalities = Municipality.objects.filter(region_id=table.region_id)
    return Q(municipality_id__in=list(municipalities.order_by().values_list("pk", flat=True)))


def student_in_scope(table, student) -> bool:
    return Student.objects.filter(table_scope_q(table), pk=student.pk).exists()


# --- Candidates ----------------------------------------------------------------------


def is_candidate(meeting, student, *, today) -> bool:
    """The rules propose this student for this meeting (see candidates)."""
    return bool(candidates(meeting, today=today, only=student))


def candidate_q(today) -> Q:
    """Students the rule book proposes for the Doorstroomtafel on `today`
    (rulebook.rules.doorstroomtafel_candidate): an open dropout, next_step_check, job_lost
    or no_next_step signal of the monitoring rules, or a step-2 advice "stop"."""
    return rulebook.doorstroomtafel_candidate_q(
        today,
        open_signals=Signal.objects.filter(status=SignalStatus.OPEN, source=MONITORING_SOURCE),
        study_advices=StudyAdviceStep.objects,
    )


class Candidates(list):
    """The candidates shown, with `more`: whether the rules propose more than these."""

    more = False


def candidates(meeting, *, today, only=None, limit=CANDIDATES_SHOWN):
    """Students in the table's scope proposed by the rule book (candidate_q) that are not
    on the agenda yet: [{"student", "reason", "kinds"}], the first `limit` in name order.

    Four queries, whatever the number of candidates: the scope's municipalities, the page
    of students (the rule as one filter, cut off in the database: PostgreSQL walks the
    students in name order and asks the indexes per student, so the cost follows the
    students walked, not the population), then the signals and advice of that page."""
    from monitoring.models import SignalKind

    on_agenda = AgendaItem.objects.filter(meeting=meeting).values("student_id")
    students = (
        Student.objects.filter(_walked_scope_q(meeting.table))
        .filter(candidate_q(today))
        .exclude(pk__in=on_agenda)
        .order_by("sort_name", "pk")
    )
    if only is not None:
        students = students.filter(pk=only.pk)
    else:
        # What the page shows of a candidate (a hundred whole rows cost more to load).
        students = students.only("id", "public_id", "first_name", "last_name", "sort_name")
    page = list(students[: limit + 1])
    result = Candidates()
    result.more = len(page) > limit
    page = page[:limit]
    if not page:
        return result
    ids = [student.pk for student in page]
    reasons = defaultdict(list)
    kinds = defaultdict(list)
    for student_id, kind in sorted(
        set(
            rulebook.candidate_signals(
                Signal.objects.filter(
                    status=SignalStatus.OPEN, source=MONITORING_SOURCE, student_id__in=ids
                )
            ).values_list("student_id", "kind")
        )
    ):
        kinds[student_id].append(kind)
        reasons[student_id].append(str(SignalKind(kind).label))
    for student_id in (
        StudyAdviceStep.objects.filter(
            rulebook.stop_advice_row_q(today), enrolment__student_id__in=ids
        )
        .values_list("enrolment__student_id", flat=True)
        .distinct()
    ):
        kinds[student_id].append("study_advice_stop")
        reasons[student_id].append(str(Advice.STOP.label))
    result += [
        {"student": s, "reason": "; ".join(reasons[s.pk]), "kinds": kinds[s.pk]} for s in page
    ]
    return result


# --- The agenda's minimum per student ------------------------------------------------


def agenda_rows(meeting, *, today):
    """The agenda's items, each with only the minimum of DOORSTROOMTAFEL.md: name, age,
    school and programme, the reason, the latest step, the open signals and the
    preparation note. Three queries, whatever the number of items."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("student")
        .only(
            "id",
            "meeting_id",
            "position",
            "origin",
            "reason",
            "preparation_note",
            "carried_from_id",
            "version",
            "student__id",
            "student__public_id",
            "student__first_name",
            "student__last_name",
            "student__date_of_birth",
        )
        .order_by("position", "id")
    )
    return add_minimum(items, today=today)


def add_minimum(items, *, today):
    """Set the agenda's minimum on each item (its student loaded): age, school and
    programme, latest step, open signals. Two queries, whatever the number of items."""
    from monitoring.models import signal_kind_label

    student_ids = [item.student_id for item in items]
    latest_enrolment = {}
    latest_step = {}
    if student_ids:
        # The latest step never names ABA (roadmap.queries.FACT_STEPS); each step's date
        # is a scalar subquery, not a join (with_step_facts).
        enrolments = with_step_facts(
            Enrolment.objects.filter(student_id__in=student_ids)
            .select_related("institution")
            .only("id", "student_id", "programme", "start_date", "institution")
        ).order_by("student_id", "-start_date", "-id")
        for enrolment in enrolments:
            latest_enrolment.setdefault(enrolment.student_id, enrolment)
            for kind, day in step_dates(enrolment).items():
                current = latest_step.get(enrolment.student_id)
                if current is None or day > current[1]:
                    latest_step[enrolment.student_id] = (StepKind(kind).label, day)
    signals = defaultdict(list)
    for student_id, kind, due_date in (
        Signal.objects.filter(student_id__in=student_ids, status=SignalStatus.OPEN)
        .order_by("student_id", "due_date", "pk")
        .values_list("student_id", "kind", "due_date")
    ):
        label = signal_kind_label(kind)
        signals[student_id].append({"label": label, "due_date": due_date})
    for item in items:
        student = item.student
        enrolment = latest_enrolment.get(student.pk)
        item.age = age_on(student.date_of_birth, today)
        item.school = str(enrolment.institution) if enrolment else ""
        item.programme = enrolment.programme if enrolment else ""
        step = latest_step.get(student.pk)
        item.latest_step = {"label": step[0], "date": step[1]} if step else None
        item.open_signals = signals.get(student.pk, [])
    return items


def action_rows(user, actions, *, today):
    """The user's actions for their start page, each with the agenda's minimum of its
    student, and where it may link: the student's page only when the user may open the
    student (else the meeting item, which they see as a participant). A fixed number of
    queries, whatever the number of actions."""
    from students.models import Student

    items = [action.item for action in actions]
    add_minimum(items, today=today)
    student_ids = {item.student_id for item in items}
    meeting_ids = {item.meeting_id for item in items}
    visible_students = (
        set(
            Student.objects.visible_to(user, today=today)
            .filter(pk__in=student_ids)
            .values_list("pk", flat=True)
        )
        if student_ids
        else set()
    )
    visible_meetings = (
        set(meetings_for_user(user).filter(pk__in=meeting_ids).values_list("pk", flat=True))
        if meeting_ids
        else set()
    )
    for action in actions:
        action.can_open_student = action.item.student_id in visible_students
        action.can_open_meeting = action.item.meeting_id in visible_meetings
    return actions


ACTION_OVERDUE_KIND = "action_overdue"
DOORSTROOMTAFEL_SOURCE = "doorstroomtafel"


# --- Visibility of agenda students (students.queries) ----------------------------------


def agenda_student_scope(membership, today):
    """Leerplicht and Doorstroompunt members see the students on the agenda of a meeting
    they take part in, while it is prepared and minuted (ACCESS.md)."""
    if not policy.edits_case_tables(membership):
        return None
    meetings = Meeting.objects.filter(member_meetings_q(membership), status__in=ACTIVE_STATUSES)
    return Q(
        Exists(AgendaItem.objects.filter(student=OuterRef("pk"), meeting__in=meetings.values("pk")))
    )
