"""The figures of the coordinators' reports, each a `Table` (reports.tables).

Every figure is an aggregate query (grouped counts with conditions); none reads rows
per student, so the number of queries is fixed whatever the number of students. Dates
that depend on a student's own dates (the 16-week date, the spring date) are compared
as differences between two columns, which both SQLite and PostgreSQL evaluate.

Definitions (shown under each table on the page too):
- Entree outflow: Entree enrolments started in a school year (the cohort), per student,
  by the first that holds today: still enrolled; further education (a later enrolment
  at level 2, 3, 4 or vavo); work of 12 h or more (an employment not ended); dagbesteding
  or praktijkleren (an outflow perspective with a named place); VSV (the last sweep's
  status); otherwise unknown. Shares are over the students who left the Entree
  programme. "Still in monitoring" counts those who left, are in the target group today
  (below the upper age, 27, without a startkwalificatie) and whose monitoring did not end.
- Roadmap timeliness, for the Entree enrolments of the school year: study advice logged
  within 16 weeks of the start, over those whose 16-week date has passed; perspective
  logged by the earlier of the spring date (1 April after the 16-week date) and 91 days
  before the planned end, over those whose date has passed; a next step secured on the
  planned end (the rule book's `next_step_secured` asked on that date: a future
  enrolment, another programme at level 2-4/vavo running then, work of 12 h or more
  running at the planned end, a dagbesteding or praktijkleren place logged by then), over
  those whose planned end has passed.
- VSV on a date (the rule book's `counts_as_vsv`, MONITORING.md section 3), computed for
  that date; the last sweep's count is shown beside it. The 1 October snapshot: enrolled on 1 October of the school
  year's first calendar year (t), not enrolled on 1 October t+1 and no SK on that date.
"""

import re
from collections import defaultdict
from datetime import date, timedelta

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import ExtractYear, RowNumber
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from doorstroomtafel.models import ActionItem, ActionStatus, AgendaItem, MeetingStatus
from monitoring.models import (
    Assignee,
    MonitoringStatus,
    Signal,
    SignalStatus,
    signal_kind_label,
)
from referrals.flexservice.results import NO_TARGET, compute_results
from roadmap.models import Perspective, PerspectiveStep
from rulebook import expressions as rulebook
from rulebook.settings import rule_settings
from rulebook.vocabulary import NEXT_STEP_LEVELS, sql_list
from students.dates import latest_birth_date_for_age, school_year_label
from students.models import Employment, Enrolment, Level, Qualification, Student
from students.queries import startkwalificatie_q

from .scope import population_table_checked
from .tables import Count as N
from .tables import Ratio, Table

NEXT_LEVELS = sorted(NEXT_STEP_LEVELS)
OUTCOMES = (
    ("further_education", gettext_noop("Vervolgopleiding")),
    ("work", gettext_noop("Werk (12 uur of meer)")),
    ("dagbesteding", gettext_noop("Dagbesteding")),
    ("praktijkleren", gettext_noop("Praktijkleren")),
    ("vsv", gettext_noop("VSV")),
    ("unknown", gettext_noop("Onbekend")),
)


def _settings():
    return rule_settings()


def _school_year(field_name):
    return Case(
        When(**{f"{field_name}__month__gte": 8}, then=ExtractYear(field_name)),
        default=ExtractYear(field_name) - 1,
        output_field=IntegerField(),
    )


def _days_between(later, earlier):
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


def _level_label(level):
    return str(Level(level).label) if level in Level.values else _("Onbekend")


# --- Entree outflow per cohort ------------------------------------------------------


def entree_outflow(scope) -> Table:
    settings = _settings()
    today = scope.today
    first = scope.school_year - 3
    if scope.population_table:
        counts, monitoring = _entree_outflow_counts(scope, first, settings)
        return _entree_outflow_table(scope, first, counts, monitoring)
    enrolments = scope.enrolments().filter(
        level=Level.ENTREE,
        start_date__gte=date(first, 8, 1),
        start_date__lte=scope.year_end,
    )
    ended = Q(end_date__lt=today)
    further = Exists(
        Enrolment.objects.filter(
            student=OuterRef("student_id"),
            level__in=NEXT_LEVELS,
            start_date__gt=OuterRef("start_date"),
        )
    )
    work = Exists(
        Employment.objects.filter(
            rulebook.working_q(today, settings), student=OuterRef("student_id")
        )
    )

    def place(perspective):
        return Exists(
            PerspectiveStep.objects.filter(
                enrolment=OuterRef("pk"), perspective=perspective
            ).exclude(destination_place="")
        )

    outcome = Case(
        When(~ended, then=Value("enrolled")),
        When(further, then=Value("further_education")),
        When(work, then=Value("work")),
        When(place(Perspective.DAGBESTEDING), then=Value("dagbesteding")),
        When(place(Perspective.PRAKTIJKLEREN), then=Value("praktijkleren")),
        When(student__monitoring_status__vsv=True, then=Value("vsv")),
        default=Value("unknown"),
        output_field=CharField(),
    )
    counts = defaultdict(lambda: defaultdict(int))
    for row in (
        enrolments.annotate(cohort=_school_year("start_date"), outcome=outcome)
        .values("cohort", "outcome")
        .annotate(n=Count("student_id", distinct=True))
        .order_by()
    ):
        counts[row["cohort"]][row["outcome"]] += row["n"]
    monitoring = {
        row["cohort"]: row["n"]
        for row in enrolments.filter(ended)
        .filter(rulebook.below_upper_age_q(today, settings, prefix="student__"))
        .exclude(student__monitoring_status__monitoring_ended=True)
        # Correlated EXISTS, not NOT IN: at 500,000 students the NOT IN list no longer
        # fits in memory as a hash and PostgreSQL falls back to a scan per row.
        .exclude(
            Exists(Student.objects.filter(startkwalificatie_q(today), pk=OuterRef("student_id")))
        )
        .annotate(cohort=_school_year("start_date"))
        .values("cohort")
        .annotate(n=Count("student_id", distinct=True))
        .order_by()
    }
    return _entree_outflow_table(scope, first, counts, monitoring)


def _entree_outflow_counts(scope, first, settings):
    """entree_outflow's counts from the population's facts (the population table) in one statement:
    ({cohort: {outcome: students}}, {cohort: students still in monitoring}), the same as
    the per-enrolment subqueries of entree_outflow."""
    facts = scope.population_table_name()
    today = scope.today
    match_sql, match_params = _where_sql(
        Enrolment.objects.filter(
            scope.enrolment_q(),
            level=Level.ENTREE,
            start_date__gte=date(first, 8, 1),
            start_date__lte=scope.year_end,
        )
    )
    # The population's enrolments (population_rows_sql) under their table's name, as the
    # filters' SQL names them.
    x = Enrolment._meta.db_table
    cohorts = list(range(scope.school_year, first, -1))
    # The school year of the start date: within the range, bounds on the date.
    cohort = (
        "CASE "
        + " ".join(f"WHEN {x}.start_date >= %s THEN {year}" for year in cohorts)
        + f" ELSE {first} END"
    )
    cohort_params = [date(year, 8, 1) for year in cohorts]

    def place(perspective):
        # IN over the few steps with a place (one hash), not a lookup per enrolment.
        return (
            f"{x}.id IN (SELECT ps.enrolment_id FROM {PerspectiveStep._meta.db_table} ps"  # noqa: S608  # nosec B608
            f" WHERE ps.perspective = '{perspective.value}' AND ps.destination_place <> '')"
        )

    ended = f"{x}.end_date < %(today)s"
    # The first outcome that holds, as its number in `outcomes` (numbers group faster
    # than text).
    outcomes = ["enrolled", *(key for key, _label in OUTCOMES)]
    tests = {
        "enrolled": f"NOT ({ended}) OR {x}.end_date IS NULL",
        "further_education": f"f.next_start > {x}.start_date",
        "work": "f.today_working = 1",
        "dagbesteding": place(Perspective.DAGBESTEDING),
        "praktijkleren": place(Perspective.PRAKTIJKLEREN),
        "vsv": "f.stored_vsv = 1",
    }
    outcome = (
        "CASE "
        + " ".join(f"WHEN {tests[key]} THEN {outcomes.index(key)}" for key in tests)
        + f" ELSE {outcomes.index('unknown')} END"
    )
    # Left, in the target group today (below the upper age, no startkwalificatie) and
    # their monitoring did not end.
    monitored = (
        f"{ended} AND f.date_of_birth > %(upper_age_born_after)s AND f.today_sk = 0"
        " AND f.monitoring_ended = 0"
    )
    sql = f"""
WITH r AS (
    SELECT {x}.student_id, {cohort} AS cohort, {outcome} AS outcome,
        CASE WHEN {monitored} THEN 1 ELSE 0 END AS monitored
    FROM {scope.population_rows_name()} {x}
    JOIN {facts} f ON f.pk = {x}.student_id
    WHERE {match_sql}
)
SELECT cohort, outcome, COUNT(*)
FROM (SELECT DISTINCT cohort, outcome, student_id FROM r) d GROUP BY cohort, outcome
UNION ALL
SELECT cohort, NULL, COUNT(*)
FROM (SELECT DISTINCT cohort, student_id FROM r WHERE monitored = 1) d GROUP BY cohort"""  # noqa: S608 - constants and the ORM's SQL  # nosec B608
    named = {
        "today": today,
        "upper_age_born_after": rulebook.upper_age_born_after(today, settings),
    }
    sql, params = _positional(sql, named, [*cohort_params, *match_params])
    counts = defaultdict(lambda: defaultdict(int))
    monitoring = {}
    for cohort_year, outcome_number, n in _grouped_rows(sql, params):
        if outcome_number is None:
            monitoring[int(cohort_year)] = n
        else:
            counts[int(cohort_year)][outcomes[outcome_number]] += n
    return counts, monitoring


def _entree_outflow_table(scope, first, counts, monitoring) -> Table:
    rows = []
    for cohort in range(first, scope.school_year + 1):
        by_outcome = counts.get(cohort, {})
        left = sum(n for key, n in by_outcome.items() if key != "enrolled")
        rows.append(
            [
                school_year_label(cohort),
                N(sum(by_outcome.values())),
                N(by_outcome.get("enrolled", 0)),
            ]
            + [Ratio(by_outcome.get(key, 0), left) for key, _label in OUTCOMES]
            + [N(monitoring.get(cohort, 0))]
        )
    return Table(
        key="entree_outflow",
        title=_("Uitstroom Entree per cohort"),
        columns=[_("Cohort (startjaar)"), _("Studenten"), _("Nog ingeschreven")]
        + [_(label) for _key, label in OUTCOMES]
        + [_("Nog in monitoring (tot 27)")],
        rows=rows,
        note=_(
            "Per student de eerste die vandaag geldt: vervolgopleiding, werk van 12 uur of meer, "
            "dagbesteding, praktijkleren (met plek), VSV, anders onbekend. Aandelen over de "
            "studenten die de Entree-opleiding verlieten."
        ),
        chart_columns=[3, 4, 5, 6, 7, 8],
        chart_unit="%",
    )


# --- Roadmap timeliness -------------------------------------------------------------


def roadmap_timeliness(scope) -> Table:
    settings = _settings()
    today = scope.today
    advice_days = timedelta(weeks=settings.STUDY_ADVICE_WEEKS)
    before_end = timedelta(days=settings.PERSPECTIVE_BEFORE_END_DAYS)
    planned_days = timedelta(days=settings.PLANNED_END_DAYS)
    month, day = settings.SPRING_DATE
    spring_1 = date(scope.school_year + 1, month, day)
    spring_2 = date(scope.school_year + 2, month, day)
    # The spring date is the first on or after start + 16 weeks: within a cohort one of
    # two dates, chosen by a constant bound on the start date.
    spring = Case(
        When(start_date__lte=spring_1 - advice_days, then=Value(spring_1)),
        default=Value(spring_2),
    )
    enrolments = (
        scope.enrolments()
        .filter(
            level=Level.ENTREE, start_date__gte=scope.year_start, start_date__lte=scope.year_end
        )
        .annotate(
            spring=spring,
            advice_lag=_days_between("study_advice_step__date", "start_date"),
            perspective_lag=_days_between("perspective_step__date", "start_date"),
            perspective_lead=_days_between("planned_end_date", "perspective_step__date"),
            # The rule book's planned end: the day on which the next step is asked.
            planned_end=rulebook.planned_end_expression(settings),
        )
    )
    # MONITORING.md's "a next step is secured", asked on each enrolment's planned end.
    enrolments = rulebook.annotate_next_step_secured(
        enrolments,
        "planned_end",
        settings,
        enrolments=Enrolment.objects,
        employments=Employment.objects,
        perspectives=PerspectiveStep.objects,
        name="is_secured",
    )
    advice_due = Q(start_date__lte=today - advice_days)
    perspective_due = (
        Q(spring__lte=today)
        | Q(planned_end_date__lte=today + before_end)
        | Q(planned_end_date__isnull=True, start_date__lte=today + before_end - planned_days)
    )
    perspective_on_time = Q(perspective_step__date__lte=F("spring")) & (
        Q(planned_end_date__isnull=False, perspective_lead__gte=before_end)
        | Q(planned_end_date__isnull=True, perspective_lag__lte=planned_days - before_end)
    )
    end_passed = Q(planned_end_date__lte=today) | Q(
        planned_end_date__isnull=True, start_date__lte=today - planned_days
    )
    totals = enrolments.aggregate(
        advice_due=Count("pk", filter=advice_due),
        advice_on_time=Count("pk", filter=advice_due & Q(advice_lag__lte=advice_days)),
        perspective_due=Count("pk", filter=perspective_due),
        perspective_on_time=Count("pk", filter=perspective_due & perspective_on_time),
        end_passed=Count("pk", filter=end_passed),
        secured=Count("pk", filter=end_passed & Q(is_secured=True)),
    )
    rows = [
        [
            _("Studieadvies uiterlijk op de 16-wekendatum"),
            Ratio(totals["advice_on_time"], totals["advice_due"]),
        ],
        [
            _("Uitstroomperspectief uiterlijk op de voorjaarsdatum"),
            Ratio(totals["perspective_on_time"], totals["perspective_due"]),
        ],
        [
            _("Vervolgstap geregeld bij de geplande einddatum"),
            Ratio(totals["secured"], totals["end_passed"]),
        ],
    ]
    return Table(
        key="roadmap_timeliness",
        title=_("Tijdigheid van de route (Entree)"),
        columns=[_("Onderdeel"), _("Op tijd / van wie de datum voorbij is")],
        rows=rows,
        note=_(
            "Entree-inschrijvingen die in het schooljaar begonnen. De noemer telt wie de datum "
            "al gepasseerd is."
        ),
        chart_columns=[1],
        chart_unit="%",
    )


# --- VSV ----------------------------------------------------------------------------


def _age_bucket(day):
    return Case(
        When(date_of_birth__gt=latest_birth_date_for_age(18, day), then=Value("< 18")),
        When(date_of_birth__gt=latest_birth_date_for_age(23, day), then=Value("18-22")),
        default=Value("23+"),
        output_field=CharField(),
    )


def _age_bucket_sql(column, day):
    """_age_bucket as SQL over the date-of-birth `column`, and its parameters."""
    sql = f"CASE WHEN {column} > %s THEN '< 18' WHEN {column} > %s THEN '18-22' ELSE '23+' END"
    return sql, [latest_birth_date_for_age(18, day), latest_birth_date_for_age(23, day)]


_NAMED_PARAMETER = re.compile(r"%\((\w+)\)s|%s|%%")


def _positional(sql, named, positional=()):
    """`sql` with its named parameters (`%(name)s`, from `named`) and its positional ones
    (`%s`, from `positional`, in order) all positional, and the parameters in the order
    of the text: the rule book's SQL (named) and the ORM's (positional) in one statement."""
    params = []
    rest = iter(positional)

    def replace(match):
        if match.group(0) == "%%":
            return "%%"
        params.append(named[match.group(1)] if match.group(1) else next(rest))
        return "%s"

    return _NAMED_PARAMETER.sub(replace, sql), params


def _grouped_rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _municipality_table():
    return Student._meta.get_field("municipality").related_model._meta.db_table


def _enrolled_on(day, student_ref="pk"):
    return Enrolment.objects.filter(rulebook.enrolled_on_q(day), student=OuterRef(student_ref))


def _where_sql(queryset):
    """The WHERE clause of `queryset` (over its unaliased table) as SQL and parameters;
    ("", []) without conditions."""
    query = queryset.query
    try:
        return query.where.as_sql(query.get_compiler(connection=connection), connection)
    except FullResultSet:
        return "", []
    except EmptyResultSet:
        return "1 = 0", []  # e.g. no institution at all: no row matches


# The enrolments' columns population_rows_sql keeps beside each student (the facts read them).
ENROLMENT_COLUMNS = (
    "id",
    "student_id",
    "start_date",
    "end_date",
    "level",
    "end_reason",
    "institution_id",
    "location",
)


def population_rows_sql(scope):
    """The scope's students (Scope.selected_students: pk, date_of_birth, municipality_id),
    each with the columns of every one of their enrolments (ENROLMENT_COLUMNS, under
    their own names), as a SELECT and its parameters: a row per enrolment, and for a
    student without enrolments one row without (only a scope without an enrolment filter
    has such students)."""
    population, params = (
        scope.selected_students()
        .values("pk", "date_of_birth", "municipality_id")
        .order_by()
        .query.sql_with_params()
    )
    join = "LEFT JOIN" if not scope.has_enrolment_filter() else "JOIN"
    enrolment = ", ".join(f"e.{column}" for column in ENROLMENT_COLUMNS)
    sql = (
        f"SELECT p.pk, p.date_of_birth, p.municipality_id, {enrolment}"  # noqa: S608  # nosec B608
        f" FROM ({population}) p {join} {Enrolment._meta.db_table} e ON e.student_id = p.pk"
    )
    return sql, params


def population_facts_sql(scope, rows_table):
    """The scope's students, with their enrolments in `rows_table` (population_rows_sql),
    with their facts, as a SELECT and its parameters:
    reports.db.population_table keeps it in a temporary table, so the figures read one
    row per student instead of their enrolments, qualifications and employments again,
    each figure.

    One pass over each table: every fact a figure asks of a student is an aggregate
    column. Columns: pk, date_of_birth, municipality_id and
    - the VSV status on the scope's VSV date: rulebook.expressions.vsv_facts_sql's
      (vsv_candidate_sql and vsv_leaving_level_sql decide from them);
    - the 1 October snapshot (t, t+1): `first_match`, an enrolment matching the filters
      and enrolled on 1 October t; `second_enrolled`, `second_sk`: enrolled on, and a
      startkwalificatie by, 1 October t+1;
    - the Entree outflow, today: `today_sk` (a startkwalificatie), `today_working` (work
      of 12 h or more), `next_start` (the latest start of an enrolment at level 2-4 or
      vavo);
    - the last sweep's status: `stored_vsv`, `monitoring_ended`.
    Flags are 1/0 (0 without rows: whether a row of the student's holds it), dates NULL
    without rows.
    """
    rows_table = population_table_checked(rows_table)
    settings = _settings()
    first, second = _snapshot_dates(scope)
    enrolments = Enrolment._meta.db_table
    vsv = rulebook.vsv_facts_sql(enrolments)
    vsv_x = rulebook.vsv_facts_sql("x")
    match_sql, match_params = _where_sql(Enrolment.objects.filter(scope.enrolment_q()))
    first_match = rulebook.enrolled_on_sql(enrolments, "%(first)s")
    if match_sql:
        first_match = f"{first_match} AND {match_sql}"
    working_today = rulebook.working_sql("x", "%(today)s", "%(hours)s")
    flag = rulebook.flag_sql
    sk_enrolment = rulebook.startkwalificatie_enrolment_sql
    sk_qualification = rulebook.startkwalificatie_qualification_sql
    columns = {
        "enrolment": {
            **vsv["enrolment"],
            "first_match": f"MAX({flag(first_match)})",
            "second_enrolled": f"MAX({flag(rulebook.enrolled_on_sql(enrolments, '%(second)s'))})",
            "second_sk": f"MAX({flag(sk_enrolment(enrolments, '%(second)s'))})",
            "today_sk": f"MAX({flag(sk_enrolment(enrolments, '%(today)s'))})",
            "next_start": (
                f"MAX(CASE WHEN {enrolments}.level IN {sql_list(NEXT_STEP_LEVELS)}"
                f" THEN {enrolments}.start_date END)"
            ),
        },
        "qualification": {
            **vsv_x["qualification"],
            "second_sk": f"MAX({flag(sk_qualification('x', '%(second)s'))})",
            "today_sk": f"MAX({flag(sk_qualification('x', '%(today)s'))})",
        },
        "employment": {**vsv_x["employment"], "today_working": f"MAX({flag(working_today)})"},
    }
    dates = {*rulebook.VSV_FACT_DATES, "next_start"}
    named = {
        **rulebook.vsv_sql_params(scope.vsv_date, settings),
        "first": first,
        "second": second,
        "today": scope.today,
        "hours": settings.WORK_HOURS_THRESHOLD,
    }
    merged = []
    for name in dict.fromkeys(name for kind in columns.values() for name in kind):
        sources = [
            alias for alias, kind in zip("eqw", columns, strict=True) if name in columns[kind]
        ]
        if name in dates:
            (alias,) = sources  # each date fact comes from one table
            merged.append(f"{alias}.{name} AS {name}")
        elif sources == ["e"]:
            merged.append(f"e.{name} AS {name}")
        else:
            held = " OR ".join(f"{alias}.{name} = 1" for alias in sources)
            merged.append(f"CASE WHEN {held} THEN 1 ELSE 0 END AS {name}")

    def aggregated(table, kind):
        selected = ", ".join(f"{value} AS {name}" for name, value in columns[kind].items())
        return (
            f"SELECT x.student_id, {selected} FROM {table} x"  # noqa: S608  # nosec B608
            f" WHERE x.student_id IN (SELECT pk FROM {rows_table}) GROUP BY x.student_id"
        )

    enrolment_columns = ", ".join(
        f"{value} AS {name}" for name, value in columns["enrolment"].items()
    )
    # The enrolments' aggregates per student of the population (a student without
    # enrolments has flags 0 and no dates), the other two tables' joined to them. The
    # rows are the enrolments' under their table's name, as the filters' SQL names them.
    sql = f"""
SELECT e.pk, e.date_of_birth, e.municipality_id, {", ".join(merged)},
    CASE WHEN ms.vsv THEN 1 ELSE 0 END AS stored_vsv,
    CASE WHEN ms.monitoring_ended THEN 1 ELSE 0 END AS monitoring_ended
FROM (
    SELECT {enrolments}.pk, {enrolments}.date_of_birth, {enrolments}.municipality_id,
        {enrolment_columns}
    FROM {rows_table} {enrolments}
    GROUP BY {enrolments}.pk, {enrolments}.date_of_birth, {enrolments}.municipality_id
) e
LEFT JOIN ({aggregated(Qualification._meta.db_table, "qualification")}) q ON q.student_id = e.pk
LEFT JOIN ({aggregated(Employment._meta.db_table, "employment")}) w ON w.student_id = e.pk
LEFT JOIN {MonitoringStatus._meta.db_table} ms ON ms.student_id = e.pk"""  # noqa: S608 - the rule book's constants and the ORM's SQL  # nosec B608
    return _positional(sql, named, match_params)


def vsv_candidates(scope, day):
    """Students of the scope with `vsv_level`: the level of their latest leaving event
    when it makes them VSV on `day` (the rule book's counts_as_vsv,
    rulebook.expressions.vsv_students), "" or None otherwise.

    One subquery decides it, so PostgreSQL evaluates it once per student (grouping on
    it reuses the value); callers drop the non-VSV groups instead of filtering on it,
    which would evaluate it again.
    """
    return rulebook.vsv_students(
        scope.students(),
        day,
        _settings(),
        enrolments=Enrolment.objects,
        qualifications=Qualification.objects,
        employments=Employment.objects,
        # Condition 2 (not enrolled, no future enrolment) first, as anti-joins: the
        # per-student subqueries then run for the few students left (same rows).
        narrow_first=True,
    )


def vsv_students(scope, day):
    """Students who count as VSV on `day`, as a queryset."""
    return vsv_candidates(scope, day).filter(vsv_level__gt="")


def _split(queryset, fields, sums, keep=None):
    """One grouped query over every split at once, added up per split in Python: the
    groups are age bands x levels x municipalities, never students."""
    splits = {field: defaultdict(lambda: [0] * len(sums)) for field in fields}
    totals = [0] * len(sums)
    for row in queryset.values(*fields).annotate(**sums).order_by():
        if keep is not None and not keep(row):
            continue
        values = [row[name] for name in sums]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        for field in fields:
            group = splits[field][row[field]]
            group[:] = [a + b for a, b in zip(group, values, strict=True)]
    return totals, [splits[field] for field in fields]


def _split_rows(rows, count):
    """_split over rows (bucket, level, municipality, *sums) a statement grouped."""
    splits = [defaultdict(lambda: [0] * count) for _ in range(3)]
    totals = [0] * count
    for row in rows:
        values = list(row[3:])
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        for split, key in zip(splits, row[:3], strict=True):
            split[key][:] = [a + b for a, b in zip(split[key], values, strict=True)]
    return totals, splits


def _vsv_operational_split(scope, day):
    """The VSV students on `day` per age band, level and municipality: with the population
    table, from its facts on the scope's VSV date (rulebook.expressions.vsv_candidate_sql,
    then vsv_leaving_level_sql) in one statement; else (another day) per student."""
    if not scope.population_table or day != scope.vsv_date:
        students = vsv_candidates(scope, day).annotate(bucket=_age_bucket(day))
        return _split(
            students,
            ("bucket", "vsv_level", "municipality__name"),
            {"n": Count("pk")},
            keep=lambda row: bool(row["vsv_level"]),
        )
    facts = scope.population_table_name()
    bucket, bucket_params = _age_bucket_sql("f.date_of_birth", day)
    # Conditions 1-3 on the row (few students are left), then the level of each one's
    # latest leaving event.
    candidate = rulebook.vsv_candidate_sql("f", "f.date_of_birth")
    level = rulebook.vsv_leaving_level_sql("f", "f.pk")
    sql = (
        f"SELECT {bucket}, {level}, m.name, COUNT(*)"  # noqa: S608  # nosec B608 - constants
        f" FROM {facts} f JOIN {_municipality_table()} m ON m.id = f.municipality_id"
        f" WHERE {candidate} GROUP BY 1, 2, 3"
    )
    sql, params = _positional(sql, rulebook.vsv_sql_params(day, _settings()), bucket_params)
    # The groups of students who are not VSV (level "" or none) are dropped here: a
    # condition on the level in the statement would read it twice.
    rows = [row for row in _grouped_rows(sql, params) if row[1]]
    return _split_rows(rows, 1)


def vsv_operational(scope) -> Table:
    day = scope.vsv_date
    if scope.population_table:
        stored = _grouped_rows(
            f"SELECT COUNT(*) FROM {scope.population_table_name()} WHERE stored_vsv = 1",  # noqa: S608  # nosec B608
            [],
        )[0][0]
    else:
        stored = MonitoringStatus.objects.filter(student__in=scope.student_ids(), vsv=True).count()
    (total,), (by_age, by_level, by_municipality) = _vsv_operational_split(scope, day)
    by_age = {key: v[0] for key, v in by_age.items()}
    by_level = {key: v[0] for key, v in by_level.items()}
    by_municipality = {key: v[0] for key, v in by_municipality.items()}
    rows = [[_("Totaal"), "", N(total)], [_("Volgens de laatste controle"), "", N(stored)]]
    rows += [[_("Leeftijd"), key, N(n)] for key, n in sorted(by_age.items())]
    rows += [
        [_("Niveau"), _level_label(key), N(n)]
        for key, n in sorted(by_level.items(), key=lambda i: str(i[0]))
    ]
    rows += [[_("Gemeente"), key, N(n)] for key, n in sorted(by_municipality.items())]
    return Table(
        key="vsv_operational",
        title=_("VSV op peildatum %(date)s") % {"date": day.strftime("%d-%m-%Y")},
        columns=[_("Indeling"), _("Groep"), _("VSV")],
        rows=rows,
        note=_(
            "Operationele definitie van voortijdig schoolverlaten, berekend voor de peildatum; "
            "de regel 'Volgens de laatste controle' is de stand van de dagelijkse controle."
        ),
    )


def _vsv_snapshot_split(scope, first, second):
    """The students enrolled on `first` (filters) per age band, level and municipality:
    (new VSV, all). With the population table in one statement over its facts
    (population_facts_sql: enrolled on `first` matching the filters, and enrolled on and
    a startkwalificatie by `second`), with the level of the latest matching enrolment on
    `first` per student (a window) when the filters do not fix the level."""
    if not scope.population_table or (first, second) != _snapshot_dates(scope):
        return _vsv_snapshot_split_per_student(scope, first, second)
    facts = scope.population_table_name()
    bucket, bucket_params = _age_bucket_sql("f.date_of_birth", first)
    new = "f.second_enrolled = 0 AND f.second_sk = 0"
    if scope.level:
        # The filters fix the level: every matching enrolment is at it.
        sql = f"""
SELECT {bucket}, %s, m.name, COUNT(*) FILTER (WHERE {new}), COUNT(*)
FROM {facts} f JOIN {_municipality_table()} m ON m.id = f.municipality_id
WHERE f.first_match = 1
GROUP BY 1, 2, 3"""  # noqa: S608 - constants  # nosec B608
        return _split_rows(_grouped_rows(sql, [*bucket_params, scope.level]), 2)
    # The level of the latest matching enrolment on `first` per student (a window).
    latest_first = (
        Enrolment.objects.filter(
            scope.enrolment_q(), rulebook.enrolled_on_q(first), student_id__in=scope.student_ids()
        )
        .annotate(
            _row=Window(
                RowNumber(),
                partition_by=[F("student_id")],
                order_by=[F("start_date").desc(), F("pk").desc()],
            )
        )
        .values("student_id", "level", "_row")
        .order_by()
    )
    first_sql, first_params = latest_first.query.sql_with_params()
    sql = f"""
WITH l AS ({first_sql})
SELECT {bucket}, l.level, m.name, COUNT(*) FILTER (WHERE {new}), COUNT(*)
FROM l
JOIN {facts} f ON f.pk = l.student_id
JOIN {_municipality_table()} m ON m.id = f.municipality_id
WHERE l._row = 1
GROUP BY 1, 2, 3"""  # noqa: S608 - constants and the ORM's SQL  # nosec B608
    params = [*first_params, *bucket_params]
    return _split_rows(_grouped_rows(sql, params), 2)


def _vsv_snapshot_split_per_student(scope, first, second):
    enrolled_first = Enrolment.objects.filter(
        scope.enrolment_q(), rulebook.enrolled_on_q(first), student=OuterRef("pk")
    )
    # The scope's students (their having an enrolment that matches the filters is
    # implied by enrolled_first, which matches them too).
    base = (
        scope.students()
        .filter(Exists(enrolled_first))
        .annotate(
            enrolled_next=Exists(_enrolled_on(second)),
            sk_next=ExpressionWrapper(startkwalificatie_q(second), output_field=BooleanField()),
            bucket=_age_bucket(first),
            level_first=Subquery(enrolled_first.order_by("-start_date", "-pk").values("level")[:1]),
        )
    )
    new = Q(enrolled_next=False, sk_next=False)
    return _split(
        base,
        ("bucket", "level_first", "municipality__name"),
        {"new": Count("pk", filter=new), "total": Count("pk")},
    )


def _snapshot_dates(scope):
    """The 1 October snapshot's dates: 1 October t and t+1 of the school year t."""
    return date(scope.school_year, 10, 1), date(scope.school_year + 1, 10, 1)


def vsv_snapshot(scope) -> Table:
    year = scope.school_year
    first, second = _snapshot_dates(scope)
    (new_total, total), (by_age, by_level, by_municipality) = _vsv_snapshot_split(
        scope, first, second
    )
    totals = {"new": new_total, "total": total}
    rows = [[_("Totaal"), "", N(totals["new"]), Ratio(totals["new"], totals["total"])]]
    rows += [[_("Leeftijd"), key, N(v[0]), Ratio(*v)] for key, v in sorted(by_age.items())]
    rows += [
        [_("Niveau"), _level_label(key), N(v[0]), Ratio(*v)]
        for key, v in sorted(by_level.items(), key=lambda i: str(i[0]))
    ]
    rows += [[_("Gemeente"), key, N(v[0]), Ratio(*v)] for key, v in sorted(by_municipality.items())]
    note = _(
        "Nieuwe VSV'ers: ingeschreven op 1 oktober %(first)s, niet ingeschreven op 1 oktober "
        "%(second)s en zonder startkwalificatie op die datum."
    ) % {"first": year, "second": year + 1}
    if second > scope.today:
        note += " " + _("De tweede peildatum ligt nog in de toekomst: voorlopige cijfers.")
    return Table(
        key="vsv_snapshot",
        title=_("VSV-peiling 1 oktober %(first)s - 1 oktober %(second)s")
        % {"first": year, "second": year + 1},
        columns=[_("Indeling"), _("Groep"), _("Nieuwe VSV"), _("Nieuwe VSV / ingeschreven")],
        rows=rows,
        note=note,
    )


# --- Signals ------------------------------------------------------------------------


def signals(scope) -> list[Table]:
    today = scope.today
    queryset = Signal.objects.filter(
        student__in=scope.student_ids(),
        due_date__gte=scope.year_start,
        due_date__lte=scope.year_end,
    )
    resolved = Q(status=SignalStatus.RESOLVED)
    groups = (
        queryset.values("kind", "assignee")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status=SignalStatus.OPEN)),
            overdue=Count("pk", filter=Q(status=SignalStatus.OPEN, due_date__lt=today)),
            resolved=Count("pk", filter=resolved),
            on_time=Count("pk", filter=resolved & Q(closed_at__date__lte=F("due_date"))),
        )
        .order_by()
    )
    by_kind, by_assignee = defaultdict(lambda: [0] * 5), defaultdict(lambda: [0] * 5)
    for row in groups:
        values = [row["total"], row["open"], row["overdue"], row["on_time"], row["resolved"]]
        for target, key in ((by_kind, row["kind"]), (by_assignee, row["assignee"])):
            target[key] = [a + b for a, b in zip(target[key], values, strict=True)]

    def table_rows(groups, label):
        return [
            [label(key), N(v[0]), N(v[1]), N(v[2]), Ratio(v[3], v[4])]
            for key, v in sorted(groups.items(), key=lambda i: str(label(i[0])))
        ]

    columns = [_("Totaal"), _("Open"), _("Open en te laat"), _("Op tijd afgehandeld / afgehandeld")]
    note = _("Signalen met een uiterste datum in het schooljaar.")
    return [
        Table(
            key="signals_kind",
            title=_("Signalen per soort"),
            columns=[_("Soort")] + columns,
            rows=table_rows(by_kind, lambda key: str(signal_kind_label(key))),
            note=note,
            chart_columns=[2, 3],
        ),
        Table(
            key="signals_assignee",
            title=_("Signalen per behandelaar"),
            columns=[_("Behandelaar")] + columns,
            rows=table_rows(
                by_assignee,
                lambda key: str(Assignee(key).label) if key in Assignee.values else key,
            ),
            note=note,
        ),
    ]


# --- Doorstroomtafel ----------------------------------------------------------------


def doorstroomtafel(scope) -> Table:
    today = scope.today
    discussed = (MeetingStatus.HELD, MeetingStatus.MINUTES_FINAL)
    items = AgendaItem.objects.filter(
        student__in=scope.student_ids(),
        meeting__date__gte=scope.year_start,
        meeting__date__lte=scope.year_end,
        meeting__status__in=discussed,
    )
    with_decision = ~Q(decision="")
    with_lead = Q(lead_organisation__isnull=False) | Q(lead_user__isnull=False)
    item_rows = {
        row["meeting__table__name"]: row
        for row in items.values("meeting__table__name")
        .annotate(
            students=Count("student_id", distinct=True),
            decisions=Count("pk", filter=with_decision),
            led=Count("pk", filter=with_decision & with_lead),
        )
        .order_by()
    }
    totals = items.aggregate(
        students=Count("student_id", distinct=True),
        decisions=Count("pk", filter=with_decision),
        led=Count("pk", filter=with_decision & with_lead),
    )
    actions = ActionItem.objects.filter(item__in=items.values("pk"))
    due = Q(due_date__lt=today) | Q(status=ActionStatus.DONE)
    on_time = Q(status=ActionStatus.DONE, done_at__date__lte=F("due_date"))
    action_rows = {
        row["item__meeting__table__name"]: row
        for row in actions.values("item__meeting__table__name")
        .annotate(due=Count("pk", filter=due), on_time=Count("pk", filter=on_time))
        .order_by()
    }
    action_totals = actions.aggregate(
        due=Count("pk", filter=due), on_time=Count("pk", filter=on_time)
    )

    def row(label, items_row, actions_row):
        actions_row = actions_row or {"due": 0, "on_time": 0}
        return [
            label,
            N(items_row["students"]),
            Ratio(items_row["led"], items_row["decisions"]),
            Ratio(actions_row["on_time"], actions_row["due"]),
        ]

    rows = [row(_("Totaal"), totals, action_totals)]
    rows += [row(name, item_rows[name], action_rows.get(name)) for name in sorted(item_rows)]
    return Table(
        key="doorstroomtafel",
        title=_("Doorstroomtafel"),
        columns=[
            _("Tafel"),
            _("Besproken studenten"),
            _("Besluiten met een trekker / besluiten"),
            _("Acties op tijd gedaan / acties die klaar moesten zijn"),
        ],
        rows=rows,
        note=_("Overleggen in het schooljaar die gehouden zijn."),
        chart_columns=[1],
    )


# --- Flexservice --------------------------------------------------------------------

FLEX_COLUMNS = (
    ("supported", gettext_noop("Ondersteund (doel 1.995 over de looptijd)")),
    ("share_high", gettext_noop("Aandeel niveau 3 en 4 (doel ≥ 40%)")),
    ("intake", gettext_noop("Instroomloket naar passende route (40–70%)")),
    ("retained", gettext_noop("Behouden voor regulier onderwijs (50–75%)")),
    ("routed", gettext_noop("Uit trajecten naar passende route (40–70%)")),
)


def flexservice_tables(scope) -> list[Table]:
    """The Flexservice table, only for a scope with ROCs of a region that runs the
    measure (REFERRALS.md: its targets are never shown for another region)."""
    school_ids = scope.school_ids()
    return [flexservice(scope, school_ids=school_ids)] if school_ids else []


def flexservice(scope, *, school_ids=None) -> Table:
    results = compute_results(
        school_ids=scope.school_ids() if school_ids is None else school_ids,
        school_year=scope.school_year,
        location=scope.location,
        level=scope.level,
        today=scope.today,
    )

    def cells(figures):
        out = []
        for key, _label in FLEX_COLUMNS:
            figure = figures[key]
            if key == "supported":
                out.append(N(figure.numerator))
            elif figure.status == NO_TARGET:
                # Not shown per level (the level 3-4 share is over the whole selection).
                out.append("")
            else:
                out.append(Ratio(figure.numerator, figure.denominator))
            label = str(figure.status_label)
            if figure.elapsed_percent is not None:
                label = _("%(status)s (%(elapsed)s%% van de periode verstreken)") % {
                    "status": label,
                    "elapsed": str(figure.elapsed_percent).replace(".", ","),
                }
            out.append(label)
        return out

    rows = [[_("Totaal")] + cells(results.total_figures())]
    for dimension, label in (("school", _("ROC")), ("level", _("Niveau"))):
        rows += [[f"{label}: {name}"] + cells(figures) for name, figures in results.rows(dimension)]
    columns = [_("Groep")]
    for _key, label in FLEX_COLUMNS:
        columns += [_(label), _("Stand")]
    return Table(
        key="flexservice",
        title=_("Resultaten Flexservice"),
        columns=columns,
        rows=rows,
        note=_(
            "Uit de Flexservice (verwijzingen): trajecten en aanmeldingen bij het instroomloket. "
            "De filters instelling, locatie en niveau gelden ook hier; de subregio niet "
            "(de resultaten tellen per ROC). Het doel van 1.995 ondersteunden geldt voor de "
            "hele maatregel over de looptijd: de totaalrij telt vanaf het begin van de "
            "looptijd, naast het deel van de looptijd dat verstreken is; de andere rijen "
            "tellen per schooljaar, zonder doel. Het aandeel niveau 3 en 4 geldt voor alle "
            "ondersteunden samen en staat daarom niet per niveau."
        ),
    )


REPORTS = {
    "entree_outflow": lambda scope: [entree_outflow(scope)],
    "roadmap_timeliness": lambda scope: [roadmap_timeliness(scope)],
    "vsv_operational": lambda scope: [vsv_operational(scope)],
    "vsv_snapshot": lambda scope: [vsv_snapshot(scope)],
    "signals": signals,
    "doorstroomtafel": lambda scope: [doorstroomtafel(scope)],
    "flexservice": flexservice_tables,
}

# The keys of the tables each report makes (views pick a report out of a kept set).
REPORT_TABLE_KEYS = {
    "entree_outflow": {"entree_outflow"},
    "roadmap_timeliness": {"roadmap_timeliness"},
    "vsv_operational": {"vsv_operational"},
    "vsv_snapshot": {"vsv_snapshot"},
    "signals": {"signals_kind", "signals_assignee"},
    "doorstroomtafel": {"doorstroomtafel"},
    "flexservice": {"flexservice"},
}


def all_tables(scope) -> list[Table]:
    tables = []
    for build in REPORTS.values():
        tables += build(scope)
    return tables
