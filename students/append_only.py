"""The access log is append-only (ACCESS.md): refused in Python here and, under it, by
database triggers (migration 0004) that hold for any client of the database.

The one change allowed is the database setting `student_id` to NULL when a student's
personal data is removed (the foreign key's SET NULL): the row itself stays.
"""

from django.db import models


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the access log is append-only")

    def delete(self):
        raise AppendOnlyError("the access log is append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("the access log is append-only")


_COLUMNS = ("id", "at", "user_id", "role", "organisation_id", "action", "student_ids", "detail")

SQLITE_CREATE = [
    """CREATE TRIGGER IF NOT EXISTS students_accesslog_no_delete
       BEFORE DELETE ON students_accesslog
       BEGIN SELECT RAISE(ABORT, 'students_accesslog is append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS students_accesslog_no_update
       BEFORE UPDATE ON students_accesslog
       WHEN NOT (NEW.student_id IS NULL AND {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in _COLUMNS)})
       BEGIN SELECT RAISE(ABORT, 'students_accesslog is append-only'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS students_accesslog_no_delete",
    "DROP TRIGGER IF EXISTS students_accesslog_no_update",
]

_new = ", ".join(f"NEW.{c}" for c in _COLUMNS)
_old = ", ".join(f"OLD.{c}" for c in _COLUMNS)
POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION students_accesslog_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.student_id IS NULL
           AND ROW({_new}) IS NOT DISTINCT FROM ROW({_old}) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'students_accesslog is append-only';
    END
    $$ LANGUAGE plpgsql""",
    # Idempotent like the SQLite statements: tests install the triggers again per test.
    "DROP TRIGGER IF EXISTS students_accesslog_append_only ON students_accesslog",
    """CREATE TRIGGER students_accesslog_append_only
       BEFORE UPDATE OR DELETE ON students_accesslog
       FOR EACH ROW EXECUTE FUNCTION students_accesslog_append_only()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS students_accesslog_append_only ON students_accesslog",
    "DROP FUNCTION IF EXISTS students_accesslog_append_only()",
]


def _statements(connection, create):
    if connection.vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if connection.vendor == "postgresql":
        return POSTGRES_CREATE if create else POSTGRES_DROP
    return []


def install_triggers(connection):
    with connection.cursor() as cursor:
        for statement in _statements(connection, create=True):
            cursor.execute(statement)


def remove_triggers(connection):
    with connection.cursor() as cursor:
        for statement in _statements(connection, create=False):
            cursor.execute(statement)
