"""The monitoring rules (MONITORING.md sections 2-4) as set-based SQL on PostgreSQL.

    run_rules_sql(day, settings) -> SweepResult

The same answer as monitoring.rules.evaluate for every student (tests/monitoring compare
the two on random populations), computed for the whole population with a fixed number of
statements, whatever its size:

1. `sw_c`: the candidates (the same set as monitoring.sweep.candidates_queryset) with
   their student-level facts, aggregated from enrolments and qualifications in one pass.
2. `sw_s`: per candidate the employment facts, the leaving situation, the responsible
   authority, the start of Doorstroompunt monitoring, VSV and the end of monitoring.
3. `sw_w`: the signals the rules want open on D, with assignee and organisation.
4. The difference with the stored signals, written by the one signal writer
   (monitoring.signals_sync.SqlSync: each kind of change one statement that also writes
   its history rows), then the status rows. Every update is conditional, so a second
   run for the same D writes nothing.

Date arithmetic with a legal subtlety is done in Python and passed in: the age cut-offs
(students.dates.latest_birth_date_for_age, 29 February). The 18th birthday per student
follows students.dates.birthday (29 February -> 1 March in a common year), which
PostgreSQL's `+ interval '18 years'` does not (it gives 28 February), so it is spelled out.
Month arithmetic `date + make_interval(months => n)` keeps the day and falls back to the
month's last day, which is MONITORING.md's month rule (students.dates.add_months).
"""

from datetime import date, timedelta

from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from rulebook import vocabulary as rb
from rulebook.expressions import (
    enrolled_on_sql,
    planned_end_sql,
    startkwalificatie_enrolment_sql,
    startkwalificatie_qualification_sql,
)
from rulebook.settings import RuleSettings
from students.dates import dated_value, latest_birth_date_for_age

from .models import MONITORING_SOURCE, SignalStatus
from .signals_sync import SqlSync

EPOCH = "DATE '0001-01-01'"
# A leaving event as one sortable integer: days since EPOCH, doubled, plus 1 for a diploma,
# so max() picks the latest and, on the same date, the diploma (MONITORING.md: "Ties on the
# same date: a diploma wins").
WORK_MEM = "256MB"
ENROLMENT_KINDS_SQL = rb.sql_list(rb.ENROLMENT_SIGNAL_KINDS)

# --- The rule book's words and conditions (rulebook), as SQL ------------------------------
# Every value the statements below compare with, and the rules they share with the ORM
# (startkwalificatie, enrolled on D, planned end), come from the rule book: no kind, level
# or reason is spelled here. The quoted values fill the `{...}` names of the texts.
RB = {
    name: f"'{getattr(rb, name)}'"
    for name in (
        "ENTREE",
        "DIPLOMA",
        "SCHOOL",
        "LEERPLICHT",
        "DOORSTROOMPUNT",
        "STUDY_ADVICE_DUE",
        "PERSPECTIVE_DUE",
        "NO_NEXT_STEP",
        "DROPOUT",
        "JOB_LOST",
        "NEXT_STEP_CHECK",
        "WORK_CHECKIN_DUE",
        "MONITORING_HANDOVER",
        "DSP_CHECKIN_DUE",
        "WORK_CHECKIN",
        "DSP_CONTACT",
        "AGE_LIMIT",
        "STARTKWALIFICATIE",
    )
}
SK_ENROLMENT = startkwalificatie_enrolment_sql()
SK_QUALIFICATION = startkwalificatie_qualification_sql()
ENROLLED = enrolled_on_sql()


def _add_months(expr: str, months: str) -> str:
    return f"(({expr}) + make_interval(months => {months}))::date"


def _yearly_on_or_after(expr: str, month_day: tuple[int, int]) -> str:
    """The first (month, day) on or after the date `expr` (rules.yearly_date_on_or_after)."""
    month, day = int(month_day[0]), int(month_day[1])
    year = f"extract(year FROM ({expr}))::int"
    return (
        f"(CASE WHEN make_date({year}, {month}, {day}) >= ({expr}) "
        f"THEN make_date({year}, {month}, {day}) ELSE make_date({year} + 1, {month}, {day}) END)"
    )


def _birthday(dob: str, age: int) -> str:
    """students.dates.birthday: a 29 February birthday falls on 1 March in a common year."""
    plain = f"({dob} + make_interval(years => {int(age)}))::date"
    return (
        f"(CASE WHEN extract(month FROM {dob}) = 2 AND extract(day FROM {dob}) = 29 "
        f"AND extract(day FROM {plain}) = 28 THEN {plain} + 1 ELSE {plain} END)"
    )


def _latest_repeat(start: str, every: str, max_k: str) -> str:
    """rules.latest_repeat in closed form: the latest start + k*every months (1 <= k <=
    max_k) on or before the horizon D + notice, or NULL.

    k*every months after the start lands in month `months` (the horizon's) only when
    k = months / every exactly, and may then pass the horizon's day: one step back."""
    months = (
        f"((extract(year FROM %(horizon)s::date)::int - extract(year FROM {start})::int) * 12"
        f" + extract(month FROM %(horizon)s::date)::int - extract(month FROM {start})::int)"
    )
    k = f"least(({months}) / {every}, {max_k})"
    due_k = _add_months(start, f"({k}) * {every}")
    due_before = _add_months(start, f"(({k}) - 1) * {every}")
    return (
        f"(CASE WHEN ({months}) >= 0 AND ({k}) >= 1 AND {due_k} <= %(horizon)s THEN {due_k} "
        f"WHEN ({months}) >= 0 AND ({k}) >= 2 THEN {due_before} END)"
    )


def parameters(day: date, settings: RuleSettings, now) -> dict:
    upper = dated_value(settings.UPPER_AGE, day)
    return {
        "d": day,
        "now": now,
        # In the target group: dob > too_old (age below the upper age on D).
        "too_old": latest_birth_date_for_age(upper, day),
        # Age 18 or older on D: dob <= adult.
        "adult": latest_birth_date_for_age(settings.KWALIFICATIEPLICHT_AGE, day),
        "hours": settings.WORK_HOURS_THRESHOLD,
        "planned_days": settings.PLANNED_END_DAYS,
        "advice_days": settings.STUDY_ADVICE_WEEKS * 7,
        "advice_notice": settings.STUDY_ADVICE_NOTICE_DAYS,
        "perspective_notice": settings.PERSPECTIVE_NOTICE_DAYS,
        "perspective_before_end": settings.PERSPECTIVE_BEFORE_END_DAYS,
        "no_next_step_days": settings.NO_NEXT_STEP_DAYS,
        "post_months": settings.POST_DIPLOMA_MONTHS,
        "work_every": settings.WORK_CHECKIN_MONTHS,
        "work_max_k": settings.POST_DIPLOMA_MONTHS // settings.WORK_CHECKIN_MONTHS,
        "dsp_every": settings.DSP_CHECKIN_MONTHS,
        "no_max_k": 2**30,
        "horizon": day + timedelta(days=settings.CHECKIN_NOTICE_DAYS),
        "lookback": settings.CHECKIN_LOOKBACK_DAYS,
        "dropout_days": settings.DROPOUT_DUE_DAYS,
        "job_lost_lookback": settings.JOB_LOST_LOOKBACK_DAYS,
        "job_lost_days": settings.JOB_LOST_DUE_DAYS,
        "handover_notice": settings.HANDOVER_NOTICE_DAYS,
        "source": MONITORING_SOURCE,
        "exempting_types": sorted(rb.EXEMPTING_QUALIFICATION_TYPES),
        "next_step_levels": sorted(rb.NEXT_STEP_LEVELS),
        "secured_types": sorted(rb.SECURED_DESTINATION_TYPES),
    }


CANDIDATES = f"""
CREATE TEMP TABLE sw_c ON COMMIT DROP AS
WITH e AS (
    SELECT student_id,
        bool_or({ENROLLED}) AS enrolled,
        bool_or(level = {RB["ENTREE"]} AND {ENROLLED}) AS entree_now,
        bool_or(start_date > %(d)s) AS future,
        bool_or({SK_ENROLMENT}) AS sk,
        max(end_date) FILTER (WHERE level = {RB["ENTREE"]} AND end_reason = {RB["DIPLOMA"]}
                              AND end_date < %(d)s) AS t,
        bool_or(level = {RB["ENTREE"]} AND end_reason = {RB["DIPLOMA"]} AND end_date <= %(d)s)
            AS entree_by_d,
        max((end_date - {EPOCH}) * 2 + (end_reason = {RB["DIPLOMA"]})::int)
            FILTER (WHERE end_date < %(d)s) AS ev
    FROM students_enrolment
    GROUP BY student_id
), q AS (
    SELECT student_id,
        bool_or({SK_QUALIFICATION}) AS sk,
        max(date) FILTER (WHERE type = {RB["ENTREE"]} AND date < %(d)s) AS t,
        bool_or(type = {RB["ENTREE"]} AND date <= %(d)s) AS entree_by_d,
        bool_or(type = ANY(%(exempting_types)s) AND date <= %(d)s) AS certificate
    FROM students_qualification
    GROUP BY student_id
), f AS (
    SELECT s.id, s.date_of_birth AS dob, m.region_id,
        coalesce(e.enrolled, false) AS enrolled,
        coalesce(e.entree_now, false) AS entree_now,
        coalesce(e.future, false) AS future,
        coalesce(e.sk, false) OR coalesce(q.sk, false) AS sk,
        greatest(e.t, q.t) AS t,
        coalesce(e.entree_by_d, false) OR coalesce(q.entree_by_d, false) AS entree_by_d,
        coalesce(q.certificate, false) AS certificate,
        greatest(e.ev, (q.t - {EPOCH}) * 2 + 1) AS ev
    FROM students_student s
    JOIN accounts_municipality m ON m.id = s.municipality_id
    LEFT JOIN e ON e.student_id = s.id
    LEFT JOIN q ON q.student_id = s.id
)
SELECT f.id, f.dob, f.region_id, f.enrolled, f.entree_now, f.future, f.sk, f.t,
    f.entree_by_d, f.certificate, f.ev,
    f.dob > %(too_old)s AND NOT f.sk AS in_tg,
    {EPOCH} + (f.ev / 2) AS ev_date,
    f.ev %% 2 = 1 AS ev_diploma
FROM f
WHERE f.entree_now
    OR (f.dob > %(too_old)s AND NOT f.sk AND NOT f.enrolled AND f.ev IS NOT NULL)
    OR f.id IN (SELECT g.student_id FROM sw_g g WHERE g.status = '{SignalStatus.OPEN}')
    OR f.id IN (SELECT m.student_id FROM sw_m m WHERE NOT m.monitoring_ended OR m.vsv)
"""  # noqa: S608  # nosec B608 - constants only; every value is a parameter

STUDENTS = f"""
CREATE TEMP TABLE sw_s ON COMMIT DROP AS
WITH w AS (
    SELECT c.id,
        bool_or(em.start_date <= %(d)s AND (em.end_date IS NULL OR em.end_date >= %(d)s))
            AS working,
        max(em.end_date) FILTER (
            WHERE em.start_date >= c.ev_date - %(job_lost_lookback)s
            AND em.end_date >= c.ev_date AND em.end_date < %(d)s) AS lost_end
    FROM sw_c c
    JOIN students_employment em ON em.student_id = c.id AND em.hours_per_week >= %(hours)s
    GROUP BY c.id
), x AS (
    SELECT c.*, coalesce(w.working, false) AS working, w.lost_end,
        (c.entree_by_d AND coalesce(w.working, false)) OR c.certificate AS exempt
    FROM sw_c c LEFT JOIN w ON w.id = c.id
), y AS (
    SELECT x.*,
        CASE WHEN x.in_tg AND NOT x.enrolled AND NOT x.future AND NOT x.exempt
                  AND x.ev IS NOT NULL THEN
            CASE WHEN NOT x.ev_diploma THEN {RB["DROPOUT"]}
                 WHEN x.lost_end IS NOT NULL THEN {RB["JOB_LOST"]}
                 ELSE {RB["NEXT_STEP_CHECK"]} END
        END AS situation,
        CASE WHEN x.dob > %(adult)s THEN {RB["LEERPLICHT"]} ELSE {RB["DOORSTROOMPUNT"]} END
            AS authority,
        CASE WHEN x.in_tg AND NOT x.enrolled AND x.ev IS NOT NULL THEN
            greatest({{birthday}},
                     CASE WHEN x.ev_diploma THEN {_add_months("x.ev_date", "%(post_months)s")}
                          ELSE x.ev_date END)
        END AS dsp_start
    FROM x
)
SELECT y.*,
    coalesce(y.situation = {RB["DROPOUT"]}
             OR (y.situation IS NOT NULL AND %(d)s >= {{reference_after_t}}), false) AS vsv,
    CASE WHEN NOT y.in_tg THEN
        CASE WHEN y.sk THEN {RB["STARTKWALIFICATIE"]} ELSE {RB["AGE_LIMIT"]} END END
        AS end_reason
FROM y
"""  # noqa: S608  # nosec B608 - constants only; every value is a parameter

WANTED = """
CREATE TEMP TABLE sw_w ON COMMIT DROP AS
WITH regional AS (
    SELECT kind, region_id, min(id) AS id FROM accounts_organisation
    WHERE is_active AND kind IN ({LEERPLICHT}, {DOORSTROOMPUNT})
    GROUP BY kind, region_id
), ent AS (
    SELECT e.id, e.student_id, e.institution_id, e.programme,
        {planned_end_e} AS planned_end,
        e.start_date + %(advice_days)s AS advice_due,
        sa.date AS advice_date, ps.date AS perspective_date, ps.perspective,
        ps.destination_place
    FROM students_enrolment e
    JOIN sw_c c ON c.id = e.student_id
    LEFT JOIN roadmap_studyadvicestep sa ON sa.enrolment_id = e.id
    LEFT JOIN roadmap_perspectivestep ps ON ps.enrolment_id = e.id
    WHERE e.level = {ENTREE} AND {enrolled_e}
), perspective AS (
    SELECT ent.*, least({spring_after_advice},
                        ent.planned_end - %(perspective_before_end)s) AS due
    FROM ent
), person AS (
    SELECT s.id AS student_id, kind, due, s.authority AS assignee, s.region_id
    FROM sw_s s
    CROSS JOIN LATERAL (VALUES
        ({DROPOUT}, CASE WHEN s.situation = {DROPOUT}
                         THEN s.ev_date + %(dropout_days)s END),
        ({JOB_LOST}, CASE WHEN s.situation = {JOB_LOST}
                          THEN s.lost_end + %(job_lost_days)s END),
        ({NEXT_STEP_CHECK}, CASE WHEN s.situation = {NEXT_STEP_CHECK}
                                 THEN {reference_after_event} END)
    ) AS k(kind, due)
    WHERE s.situation IS NOT NULL AND k.due IS NOT NULL
), work AS (
    SELECT s.id AS student_id, {work_due} AS due
    FROM sw_s s
    WHERE s.in_tg AND s.t IS NOT NULL AND %(d)s <= {t_plus_post}
        AND s.working AND NOT s.enrolled
), dsp AS (
    SELECT s.id AS student_id, s.region_id, {dsp_due} AS due
    FROM sw_s s
    WHERE s.dob <= %(adult)s AND NOT s.enrolled AND NOT s.future AND s.dsp_start IS NOT NULL
)
SELECT ent.student_id, {STUDY_ADVICE_DUE}::varchar AS kind, ent.advice_due AS due,
    ent.id AS enrolment_id, {SCHOOL}::varchar AS assignee, ent.institution_id AS org
FROM ent
WHERE (ent.advice_date IS NULL OR ent.advice_date > %(d)s)
    AND %(d)s >= ent.advice_due - %(advice_notice)s
UNION ALL
SELECT p.student_id, {PERSPECTIVE_DUE}, p.due, p.id, {SCHOOL}, p.institution_id
FROM perspective p
WHERE (p.perspective_date IS NULL OR p.perspective_date > %(d)s)
    AND %(d)s >= p.due - %(perspective_notice)s
UNION ALL
SELECT ent.student_id, {NO_NEXT_STEP}, ent.planned_end, ent.id, {SCHOOL}, ent.institution_id
FROM ent JOIN sw_c c ON c.id = ent.student_id
WHERE %(d)s >= ent.planned_end - %(no_next_step_days)s
    AND NOT c.future
    AND NOT EXISTS (
        SELECT 1 FROM students_enrolment o
        WHERE o.student_id = ent.student_id AND o.id <> ent.id
            AND o.level = ANY(%(next_step_levels)s)
            AND lower(btrim(o.programme, ' ')) <> lower(btrim(ent.programme, ' '))
            AND {enrolled_o})
    AND NOT EXISTS (
        SELECT 1 FROM students_employment em
        WHERE em.student_id = ent.student_id AND em.hours_per_week >= %(hours)s
            AND em.start_date <= ent.planned_end
            AND (em.end_date IS NULL OR em.end_date >= greatest(%(d)s, ent.planned_end)))
    AND NOT coalesce(ent.perspective = ANY(%(secured_types)s)
                     AND btrim(ent.destination_place, ' ') <> ''
                     AND ent.perspective_date <= %(d)s, false)
UNION ALL
SELECT p.student_id, p.kind, p.due, NULL, p.assignee, r.id
FROM person p
LEFT JOIN regional r ON r.kind = p.assignee AND r.region_id IS NOT DISTINCT FROM p.region_id
UNION ALL
SELECT w.student_id, {WORK_CHECKIN_DUE}, w.due, NULL, {SCHOOL},
    (SELECT e.institution_id FROM students_enrolment e WHERE e.student_id = w.student_id
     ORDER BY e.start_date DESC, e.id DESC LIMIT 1)
FROM work w
WHERE w.due IS NOT NULL
    AND NOT EXISTS (
        SELECT 1 FROM roadmap_contactmoment cm
        WHERE cm.student_id = w.student_id AND cm.kind = {WORK_CHECKIN}
            AND cm.date >= w.due - %(lookback)s AND cm.date <= %(d)s)
UNION ALL
SELECT s.id, {MONITORING_HANDOVER}, {t_plus_post}, NULL, {DOORSTROOMPUNT}, r.id
FROM sw_s s
LEFT JOIN regional r ON r.kind = {DOORSTROOMPUNT}
    AND r.region_id IS NOT DISTINCT FROM s.region_id
WHERE s.in_tg AND s.t IS NOT NULL AND NOT s.enrolled AND NOT s.future
    AND %(d)s >= {t_plus_post} - %(handover_notice)s
UNION ALL
SELECT dsp.student_id, {DSP_CHECKIN_DUE}, dsp.due, NULL, {DOORSTROOMPUNT}, r.id
FROM dsp
LEFT JOIN regional r ON r.kind = {DOORSTROOMPUNT}
    AND r.region_id IS NOT DISTINCT FROM dsp.region_id
WHERE dsp.due IS NOT NULL
    AND NOT EXISTS (
        SELECT 1 FROM roadmap_contactmoment cm
        WHERE cm.student_id = dsp.student_id AND cm.kind = {DSP_CONTACT}
            AND cm.date >= dsp.due - %(lookback)s AND cm.date <= %(d)s)
"""

# The columns of sw_s the later statements join or filter on: ANALYZE reads only these
# (statistics of the other two dozen would cost more than they decide).
STUDENT_KEYS = "(id, situation, in_tg, enrolled, future, working, t, dsp_start, end_reason)"

STORED_STATUSES = """
CREATE TEMP TABLE sw_m ON COMMIT DROP AS
SELECT student_id, vsv, in_target_group, leaving_situation, monitoring_ended, end_reason
FROM monitoring_monitoringstatus
"""

# The status row to keep per candidate (monitoring.sweep.status_of) against the stored one.
STATUS_CHANGES = f"""
CREATE TEMP TABLE sw_d ON COMMIT DROP AS
WITH d AS (
    SELECT s.id AS student_id, s.end_reason IS NOT NULL AS ended,
        CASE WHEN s.end_reason IS NOT NULL THEN false ELSE s.vsv END AS vsv,
        s.end_reason IS NULL AS in_tg,
        CASE WHEN s.end_reason IS NOT NULL THEN ''
             ELSE coalesce(s.situation, '') END AS situation,
        coalesce(s.end_reason, '') AS reason,
        s.end_reason IS NULL AND (
            s.vsv OR s.situation IS NOT NULL OR coalesce(s.dsp_start <= %(d)s, false)
            OR nw.student_id IS NOT NULL) AS interesting
    FROM sw_s s
    LEFT JOIN (SELECT DISTINCT student_id FROM sw_w
               WHERE kind NOT IN {ENROLMENT_KINDS_SQL}) nw ON nw.student_id = s.id
), x AS (
    SELECT d.*,
        CASE WHEN m.student_id IS NULL THEN
                 CASE WHEN d.interesting THEN 'insert' END
             WHEN d.ended OR d.interesting THEN
                 CASE WHEN (m.vsv, m.in_target_group, m.leaving_situation,
                            m.monitoring_ended, m.end_reason)
                           IS DISTINCT FROM (d.vsv, d.in_tg, d.situation, d.ended, d.reason)
                      THEN 'update' END
             ELSE 'delete' END AS action
    FROM d LEFT JOIN sw_m m ON m.student_id = d.student_id
)
SELECT * FROM x WHERE action IS NOT NULL
"""  # noqa: S608  # nosec B608 - constants only; every value is a parameter

STATUS_UPDATE = """
UPDATE monitoring_monitoringstatus m
SET vsv = d.vsv, in_target_group = d.in_tg, leaving_situation = d.situation,
    monitoring_ended = d.ended, end_reason = d.reason, changed_on = %(d)s
FROM sw_d d
WHERE m.student_id = d.student_id AND d.action = 'update'
"""

# No ON CONFLICT: only the sweep writes status rows, under its lock, and sw_m was read
# under it (see signals_sync.OPEN).
STATUS_INSERT = """
INSERT INTO monitoring_monitoringstatus (student_id, vsv, in_target_group,
    leaving_situation, monitoring_ended, end_reason, changed_on)
SELECT d.student_id, d.vsv, d.in_tg, d.situation, d.ended, d.reason, %(d)s
FROM sw_d d
WHERE d.action = 'insert'
"""

STATUS_DELETE = """
DELETE FROM monitoring_monitoringstatus m
USING sw_d d
WHERE m.student_id = d.student_id AND d.action = 'delete'
"""


def statements(settings: RuleSettings) -> dict:
    """The SQL texts for these settings (the yearly dates are part of the text)."""
    reference_after_t = _yearly_on_or_after("y.t + 1", settings.VSV_REFERENCE_DATE)
    students = STUDENTS.format(
        birthday=_birthday("x.dob", settings.KWALIFICATIEPLICHT_AGE),
        reference_after_t=reference_after_t,
    )
    wanted = WANTED.format(
        **RB,
        planned_end_e=planned_end_sql("e"),
        enrolled_e=enrolled_on_sql("e"),
        enrolled_o=enrolled_on_sql("o"),
        spring_after_advice=_yearly_on_or_after("ent.advice_due", settings.SPRING_DATE),
        reference_after_event=_yearly_on_or_after("s.ev_date + 1", settings.VSV_REFERENCE_DATE),
        work_due=_latest_repeat("s.t", "%(work_every)s", "%(work_max_k)s"),
        dsp_due=_latest_repeat("s.dsp_start", "%(dsp_every)s", "%(no_max_k)s"),
        t_plus_post=_add_months("s.t", "%(post_months)s"),
    )
    return {"candidates": CANDIDATES, "students": students, "wanted": wanted}


def run_rules_sql(day: date, settings: RuleSettings, result, *, timings=None):
    """Compute and apply the rules for D inside the caller's transaction (see module doc).

    `result` is a monitoring.sweep.SweepResult to fill; `timings`, when a dict, receives
    the seconds per step (for the benchmark; with `timings["_detail"]` set, per statement)."""
    import time

    now = timezone.now()
    params = parameters(day, settings, now)
    texts = statements(settings)

    counter = [0]

    def step(name, sql, step_params=params):
        counter[0] += 1
        if timings is not None and timings.get("_detail"):
            name = f"{counter[0]:02d} {name}"
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, step_params)
            count = cursor.rowcount
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
        return count

    # The signals are written by the one writer (monitoring.signals_sync), set-based: it
    # takes the sweep's lock and copies the stored signals (sw_g, which the candidates
    # read), then diffs them against sw_w below.
    sync = SqlSync(MONITORING_SOURCE, day, now=now, execute=step)
    # For this transaction only (set_config(..., true) is SET LOCAL), in one statement:
    # - work_mem: hash aggregates over every enrolment of the population in memory, not
    #   spilled to disk in 4 MB pieces (the default);
    # - jit off: JIT compiles each big statement anew (70-250 ms apiece here) for scans
    #   that take little longer than that;
    # - default_statistics_target: the staging tables are ANALYZEd for their row counts
    #   and the few columns the next statements join on, and a sample of 3,000 rows (not
    #   30,000) says as much for those.
    # - parallel workers: pages run without them (config.settings); the sweep scans the
    #   population and may use them.
    step(
        "settings",
        "SELECT set_config('work_mem', %(work_mem)s, true), set_config('jit', 'off', true),"
        " set_config('default_statistics_target', '10', true),"
        " set_config('max_parallel_workers_per_gather', %(workers)s, true)",
        {"work_mem": WORK_MEM, "workers": str(django_settings.KOERS_BATCH_PARALLEL_WORKERS)},
    )
    # The stored state is copied first: the diff then joins temp tables with fresh
    # statistics, so a plan never rests on stale ones of the signal and status tables
    # (right after a first run, they still say "empty").
    sync.snapshot()
    step("stored", STORED_STATUSES)
    step("analyze", "ANALYZE sw_m (student_id, monitoring_ended, vsv)")
    # Grouping every enrolment per student: almost every student is a group of one, so a
    # hash table of them all (115 MB at 500,000 students) costs more than reading the
    # enrolments in student order from their index and merging them with the students
    # (measured 1.4 s -> 1.1 s at 500,000). For this one statement only.
    step("settings", "SET LOCAL enable_hashagg = off")
    # CREATE TABLE AS reports the rows it wrote: no second read of sw_c to count them.
    result.candidates = step("candidates", texts["candidates"])
    step("settings", "RESET enable_hashagg")
    step("analyze", "ANALYZE sw_c (id)")
    step("students", texts["students"])
    step("analyze", f"ANALYZE sw_s {STUDENT_KEYS}")
    step("wanted", texts["wanted"])
    step("analyze", "ANALYZE sw_w (student_id, kind, due, enrolment_id)")
    step("diff", STATUS_CHANGES)
    step("diff", "CREATE INDEX ON sw_d (student_id)")
    step("analyze", "ANALYZE sw_d (student_id, action)")
    result.chunks = 1
    written = sync.apply(
        "sw_w",
        scope="(SELECT id AS student_id, end_reason FROM sw_s)",
        reason_exempt_kinds=rb.ENROLMENT_SIGNAL_KINDS,
    )
    result.closed += written.closed
    result.reopened += written.reopened
    result.reassigned += written.reassigned
    result.opened += written.opened
    result.events += written.events
    result.statuses_written += step("status write", STATUS_UPDATE)
    result.statuses_written += step("status write", STATUS_INSERT)
    result.statuses_written += step("status write", STATUS_DELETE)
    step("drop", "DROP TABLE sw_d, sw_w, sw_s, sw_c, sw_m")
    return result
