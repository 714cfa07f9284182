"""Every read of the caseload pages: a mentor's students as a class, and the school's
caseload sizes for the coordinator. A fixed number of queries, whatever the number of
students: the per-student figures are subqueries of the one student query, the routes
come from one enrolment query (steps joined), and the school overview is one grouped
query.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from accounts.policy import signal_scope_q
from monitoring.models import Signal, SignalStatus
from roadmap.models import ContactMoment
from roadmap.queries import step_select_related
from roadmap.route import build_route
from students.models import Enrolment, Level, Student
from students.paging import Page, Sort, page_url, parse_sort, sort_links

# The caseload's columns to sort on; "uiterlijk" (the next step's due date) first.
CASELOAD_SORTS = {
    "uiterlijk": ("next_due",),
    "naam": ("sort_name",),
    "contact": ("last_contact",),
    "signalen": ("open_signals",),
}
DEFAULT_SORT = "uiterlijk"


def latest_school_enrolment(school_id):
    """The student's latest enrolment at the school (a subquery on Student)."""
    return Enrolment.objects.filter(student=OuterRef("pk"), institution_id=school_id).order_by(
        "-start_date", "-id"
    )


def caseload_students(user, *, mentor_id, school_id, today: date):
    """The students of `mentor_id` that `user` may see, each with its group (class) at
    the school, its number of open signals (the ones `user` sees) and its last contact
    date: one query."""
    visible = Student.objects.visible_to(user, today=today).filter(mentor_id=mentor_id)
    scope = signal_scope_q(user) or Q(pk__in=[])
    open_signals = (
        Signal.objects.filter(scope, student=OuterRef("pk"), status=SignalStatus.OPEN)
        .order_by()
        .values("student")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_contact = (
        ContactMoment.objects.filter(student=OuterRef("pk")).order_by("-date").values("date")[:1]
    )
    return visible.annotate(
        group_name=Coalesce(
            Subquery(latest_school_enrolment(school_id).values("group_name")[:1]), Value("")
        ),
        open_signals=Coalesce(Subquery(open_signals, output_field=IntegerField()), 0),
        last_contact=Subquery(last_contact),
    )


def caseload_groups(students) -> list[str]:
    """The groups in a caseload, for the filter: one query."""
    names = students.order_by().values_list("group_name", flat=True).distinct()
    return sorted({name for name in names if name}, key=str.lower)


@dataclass
class CaseloadRow:
    student: Student
    group: str
    open_signals: int
    last_contact: date | None
    route: object = None
    stage: str = ""
    next_step: str = ""
    next_due: date | None = None
    overdue: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def public_id(self):
        return self.student.public_id


def _routes(students_q, *, school_id, today):
    """The running Entree enrolment at the school of every student, steps loaded: one
    query. Student id -> the latest such enrolment."""
    enrolments = (
        Enrolment.objects.filter(
            student__in=students_q.values("pk"),
            institution_id=school_id,
            level=Level.ENTREE,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related(*step_select_related(include_aba=False, with_authors=False))
        .order_by("student_id", "start_date", "id")
    )
    latest = {}
    for enrolment in enrolments:
        latest[enrolment.student_id] = enrolment  # the last one wins: the latest start
    return latest


def caseload_rows(user, *, mentor_id, school_id, today, group=""):
    """Every row of a caseload (a mentor's students are a class, not thousands): two
    queries, then the route of each in Python (roadmap.route, the same as the student's
    page), so the rows can be sorted by the next step's due date."""
    students = caseload_students(user, mentor_id=mentor_id, school_id=school_id, today=today)
    groups = caseload_groups(students)
    if group:
        students = students.filter(group_name=group)
    rows = [
        CaseloadRow(
            student=student,
            group=student.group_name,
            open_signals=student.open_signals,
            last_contact=student.last_contact,
        )
        for student in students.order_by("sort_name", "id")
    ]
    if rows:
        routes = _routes(
            Student.objects.filter(pk__in=[row.student.pk for row in rows]),
            school_id=school_id,
            today=today,
        )
        for row in rows:
            enrolment = routes.get(row.student.pk)
            if enrolment is None:
                row.stage = _("Niet op de route")
                continue
            route = build_route(enrolment, today=today, include_aba=False)
            row.route = route
            current = route.current
            row.stage = str(current.label) if current else _("Nog niet gestart")
            if route.next_step is not None:
                row.next_step = str(route.next_step.label)
                row.next_due = route.next_step.due_date
                row.overdue = route.next_step.overdue
    return rows, groups


def _sort_value(row, key):
    if key == "uiterlijk":
        return (row.next_due is None, row.next_due or date.max)
    if key == "contact":
        return (row.last_contact is None, row.last_contact or date.min)
    if key == "signalen":
        return (row.open_signals,)
    return ()


def sorted_page(rows, *, get, params, size) -> Page:
    """One page of the rows in the sort `get["sort"]` asks for (students.paging's sorts
    and pager; the rows are in memory, so the page is an offset `pos`)."""
    sort = parse_sort(get.get("sort"), CASELOAD_SORTS, DEFAULT_SORT)
    rows = sorted(rows, key=lambda row: (row.student.sort_name, row.student.pk))
    if sort.key != "naam":
        rows.sort(key=lambda row: _sort_value(row, sort.key))
    if sort.descending:
        rows.reverse()
    try:
        start = max(int(get.get("pos") or 1), 1)
    except ValueError:
        start = 1
    if start > len(rows):
        start = 1
    shown = rows[start - 1 : start - 1 + size]
    state = {**params, "sort": sort.param if sort.param != DEFAULT_SORT else ""}
    page = Page(
        rows=shown,
        start=start,
        total=len(rows),
        has_previous=start > 1,
        has_next=start - 1 + size < len(rows),
        sort=sort,
        sort_links=sort_links(params, CASELOAD_SORTS, sort),
        first_url=page_url(state),
    )
    page.previous_url = page_url(state, pos=max(start - size, 1) if start > 1 else "")
    page.next_url = page_url(state, pos=start + size)
    return page


def offset_page(items, *, get, size, params=None) -> Page:
    """A plain page of a list in memory (the bulk confirmation's records)."""
    params = params or {}
    try:
        start = max(int(get.get("pos") or 1), 1)
    except ValueError:
        start = 1
    if start > len(items):
        start = 1
    shown = items[start - 1 : start - 1 + size]
    page = Page(
        rows=shown,
        start=start,
        total=len(items),
        has_previous=start > 1,
        has_next=start - 1 + size < len(items),
        sort=Sort("", ()),
        first_url=page_url(params),
    )
    page.previous_url = page_url(params, pos=max(start - size, 1) if start > 1 else "")
    page.next_url = page_url(params, pos=start + size)
    return page


# --- The school's caseloads (coordinator) ------------------------------------------------


def school_mentors(school_id):
    """Users with an active mentor membership at the school, by name: one query."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"),
                    organisation_id=school_id,
                    role=Role.MENTOR,
                    is_active=True,
                )
            )
        )
        .order_by("last_name", "first_name", "email")
    )


def school_caseloads(user, *, school_id, today):
    """Per mentor of the school: the caseload size (students the coordinator sees) and
    how many of them have an overdue open signal of the school. One grouped query over
    the students and one for the school's mentors (so an empty caseload shows too).

    Returns (rows, without_mentor): rows are {mentor, size, overdue}."""
    overdue = Signal.objects.filter(
        student=OuterRef("pk"),
        organisation_id=school_id,
        status=SignalStatus.OPEN,
        due_date__lt=today,
    )
    counts = {
        row["mentor_id"]: row
        for row in Student.objects.visible_to(user, today=today)
        .order_by()
        .values("mentor_id")
        .annotate(size=Count("pk"), overdue=Count("pk", filter=Q(Exists(overdue))))
    }
    rows = []
    for mentor in school_mentors(school_id):
        found = counts.get(mentor.pk, {})
        rows.append(
            {"mentor": mentor, "size": found.get("size", 0), "overdue": found.get("overdue", 0)}
        )
    without = counts.get(None, {})
    return rows, {"size": without.get("size", 0), "overdue": without.get("overdue", 0)}
