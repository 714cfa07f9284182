import pytest
from django.db import DatabaseError, connection, transaction

from students.append_only import AppendOnlyError
from students.models import AccessLog
from tests.factories import StudentFactory


@pytest.fixture
def row(mentor):
    return AccessLog.objects.create(
        user=mentor, role="mentor", action=AccessLog.Action.VIEW_STUDENT, detail="x"
    )


def test_the_application_cannot_update_or_delete_an_access_log_row(row):
    row.detail = "changed"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=row.pk).update(detail="changed")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=row.pk).delete()
    row.refresh_from_db()
    assert row.detail == "x"


def test_the_database_refuses_update_and_delete_even_in_raw_sql(row):
    for sql in (
        "UPDATE students_accesslog SET detail = 'changed' WHERE id = %s",
        "UPDATE students_accesslog SET user_id = NULL WHERE id = %s",
        "DELETE FROM students_accesslog WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    assert AccessLog.objects.filter(pk=row.pk, detail="x").exists()


def test_removing_a_student_keeps_the_log_row_without_the_link(mentor):
    student = StudentFactory(mentor=mentor)
    row = AccessLog.objects.create(
        user=mentor, role="mentor", action=AccessLog.Action.VIEW_STUDENT, student=student
    )
    student.delete()
    row.refresh_from_db()
    assert row.student_id is None
