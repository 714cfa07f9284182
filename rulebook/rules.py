"""The monitoring rule book (MONITORING.md) as pure functions: dates in, facts out.

Read it side by side with MONITORING.md. The order is the document's:

    section 1  terms ............ age .. first_reference_date_after
    section 2  leaving situation  latest_leaving_event, leaving_situation
               next step, DSP ... next_step_secured, dsp_monitoring_start
               signals .......... one `<kind>_signals` function per row of the table
               Doorstroomtafel .. doorstroomtafel_candidate
    section 3  VSV status ....... counts_as_vsv
    section 4  end of monitoring  monitoring_end_reason
    all of it  .................. evaluate(facts, D, settings) -> Evaluation

No database and no Django models: a caller (the sweep, the student's page, a test) describes
one student as a StudentFacts, and every function answers for one date D. Nothing here reads
the clock. Every number comes from a RuleSettings (monitoring.rule_settings).

The set-based sweep is checked against these functions, so they are the reference. Where
MONITORING.md can be read more than one way, the most literal reading is taken and the
choice is written next to the code in a comment starting with "Reading:".

What the rules cannot know is a person's decision: a signal someone resolved or dismissed
stays closed (MONITORING.md section 2, "What open means"). The functions say which signals
the rules want open on D; the sweep subtracts the human closures by identity.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .dates import add_months, age_on, birthday, dated_value
from .settings import RuleSettings
from .vocabulary import *  # noqa: F403  (the rules speak the vocabulary's words)
from .vocabulary import (
    ADVICE_STOP,
    AGE_LIMIT,
    DIPLOMA,
    DOORSTROOMPUNT,
    DOORSTROOMTAFEL_KINDS,
    DROPOUT,
    DSP_CHECKIN_DUE,
    ENTREE,
    EXEMPTING_QUALIFICATION_TYPES,
    JOB_LOST,
    LEERPLICHT,
    MBO,
    MONITORING_HANDOVER,
    NEXT_STEP_CHECK,
    NEXT_STEP_LEVELS,
    NO_NEXT_STEP,
    PERSPECTIVE_DUE,
    SCHOOL,
    SECURED_DESTINATION_TYPES,
    SK_ENROLMENT_LEVELS,
    SK_MBO_LEVELS,
    SK_QUALIFICATION_TYPES,
    STARTKWALIFICATIE,
    STUDY_ADVICE_DUE,
    WORK_CHECKIN_DUE,
)

# ---------------------------------------------------------------------------------------
# Facts in
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentFact:
    id: int
    level: str  # "entree", "2", "3", "4", "vavo"
    programme: str
    start_date: date
    planned_end_date: date | None = None
    end_date: date | None = None  # the last day of enrolment
    end_reason: str = ""  # "", "diploma", "dropout", "switch", "other"


@dataclass(frozen=True)
class QualificationFact:
    type: str  # "vmbo", "havo", "vwo", "pro", "vso", "entree", "mbo"
    date: date
    level: int | str | None = None  # 2, 3 or 4 for type "mbo"; empty otherwise


@dataclass(frozen=True)
class EmploymentFact:
    hours_per_week: float  # int, float or Decimal
    start_date: date
    end_date: date | None = None


@dataclass(frozen=True)
class DestinationFact:
    """A destination logged at roadmap step 4 (perspective) or 5 (work, further education)."""

    type: str  # "work", "further_education", "dagbesteding", "praktijkleren"
    place: str  # the named employer, school, day-care provider or leerbedrijf; "" if unknown
    date: date  # the date of the step that logged it


@dataclass(frozen=True)
class RoadmapFact:
    """The roadmap steps the rules read, for one Entree enrolment.

    A step counts from its date on (`date <= D`); None means not logged. A run for an
    earlier D then sees only the steps that had happened by then.
    """

    enrolment_id: int
    study_advice_date: date | None = None  # step 2
    study_advice: str = ""  # "continue" or "stop"
    perspective_date: date | None = None  # step 4
    destinations: tuple[DestinationFact, ...] = ()


@dataclass(frozen=True)
class StudentFacts:
    date_of_birth: date
    enrolments: tuple[EnrolmentFact, ...] = ()
    qualifications: tuple[QualificationFact, ...] = ()
    employments: tuple[EmploymentFact, ...] = ()
    roadmaps: tuple[RoadmapFact, ...] = ()  # at most one per Entree enrolment
    work_checkins: tuple[date, ...] = ()  # contact moments of the school
    dsp_contacts: tuple[date, ...] = ()  # contact moments of the Doorstroompunt
    # Dates on which the Doorstroompunt acknowledged the monitoring handover.
    handover_acknowledgements: tuple[date, ...] = ()

    def roadmap(self, enrolment_id: int) -> RoadmapFact:
        for roadmap in self.roadmaps:
            if roadmap.enrolment_id == enrolment_id:
                return roadmap
        return RoadmapFact(enrolment_id=enrolment_id)


# ---------------------------------------------------------------------------------------
# Facts out
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Signal:
    kind: str
    due_date: date
    assignee: str
    enrolment_id: int | None = None  # only for the enrolment signals

    @property
    def identity(self) -> tuple[str, date, int | None]:
        """MONITORING.md: "identified by student, kind and due date (plus the enrolment)"."""
        return (self.kind, self.due_date, self.enrolment_id)


@dataclass(frozen=True)
class LeavingEvent:
    date: date
    diploma: bool
    enrolment_id: int | None  # None for a qualification record


# `Evaluation.date` hides the type inside the class body: the annotations use this name.
_Date = date


@dataclass(frozen=True)
class Evaluation:
    date: _Date
    signals: tuple[Signal, ...]  # sorted by kind, due_date, assignee, enrolment_id
    vsv: bool
    in_target_group: bool
    exempt: bool
    responsible_authority: str
    leaving_situation: str | None  # "dropout", "job_lost", "next_step_check" or None
    entree_diploma_date: _Date | None  # T on D
    # The start date of Doorstroompunt monitoring (may lie after D), or None when the
    # student is not in its population on D; in_dsp_monitoring: started on or before D.
    dsp_monitoring_start: _Date | None
    in_dsp_monitoring: bool
    monitoring_ended: bool
    monitoring_end_reason: str | None  # "age_limit", "startkwalificatie" or None
    doorstroomtafel_candidate: bool


# ---------------------------------------------------------------------------------------
# Section 1: terms
# ---------------------------------------------------------------------------------------


def age(facts: StudentFacts, day: date) -> int:
    """Age on D.

    > Completed years. A person born on 29 February reaches a new age on 1 March in a year
    > that is not a leap year (Dutch legal reading).
    """
    return age_on(facts.date_of_birth, day)


def enrolled_on(enrolment: EnrolmentFact, day: date) -> bool:
    """Enrolled on D.

    > An enrolment with `start_date <= D` and (`end_date` empty or `end_date >= D`).
    > `end_date` is the last day of enrolment.
    """
    return enrolment.start_date <= day and (enrolment.end_date is None or enrolment.end_date >= day)


def is_enrolled(facts: StudentFacts, day: date) -> bool:
    """The student has an enrolment that is enrolled on D."""
    return any(enrolled_on(enrolment, day) for enrolment in facts.enrolments)


def future_enrolment(facts: StudentFacts, day: date) -> bool:
    """Future enrolment on D.

    > An enrolment with `start_date > D`.
    """
    return any(enrolment.start_date > day for enrolment in facts.enrolments)


def counts_as_work(employment: EmploymentFact, settings: RuleSettings) -> bool:
    """One contract of WORK_HOURS_THRESHOLD (12) hours a week or more."""
    return employment.hours_per_week >= settings.WORK_HOURS_THRESHOLD


def working_on(facts: StudentFacts, day: date, settings: RuleSettings) -> bool:
    """Working on D.

    > At least one employment with `start_date <= D`, (`end_date` empty or `end_date >= D`)
    > and `hours_per_week >= WORK_HOURS_THRESHOLD` (12). Hours of different employments
    > are not added up (the law asks for one contract of 12 hours).
    """
    return any(
        counts_as_work(employment, settings)
        and employment.start_date <= day
        and (employment.end_date is None or employment.end_date >= day)
        for employment in facts.employments
    )


def is_entree_diploma_enrolment(enrolment: EnrolmentFact) -> bool:
    """An Entree enrolment that ended with `diploma` (its diploma date is the end_date)."""
    return (
        enrolment.level == ENTREE
        and enrolment.end_reason == DIPLOMA
        and enrolment.end_date is not None
    )


def entree_diploma_dates(facts: StudentFacts) -> list[date]:
    """The dates of every Entree diploma, however recorded.

    > Diploma: an enrolment that ended with `end_reason = diploma` (diploma date =
    > `end_date`, level = the enrolment's level), or a qualification record (type, level,
    > date) obtained elsewhere.
    > Entree diploma: a diploma at level `entree` (mbo 1): an Entree enrolment that ended
    > with `diploma`, or a qualification of type `entree`.
    """
    dates = [
        enrolment.end_date
        for enrolment in facts.enrolments
        if is_entree_diploma_enrolment(enrolment) and enrolment.end_date is not None
    ]
    dates += [
        qualification.date for qualification in facts.qualifications if qualification.type == ENTREE
    ]
    return dates


def entree_diploma_date(facts: StudentFacts, day: date) -> date | None:
    """T on D, or None.

    > Its date is called T below: on D, T is the date of the latest Entree diploma dated
    > before D. If the same diploma is recorded both ways, both count and the latest date
    > wins.
    """
    return max((d for d in entree_diploma_dates(facts) if d < day), default=None)


def has_startkwalificatie(facts: StudentFacts, day: date) -> bool:
    """Startkwalificatie (SK) on D.

    > A diploma dated `<= D` that is havo, vwo, or mbo at level 2, 3 or 4. Entree, vmbo,
    > pro and vso are *not* an SK.
    > vavo enrolments never end in a diploma of their own: the certificate won there
    > (havo, vwo, vmbo) is imported as a qualification.
    """
    for enrolment in facts.enrolments:
        if (
            enrolment.end_reason == DIPLOMA
            and enrolment.level in SK_ENROLMENT_LEVELS
            and enrolment.end_date is not None
            and enrolment.end_date <= day
        ):
            return True
    for qualification in facts.qualifications:
        if qualification.date > day:
            continue
        if qualification.type in SK_QUALIFICATION_TYPES:
            return True
        if qualification.type == MBO and str(qualification.level) in SK_MBO_LEVELS:
            return True
    return False


def upper_age(day: date, settings: RuleSettings) -> int:
    """Upper age on D.

    > 23 before 2026-01-01, 27 from 2026-01-01 (`UPPER_AGE`, a list of dated values).
    """
    value: int = dated_value(settings.UPPER_AGE, day)
    return value


def in_target_group(facts: StudentFacts, day: date, settings: RuleSettings) -> bool:
    """In the target group on D.

    > Age on D below the upper age on D, and no SK on D. It is evaluated afresh for every
    > D: a 24-year-old who fell out on 2025-12-31 (upper age 23) is in the target group
    > again on 2026-01-01 (upper age 27).
    """
    return age(facts, day) < upper_age(day, settings) and not has_startkwalificatie(facts, day)


def exempt(facts: StudentFacts, day: date, settings: RuleSettings) -> bool:
    """Exempt on D (not an early leaver although without SK).

    > (an Entree diploma dated `<= D` and working on D), or a qualification of type `pro`
    > or `vso` dated `<= D`.
    """
    # Reading: "dated <= D" here, not T's "before D": a diploma on D itself exempts a
    # student who works on D.
    has_entree_diploma = any(d <= day for d in entree_diploma_dates(facts))
    certificate = any(
        qualification.type in EXEMPTING_QUALIFICATION_TYPES and qualification.date <= day
        for qualification in facts.qualifications
    )
    return (has_entree_diploma and working_on(facts, day, settings)) or certificate


def responsible_authority(facts: StudentFacts, day: date, settings: RuleSettings) -> str:
    """Responsible authority on D.

    > `leerplicht` when age on D is below 18 (kwalificatieplicht), otherwise
    > `doorstroompunt`.
    """
    return LEERPLICHT if age(facts, day) < settings.KWALIFICATIEPLICHT_AGE else DOORSTROOMPUNT


def planned_end(enrolment: EnrolmentFact, settings: RuleSettings) -> date:
    """Planned end of an enrolment.

    > Its `planned_end_date`, or `start_date + 365 days` when empty.
    """
    if enrolment.planned_end_date is not None:
        return enrolment.planned_end_date
    return enrolment.start_date + timedelta(days=settings.PLANNED_END_DAYS)


def latest_repeat(
    start: date, every_months: int, notice_days: int, day: date, max_k: int | None = None
) -> date | None:
    """The latest `start + k * every_months` (k = 1, 2, ..., at most max_k) whose notice
    window has begun on D (`D >= due - notice_days`), or None before the first.

    > Month arithmetic: "T + n months" keeps the day of month, and falls back to the last
    > day of the month when that day does not exist (31 Aug + 6 months = 28/29 Feb).
    > Repeating dates are always counted from their start: start + 6 months, start + 12
    > months, never the previous due date + 6 months.
    """
    horizon = day + timedelta(days=notice_days)  # due - notice <= D  <=>  due <= horizon
    months = (horizon.year - start.year) * 12 + horizon.month - start.month
    # k * every_months > months lands in a later month than the horizon: too late. Step
    # down from there (add_months is monotonic in its months).
    k = months // every_months + 1
    if max_k is not None:
        k = min(k, max_k)
    while k >= 1 and add_months(start, k * every_months) > horizon:
        k -= 1
    return add_months(start, k * every_months) if k >= 1 else None


def yearly_date_on_or_after(day: date, month_day: tuple[int, int]) -> date:
    """The first date with the given (month, day) on or after `day`."""
    month, dom = month_day
    candidate = date(day.year, month, dom)
    return candidate if candidate >= day else date(day.year + 1, month, dom)


def first_reference_date_after(diploma_date: date, settings: RuleSettings) -> date:
    """The first VSV_REFERENCE_DATE (1 October) after T.

    > "The first 1 October after T" is strictly after: a diploma dated 1 October waits
    > until 1 October of the next year.
    """
    return yearly_date_on_or_after(diploma_date + timedelta(days=1), settings.VSV_REFERENCE_DATE)


# ---------------------------------------------------------------------------------------
# Section 2: the leaving situation
# ---------------------------------------------------------------------------------------


def latest_leaving_event(facts: StudentFacts, day: date) -> LeavingEvent | None:
    """The latest leaving event dated before D, or None.

    > look at the latest *leaving event* dated before D: the end of an enrolment
    > (`end_date`, with or without a diploma) or an Entree qualification recorded without
    > an enrolment (its date). Ties on the same date: a diploma wins. Every Entree
    > qualification record is a leaving event on its date, also when the same diploma is
    > recorded as an enrolment.
    """
    events = [
        LeavingEvent(enrolment.end_date, enrolment.end_reason == DIPLOMA, enrolment.id)
        for enrolment in facts.enrolments
        if enrolment.end_date is not None and enrolment.end_date < day
    ]
    # Reading: only Entree qualification records are leaving events; a vmbo, havo, pro or
    # vso certificate is not (the rule book names only the Entree qualification).
    events += [
        LeavingEvent(qualification.date, True, None)
        for qualification in facts.qualifications
        if qualification.type == ENTREE and qualification.date < day
    ]
    if not events:
        return None
    # Ties: a diploma wins. Among otherwise equal events the enrolment with the lowest id
    # is reported, only so that the answer does not depend on the order of the facts.
    return max(
        events,
        key=lambda event: (
            event.date,
            event.diploma,
            event.enrolment_id is not None,
            -(event.enrolment_id or 0),
        ),
    )


def lost_job_end_date(
    facts: StudentFacts, diploma_date: date, day: date, settings: RuleSettings
) -> date | None:
    """The latest end_date among the jobs that make the situation `job_lost`, or None.

    > the student had an employment of 12 h or more that started on or after T - 92 days
    > and ended on or after T and before D
    """
    earliest_start = diploma_date - timedelta(days=settings.JOB_LOST_LOOKBACK_DAYS)
    ends = [
        employment.end_date
        for employment in facts.employments
        if counts_as_work(employment, settings)
        and employment.start_date >= earliest_start
        and employment.end_date is not None
        and diploma_date <= employment.end_date < day
    ]
    return max(ends, default=None)


def may_have_leaving_situation(facts: StudentFacts, day: date, settings: RuleSettings) -> bool:
    """> For a student who is in the target group on D, is not enrolled on D, has no future
    > enrolment and is not exempt on D, ...
    """
    return (
        in_target_group(facts, day, settings)
        and not is_enrolled(facts, day)
        and not future_enrolment(facts, day)
        and not exempt(facts, day, settings)
    )


def leaving_situation(facts: StudentFacts, day: date, settings: RuleSettings) -> str | None:
    """The leaving situation on D: `dropout`, `job_lost`, `next_step_check` or None.

    > Then exactly one of these holds:
    > - the latest leaving event ended **without a diploma**: the situation is `dropout`;
    > - it is an **Entree diploma** (date T), and the student had an employment of 12 h or
    >   more that started on or after T - 92 days and ended on or after T and before D:
    >   the situation is `job_lost`;
    > - it is an Entree diploma, without such an employment: the situation is
    >   `next_step_check`.
    > A student with no leaving event (never enrolled, or only enrolled now) has no
    > leaving situation.
    """
    if not may_have_leaving_situation(facts, day, settings):
        return None
    event = latest_leaving_event(facts, day)
    if event is None:
        return None
    if not event.diploma:
        return DROPOUT
    # In the target group a diploma event is an Entree diploma (a diploma at level 2-4 is
    # an SK, vavo never ends in a diploma), and its date is T: any later Entree diploma
    # before D would be a later leaving event.
    if lost_job_end_date(facts, event.date, day, settings) is not None:
        return JOB_LOST
    return NEXT_STEP_CHECK


# ---------------------------------------------------------------------------------------
# Section 2: a secured next step; Doorstroompunt monitoring
# ---------------------------------------------------------------------------------------


def programme_key(name: str) -> str:
    """> names compared case-insensitively, spaces trimmed"""
    # Reading: spaces trimmed at both ends (SQL TRIM), then lower-cased (SQL LOWER).
    return name.strip(" ").lower()


def next_step_secured(
    facts: StudentFacts, enrolment: EnrolmentFact, day: date, settings: RuleSettings
) -> bool:
    """A next step is secured on D for the Entree `enrolment`.

    > when the student has a future enrolment, or another enrolment at level 2, 3, 4 or
    > vavo in a programme with another name (names compared case-insensitively, spaces
    > trimmed) that is enrolled on D, or an employment of 12 h or more with `start_date` on
    > or before the planned end and no `end_date` before the later of D and the planned
    > end, or a step-4/5 destination of type `dagbesteding` or `praktijkleren` with a
    > named place.
    """
    if future_enrolment(facts, day):
        return True
    own_name = programme_key(enrolment.programme)
    for other in facts.enrolments:
        if (
            other.id != enrolment.id
            and other.level in NEXT_STEP_LEVELS
            and programme_key(other.programme) != own_name
            and enrolled_on(other, day)
        ):
            return True
    end = planned_end(enrolment, settings)
    horizon = max(day, end)
    for employment in facts.employments:
        # Reading: the start may lie after D: a contract that starts by the planned end
        # is a secured step.
        if (
            counts_as_work(employment, settings)
            and employment.start_date <= end
            and (employment.end_date is None or employment.end_date >= horizon)
        ):
            return True
    # Reading: a destination counts from the date of the step that logged it; a "named
    # place" is a place that is not empty once spaces are trimmed.
    return any(
        destination.type in SECURED_DESTINATION_TYPES
        and destination.place.strip(" ") != ""
        and destination.date <= day
        for destination in facts.roadmap(enrolment.id).destinations
    )


def in_dsp_population(facts: StudentFacts, day: date, settings: RuleSettings) -> bool:
    """Whether Doorstroompunt monitoring applies on D (it may start later).

    > **Doorstroompunt monitoring** applies to every student in the target group who is
    > not enrolled and has a leaving event dated before D, whether exempt or not (a
    > pro/vso certificate, or an Entree diploma and work); a student without a leaving
    > event is not in it.
    """
    # Reading: "not enrolled" is "not enrolled on D"; a future enrolment does not take a
    # student out of it (dsp_checkin_due asks for "no future enrolment" on its own).
    return (
        in_target_group(facts, day, settings)
        and not is_enrolled(facts, day)
        and latest_leaving_event(facts, day) is not None
    )


def dsp_monitoring_start(facts: StudentFacts, day: date, settings: RuleSettings) -> date | None:
    """The start of Doorstroompunt monitoring (may lie after D), or None outside it.

    > It starts on the later of the student's 18th birthday and X, where X is `T + 12
    > months` when the latest leaving event is an Entree diploma (T), or the `end_date` of
    > the enrolment when the latest leaving event is an enrolment that ended without a
    > diploma.
    """
    if not in_dsp_population(facts, day, settings):
        return None
    event = latest_leaving_event(facts, day)
    if event is None:  # the population has one
        return None
    # Reading: the 12 months are POST_DIPLOMA_MONTHS, the school's year of follow-up after
    # the diploma that the handover to the Doorstroompunt closes.
    x = add_months(event.date, settings.POST_DIPLOMA_MONTHS) if event.diploma else event.date
    # Reading: the "18th birthday" is the KWALIFICATIEPLICHT_AGE birthday, the day the
    # Doorstroompunt becomes the responsible authority.
    return max(birthday(facts.date_of_birth, settings.KWALIFICATIEPLICHT_AGE), x)


def in_dsp_monitoring(facts: StudentFacts, day: date, settings: RuleSettings) -> bool:
    """In Doorstroompunt monitoring on D: it applies, and it started on or before D."""
    start = dsp_monitoring_start(facts, day, settings)
    return start is not None and start <= day


# ---------------------------------------------------------------------------------------
# Section 2: the signals, one function per row of the table
# ---------------------------------------------------------------------------------------


def entree_enrolments_on(facts: StudentFacts, day: date) -> list[EnrolmentFact]:
    """The Entree enrolments that are enrolled on D, for the three enrolment signals.

    > The three *enrolment signals* (`study_advice_due`, `perspective_due`,
    > `no_next_step`) follow the Entree enrolment for every student.
    > The enrolment signals stay open (overdue) as long as the enrolment runs, also past
    > the planned end.
    """
    return [
        enrolment
        for enrolment in facts.enrolments
        if enrolment.level == ENTREE and enrolled_on(enrolment, day)
    ]


def study_advice_due_date(enrolment: EnrolmentFact, settings: RuleSettings) -> date:
    """> `start_date + STUDY_ADVICE_WEEKS` (16 weeks = 112 days)"""
    return enrolment.start_date + timedelta(weeks=settings.STUDY_ADVICE_WEEKS)


def study_advice_due_signals(
    facts: StudentFacts, day: date, settings: RuleSettings
) -> list[Signal]:
    """`study_advice_due`, assignee school.

    > an Entree enrolment is enrolled on D, has no study advice (roadmap step 2) logged,
    > and `D >= due - STUDY_ADVICE_NOTICE_DAYS` (14)
    """
    signals = []
    for enrolment in entree_enrolments_on(facts, day):
        due = study_advice_due_date(enrolment, settings)
        advice_date = facts.roadmap(enrolment.id).study_advice_date
        logged = advice_date is not None and advice_date <= day
        if not logged and day >= due - timedelta(days=settings.STUDY_ADVICE_NOTICE_DAYS):
            signals.append(Signal(STUDY_ADVICE_DUE, due, SCHOOL, enrolment.id))
    return signals


def perspective_due_date(enrolment: EnrolmentFact, settings: RuleSettings) -> date:
    """> the earlier of (the first `SPRING_DATE` (1 April) on or after `start_date + 112
    > days`) and (planned end - 91 days)
    """
    # Reading: the 112 days are the study-advice moment ("16 weeks = 112 days" in the row
    # above), so they follow STUDY_ADVICE_WEEKS: the perspective comes after the advice.
    after_advice = study_advice_due_date(enrolment, settings)
    spring = yearly_date_on_or_after(after_advice, settings.SPRING_DATE)
    before_end = planned_end(enrolment, settings) - timedelta(
        days=settings.PERSPECTIVE_BEFORE_END_DAYS
    )
    return min(spring, before_end)


def perspective_due_signals(facts: StudentFacts, day: date, settings: RuleSettings) -> list[Signal]:
    """`perspective_due`, assignee school.

    > an Entree enrolment is enrolled on D, has no outflow perspective (step 4) logged,
    > and `D >= due - PERSPECTIVE_NOTICE_DAYS` (28)
    """
    signals = []
    for enrolment in entree_enrolments_on(facts, day):
        due = perspective_due_date(enrolment, settings)
        perspective_date = facts.roadmap(enrolment.id).perspective_date
        logged = perspective_date is not None and perspective_date <= day
        if not logged and day >= due - timedelta(days=settings.PERSPECTIVE_NOTICE_DAYS):
            signals.append(Signal(PERSPECTIVE_DUE, due, SCHOOL, enrolment.id))
    return signals


def no_next_step_signals(facts: StudentFacts, day: date, settings: RuleSettings) -> list[Signal]:
    """`no_next_step`, assignee school, due the planned end.

    > an Entree enrolment is enrolled on D, `D >= planned end - NO_NEXT_STEP_DAYS` (56),
    > and no next step is secured
    """
    signals = []
    for enrolment in entree_enrolments_on(facts, day):
        due = planned_end(enrolment, settings)
        in_window = day >= due - timedelta(days=settings.NO_NEXT_STEP_DAYS)
        if in_window and not next_step_secured(facts, enrolment, day, settings):
            signals.append(Signal(NO_NEXT_STEP, due, SCHOOL, enrolment.id))
    return signals


def dropout_signals(facts: StudentFacts, day: date, settings: RuleSettings) -> list[Signal]:
    """`dropout`, assignee the responsible authority on D.

    > open on D when the leaving situation is `dropout`; due `end_date + 7 days` of that
    > enrolment
    """
    if leaving_situation(facts, day, settings) != DROPOUT:
        return []
    event = latest_leaving_event(facts, day)
    if event is None:  # a leaving situation has one
        return []
    due = event.date + timedelta(days=settings.DROPOUT_DUE_DAYS)
    return [Signal(DROPOUT, due, responsible_authority(facts, day, settings))]


def job_lost_signals(facts: StudentFacts, day: date, settings: RuleSettings) -> list[Signal]:
    """`job_lost`, assignee the responsible authority on D.

    > open on D when the leaving situation is `job_lost`; due 14 days after the latest
    > `end_date` among those employments
    """
    if leaving_situation(facts, day, settings) != JOB_LOST:
        return []
    event = latest_leaving_event(facts, day)
    if event is None:  # a leaving situation has one
        return []
    lost = lost_job_end_date(facts, event.date, day, settings)
    if lost is None:  # the situation job_lost has one
        return []
    due = lost + timedelta(days=settings.JOB_LOST_DUE_DAYS)
    return [Signal(JOB_LOST, due, responsible_authority(facts, day, settings))]


def next_step_check_signals(facts: StudentFacts, day: date, settings: RuleSettings) -> list[Signal]:
    """`next_step_check`, assignee the responsible authority on D.

    > open on D when the leaving situation is `next_step_check`; due the first
    > `VSV_REFERENCE_DATE` (1 October) after T
    """
    if leaving_situation(facts, day, settings) != NEXT_STEP_CHECK:
        return []
    event = latest_leaving_event(facts, day)
    if event is None:  # a leaving situation has one
        return []
    due = first_reference_date_after(event.date, settings)
    return [Signal(NEXT_STEP_CHECK, due, responsible_authority(facts, day, settings))]


def work_checkin_due_date(facts: StudentFacts, day: date, settings: RuleSettings) -> date | None:
    """`T + 3k months` for the latest check-in number k (1..4) with
    `D >= T + 3k months - 14 days`, or None (before the first, or without T)."""
    diploma_date = entree_diploma_date(facts, day)
    if diploma_date is None:
        return None
    max_k = settings.POST_DIPLOMA_MONTHS // settings.WORK_CHECKIN_MONTHS
    return latest_repeat(
        diploma_date, settings.WORK_CHECKIN_MONTHS, settings.CHECKIN_NOTICE_DAYS, day, max_k
    )


def contact_logged_for(
    contacts: Iterable[date], due: date, day: date, settings: RuleSettings
) -> bool:
    """A contact moment logged on or after `due - 28 days` (and, being known on D, by D)."""
    since = due - timedelta(days=settings.CHECKIN_LOOKBACK_DAYS)
    return any(since <= contact <= day for contact in contacts)


def work_checkin_due_signals(
    facts: StudentFacts, day: date, settings: RuleSettings
) -> list[Signal]:
    """`work_checkin_due`, assignee school, due `T + 3k months`; only the latest is open.

    > the student has an Entree diploma (T), is working on D, is not enrolled on D,
    > `T < D <= T + POST_DIPLOMA_MONTHS` (12 months), and for the latest check-in number k
    > (1..4) with `D >= T + 3k months - 14 days` no work check-in was logged on or after
    > `T + 3k months - 28 days`
    """
    if not in_target_group(facts, day, settings):
        return []
    diploma_date = entree_diploma_date(facts, day)  # T < D by its definition
    if diploma_date is None or day > add_months(diploma_date, settings.POST_DIPLOMA_MONTHS):
        return []
    if not working_on(facts, day, settings) or is_enrolled(facts, day):
        return []
    due = work_checkin_due_date(facts, day, settings)
    if due is None or contact_logged_for(facts.work_checkins, due, day, settings):
        return []
    return [Signal(WORK_CHECKIN_DUE, due, SCHOOL)]


def handover_acknowledged(facts: StudentFacts, diploma_date: date, day: date) -> bool:
    """Whether the Doorstroompunt acknowledged, by D, the handover after the diploma T."""
    # Reading: an acknowledgement belongs to the handover of the latest Entree diploma
    # when it is dated on or after T; a later Entree diploma needs a new one.
    return any(diploma_date <= ack <= day for ack in facts.handover_acknowledgements)


def monitoring_handover_signals(
    facts: StudentFacts, day: date, settings: RuleSettings
) -> list[Signal]:
    """`monitoring_handover`, assignee doorstroompunt, due `T + 12 months`.

    > the student has an Entree diploma (T), is not enrolled on D and has no future
    > enrolment, `D >= T + 12 months - 14 days`, and the handover was not acknowledged
    """
    # Reading: it has no end of its own: it stays open (overdue) until acknowledged while
    # the student is in the target group, not enrolled and without a future enrolment,
    # also when the student is exempt, and also when a later dropout followed T.
    if not in_target_group(facts, day, settings):
        return []
    diploma_date = entree_diploma_date(facts, day)
    if diploma_date is None or is_enrolled(facts, day) or future_enrolment(facts, day):
        return []
    due = add_months(diploma_date, settings.POST_DIPLOMA_MONTHS)
    if day < due - timedelta(days=settings.HANDOVER_NOTICE_DAYS):
        return []
    if handover_acknowledged(facts, diploma_date, day):
        return []
    return [Signal(MONITORING_HANDOVER, due, DOORSTROOMPUNT)]


def dsp_checkin_due_date(facts: StudentFacts, day: date, settings: RuleSettings) -> date | None:
    """The latest `start + 6k months` with `D >= due - 14 days`, or None.

    > every `DSP_CHECKIN_MONTHS` (6) after the monitoring start: start + 6 months,
    > + 12 months, ...
    """
    start = dsp_monitoring_start(facts, day, settings)
    if start is None:
        return None
    return latest_repeat(start, settings.DSP_CHECKIN_MONTHS, settings.CHECKIN_NOTICE_DAYS, day)


def dsp_checkin_due_signals(facts: StudentFacts, day: date, settings: RuleSettings) -> list[Signal]:
    """`dsp_checkin_due`, assignee doorstroompunt; only the latest due date is open.

    > the student is 18 or older, not enrolled on D, has no future enrolment, is in
    > *Doorstroompunt monitoring* (below), and for the latest due date with
    > `D >= due - 14 days` no Doorstroompunt contact was logged on or after `due - 28 days`
    """
    if age(facts, day) < settings.KWALIFICATIEPLICHT_AGE:
        return []
    if is_enrolled(facts, day) or future_enrolment(facts, day):
        return []
    # None outside the target group or without a leaving event; the first due date lies
    # after the start, so "in monitoring on D" holds whenever a due date's window is open.
    due = dsp_checkin_due_date(facts, day, settings)
    if due is None or contact_logged_for(facts.dsp_contacts, due, day, settings):
        return []
    return [Signal(DSP_CHECKIN_DUE, due, DOORSTROOMPUNT)]


# In the order of the table; each returns the signals of its kind that must be open on D.
SIGNAL_RULES = (
    study_advice_due_signals,
    perspective_due_signals,
    no_next_step_signals,
    dropout_signals,
    job_lost_signals,
    next_step_check_signals,
    work_checkin_due_signals,
    monitoring_handover_signals,
    dsp_checkin_due_signals,
)


def open_signals(facts: StudentFacts, day: date, settings: RuleSettings) -> tuple[Signal, ...]:
    """Every signal the rules want open on D, sorted."""
    return tuple(sorted(signal for rule in SIGNAL_RULES for signal in rule(facts, day, settings)))


def stop_advice(facts: StudentFacts, day: date) -> bool:
    """> a student whose step-2 advice was "stop" """
    # Reading: any step-2 advice "stop" dated on or before D, on any of the student's
    # Entree enrolments, also a finished one: the rule book sets no end to it.
    return any(
        roadmap.study_advice == ADVICE_STOP
        and roadmap.study_advice_date is not None
        and roadmap.study_advice_date <= day
        for roadmap in facts.roadmaps
    )


def doorstroomtafel_candidate(facts: StudentFacts, day: date, signals: Iterable[Signal]) -> bool:
    """Doorstroomtafel candidate on D, given the signals open on D.

    > A student with an open `dropout`, `next_step_check` or `job_lost` signal is a
    > **Doorstroomtafel candidate**, and so is a student whose step-2 advice was "stop",
    > and a student with `no_next_step` open.
    """
    # Reading: "open" is what the rules want open on D (evaluate passes open_signals); a
    # signal a person resolved is for the caller to subtract.
    in_signals = any(signal.kind in DOORSTROOMTAFEL_KINDS for signal in signals)
    return in_signals or stop_advice(facts, day)


# ---------------------------------------------------------------------------------------
# Section 3: VSV status on D
# ---------------------------------------------------------------------------------------


def counts_as_vsv(facts: StudentFacts, day: date, settings: RuleSettings) -> bool:
    """VSV on D (early leaver), the operational definition.

    > A student **counts as VSV on D** when all hold:
    > 1. in the target group on D;
    > 2. not enrolled on D and no future enrolment;
    > 3. not exempt on D;
    > 4. has a leaving situation (section 2), and either it is `dropout`, or D is on or
    >    after the first 1 October after the Entree diploma date T (until then a graduate
    >    is *in transition*, whether or not a job was found and lost).
    """
    situation = leaving_situation(facts, day, settings)  # None unless 1, 2 and 3 hold
    if situation is None:
        return False
    if situation == DROPOUT:
        return True
    # In the target group a diploma event is an Entree diploma, so T exists here.
    diploma_date = entree_diploma_date(facts, day)
    return diploma_date is not None and day >= first_reference_date_after(diploma_date, settings)


# ---------------------------------------------------------------------------------------
# Section 4: end of monitoring
# ---------------------------------------------------------------------------------------


def monitoring_end_reason(facts: StudentFacts, day: date, settings: RuleSettings) -> str | None:
    """`age_limit` or `startkwalificatie` outside the target group on D; None inside.

    > On the day a student leaves the target group (the upper-age birthday, or the date of
    > an SK), every open signal for that student other than the enrolment signals is
    > closed with the reason `age_limit` or `startkwalificatie`, and the student's
    > monitoring status becomes *ended*.
    """
    if in_target_group(facts, day, settings):
        return None
    # Reading: when both hold, startkwalificatie: an SK is final, while the age limit can
    # be lifted by a later upper age (as on 2026-01-01). Monitoring reads as ended on every
    # D outside the target group, also for a student who was never in it.
    if has_startkwalificatie(facts, day):
        return STARTKWALIFICATIE
    return AGE_LIMIT


# ---------------------------------------------------------------------------------------
# Everything for one student on D
# ---------------------------------------------------------------------------------------


def evaluate(facts: StudentFacts, day: date, settings: RuleSettings | None = None) -> Evaluation:
    """The rule book applied to one student on D (settings: the project's by default)."""
    if settings is None:
        settings = RuleSettings.from_django()
    signals = open_signals(facts, day, settings)
    end_reason = monitoring_end_reason(facts, day, settings)
    dsp_start = dsp_monitoring_start(facts, day, settings)
    return Evaluation(
        date=day,
        signals=signals,
        vsv=counts_as_vsv(facts, day, settings),
        in_target_group=end_reason is None,
        exempt=exempt(facts, day, settings),
        responsible_authority=responsible_authority(facts, day, settings),
        leaving_situation=leaving_situation(facts, day, settings),
        entree_diploma_date=entree_diploma_date(facts, day),
        dsp_monitoring_start=dsp_start,
        in_dsp_monitoring=dsp_start is not None and dsp_start <= day,
        monitoring_ended=end_reason is not None,
        monitoring_end_reason=end_reason,
        doorstroomtafel_candidate=doorstroomtafel_candidate(facts, day, signals),
    )
