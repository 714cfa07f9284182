"""The route of one Entree enrolment as a timeline: pure functions, no database.

Given an enrolment whose steps are loaded (select_related over the reverse one-to-ones),
`build_route` says for every step whether it is done, due (with its due date), open,
optional or not applicable, and which step is next. The due dates are those of the
monitoring rule book (MONITORING.md section 2), so the mentor's page and the signals
agree; settings with the same names override the defaults.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from accounts.regions import has_regional_route

from .models import STEP_RELATED_NAMES, Perspective, StepKind

# Step 1 belongs to the start of the programme; the rule book sets no signal for it, so
# the route gives the mentor the first four weeks before it shows as overdue.
START_STEP_DAYS = 28


def _setting(name, default):
    """A number of the rule book, from the same `KOERS_MONITORING_RULES` that the
    monitoring rules read (monitoring imports this app, so not the other way round); a
    test keeps these defaults equal to `monitoring.rule_settings.RuleSettings`."""
    return (getattr(settings, "KOERS_MONITORING_RULES", None) or {}).get(name, default)


def study_advice_due(start_date: date) -> date:
    """Step 2: 16 weeks (112 days) after the start."""
    return start_date + timedelta(weeks=_setting("STUDY_ADVICE_WEEKS", 16))


def planned_end(enrolment) -> date:
    """The planned end, or start + 365 days when empty (MONITORING.md section 1)."""
    days = _setting("PLANNED_END_DAYS", 365)
    return enrolment.planned_end_date or enrolment.start_date + timedelta(days=days)


def perspective_due(enrolment) -> date:
    """Step 4: the earlier of the first spring date on or after start + 112 days, and
    planned end - 91 days."""
    month, day = _setting("SPRING_DATE", (4, 1))
    after = study_advice_due(enrolment.start_date)
    spring = date(after.year, month, day)
    if spring < after:
        spring = date(after.year + 1, month, day)
    before_end = _setting("PERSPECTIVE_BEFORE_END_DAYS", 91)
    return min(spring, planned_end(enrolment) - timedelta(days=before_end))


class Status:
    DONE = "done"
    DUE = "due"  # the next step to log, with a due date
    OPEN = "open"  # still to come, after the next one
    OPTIONAL = "optional"  # ABA: only when it helps
    NOT_APPLICABLE = "not_applicable"


@dataclass
class RouteStep:
    kind: str
    label: str
    status: str
    record: object = None
    due_date: date | None = None
    overdue: bool = False
    note: str = ""

    @property
    def done(self):
        return self.record is not None


@dataclass
class Route:
    enrolment: object
    steps: list = field(default_factory=list)
    next_step: RouteStep | None = None
    running: bool = True

    @property
    def regional(self):
        """The region's own parts (ROADMAP.md top): the name "Route naar succes", the
        Jongeren Startpunt and the transfer system; elsewhere the "Entree-route"."""
        return enrolment_is_regional(self.enrolment)

    @property
    def name(self):
        return route_name(self.regional)

    @property
    def current(self):
        """The latest step that is done (the step the student is in)."""
        done = [step for step in self.steps if step.done]
        return done[-1] if done else None

    @property
    def has_leaving(self):
        return any(step.kind == StepKind.LEAVING for step in self.steps)

    @property
    def overdue(self):
        return bool(self.next_step and self.next_step.overdue)

    def step(self, kind):
        for step in self.steps:
            if step.kind == kind:
                return step
        return None


def route_name(regional: bool) -> str:
    """What the route is called: Noord-Holland Noord's "Route naar succes" where the
    institution's region has it (accounts.regions), else "Entree-route"."""
    return _("Route naar succes") if regional else _("Entree-route")


def enrolment_is_regional(enrolment) -> bool:
    """Whether the enrolment's institution is in a region with the regional route parts
    (reads institution.region: select it with the enrolment)."""
    institution = enrolment.institution
    return has_regional_route(institution.region if institution.region_id else None)


def loaded_step(enrolment, kind):
    """The step record if it exists; the reverse one-to-one raises when there is none."""
    try:
        return getattr(enrolment, STEP_RELATED_NAMES[kind])
    except ObjectDoesNotExist:
        return None


def build_route(enrolment, *, today: date, include_aba: bool) -> Route:
    """The timeline of an Entree enrolment on `today`.

    ABA is left out entirely unless the caller may see special-category data.
    """
    # ABA is never read unless it may be shown (and it is not loaded otherwise).
    records = {
        kind: loaded_step(enrolment, kind) if include_aba or kind != StepKind.ABA else None
        for kind in STEP_RELATED_NAMES
    }
    running = enrolment.end_date is None or enrolment.end_date >= today
    leaving = records[StepKind.LEAVING]
    perspective = records[StepKind.PERSPECTIVE]
    chosen = perspective.perspective if perspective else None

    due = {
        StepKind.START: enrolment.start_date + timedelta(days=START_STEP_DAYS),
        StepKind.STUDY_ADVICE: study_advice_due(enrolment.start_date),
        StepKind.PERSPECTIVE: perspective_due(enrolment),
        StepKind.WORK: planned_end(enrolment),
        StepKind.FURTHER_EDUCATION: planned_end(enrolment),
    }

    kinds = [StepKind.START, StepKind.STUDY_ADVICE]
    if include_aba:
        kinds.append(StepKind.ABA)
    kinds += [StepKind.PERSPECTIVE, StepKind.WORK, StepKind.FURTHER_EDUCATION]
    if leaving:
        kinds.append(StepKind.LEAVING)

    route = Route(enrolment=enrolment, running=running)
    for kind in kinds:
        record = records[kind]
        step = RouteStep(kind=kind, label=StepKind(kind).label, status=Status.OPEN, record=record)
        if record is not None:
            step.status = Status.DONE
        elif kind == StepKind.ABA:
            step.status = Status.OPTIONAL
        elif leaving or (not running and enrolment.end_reason != "diploma"):
            # Left without a diploma: the route stops here.
            step.status = Status.NOT_APPLICABLE
        elif (
            kind == StepKind.WORK
            and chosen
            and chosen != Perspective.WORK
            or (
                kind == StepKind.FURTHER_EDUCATION
                and chosen
                and (chosen != Perspective.FURTHER_EDUCATION)
            )
        ):
            step.status = Status.NOT_APPLICABLE
        elif kind in (StepKind.WORK, StepKind.FURTHER_EDUCATION) and not chosen:
            step.note = "after_perspective"
        route.steps.append(step)

    if records[StepKind.WORK] or records[StepKind.FURTHER_EDUCATION]:
        # One next step is enough: the other one no longer applies.
        for step in route.steps:
            if step.kind in (StepKind.WORK, StepKind.FURTHER_EDUCATION) and not step.done:
                step.status = Status.NOT_APPLICABLE

    for step in route.steps:
        if step.status == Status.OPEN:
            step.status = Status.DUE
            step.due_date = due[step.kind]
            # The enrolment signals stay overdue while the enrolment runs (MONITORING.md).
            step.overdue = running and step.due_date < today
            route.next_step = step
            break
    return route
