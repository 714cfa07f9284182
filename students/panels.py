"""Panels: how other apps add sections to the student's page, and the start page panel
that `students` itself contributes.

Apps that build on students (roadmap, signals, referrals, case table) register a
provider in their AppConfig.ready(); the student's page renders whatever is registered,
so `students` never imports the apps that depend on it.
"""

from datetime import date, timedelta

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.registry import Registry, key_of

from .dates import age_on
from .forms import enrolled_on_q
from .models import Enrolment, Student
from .rows import with_my_student_rows

student_panel_registry = Registry("student page sections")


def register_student_panel(order, provider, *, shared=False, key=None):
    """Add a section to the student's page.

    `provider(request, student)` returns {"template": ..., "context": {...}} or None when
    it has nothing to show for this user and student. Lower `order` comes first. The
    provider runs on every page view: it must use a fixed number of queries.

    A partner (accounts.policy.sees_only_shared_sections) sees only what a referral
    shared: only panels registered with `shared=True` (the app that keeps what was
    shared) run for them; every other panel is never even asked.
    """
    student_panel_registry.add((provider, shared), order=order, key=key or key_of(provider))
    return provider


# --- What the student has: one query for every panel (issue 16) ---------------------------

student_presence_registry = Registry("student page presence")


def register_student_presence(name, model, field="student", **filters):
    """Let the student's page find out, in the one query it asks for every panel, whether
    the student has any row of `model` (where `field` is the student). A panel then skips
    its own queries when there is none (`has_rows`): most students have no referral,
    journal note, document or case-table discussion, and the panels are asked on every
    view of the page. The rows need not be the ones the user may see: this only tells
    "certainly nothing" apart from "maybe something", and is never shown. `filters`
    narrow the rows (e.g. level="entree")."""
    student_presence_registry.add((model, field, filters), key=name)


def has_rows(student, name) -> bool:
    """False only when this request found that the student has no row of `name`; True
    when it has some, or when nobody asked (a panel rendered on its own, e.g. htmx)."""
    return getattr(student, "panel_presence", {}).get(name, True)


# The presence query depends only on what the apps registered: it is compiled once per
# process (the ORM's compiler costs more than PostgreSQL's answer), then run with the
# student's id.
_presence_sql: dict = {}
_PK_MARKER = -7_160_316


def _presence_statement(entries):
    key = (connection.vendor, tuple(name for name, _entry in entries))
    if key not in _presence_sql:
        aliases = {
            f"has_{index}": Exists(model._base_manager.filter(**{field: OuterRef("pk")}, **filters))
            for index, (_name, (model, field, filters)) in enumerate(entries)
        }
        queryset = Student.objects.filter(pk=_PK_MARKER).annotate(**aliases).values_list(*aliases)
        sql, params = queryset.query.sql_with_params()
        params = list(params)
        _presence_sql[key] = (sql, params, params.index(_PK_MARKER))
    return _presence_sql[key]


def load_presence(student):
    """Every registered presence of this student, in one query: student.panel_presence.
    Once per student object: the page asks it before its own sections, the panels after."""
    if hasattr(student, "panel_presence"):
        return
    entries = student_presence_registry.items()
    student.panel_presence = {}
    if not entries:
        return
    sql, params, pk_index = _presence_statement(entries)
    params = list(params)
    params[pk_index] = student.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is not None:  # else removed meanwhile: the panels ask for themselves
        student.panel_presence = {
            name: bool(found) for (name, _entry), found in zip(entries, row, strict=True)
        }


def student_panels(request, student):
    from accounts.policy import sees_only_shared_sections

    shared_only = sees_only_shared_sections(request.user)
    providers = [
        provider for provider, shared in student_panel_registry if shared or not shared_only
    ]
    if providers:
        load_presence(student)
    rendered = []
    for provider in providers:
        panel = provider(request, student)
        if panel:
            rendered.append(panel)
    return rendered


# --- The student's page: disclosures (who received what, when, on which basis) --------

DISCLOSURE_LIMIT = 50


def disclosures_panel(request, student):
    """Every disclosure of this student's data to another organisation (ACCESS.md)."""
    from .models import Disclosure

    rows = (
        list(
            Disclosure.objects.filter(student=student)
            .select_related("from_organisation", "to_organisation", "actor")
            .order_by("-at", "-id")[: DISCLOSURE_LIMIT + 1]
        )
        if has_rows(student, "students.disclosures")
        else []
    )
    return {
        "template": "students/_disclosures_panel.html",
        "context": {
            "disclosures": rows[:DISCLOSURE_LIMIT],
            "more": len(rows) > DISCLOSURE_LIMIT,
            "section_labels": disclosure_section_labels(),
        },
    }


_section_labels = {}


def register_disclosure_sections(labels: dict):
    """Apps that share data name their section keys for the disclosures panel."""
    _section_labels.update(labels)


def disclosure_section_labels():
    return dict(_section_labels)


# --- The start page: "my students" and what is coming ------------------------------

# Planned ends this close are worth a look now (8 weeks).
UPCOMING_DAYS = 56
# A mentor's start page lists this many students; the list page has them all.
HOME_STUDENT_LIMIT = 50
HOME_COUNT_CAP = 1000


def upcoming_events(enrolments, today: date):
    """[(date, label)] of what is coming for these (current) enrolments, soonest first.

    The roadmap's own due dates (study advice, perspective) are the roadmap panel's: it
    knows whether a step was logged, this app does not.
    """
    events = []
    horizon = today + timedelta(days=UPCOMING_DAYS)
    for enrolment in enrolments:
        if enrolment.planned_end_date and today <= enrolment.planned_end_date <= horizon:
            events.append((enrolment.planned_end_date, _("Gepland einde opleiding")))
    return sorted(events, key=lambda event: event[0])


def current_enrolments_prefetch(today: date):
    return Prefetch(
        "enrolments",
        queryset=Enrolment.objects.filter(enrolled_on_q(today))
        .select_related("institution")
        .order_by("-start_date", "-id"),
        to_attr="current_enrolments",
    )


def home_students_panel(request):
    from accounts.policy import sees_only_shared_sections

    user = request.user
    membership = user.active_membership
    if membership is None or sees_only_shared_sections(user):
        # A partner's students are the accepted referrals in their inbox panel.
        return None
    today = timezone.localdate()
    visible = Student.objects.visible_to(user, today=today)
    if visible.query.is_empty():
        return None

    if membership.role == Role.MENTOR:
        students = list(
            visible.filter(mentor=user)
            .select_related("municipality")
            .prefetch_related(current_enrolments_prefetch(today))
            .order_by("sort_name", "id")[: HOME_STUDENT_LIMIT + 1]
        )
        more = len(students) > HOME_STUDENT_LIMIT
        students = students[:HOME_STUDENT_LIMIT]
        for student in students:
            student.age = age_on(student.date_of_birth, today)
            student.upcoming = upcoming_events(student.current_enrolments, today)
        with_my_student_rows(students)
        return {
            "template": "students/_home_my_students.html",
            "context": {
                "students": students,
                "more": more,
                "limit": HOME_STUDENT_LIMIT,
                "upcoming_days": UPCOMING_DAYS,
            },
        }

    # Counting a whole school (100,000 students) on every start page costs more than the
    # exact number is worth: beyond the cap the panel says "more than".
    count = visible.order_by()[: HOME_COUNT_CAP + 1].count()
    return {
        "template": "students/_home_student_count.html",
        "context": {
            "count": min(count, HOME_COUNT_CAP),
            "more": count > HOME_COUNT_CAP,
            "membership": membership,
        },
    }


_home_registered = False


def register_home_panels():
    """Called from AppConfig.ready(), which Django may run more than once."""
    global _home_registered
    if _home_registered:
        return
    from django.utils.translation import gettext_lazy

    from accounts import policy
    from accounts.home import register_home_panel
    from accounts.navigation import register_nav_item
    from accounts.policy import STUDENT_LIST_ROLES

    register_home_panel(30, home_students_panel)
    # The menu decides per role: only roles that work with a student list see it.
    register_nav_item(
        key="students",
        order=10,
        label=gettext_lazy("Studenten"),
        url_name="students:list",
        roles=STUDENT_LIST_ROLES,
        views={"students:list", "students:detail"},
    )
    register_nav_item(
        key="students_import",
        order=95,
        label=gettext_lazy("Importeren"),
        url_name="students:import",
        roles=None,
        when=policy.can_import,
        views={"students:import", "students:import_preview"},
    )
    register_student_panel(90, disclosures_panel)
    from .models import Disclosure, Employment, Qualification

    register_student_presence("students.disclosures", Disclosure)
    # The page's own sections: most students have no diploma from elsewhere and no job.
    register_student_presence("students.qualifications", Qualification)
    register_student_presence("students.employments", Employment)
    _home_registered = True
