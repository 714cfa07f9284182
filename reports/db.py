"""PostgreSQL settings for the reports' queries."""

import uuid
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction


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
    the table while it exists. Dropped at the end; an error rolls the transaction (or
    savepoint) back, which removes it too.
    """
    name = f"reports_population_{uuid.uuid4().hex[:16]}"
    # With the date of birth and the municipality: a figure that splits the population
    # by age band and municipality reads them here, not from the students' table again.
    sql, params = (
        scope.selected_students()
        .values("pk", "date_of_birth", "municipality_id")
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {sql}", params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {name}")
    scope.population_table = name
    try:
        yield name
    finally:
        scope.population_table = None
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {name}")
