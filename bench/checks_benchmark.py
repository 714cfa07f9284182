"""Benchmark of the daily checks (monitoring.sweep.run_sweep) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/checks_benchmark.py
    (or: make bench-checks; BENCH_ARGS="--sizes 100000" for the smaller one only)

DATABASE_URL names the PostgreSQL server (any database on it): the benchmark creates its
own database there (`koers_bench`, dropped first, kept afterwards for inspection unless
--drop), migrates it, and for each size (100,000 and 500,000 students by default):

1. tops the synthetic population up to that size (monitoring.synthetic, fixed seeds),
   empties the signal tables and runs VACUUM ANALYZE;
2. measures the floor: one plain SQL statement that scans the same students with their
   enrolments (the least any check of these students can cost);
3. runs the sweep for a fixed date (cold: it opens every signal), reporting time, SQL
   statements, rows written, the ratio to the floor, and where the time goes (the
   candidate query, loading facts, evaluating the rules in Python, writing);
4. runs it again for the same date: it must write nothing.
"""

import argparse
import os
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "koers_bench"
DAY = date(2026, 3, 2)
FLOOR_SQL = (
    "SELECT count(*), max(e.start_date), max(e.end_date), max(s.date_of_birth) "
    "FROM students_student s LEFT JOIN students_enrolment e ON e.student_id = s.id"
)


def server_url(url, database):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def recreate_database(url):
    with psycopg.connect(server_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


class StatementCounter:
    """A connection execute_wrapper: counts statements (executemany counts once)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class Profile:
    """Wraps the sweep's phases to time them; the sweep's logic is untouched."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.calls = defaultdict(int)
        self._saved = []

    def wrap(self, owner, name, label):
        original = getattr(owner, name)
        seconds, calls = self.seconds, self.calls

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[label] += time.perf_counter() - started
                calls[label] += 1

        setattr(owner, name, timed)
        self._saved.append((owner, name, original))

    def __enter__(self):
        from monitoring import rules, sweep

        self.wrap(sweep, "load_chunk", "load facts")
        self.wrap(rules, "evaluate", "evaluate rules")
        self.wrap(sweep, "diff_student", "diff")
        self.wrap(sweep._Writer, "write", "write")
        return self

    def __exit__(self, *exc):
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)


def measure_floor(connection):
    best = None
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL)
            cursor.fetchone()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


def run_once(label, floor):
    from django.db import connection

    from monitoring.sweep import run_sweep

    counter = StatementCounter()
    with Profile() as profile, connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = run_sweep(DAY)
        elapsed = time.perf_counter() - started
    accounted = sum(v for k, v in profile.seconds.items() if k != "evaluate rules")
    print(
        f"  {label}: {elapsed:7.2f} s, {counter.count} SQL statements, "
        f"{result.candidates} candidates in {result.chunks} chunks, "
        f"rows written {result.rows_written} (opened {result.opened}, reopened "
        f"{result.reopened}, closed {result.closed}, reassigned {result.reassigned}, "
        f"events {result.events}, statuses {result.statuses_written}); "
        f"ratio to floor {elapsed / floor:.1f}x"
    )
    # evaluate runs inside diff's caller loop, not inside diff: list the phases apart.
    other = elapsed - accounted - profile.seconds["evaluate rules"]
    phases = ", ".join(
        f"{name} {profile.seconds[name]:.2f} s"
        for name in ("load facts", "evaluate rules", "diff", "write")
    )
    print(f"    where the time goes: {phases}, candidates query and the rest {other:.2f} s")
    if result.candidates:
        per = profile.seconds["evaluate rules"] / result.candidates * 1e6
        print(f"    rules.evaluate: {per:.0f} us per candidate")
    return elapsed, counter.count, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,500000")
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--drop", action="store_true", help="drop koers_bench afterwards")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name a PostgreSQL server (the benchmark makes koers_bench)")
    recreate_database(url)
    os.environ["DATABASE_URL"] = server_url(url, BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from monitoring.synthetic import generate

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")

    have = 0
    for size in [int(s) for s in args.sizes.split(",")]:
        print(f"\n== {size:,} students, sweep for {DAY} ==")
        started = time.perf_counter()
        made = generate(students=size - have, seed=args.seed + have, today=DAY, offset=have)
        print(
            f"  generate_synthetic +{made.students:,} students ({made.rows:,} rows): "
            f"{time.perf_counter() - started:.1f} s"
        )
        have = size
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE monitoring_signalevent, monitoring_signal, monitoring_monitoringstatus"
            )
        connection.ensure_connection()
        connection.connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        floor = measure_floor(connection)
        print(f"  floor (one scan of students with enrolments): {floor:.3f} s")
        first, statements1, result1 = run_once("first run ", floor)
        second, statements2, result2 = run_once("second run", floor)
        verdict = "writes nothing" if result2.rows_written == 0 else "WROTE ROWS"
        print(f"  second run for the same date {verdict}")
        goal = "met" if first < 60 and first / floor <= 5 else "not met"
        print(f"  goal (under 60 s and within 5x the floor): {goal}")

    if args.drop:
        connection.close()
        with psycopg.connect(server_url(url, "postgres"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
