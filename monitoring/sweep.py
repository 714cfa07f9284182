"""The daily checks as one set-based sweep for a date D (MONITORING.md sections 2-4).

    run_sweep(day) -> SweepResult

On PostgreSQL the rules run as set-based SQL over the whole population
(monitoring.sweep_sql: a fixed number of statements, no per-student work in Python). The
path below, which evaluates each candidate with monitoring.rules (the oracle) in Python,
is the one for SQLite (the `make run` demo) and `engine="python"`; the two write the same
rows (tests/monitoring/test_sweep_sql.py). The Python path:

1. One query selects the *candidates*: every student who can have a signal or count as
   VSV on D (an Entree enrolment enrolled on D; or in the target group, not enrolled and
   with a leaving event before D), plus every student who has an open signal or a live
   monitoring status, so that what no longer holds can be closed.
2. Per chunk of CHUNK_SIZE candidates, a fixed number of `values_list` queries loads
   their facts (students, enrolments, qualifications, employments, study advice,
   perspective, contact moments, statuses); monitoring.rules.evaluate (the
   oracle) says what must be open on D.
3. The signals the rules want open go to the one signal writer
   (monitoring.signals_sync), which writes the difference with the stored ones
   set-based; the status rows are written here, one UPDATE per distinct value. Nothing
   else is written, so a second run for the same D writes nothing.

The statements per run depend on the number of chunks (and of distinct organisations
among the changes), never on the number of students. The whole run is one transaction
under a lock (PostgreSQL advisory lock; SQLite's IMMEDIATE transaction), so two
overlapping runs serialise and the second finds nothing to do; the unique identity
constraint is the last guard. A worker killed mid-run leaves nothing: the transaction
rolls back and the retry (acks_late) does the whole day again.

Other apps add checks with `register_check(name, fn, kinds={kind: label})` in their
AppConfig.ready(); `fn(*, today)` runs after the rules and writes its signals through
monitoring.signals_sync; monitoring imports none of those apps.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind
from roadmap.models import ContactKind, ContactMoment, PerspectiveStep, StudyAdviceStep
from students.dates import dated_value, latest_birth_date_for_age
from students.models import Employment, Enrolment, Qualification, Student
from students.queries import startkwalificatie_q

from . import rules
from .models import (
    MONITORING_SOURCE,
    MonitoringStatus,
    Signal,
    SignalStatus,
    register_signal_kind,
)
from .rule_settings import RuleSettings
from .signals_sync import SyncResult, Wanted, lock, signals_sync

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000

_checks: dict[str, object] = {}


def register_check(name: str, fn, *, kinds: dict | None = None):
    """Add a check that runs after the rules in every sweep: `fn(*, today)`, with the
    signal kinds it raises and their labels ({kind: label}), which the attention list
    and every page show.

    Registering the same name again replaces it (AppConfig.ready may run twice)."""
    _checks[name] = fn
    for kind, label in (kinds or {}).items():
        register_signal_kind(kind, label)
    return fn


def registered_checks() -> dict:
    return dict(_checks)


@dataclass
class SweepResult:
    date: date
    candidates: int = 0
    chunks: int = 0
    opened: int = 0
    reopened: int = 0
    closed: int = 0
    reassigned: int = 0
    events: int = 0
    statuses_written: int = 0
    checks: dict = field(default_factory=dict)

    @property
    def rows_written(self) -> int:
        return (
            self.opened
            + self.reopened
            + self.closed
            + self.reassigned
            + self.events
            + self.statuses_written
        )


# --- 1. Candidates -----------------------------------------------------------------


def enrolled_on_q(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})
    )


def candidates_queryset(day: date, settings: RuleSettings):
    """Every student the rules may have something to say about on D, as one query."""
    entree_now = Enrolment.objects.filter(enrolled_on_q(day), level=rules.ENTREE)
    enrolled_now = Enrolment.objects.filter(enrolled_on_q(day), student=OuterRef("pk"))
    ended_before = Enrolment.objects.filter(student=OuterRef("pk"), end_date__lt=day)
    entree_before = Qualification.objects.filter(
        student=OuterRef("pk"), type=rules.ENTREE, date__lt=day
    )
    too_old_born_by = latest_birth_date_for_age(dated_value(settings.UPPER_AGE, day), day)
    # Every non-enrolment signal and VSV need: in the target group, not enrolled on D
    # and a leaving event before D (an Entree diploma is one too).
    left_in_target_group = (
        Q(date_of_birth__gt=too_old_born_by)
        & ~startkwalificatie_q(day)
        & ~Q(Exists(enrolled_now))
        & (Q(Exists(ended_before)) | Q(Exists(entree_before)))
    )
    open_signal = Signal.objects.filter(
        student=OuterRef("pk"), status=SignalStatus.OPEN, source=MONITORING_SOURCE
    )
    live_status = MonitoringStatus.objects.filter(student=OuterRef("pk")).filter(
        Q(monitoring_ended=False) | Q(vsv=True)
    )
    return Student.objects.filter(
        Q(Exists(entree_now.filter(student=OuterRef("pk"))))
        | left_in_target_group
        | Q(Exists(open_signal))
        | Q(Exists(live_status))
    )


# --- 2. Facts in bulk ---------------------------------------------------------------


@dataclass
class ChunkData:
    facts: dict  # student id -> rules.StudentFacts
    region: dict  # student id -> region id
    latest_school: dict  # student id -> institution id of the latest enrolment
    institution: dict  # enrolment id -> institution id
    statuses: dict  # student id -> status tuple


def load_chunk(student_ids: list[int]) -> ChunkData:
    """The facts of these students, with one query per table."""
    students = Student.objects.filter(pk__in=student_ids).values_list(
        "pk", "date_of_birth", "municipality__region_id"
    )
    enrolments = defaultdict(list)
    institution, latest = {}, {}
    for row in (
        Enrolment.objects.filter(student_id__in=student_ids)
        .order_by()
        .values_list(
            "pk",
            "student_id",
            "level",
            "programme",
            "start_date",
            "planned_end_date",
            "end_date",
            "end_reason",
            "institution_id",
        )
    ):
        pk, student_id, level, programme, start, planned, end, reason, institution_id = row
        enrolments[student_id].append(
            rules.EnrolmentFact(pk, level, programme, start, planned, end, reason)
        )
        institution[pk] = institution_id
        if student_id not in latest or (start, pk) > latest[student_id][0]:
            latest[student_id] = ((start, pk), institution_id)

    qualifications = defaultdict(list)
    for student_id, kind, day, level in (
        Qualification.objects.filter(student_id__in=student_ids)
        .order_by()
        .values_list("student_id", "type", "date", "level")
    ):
        qualifications[student_id].append(rules.QualificationFact(kind, day, level))

    employments = defaultdict(list)
    for student_id, hours, start, end in (
        Employment.objects.filter(student_id__in=student_ids)
        .order_by()
        .values_list("student_id", "hours_per_week", "start_date", "end_date")
    ):
        employments[student_id].append(rules.EmploymentFact(hours, start, end))

    roadmaps = defaultdict(dict)  # student -> enrolment -> kwargs
    for student_id, enrolment_id, day, advice in (
        StudyAdviceStep.objects.filter(enrolment__student_id__in=student_ids)
        .order_by()
        .values_list("enrolment__student_id", "enrolment_id", "date", "advice")
    ):
        roadmaps[student_id].setdefault(enrolment_id, {}).update(
            study_advice_date=day, study_advice=advice
        )
    for student_id, enrolment_id, day, perspective, place in (
        PerspectiveStep.objects.filter(enrolment__student_id__in=student_ids)
        .order_by()
        .values_list(
            "enrolment__student_id", "enrolment_id", "date", "perspective", "destination_place"
        )
    ):
        roadmaps[student_id].setdefault(enrolment_id, {}).update(
            perspective_date=day,
            destinations=(rules.DestinationFact(perspective, place, day),),
        )

    checkins, dsp_contacts = defaultdict(list), defaultdict(list)
    for student_id, kind, day in (
        ContactMoment.objects.filter(
            student_id__in=student_ids,
            kind__in=[ContactKind.WORK_CHECKIN, ContactKind.DSP_CONTACT],
        )
        .order_by()
        .values_list("student_id", "kind", "date")
    ):
        (checkins if kind == ContactKind.WORK_CHECKIN else dsp_contacts)[student_id].append(day)

    statuses = {
        row[0]: row[1:]
        for row in MonitoringStatus.objects.filter(student_id__in=student_ids)
        .order_by()
        .values_list(
            "student_id",
            "vsv",
            "in_target_group",
            "leaving_situation",
            "monitoring_ended",
            "end_reason",
        )
    }

    facts, region = {}, {}
    for pk, date_of_birth, region_id in students:
        region[pk] = region_id
        facts[pk] = rules.StudentFacts(
            date_of_birth=date_of_birth,
            enrolments=tuple(enrolments.get(pk, ())),
            qualifications=tuple(qualifications.get(pk, ())),
            employments=tuple(employments.get(pk, ())),
            roadmaps=tuple(
                rules.RoadmapFact(enrolment_id=enrolment_id, **values)
                for enrolment_id, values in roadmaps.get(pk, {}).items()
            ),
            work_checkins=tuple(checkins.get(pk, ())),
            dsp_contacts=tuple(dsp_contacts.get(pk, ())),
            # The Doorstroompunt acknowledges a handover by resolving its signal, which
            # the rules never reopen: no separate acknowledgement record is needed.
        )
    return ChunkData(
        facts=facts,
        region=region,
        latest_school={student_id: value[1] for student_id, value in latest.items()},
        institution=institution,
        statuses=statuses,
    )


def regional_organisations() -> dict:
    """{(kind, region id): organisation id} for Leerplicht and the Doorstroompunt."""
    found = {}
    for pk, kind, region_id in (
        Organisation.objects.filter(
            kind__in=[OrganisationKind.LEERPLICHT, OrganisationKind.DOORSTROOMPUNT],
            is_active=True,
        )
        .order_by("pk")
        .values_list("pk", "kind", "region_id")
    ):
        found.setdefault((kind, region_id), pk)
    return found


# --- 3. The difference, written set-based --------------------------------------------


def status_of(evaluation: rules.Evaluation, had_row: bool):
    """The status row to keep for this evaluation, or None for no row."""
    if evaluation.monitoring_ended:
        if not had_row:
            return None
        return (False, False, "", True, evaluation.monitoring_end_reason)
    interesting = (
        evaluation.vsv
        or evaluation.leaving_situation is not None
        or evaluation.in_dsp_monitoring
        or any(signal.kind not in rules.ENROLMENT_SIGNAL_KINDS for signal in evaluation.signals)
    )
    if not interesting:
        return None
    return (evaluation.vsv, True, evaluation.leaving_situation or "", False, "")


class _Writer:
    """Collects one chunk's wanted signals and status changes; the signals go to the one
    signal writer, the status rows are written here with a fixed number of statements."""

    def __init__(self, day: date, now, result: SweepResult):
        self.day, self.now, self.result = day, now, result
        self.wanted = []  # signals_sync.Wanted
        self.ended = {}  # student id -> end reason (monitoring ended)
        self.new_statuses = []
        self.status_updates = defaultdict(list)  # status tuple -> [student id]
        self.status_deletes = []

    def write(self, student_ids):
        result = self.result
        written = signals_sync(
            MONITORING_SOURCE,
            self.wanted,
            self.day,
            students=student_ids,
            ended=self.ended,
            reason_exempt_kinds=rules.ENROLMENT_SIGNAL_KINDS,
            now=self.now,
        )
        add_sync_result(result, written)
        if self.new_statuses:
            MonitoringStatus.objects.bulk_create(self.new_statuses)
            result.statuses_written += len(self.new_statuses)
        for values, status_student_ids in self.status_updates.items():
            vsv, in_target_group, situation, ended, reason = values
            result.statuses_written += MonitoringStatus.objects.filter(
                student_id__in=status_student_ids
            ).update(
                vsv=vsv,
                in_target_group=in_target_group,
                leaving_situation=situation,
                monitoring_ended=ended,
                end_reason=reason,
                changed_on=self.day,
            )
        if self.status_deletes:
            deleted, _ = MonitoringStatus.objects.filter(
                student_id__in=self.status_deletes
            ).delete()
            result.statuses_written += deleted


def add_sync_result(result: SweepResult, written: SyncResult):
    result.opened += written.opened
    result.reopened += written.reopened
    result.closed += written.closed
    result.reassigned += written.reassigned
    result.events += written.events


def organisation_for(signal: rules.Signal, student_id, data: ChunkData, regional: dict):
    if signal.assignee == rules.SCHOOL:
        if signal.enrolment_id is not None:
            return data.institution.get(signal.enrolment_id)
        return data.latest_school.get(student_id)
    return regional.get((signal.assignee, data.region.get(student_id)))


def diff_student(student_id, evaluation, data: ChunkData, regional: dict, writer: _Writer):
    """The signals the rules want open for this student, and the status row to keep."""
    for signal in evaluation.signals:
        writer.wanted.append(
            Wanted(
                student_id=student_id,
                kind=signal.kind,
                due_date=signal.due_date,
                assignee=signal.assignee,
                organisation_id=organisation_for(signal, student_id, data, regional),
                enrolment_id=signal.enrolment_id,
            )
        )
    if evaluation.monitoring_ended:
        writer.ended[student_id] = evaluation.monitoring_end_reason

    had_row = student_id in data.statuses
    desired = status_of(evaluation, had_row)
    if desired is None:
        if had_row:
            writer.status_deletes.append(student_id)
    elif not had_row:
        vsv, in_target_group, situation, ended, reason = desired
        writer.new_statuses.append(
            MonitoringStatus(
                student_id=student_id,
                vsv=vsv,
                in_target_group=in_target_group,
                leaving_situation=situation,
                monitoring_ended=ended,
                end_reason=reason,
                changed_on=writer.day,
            )
        )
    elif tuple(data.statuses[student_id]) != desired:
        writer.status_updates[desired].append(student_id)


# --- The run -------------------------------------------------------------------------


def _lock():
    lock(MONITORING_SOURCE)


def _use_sqlite_parameter_limit():
    """Django assumes SQLite's old limit of 999 parameters a statement and would split a
    bulk insert into many; the linked SQLite allows far more, so batch by the real one."""
    if connection.vendor != "sqlite":
        return
    import sqlite3

    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    if limit > connection.features.max_query_params:
        connection.features.max_query_params = limit


def sql_engine_available() -> bool:
    """The set-based SQL rules (monitoring.sweep_sql) need PostgreSQL; SQLite (the `make
    run` demo) keeps the Python evaluation, which gives the same answer."""
    return connection.vendor == "postgresql"


def run_rules(
    day: date,
    *,
    settings: RuleSettings | None = None,
    chunk_size=CHUNK_SIZE,
    engine: str | None = None,
    timings: dict | None = None,
):
    """The monitoring rules for D, in one transaction; returns a SweepResult.

    engine: "sql" (PostgreSQL, the default there) or "python" (the default elsewhere)."""
    if engine is None:
        engine = "sql" if sql_engine_available() else "python"
    if engine == "sql":
        from .sweep_sql import run_rules_sql

        settings = settings or RuleSettings.from_django()
        with transaction.atomic():
            return run_rules_sql(day, settings, SweepResult(date=day), timings=timings)
    if engine != "python":
        raise ValueError(f"unknown sweep engine: {engine}")
    return run_rules_python(day, settings=settings, chunk_size=chunk_size)


def run_rules_python(day: date, *, settings: RuleSettings | None = None, chunk_size=CHUNK_SIZE):
    """The rules evaluated per candidate in Python (monitoring.rules), written set-based."""
    settings = settings or RuleSettings.from_django()
    result = SweepResult(date=day)
    _use_sqlite_parameter_limit()
    with transaction.atomic():
        _lock()
        now = timezone.now()
        candidate_ids = list(
            candidates_queryset(day, settings).order_by("pk").values_list("pk", flat=True)
        )
        result.candidates = len(candidate_ids)
        regional = regional_organisations() if candidate_ids else {}
        for start in range(0, len(candidate_ids), chunk_size):
            chunk = candidate_ids[start : start + chunk_size]
            data = load_chunk(chunk)
            writer = _Writer(day, now, result)
            for student_id, facts in data.facts.items():
                evaluation = rules.evaluate(facts, day, settings)
                diff_student(student_id, evaluation, data, regional, writer)
            writer.write(chunk)
            result.chunks += 1
    return result


def run_sweep(
    day: date,
    *,
    settings: RuleSettings | None = None,
    chunk_size=CHUNK_SIZE,
    engine: str | None = None,
):
    """The rules, then every registered check, for D."""
    result = run_rules(day, settings=settings, chunk_size=chunk_size, engine=engine)
    for name, check in registered_checks().items():
        result.checks[name] = check(today=day)
    logger.info(
        "monitoring sweep for %s: %s candidates, %s opened, %s reopened, %s closed",
        day,
        result.candidates,
        result.opened,
        result.reopened,
        result.closed,
    )
    return result
