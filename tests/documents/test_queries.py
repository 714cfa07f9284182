"""Pinned query counts: the documents page and the student's page with 1 and 50
documents ask the database the same number of times."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.filetypes import detect
from documents.services import document_upload

from . import files
from .conftest import documents_url


def add_documents(student, user, n):
    for i in range(n):
        upload = files.upload(f"{i}.pdf", files.PDF)
        document_upload(
            student=student,
            upload=upload,
            detected=detect(upload),
            title=f"Document {i}",
            actor=user,
        )


# Session and user, membership, second factor, the student, the documents (one query with
# who added them), the referrals, steps and meeting items the upload form offers, and the
# access-log row.
PINNED_DOCUMENTS_PAGE = 8


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["documents", "student"])
def test_same_queries_for_1_and_50_documents(client, mentor, student, page):
    url = documents_url(student) if page == "documents" else f"/students/{student.public_id}/"
    client.force_login(mentor)
    add_documents(student, mentor, 1)
    count(client, url)  # warm caches (sessions, content types)
    one = count(client, url)
    add_documents(student, mentor, 49)
    fifty = count(client, url)
    assert one == fifty


def test_documents_page_query_count_is_pinned(client, mentor, student, django_assert_num_queries):
    client.force_login(mentor)
    add_documents(student, mentor, 3)
    client.get(documents_url(student))
    with django_assert_num_queries(PINNED_DOCUMENTS_PAGE):
        client.get(documents_url(student))
