import pytest

from tests.factories import EnrolmentFactory


@pytest.fixture
def student(mentor):
    return EnrolmentFactory(student__mentor=mentor).student


def documents_url(student):
    return f"/documenten/student/{student.public_id}/"


def post_upload(client, student, upload, *, title="Verslag intake", belongs_to=""):
    return client.post(
        documents_url(student), {"file": upload, "title": title, "belongs_to": belongs_to}
    )
