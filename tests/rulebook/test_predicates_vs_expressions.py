"""Each rule of the rule book: its predicate (Python) against its expression (database).

Hypothesis draws a small population (students with enrolments, qualifications,
employments, step-2 advice, step-4 perspectives and signals) and a date D; the rows are
written, the predicate of rulebook.rules is evaluated over the same values as plain facts,
the expression of rulebook.expressions (as the apps use it) selects in the database, and
the two sets must be equal. Every example runs in a savepoint that is rolled back.

On SQLite in the normal run; on PostgreSQL (CI, or DATABASE_URL) the same tests run
there, and the SQL fragments the set-based sweep uses are checked too (marked postgres).
"""

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Municipality, Organisation
from doorstroomtafel.queries import candidate_q
from monitoring.models import MONITORING_SOURCE, Signal
from roadmap.models import PerspectiveStep, StudyAdviceStep
from rulebook import expressions, rules
from rulebook import vocabulary as v
from rulebook.settings import RuleSettings
from students.models import Employment, Enrolment, Qualification, Student
from students.queries import in_target_group_q, startkwalificatie_q
from tests.factories import make_user

pytestmark = pytest.mark.django_db

EXAMPLES = hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

DAYS = st.dates(date(2023, 1, 1), date(2027, 12, 31))
# Names that are equal, or not, once trimmed and lower-cased (ASCII: SQLite's LOWER).
PROGRAMMES = ["Entree", " entree ", "ENTREE", "Logistiek", "logistiek ", "Zorg"]

enrolment_values = st.fixed_dictionaries(
    {
        "level": st.sampled_from(v.LEVELS),
        "programme": st.sampled_from(PROGRAMMES),
        "start": DAYS,
        "planned": st.one_of(st.none(), st.integers(0, 400)),
        "ends_after": st.one_of(st.none(), st.integers(0, 500)),
        "reason": st.sampled_from(v.END_REASONS),
        "advice": st.one_of(st.none(), st.tuples(st.sampled_from(v.ADVICES), st.integers(0, 300))),
        "perspective": st.one_of(
            st.none(),
            st.tuples(
                st.sampled_from(v.PERSPECTIVES),
                st.sampled_from(["", "  ", "Zorgboerderij De Wei"]),
                st.integers(0, 400),
            ),
        ),
    }
)
qualification_values = st.tuples(
    st.sampled_from(v.QUALIFICATION_TYPES), st.sampled_from([2, 3, 4]), DAYS
)
employment_values = st.tuples(
    st.sampled_from([8, 11.5, 12, 16, 32]), DAYS, st.one_of(st.none(), st.integers(0, 400))
)
signal_values = st.tuples(
    st.sampled_from(v.SIGNAL_KINDS), st.sampled_from(["open", "resolved", "closed"]), DAYS
)
student_values = st.fixed_dictionaries(
    {
        "born": st.one_of(
            st.dates(date(1997, 1, 1), date(2012, 12, 31)),
            st.sampled_from([date(2004, 2, 29), date(2008, 2, 29)]),
        ),
        "enrolments": st.lists(enrolment_values, max_size=3),
        "qualifications": st.lists(qualification_values, max_size=2),
        "employments": st.lists(employment_values, max_size=2),
        "signals": st.lists(signal_values, max_size=2),
    }
)
populations = st.lists(student_values, min_size=1, max_size=5)


class _Rollback(Exception):
    pass


@pytest.fixture
def world(db):
    author = make_user("mentor@horizon.test", "mentor", "Horizon College")
    return {
        "author": author,
        "school": Organisation.objects.filter(kind="school").order_by("pk").first(),
        "municipality": Municipality.objects.order_by("pk").first(),
    }


def write(population, world):
    """The population as rows, and per student its facts: {student_id: StudentFacts},
    {enrolment_id: (student_id, EnrolmentFact)}, {student_id: [open rules.Signal]}."""
    facts, enrolment_facts, open_signals = {}, {}, {}
    for number, values in enumerate(population):
        student = Student.objects.create(
            student_number=f"{900000 + number}",
            first_name="Test",
            last_name=f"Student {number}",
            date_of_birth=values["born"],
            municipality=world["municipality"],
        )
        enrolments, roadmaps, seen = [], [], set()
        for index, e in enumerate(values["enrolments"]):
            start = e["start"] + timedelta(days=index)  # distinct: the enrolment key
            planned = start + timedelta(days=e["planned"]) if e["planned"] is not None else None
            end = start + timedelta(days=e["ends_after"]) if e["ends_after"] is not None else None
            reason = e["reason"] if end else ""
            if e["level"] == v.VAVO and reason == v.DIPLOMA:
                reason = v.END_DROPOUT  # vavo never ends in a diploma (a check constraint)
            enrolment = Enrolment.objects.create(
                student=student,
                institution=world["school"],
                programme=e["programme"],
                level=e["level"],
                start_date=start,
                planned_end_date=planned,
                end_date=end,
                end_reason=reason,
            )
            fact = rules.EnrolmentFact(
                id=enrolment.pk,
                level=e["level"],
                programme=e["programme"],
                start_date=start,
                planned_end_date=planned,
                end_date=end,
                end_reason=reason,
            )
            enrolments.append(fact)
            enrolment_facts[enrolment.pk] = (student.pk, fact)
            roadmap = {}
            if e["advice"] is not None:
                advice, after = e["advice"]
                StudyAdviceStep.objects.create(
                    enrolment=enrolment,
                    date=start + timedelta(days=after),
                    advice=advice,
                    author=world["author"],
                )
                roadmap.update(study_advice=advice, study_advice_date=start + timedelta(days=after))
            if e["perspective"] is not None:
                kind, place, after = e["perspective"]
                day = start + timedelta(days=after)
                PerspectiveStep.objects.create(
                    enrolment=enrolment,
                    date=day,
                    perspective=kind,
                    destination_place=place,
                    author=world["author"],
                )
                roadmap.update(
                    perspective_date=day, destinations=(rules.DestinationFact(kind, place, day),)
                )
            if roadmap:
                roadmaps.append(rules.RoadmapFact(enrolment_id=enrolment.pk, **roadmap))
        qualifications = []
        for kind, level, day in values["qualifications"]:
            level = level if kind == v.MBO else None
            if (kind, level, day) in seen:
                continue
            seen.add((kind, level, day))
            Qualification.objects.create(student=student, type=kind, level=level, date=day)
            qualifications.append(rules.QualificationFact(kind, day, level))
        employments = []
        for index, (hours, start, lasts) in enumerate(values["employments"]):
            end = start + timedelta(days=lasts) if lasts is not None else None
            Employment.objects.create(
                student=student,
                employer=f"Werkgever {index}",
                hours_per_week=hours,
                start_date=start,
                end_date=end,
            )
            employments.append(rules.EmploymentFact(hours, start, end))
        signals, identities = [], set()
        for kind, status, due in values["signals"]:
            if (kind, due) in identities:
                continue
            identities.add((kind, due))
            Signal.objects.create(
                student=student,
                kind=kind,
                source=MONITORING_SOURCE,
                assignee=v.SCHOOL,
                due_date=due,
                status=status,
                opened_at=timezone.now(),
                closed_at=None if status == "open" else timezone.now(),
            )
            if status == "open":
                signals.append(rules.Signal(kind, due, v.SCHOOL))
        open_signals[student.pk] = signals
        facts[student.pk] = rules.StudentFacts(
            date_of_birth=values["born"],
            enrolments=tuple(enrolments),
            qualifications=tuple(qualifications),
            employments=tuple(employments),
            roadmaps=tuple(roadmaps),
        )
    return facts, enrolment_facts, open_signals


def compare(world, population, check):
    """Write the population, run `check(facts, ...)` and roll everything back."""
    try:
        with transaction.atomic():
            check(*write(population, world))
            raise _Rollback
    except _Rollback:
        pass


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


SETTINGS = RuleSettings()


# --- the rules over students ------------------------------------------------------------


@EXAMPLES
@given(population=populations, day=DAYS)
def test_startkwalificatie(world, population, day):
    def check(facts, _enrolments, _signals):
        expected = {pk for pk, f in facts.items() if rules.has_startkwalificatie(f, day)}
        assert ids(Student.objects.filter(startkwalificatie_q(day))) == expected

    compare(world, population, check)


@EXAMPLES
@given(population=populations, day=DAYS)
def test_in_target_group_and_responsible_authority(world, population, day):
    def check(facts, _enrolments, _signals):
        in_group = {pk for pk, f in facts.items() if rules.in_target_group(f, day, SETTINGS)}
        assert ids(Student.objects.filter(in_target_group_q(day, SETTINGS))) == in_group
        leerplicht = {
            pk
            for pk, f in facts.items()
            if rules.responsible_authority(f, day, SETTINGS) == v.LEERPLICHT
        }
        found = ids(Student.objects.filter(expressions.leerplicht_responsible_q(day, SETTINGS)))
        assert found == leerplicht
        dsp = ids(Student.objects.filter(expressions.doorstroompunt_responsible_q(day, SETTINGS)))
        assert dsp == set(facts) - leerplicht

    compare(world, population, check)


@EXAMPLES
@given(population=populations, day=DAYS)
def test_enrolled_on_and_exempt(world, population, day):
    def check(facts, enrolments, _signals):
        enrolled = {pk for pk, (_s, e) in enrolments.items() if rules.enrolled_on(e, day)}
        assert ids(Enrolment.objects.filter(expressions.enrolled_on_q(day))) == enrolled
        exempt = {pk for pk, f in facts.items() if rules.exempt(f, day, SETTINGS)}
        found = Student.objects.filter(
            expressions.exempt_q(
                day,
                SETTINGS,
                enrolments=Enrolment.objects,
                qualifications=Qualification.objects,
                employments=Employment.objects,
            )
        )
        assert ids(found) == exempt

    compare(world, population, check)


@EXAMPLES
@given(population=populations, day=DAYS)
def test_counts_as_vsv(world, population, day):
    def check(facts, _enrolments, _signals):
        expected = {pk for pk, f in facts.items() if rules.counts_as_vsv(f, day, SETTINGS)}
        found = expressions.vsv_students(
            Student.objects.all(),
            day,
            SETTINGS,
            enrolments=Enrolment.objects,
            qualifications=Qualification.objects,
            employments=Employment.objects,
        ).filter(vsv_level__gt="")
        assert ids(found) == expected
        # The set-based twin (SQL), over every student, with the same levels (where
        # there is a leaving event).
        levels = dict(
            expressions.vsv_students(
                Student.objects.all(),
                day,
                SETTINGS,
                enrolments=Enrolment.objects,
                qualifications=Qualification.objects,
                employments=Employment.objects,
            )
            .exclude(vsv_level=None)
            .values_list("pk", "vsv_level")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                expressions.vsv_sql("SELECT id FROM students_student"),
                expressions.vsv_sql_params(day, SETTINGS),
            )
            # Students without a leaving event (level None) may be left out.
            rows = {pk: level for pk, level in cursor.fetchall() if level is not None}
        assert rows == levels
        assert {pk for pk, level in rows.items() if level} == expected

    compare(world, population, check)


@EXAMPLES
@given(population=populations, day=DAYS)
def test_doorstroomtafel_candidate(world, population, day):
    def check(facts, _enrolments, open_signals):
        expected = {
            pk
            for pk, f in facts.items()
            if rules.doorstroomtafel_candidate(f, day, open_signals[pk])
        }
        assert ids(Student.objects.filter(candidate_q(day))) == expected

    compare(world, population, check)


# --- the rules over an Entree enrolment -----------------------------------------------------


def secured_check(day):
    """next_step_secured on `day`, or (day None) on each enrolment's own planned end."""

    def check(facts, enrolments, _signals):
        expected = set()
        for pk, (student_id, fact) in enrolments.items():
            on = rules.planned_end(fact, SETTINGS) if day is None else day
            if fact.level == v.ENTREE and rules.next_step_secured(
                facts[student_id], fact, on, SETTINGS
            ):
                expected.add(pk)
        rows = expressions.annotate_next_step_secured(
            Enrolment.objects.filter(level=v.ENTREE).annotate(
                planned_end=expressions.planned_end_expression(SETTINGS)
            ),
            "planned_end" if day is None else day,
            SETTINGS,
            enrolments=Enrolment.objects,
            employments=Employment.objects,
            perspectives=PerspectiveStep.objects,
        )
        assert ids(rows.filter(next_step_secured=True)) == expected
        planned = dict(rows.values_list("pk", "planned_end"))
        for pk, (_student_id, fact) in enrolments.items():
            if fact.level == v.ENTREE:
                assert planned[pk] == rules.planned_end(fact, SETTINGS)

    return check


@EXAMPLES
@given(population=populations, day=DAYS)
def test_next_step_secured_on_a_date(world, population, day):
    compare(world, population, secured_check(day))


@EXAMPLES
@given(population=populations)
def test_next_step_secured_on_each_planned_end(world, population):
    compare(world, population, secured_check(None))


# --- the SQL fragments of the set-based sweep (PostgreSQL) ----------------------------------


# The SQL texts below are the rule book's constant fragments; every value is a parameter.


def _sql_ids(sql, day):
    with connection.cursor() as cursor:
        cursor.execute(sql, {"d": day, "planned_days": SETTINGS.PLANNED_END_DAYS})
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL sweep runs on PostgreSQL")
@EXAMPLES
@given(population=populations, day=DAYS)
def test_sql_fragments_of_the_sweep(world, population, day):
    def check(facts, enrolments, _signals):
        sk = {pk for pk, f in facts.items() if rules.has_startkwalificatie(f, day)}
        by_enrolment = expressions.startkwalificatie_enrolment_sql("e")
        by_qualification = expressions.startkwalificatie_qualification_sql("q")
        sql = (
            "SELECT s.id FROM students_student s WHERE EXISTS (SELECT 1 FROM students_enrolment e"  # noqa: S608
            f" WHERE e.student_id = s.id AND {by_enrolment}) OR EXISTS (SELECT 1 FROM"
            f" students_qualification q WHERE q.student_id = s.id AND {by_qualification})"
        )
        found = _sql_ids(sql, day)
        assert found == sk
        enrolled = {pk for pk, (_s, e) in enrolments.items() if rules.enrolled_on(e, day)}
        found = _sql_ids(
            f"SELECT e.id FROM students_enrolment e WHERE {expressions.enrolled_on_sql('e')}",  # noqa: S608
            day,
        )
        assert found == enrolled
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.id, {expressions.planned_end_sql('e')} FROM students_enrolment e",  # noqa: S608
                {"planned_days": SETTINGS.PLANNED_END_DAYS},
            )
            planned = dict(cursor.fetchall())
        assert planned == {pk: rules.planned_end(e, SETTINGS) for pk, (_s, e) in enrolments.items()}

    compare(world, population, check)


def test_next_step_secured_named_places_and_programme_names(world):
    """The corners the random populations seldom reach: a place of spaces is no named
    place, and a programme name differing only in case and spaces is the same one."""
    day = date(2027, 6, 1)
    entree = {
        "level": v.ENTREE,
        "programme": "Entree",
        "start": date(2026, 8, 24),
        "planned": 300,
        "ends_after": None,
        "reason": v.DIPLOMA,
        "advice": None,
        "perspective": None,
    }
    population = [
        {
            "born": date(2008, 1, 1),
            "enrolments": [{**entree, "perspective": (v.DAGBESTEDING, place, 10)}],
            "qualifications": [],
            "employments": [],
            "signals": [],
        }
        for place in ("  ", "De Wei")
    ] + [
        {
            "born": date(2008, 1, 1),
            "enrolments": [
                {**entree, "perspective": None},
                {**entree, "level": v.MBO2, "programme": programme, "start": date(2027, 2, 1)},
            ],
            "qualifications": [],
            "employments": [],
            "signals": [],
        }
        for programme in (" entree ", "Logistiek")
    ]

    def check(facts, enrolments, signals):
        secured_check(day)(facts, enrolments, signals)
        rows = expressions.annotate_next_step_secured(
            Enrolment.objects.filter(level=v.ENTREE).order_by("pk"),
            day,
            SETTINGS,
            enrolments=Enrolment.objects,
            employments=Employment.objects,
            perspectives=PerspectiveStep.objects,
        )
        assert list(rows.values_list("next_step_secured", flat=True)) == [
            False,
            True,
            False,
            True,
        ]

    compare(world, population, check)
