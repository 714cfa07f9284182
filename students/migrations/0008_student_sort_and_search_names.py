"""Sort and search columns for the lists (issue 15): the surname without its
tussenvoegsel, and the names without accents or case, filled for existing students; on
PostgreSQL a trigram index serves the search's `LIKE '%...%'`."""

from django.db import migrations, models

from students.names import search_name, sort_name

BATCH = 2000


def fill(apps, schema_editor):
    Student = apps.get_model("students", "Student")
    rows = Student.objects.order_by("pk").values_list("pk", "first_name", "last_name")
    batch = []
    for pk, first, last in rows.iterator(chunk_size=BATCH):
        batch.append(
            Student(pk=pk, sort_name=sort_name(first, last), search_name=search_name(first, last))
        )
        if len(batch) >= BATCH:
            Student.objects.bulk_update(batch, ["sort_name", "search_name"])
            batch = []
    if batch:
        Student.objects.bulk_update(batch, ["sort_name", "search_name"])


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS student_search_name_trgm ON students_student "
            "USING gin ((search_name::text) gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS student_search_name_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0007_pending_mentor_email_db_default"),
    ]

    operations = [
        migrations.AddField(
            model_name="student",
            name="search_name",
            field=models.CharField(
                default="", editable=False, max_length=300, verbose_name="zoeknaam"
            ),
        ),
        migrations.AddField(
            model_name="student",
            name="sort_name",
            field=models.CharField(
                default="", editable=False, max_length=300, verbose_name="sorteernaam"
            ),
        ),
        migrations.AddIndex(
            model_name="student",
            index=models.Index(fields=["sort_name", "id"], name="student_sort_order"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
