"""The route of one Entree enrolment as a timeline: pure functions, no database.

Given an enrolment whose steps are loaded (select_related over the reverse one-to-ones),
`build_route` says for every step whether it is done, due (with its due date), open,
optional or not applicable, and which step is next. The due dates are those of the
rule book (rulebook.rules, MONITORING.md section 2) with its settings, so the mentor's
page and the signals cannot disagree.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from accounts.regions import has_regional_route
from rulebook import rules
from rulebook.settings import RuleSettings, rule_settings
from rulebook.vocabulary import DIPLOMA

from .models import STEP_RELATED_NAMES, Perspective, StepKind

# Step 1 belongs to the start of the programme; the rule book sets no signal for it, so
# the route gives the mentor the first four weeks before it shows as overdue.
START_STEP_DAYS = 28


def study_advice_due(start_date: date, settings: RuleSettings | None = None) -> date:
    """Step 2: the rule book's study-advice due date (16 weeks after the start)."""
    return rules.study_advice_due_date(
        SimpleNamespace(start_date=start_date), settings or rule_settings()
    )


def planned_end(enrolment, settings: RuleSettings | None = None) -> date:
    """The rule book's planned end: the planned end date, or start + 365 days."""
    return rules.planned_end(enrolment, settings or rule_settings())


def perspective_due(enrolment, settings: RuleSettings | None = None) -> date:
    """Step 4: the rule book's perspective due date (the earlier of the spring date after
    the study-advice date and planned end - 91 days)."""
    return rules.perspective_due_date(enrolment, settings or rule_settings())


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


@dataclass(frozen=True)
class StepFact:
    """A logged step as far as the route's timeline needs it: its date and, for the
    outflow perspective, the perspective chosen (roadmap.queries.with_step_facts)."""

    kind: str
    date: date
    perspective: str = ""


def build_route(enrolment, *, today: date, include_aba: bool, records=None) -> Route:
    """The timeline of an Entree enrolment on `today`.

    ABA is left out entirely unless the caller may see special-category data.
    `records` ({step kind: record or None}) defaults to the steps loaded with the
    enrolment; a list that shows no step's contents passes StepFacts instead
    (roadmap.queries.step_facts).
    """
    # ABA is never read unless it may be shown (and it is not loaded otherwise).
    records = {
        kind: (
            (records.get(kind) if records is not None else loaded_step(enrolment, kind))
            if include_aba or kind != StepKind.ABA
            else None
        )
        for kind in STEP_RELATED_NAMES
    }
    running = enrolment.end_date is None or enrolment.end_date >= today
    leaving = records[StepKind.LEAVING]
    perspective = records[StepKind.PERSPECTIVE]
    chosen = perspective.perspective if perspective else None

    settings = rule_settings()
    end = planned_end(enrolment, settings)
    due = {
        StepKind.START: enrolment.start_date + timedelta(days=START_STEP_DAYS),
        StepKind.STUDY_ADVICE: study_advice_due(enrolment.start_date, settings),
        StepKind.PERSPECTIVE: perspective_due(enrolment, settings),
        StepKind.WORK: end,
        StepKind.FURTHER_EDUCATION: end,
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
        elif leaving or (not running and enrolment.end_reason != DIPLOMA):
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
