"""The student's institutions on the student row (issue 16), filled for the students
there are, and on PostgreSQL one index for a school's name search: the institutions and
the name's trigrams together (scope first, then search)."""

from django.db import migrations, models

FILL_POSTGRESQL = """
UPDATE students_student s SET institution_ids = x.ids
FROM (SELECT student_id, jsonb_agg(DISTINCT institution_id ORDER BY institution_id) AS ids
      FROM students_enrolment GROUP BY student_id) x
WHERE x.student_id = s.id
"""
FILL_SQLITE = """
UPDATE students_student SET institution_ids = (
    SELECT json_group_array(institution_id) FROM (
        SELECT DISTINCT e.institution_id FROM students_enrolment e
        WHERE e.student_id = students_student.id ORDER BY e.institution_id))
WHERE EXISTS (SELECT 1 FROM students_enrolment e WHERE e.student_id = students_student.id)
"""


def fill(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(FILL_POSTGRESQL if postgresql else FILL_SQLITE)
    schema_editor.execute("UPDATE students_student SET institution_ids = '[]' "
                          "WHERE institution_ids IS NULL")  # fmt: skip


def school_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS student_school_search ON students_student USING gin "
            "(institution_ids jsonb_path_ops, (search_name::text) gin_trgm_ops)"
        )


def drop_school_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS student_school_search")


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0011_student_startkwalificatie_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="student",
            name="institution_ids",
            field=models.JSONField(
                blank=True, editable=False, null=True, verbose_name="instellingen (afgeleid)"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(school_search_index, drop_school_search_index),
    ]
