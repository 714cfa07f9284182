"""Benchmark of the administration import (INTERFACES.md section 1) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/import_benchmark.py

DATABASE_URL names the PostgreSQL server to use (any database on it): the benchmark
creates its own throwaway database there (`koers_import_bench`, dropped afterwards
unless --keep), migrates it, writes deterministic, valid CSV files (100,000 students
and 100,000 enrolments by default; about a third of the students with a BSN that
passes the 11-proef) and runs `manage.py import_admin` as a script would:

1. the first import (everything created),
2. the same files again (everything unchanged, no history written),
3. the same files with 10% of the students changed (the update path).

Shared machines are noisy, so every time is also given as a ratio to a floor measured
in the same run: PostgreSQL `COPY` of the same two files into plain scratch tables,
which is the least any import of these bytes can cost. Process start-up (Django setup)
is measured separately, with an import of header-only files.
"""

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "koers_import_bench"

# Reference data that `migrate` loads (REFERENCE_DATA.md).
MUNICIPALITIES = [
    "Alkmaar", "Bergen (NH)", "Castricum", "Dijk en Waard", "Heiloo", "Drechterland",
    "Enkhuizen", "Hoorn", "Koggenland", "Medemblik", "Opmeer", "Stede Broec", "Den Helder",
    "Texel", "Schagen", "Hollands Kroon", "Den Haag", "Delft", "Leidschendam-Voorburg",
    "Midden-Delfland", "Pijnacker-Nootdorp", "Rijswijk", "Wassenaar", "Westland", "Zoetermeer",
]  # fmt: skip
SCHOOLS = [
    "Horizon College", "Clusius College", "ROC Kop van Noord-Holland", "ROC Mondriaan",
    "mboRijnland",
]  # fmt: skip
FIRST_NAMES = [
    "Anna", "Bram", "Daan", "Emma", "Fleur", "Finn", "Julia", "Lars", "Lotte", "Milan",
    "Noah", "Sanne", "Sem", "Tess", "Thijs", "Yara", "Zoë", "Mohammed", "Aylin", "Rayan",
]  # fmt: skip
LAST_NAMES = [
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
    "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters",
    "Hendriks", "van Leeuwen", "Dekker", "Yilmaz",
]  # fmt: skip
PROGRAMMES = [
    ("Entree Dienstverlening", "entree"), ("Entree Bouw", "entree"),
    ("Verzorgende IG", "3"), ("Kok", "2"), ("Software developer", "4"),
    ("Logistiek medewerker", "2"), ("Pedagogisch medewerker", "3"), ("Vavo havo", "vavo"),
]  # fmt: skip
PRIOR = ["vmbo", "pro", "vso", "havo", "vo", "unknown", ""]

STUDENT_COLUMNS = [
    "student_number", "first_name", "last_name", "date_of_birth", "municipality", "bsn",
    "email", "phone", "prior_education",
]  # fmt: skip
ENROLMENT_COLUMNS = [
    "student_number", "institution", "location", "programme", "level", "start_date",
    "planned_end_date", "end_date", "end_reason",
]  # fmt: skip


def valid_bsn(rng: random.Random) -> str:
    """Nine digits that pass the 11-proef (weights 9..2 and -1)."""
    while True:
        digits = [rng.randrange(1, 10)] + [rng.randrange(10) for _ in range(7)]
        check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def generate(folder: Path, count: int, *, changed_share=0.0, seed=2026):
    """Write students.csv and enrolments.csv; the same seed gives the same files."""
    rng = random.Random(seed)
    change = random.Random(seed + 1)
    students_path, enrolments_path = folder / "students.csv", folder / "enrolments.csv"
    with (
        students_path.open("w", newline="", encoding="utf-8") as students_file,
        enrolments_path.open("w", newline="", encoding="utf-8") as enrolments_file,
    ):
        students = csv.writer(students_file)
        enrolments = csv.writer(enrolments_file)
        students.writerow(STUDENT_COLUMNS)
        enrolments.writerow(ENROLMENT_COLUMNS)
        for n in range(count):
            number = f"S{n:07d}"
            born = date(2003, 1, 1) + timedelta(days=rng.randrange(365 * 9))
            phone = f"06-{rng.randrange(10**8):08d}"
            if changed_share and change.random() < changed_share:
                phone = f"06-{(int(phone[3:]) + 1) % 10**8:08d}"
            students.writerow(
                [
                    number,
                    rng.choice(FIRST_NAMES),
                    rng.choice(LAST_NAMES),
                    born.isoformat(),
                    rng.choice(MUNICIPALITIES),
                    valid_bsn(rng) if n % 3 == 0 else "",
                    f"student{n}@example.test",
                    phone,
                    rng.choice(PRIOR),
                ]
            )
            programme, level = rng.choice(PROGRAMMES)
            start = date(2022 + rng.randrange(4), 8, 20 + rng.randrange(10))
            planned = start + timedelta(days=365 * (1 if level == "entree" else 3))
            end, reason = "", ""
            if rng.random() < 0.2:
                end = (start + timedelta(days=rng.randrange(30, 600))).isoformat()
                reason = rng.choice(["dropout", "switch", "other"])
            enrolments.writerow(
                [
                    number,
                    rng.choice(SCHOOLS),
                    rng.choice(["Alkmaar", "Hoorn", "Den Helder", "Delft", ""]),
                    programme,
                    level,
                    start.isoformat(),
                    planned.isoformat(),
                    end,
                    reason,
                ]
            )
    return students_path, enrolments_path


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def run(args, env, *, expect=0):
    started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    if process.returncode != expect:
        sys.stderr.write(process.stdout + process.stderr)
        raise SystemExit(f"{' '.join(map(str, args[:3]))} exited {process.returncode}")
    return elapsed, process.stdout


def copy_floor(url: str, students: Path, enrolments: Path) -> float:
    """COPY the same bytes into plain text tables: the floor for getting them in."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE bench_students (" + ", ".join(f"{c} text" for c in STUDENT_COLUMNS) + ")"
        )
        connection.execute(
            "CREATE TABLE bench_enrolments ("
            + ", ".join(f"{c} text" for c in ENROLMENT_COLUMNS)
            + ")"
        )
        started = time.perf_counter()
        with connection.transaction(), connection.cursor() as cursor:
            for table, path in (("bench_students", students), ("bench_enrolments", enrolments)):
                with cursor.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                    copy.write(path.read_bytes())
        elapsed = time.perf_counter() - started
        connection.execute("DROP TABLE bench_students, bench_enrolments")
    return elapsed


def schema_floor(url: str, count: int) -> float:
    """INSERT ... SELECT of the same number of students, enrolments and history rows into
    the real tables, committed: what the schema (indexes, constraints, foreign keys)
    costs with no application in between. The rows are removed afterwards."""
    with psycopg.connect(url, autocommit=True) as connection:
        started = time.perf_counter()
        with connection.transaction():
            connection.execute(
                """
                INSERT INTO students_student (public_id, student_number, first_name, last_name,
                    date_of_birth, municipality_id, bsn, email, phone, prior_education, version,
                    created_at, updated_at)
                SELECT 'floor' || g, 'F' || g, 'Anna', 'de Vries', DATE '2008-01-01' + g %% 3000,
                    (SELECT min(id) FROM accounts_municipality), '', 'floor' || g || '@example.test',
                    '06-12345678', 'vmbo', 1, now(), now()
                FROM generate_series(1, %s) AS g
                """,
                [count],
            )
            connection.execute(
                """
                INSERT INTO students_enrolment (student_id, institution_id, location, programme,
                    level, start_date, planned_end_date, end_date, end_reason, version,
                    created_at, updated_at)
                SELECT s.id, (SELECT min(id) FROM accounts_organisation WHERE kind = 'school'),
                    'Alkmaar', 'Zorg', '2', DATE '2025-08-25', DATE '2028-07-01', NULL, '', 1,
                    now(), now()
                FROM students_student AS s WHERE s.student_number LIKE 'F%%'
                """
            )
            connection.execute(
                """
                INSERT INTO students_recordchange (student_id, record_type, record_id, action,
                    source, at, changes)
                SELECT id, 'student', id, 'create', 'import', now(), '{}'::jsonb
                FROM students_student WHERE student_number LIKE 'F%%'
                UNION ALL
                SELECT student_id, 'enrolment', id, 'create', 'import', now(), '{}'::jsonb
                FROM students_enrolment
                """
            )
        elapsed = time.perf_counter() - started
        connection.execute("TRUNCATE students_student CASCADE")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100_000, help="rows per file")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    options = parser.parse_args()

    server = options.database_url
    if not server.startswith(("postgres://", "postgresql://")):
        parser.error(
            "set DATABASE_URL (or --database-url) to a PostgreSQL server, e.g. "
            "postgres://postgres@127.0.0.1:5432/postgres; the benchmark creates its own database"
        )
    bench_url = with_database(server, BENCH_DB)
    with psycopg.connect(with_database(server, "postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        admin.execute(f"CREATE DATABASE {BENCH_DB}")

    env = {**os.environ, "DATABASE_URL": bench_url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    manage = [sys.executable, str(ROOT / "manage.py")]
    count = options.students
    results = []
    try:
        run([*manage, "migrate", "--noinput", "-v0"], env)
        with tempfile.TemporaryDirectory(prefix="koers-bench-") as tmp:
            folder = Path(tmp)
            started = time.perf_counter()
            students, enrolments = generate(folder, count)
            generated = time.perf_counter() - started
            size = (students.stat().st_size + enrolments.stat().st_size) / 1e6
            floor = copy_floor(bench_url, students, enrolments)
            floors = [schema_floor(bench_url, count)]

            empty = folder / "empty"
            empty.mkdir()
            generate(empty, 0)
            startup, _ = run(
                [*manage, "import_admin", "--students", empty / "students.csv", "--dry-run"], env
            )

            files = ["--students", students, "--enrolments", enrolments]
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            first, out_first = run([*manage, "import_admin", *files], env)
            peak_kb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            results.append(("first import (all created)", first, out_first, run.cpu))
            second, out_second = run([*manage, "import_admin", *files], env)
            results.append(("second import (all unchanged)", second, out_second, run.cpu))

            changed_dir = folder / "changed"
            changed_dir.mkdir()
            changed = generate(changed_dir, count, changed_share=0.1)
            third, out_third = run(
                [*manage, "import_admin", "--students", changed[0], "--enrolments", changed[1]],
                env,
            )
            results.append(("third import (10% of students changed)", third, out_third, run.cpu))
            # The floor again, after the imports: the machine may have got busier or quieter.
            with psycopg.connect(bench_url, autocommit=True) as connection:
                connection.execute("TRUNCATE students_student CASCADE")
            floors.append(schema_floor(bench_url, count))
            table_floor = min(floors)
    finally:
        if not options.keep:
            with psycopg.connect(with_database(server, "postgres"), autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")

    rows = 2 * count
    print(f"Import benchmark: {count:,} students + {count:,} enrolments ({size:.1f} MB of CSV)")
    print(f"  generating the files          {generated:6.2f} s (not part of any figure)")
    print(f"  floor: COPY of the same rows  {floor:6.2f} s  ({rows / floor:,.0f} rows/s)")
    print(
        f"  floor: INSERT..SELECT into the real tables with history {table_floor:6.2f} s"
        f" (same row counts, committed; before/after: {floors[0]:.2f} / {floors[1]:.2f} s)"
    )
    print(f"  process start-up (empty file) {startup:6.2f} s")
    for label, elapsed, output, cpu in results:
        print(
            f"  {label:<38} {elapsed:6.2f} s  {rows / elapsed:,.0f} rows/s  "
            f"{elapsed / floor:5.1f} x COPY  {elapsed / table_floor:4.1f} x INSERT..SELECT"
        )
        print(f"      CPU time of the import process (Python): {cpu:.2f} s")
        for line in output.splitlines():
            print(f"      {line}")
    print(f"  peak memory of the first import: {peak_kb / 1024:,.0f} MB")
    verdict = "well under" if first < 30 else ("under" if first < 60 else "OVER")
    print(f"  machine load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"  target: {count:,} students with enrolments in well under 60 s -> {verdict}")


if __name__ == "__main__":
    main()
