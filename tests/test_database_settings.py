"""The database connection as pages use it (config/settings.py)."""

import pytest
from django.db import connection

from students.models import Student

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's settings"),
]


def test_a_query_run_often_is_prepared_once_per_connection():
    """Server-side binding: the parameters travel apart from the SQL, so the text is the
    same for every value, and psycopg prepares it after its fifth run (issue 16)."""
    for pk in range(1, 8):
        list(Student.objects.filter(pk=pk).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements "
            "WHERE statement LIKE %s AND statement LIKE %s",
            ['%FROM "students_student"%', '%"students_student"."id" = $1%'],
        )
        (prepared,) = cursor.fetchone()
    assert prepared == 1


def test_pages_run_without_parallel_workers():
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)


def test_a_prepared_query_is_still_planned_for_its_own_values():
    """No generic plan: one made for any search term reads a name search without its
    trigram index (config/settings.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_custom_plan",)
