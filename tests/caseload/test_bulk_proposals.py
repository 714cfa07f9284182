"""Bulk proposals for a case table (issue 19, part 6): through the single proposal's
service, all or nothing."""

import pytest
from django.urls import reverse

from doorstroomtafel.models import Proposal
from tests.doorstroomtafel.conftest import make_student, meeting, table, today  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_mentor_proposes_several_students_at_once(client, meeting, mentor, today):  # noqa: F811
    students = [make_student(today=today, mentor=mentor) for _ in range(3)]
    client.force_login(mentor)
    response = client.post(
        reverse("caseload:bulk_students"),
        {"action": "case_table", "ids": [s.public_id for s in students], "next": "/klas/"},
    )
    url = response["Location"]
    page = client.get(url)
    assert page.context["count"] == 3
    assert meeting in page.context["form"].fields["meeting"].queryset
    done = client.post(url, {"meeting": meeting.pk, "reason": "Veel verzuim"})
    assert done.status_code == 302
    assert Proposal.objects.filter(meeting=meeting, proposed_by=mentor).count() == 3


def test_one_student_already_proposed_refuses_all(client, meeting, mentor, today):  # noqa: F811
    from doorstroomtafel import services

    students = [make_student(today=today, mentor=mentor) for _ in range(3)]
    services.proposal_create(meeting=meeting, student=students[2], reason="Eerder", actor=mentor)
    client.force_login(mentor)
    url = client.post(
        reverse("caseload:bulk_students"),
        {"action": "case_table", "ids": [s.public_id for s in students]},
    )["Location"]
    page = client.post(url, {"meeting": meeting.pk, "reason": "Veel verzuim"})
    assert page.status_code == 200
    assert page.context["form"].non_field_errors()
    assert Proposal.objects.filter(meeting=meeting).count() == 1
