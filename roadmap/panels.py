"""The roadmap's panels: the route on the student's page and the mentor's start page.

Both are registered in RoadmapConfig.ready(); each runs a fixed number of queries,
whatever the number of steps, contact moments or students.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.regions import has_regional_route
from students.models import AccessLog
from students.panels import has_rows
from students.services import access_log

from .models import Perspective, StepKind
from .queries import (
    can_write_enrolment,
    contact_kinds_for,
    latest_contact_moments,
    mentor_route_enrolments,
    route_enrolments,
    special_institution_id,
    step_facts,
    student_employments,
)
from .route import build_route, loaded_step, route_name


def startpunt_name(municipality):
    """What the roadmap calls "Jongeren Startpunt", in the student's municipality."""
    if municipality is not None and municipality.startpunt_name:
        return municipality.startpunt_name
    return _("Doorstroompunt of W&I")


def next_step_summary(route):
    """The student's next step after Entree, as far as the route knows it."""
    work = loaded_step(route.enrolment, StepKind.WORK)
    if work is not None:
        return {"kind": "work", "record": work, "employment": work.employment}
    further = loaded_step(route.enrolment, StepKind.FURTHER_EDUCATION)
    if further is not None:
        return {"kind": "further_education", "record": further}
    perspective = loaded_step(route.enrolment, StepKind.PERSPECTIVE)
    if perspective is not None:
        return {
            "kind": "perspective",
            "record": perspective,
            "label": Perspective(perspective.perspective).label,
        }
    return None


def route_panel_context(request, student, *, today=None):
    """Everything the route panel shows, in a fixed number of queries (3, plus one
    access-log row when ABA data is shown)."""
    user = request.user
    today = today or timezone.localdate()
    aba_institution = special_institution_id(user, student)
    # Most students have no Entree enrolment: then there is no route to load (issue 16).
    enrolments = (
        route_enrolments(student, aba_for_institution_id=aba_institution)
        if has_rows(student, "roadmap.entree_enrolments")
        else []
    )
    routes = []
    shows_special = False
    for enrolment in enrolments:
        include_aba = aba_institution is not None and enrolment.institution_id == aba_institution
        route = build_route(enrolment, today=today, include_aba=include_aba)
        route.can_write = can_write_enrolment(user, enrolment, student)
        route.next_summary = next_step_summary(route)
        routes.append(route)
        if include_aba and loaded_step(enrolment, StepKind.ABA) is not None:
            shows_special = True
    if shows_special:
        # Special-category data on screen: every view is logged (ACCESS.md).
        access_log(
            user=user,
            action=AccessLog.Action.VIEW_SPECIAL,
            student=student,
            detail="roadmap: ABA (route)",
        )
    regional = any(route.regional for route in routes)
    return {
        "student": student,
        "routes": routes,
        # The panel's name and the regional parts follow the region of the institution
        # (ROADMAP.md top): only Noord-Holland Noord's students see "Route naar succes".
        "regional": regional,
        "route_name": route_name(regional),
        "contacts": latest_contact_moments(student)
        if has_rows(student, "roadmap.contact_moments")
        else [],
        "employments": student_employments(student)
        if has_rows(student, "students.employments")
        else [],
        "contact_kinds": contact_kinds_for(user, student),
        "startpunt_name": startpunt_name(student.municipality) if regional else "",
        "today": today,
        # Where a form opened without JavaScript returns to: the page showing the panel.
        "return_url": (
            request.htmx.current_url_abs_path
            if getattr(request, "htmx", False) and request.htmx.current_url_abs_path
            else request.get_full_path()
        ),
    }


def student_route_panel(request, student):
    context = route_panel_context(request, student)
    if not context["routes"] and not context["contacts"] and not context["contact_kinds"]:
        return None
    return {"template": "roadmap/_panel.html", "context": context}


def home_route_panel(request):
    """The mentor's start page: my students on the route, with the next due date and a
    marker when it has passed. One query for all of them."""
    user = request.user
    membership = user.active_membership
    if membership is None or not policy.is_mentor(membership):
        return None
    today = timezone.localdate()
    rows = []
    for enrolment in mentor_route_enrolments(user, today=today):
        route = build_route(
            enrolment, today=today, include_aba=False, records=step_facts(enrolment)
        )
        rows.append({"student": enrolment.student, "enrolment": enrolment, "route": route})
    rows.sort(
        key=lambda row: (
            not row["route"].overdue,
            row["route"].next_step.due_date if row["route"].next_step else today.max,
            row["student"].sort_name,
        )
    )
    return {
        "template": "roadmap/_home_panel.html",
        "context": {
            "rows": rows,
            "route_name": route_name(has_regional_route(_membership_region(membership))),
            "overdue_count": sum(1 for row in rows if row["route"].overdue),
            "today": today,
        },
    }


def _membership_region(membership):
    organisation = membership.organisation
    return organisation.region if organisation.region_id else None


def route_summary(user, student, *, today=None):
    """The route as plain data, for exports and referral documents built elsewhere.

    ABA is included only for the mentor and coordinator of the enrolment's own school
    (and its viewing is logged); for everyone else the key is absent, not empty.
    """
    today = today or timezone.localdate()
    aba_institution = special_institution_id(user, student)
    summary = []
    shows_special = False
    for enrolment in route_enrolments(student, aba_for_institution_id=aba_institution):
        include_aba = aba_institution is not None and enrolment.institution_id == aba_institution
        route = build_route(enrolment, today=today, include_aba=include_aba)
        steps = []
        for step in route.steps:
            if step.kind == StepKind.ABA and step.record is not None:
                shows_special = True
            steps.append(
                {
                    "step": str(step.kind),
                    "label": str(step.label),
                    "status": step.status,
                    "date": step.record.date if step.record else None,
                    "due_date": step.due_date,
                    "overdue": step.overdue,
                }
            )
        summary.append(
            {
                "institution": str(enrolment.institution),
                "programme": enrolment.programme,
                "start_date": enrolment.start_date,
                "next_step": str(route.next_step.kind) if route.next_step else None,
                "steps": steps,
            }
        )
    if shows_special:
        access_log(
            user=user,
            action=AccessLog.Action.VIEW_SPECIAL,
            student=student,
            detail="roadmap: ABA (summary)",
        )
    return summary
