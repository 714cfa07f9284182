"""Indexes for the student search that only PostgreSQL has (pg_trgm, pattern ops).

The expressions match what Django emits for `icontains` (UPPER(col::text) LIKE ...) and
`startswith` (col::text LIKE 'x%'), so the planner can use them at 500,000 students.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS student_first_name_trgm ON students_student "
    "USING gin (UPPER(first_name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS student_last_name_trgm ON students_student "
    "USING gin (UPPER(last_name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS student_number_pattern ON students_student "
    "(student_number varchar_pattern_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS student_first_name_trgm",
    "DROP INDEX IF EXISTS student_last_name_trgm",
    "DROP INDEX IF EXISTS student_number_pattern",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("students", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
