"""Who may open a meeting and its students (ACCESS.md): members only, 404 otherwise."""

import pytest

from accounts.models import Organisation, Region
from doorstroomtafel import services
from doorstroomtafel.models import CaseTable, ScopeKind
from students.models import Student
from tests.factories import make_user

from .conftest import add, hold

pytestmark = pytest.mark.django_db


def urls(meeting, student):
    return [
        f"/doorstroomtafel/{meeting.public_id}/",
        f"/doorstroomtafel/{meeting.public_id}/agenda.pdf",
        f"/students/{student.public_id}/",
    ]


def test_a_leerplicht_officer_of_another_region_cannot_open_the_meeting_or_its_students(
    client, meeting, dropout, leerplicht, leerplicht_haaglanden
):
    add(meeting, dropout, leerplicht)
    client.force_login(leerplicht_haaglanden)
    for url in urls(meeting, dropout):
        assert client.get(url).status_code == 404, url


def test_a_member_of_another_table_cannot_open_the_meeting_or_its_students(
    client, meeting, dropout, leerplicht
):
    wf_startpunt = Organisation.objects.get(name="Jongerenstartpunt")
    other = CaseTable.objects.create(
        name="Andere tafel",
        scope_kind=ScopeKind.REGION,
        region=Region.objects.get(name="Noord-Holland Noord"),
    )
    other.member_organisations.set([wf_startpunt])
    outsider = make_user("jsp@westfriesland.test", "jongeren_startpunt", "Jongerenstartpunt")
    add(meeting, dropout, leerplicht)
    client.force_login(outsider)
    for url in urls(meeting, dropout):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/doorstroomtafel/{meeting.public_id}/status/finalise/").status_code == 404


def test_a_partner_member_sees_the_agenda_but_not_the_students_file(
    client, meeting, dropout, leerplicht, startpunt
):
    add(meeting, dropout, leerplicht)
    client.force_login(startpunt)
    assert client.get(f"/doorstroomtafel/{meeting.public_id}/").status_code == 200
    assert client.get(f"/students/{dropout.public_id}/").status_code == 404
    # Reading is not preparing: the partner cannot change the agenda.
    response = client.post(f"/doorstroomtafel/{meeting.public_id}/status/finalise/")
    assert response.status_code == 404


def test_leerplicht_sees_an_adult_agenda_student_only_while_the_meeting_runs(
    meeting, dropout, leerplicht
):
    # 19 years old: outside Leerplicht's own scope (under 18).
    assert not Student.objects.visible_to(leerplicht).filter(pk=dropout.pk).exists()
    add(meeting, dropout, leerplicht)
    assert Student.objects.visible_to(leerplicht).filter(pk=dropout.pk).exists()
    hold(meeting, leerplicht)
    assert Student.objects.visible_to(leerplicht).filter(pk=dropout.pk).exists()
    services.minutes_finalise(meeting=meeting, actor=leerplicht, confirm_empty=True)
    assert not Student.objects.visible_to(leerplicht).filter(pk=dropout.pk).exists()


def test_a_mentor_who_is_not_named_does_not_take_part(client, meeting, dropout, leerplicht, mentor):
    add(meeting, dropout, leerplicht)
    client.force_login(mentor)
    assert client.get(f"/doorstroomtafel/{meeting.public_id}/").status_code == 404


def test_the_pdf_is_gone_once_the_minutes_are_final(client, meeting, dropout, leerplicht):
    add(meeting, dropout, leerplicht)
    hold(meeting, leerplicht)
    services.minutes_finalise(meeting=meeting, actor=leerplicht, confirm_empty=True)
    client.force_login(leerplicht)
    assert client.get(f"/doorstroomtafel/{meeting.public_id}/agenda.pdf").status_code == 404
    assert client.get(f"/doorstroomtafel/{meeting.public_id}/").status_code == 200
