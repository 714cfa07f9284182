"""PostgreSQL settings for the reports' queries."""

import uuid
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction

from .figures import population_facts_sql, population_rows_sql


@contextmanager
def report_transaction():
    """A read transaction with JIT compilation off and room to sort and hash in memory
    (PostgreSQL).

    The correlated subqueries of the figures have high plan costs, so PostgreSQL's JIT
    kicks in and spends seconds compiling queries that run in a tenth of that (measured
    at 100,000 students: 5.2 s of JIT for a 0.1 s query). LOCAL: it ends with the
    transaction and never leaks to the next request on a persistent connection.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                # The figures group the population set-based (a hash or a sort of a row
                # per student, a few MiB at 500,000 students): in memory, not on disk.
                cursor.execute("SET LOCAL work_mem = '32MB'")
                # Pages run without parallel workers (config.settings); a report scans
                # the population and may use them.
                cursor.execute(
                    "SELECT set_config('max_parallel_workers_per_gather', %s, true)",
                    [str(settings.KOERS_BATCH_PARALLEL_WORKERS)],
                )
        yield


@contextmanager
def population_table(scope):
    """The scope's students selected once, into a temporary table, for one computation
    of the figures (inside report_transaction).

    Every figure counts (a part of) the same population; selecting it from the region's
    students and the filters' enrolments costs as much as a figure itself, once per
    figure. With the ids in a table (analysed, so PostgreSQL knows its size) each figure
    reads them by a hash join instead. `scope.students()` and `scope.enrolments()` read
    the table while it exists. Beside each id the table holds what the figures ask of a
    student (reports.figures.population_facts_sql), so the population's enrolments,
    qualifications and employments are read once for every figure, and a second table
    (`scope.population_rows`) the population's enrolments. Dropped at the end; an error
    rolls the transaction (or savepoint) back, which removes them too.
    """
    name = f"reports_population_{uuid.uuid4().hex[:16]}"
    # First the students (with their date of birth and municipality: a figure that splits
    # the population by age band and municipality reads them here) each with their
    # enrolments, a plan with parallel workers; then per student the facts the figures
    # ask of a student (reports.figures.population_facts_sql), from those rows and the
    # population's other records: one pass over the students' tables.
    rows = f"reports_population_{uuid.uuid4().hex[:16]}"
    sql, params = population_rows_sql(scope)
    analyse = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if analyse:
            # The ids' statistics are what the plans need (how many, and distinct): a
            # small sample tells that.
            cursor.execute("SET LOCAL default_statistics_target = 10")
        cursor.execute(f"CREATE TEMPORARY TABLE {rows} AS {sql}", params)
        if analyse:
            cursor.execute(f"ANALYZE {rows} (pk, level, start_date)")
        sql, params = population_facts_sql(scope, rows)
        cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {sql}", params)
        if analyse:
            cursor.execute(f"ANALYZE {name} (pk)")
            cursor.execute("SET LOCAL default_statistics_target TO DEFAULT")
    scope.population_table, scope.population_rows = name, rows
    try:
        yield name
    finally:
        scope.population_table = scope.population_rows = None
    with connection.cursor() as cursor:
        for table in (name, rows):
            cursor.execute(f"DROP TABLE {table}")
