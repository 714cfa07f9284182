"""Who sees a meeting (DOORSTROOMTAFEL.md): users of the table's standing member
organisations other than mentors, the table's standing member users, and each user
invited in person; for everyone else a 404 on the page, the agenda PDF and the minutes,
whatever the status. One predicate (accounts.policy.can_see_meeting) and its Q-builder."""

import pytest
from django.core.exceptions import ValidationError

from accounts import policy
from accounts.models import Organisation
from doorstroomtafel import services
from doorstroomtafel.forms import CaseTableForm
from doorstroomtafel.models import CaseTable, Meeting
from doorstroomtafel.queries import meetings_for_user
from tests.factories import make_user

from .conftest import add, hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db, table, leerplicht, dsp, startpunt, coordinator, wi, leerplicht_haaglanden):
    """The table: Leerplicht, the Doorstroompunt, Horizon College and the Check-In as
    member organisations; leerplicht, dsp and the Horizon coordinator by name."""
    named_mentor = make_user("vaste-mentor@horizon.test", "mentor", "Horizon College")
    table.member_users.add(named_mentor)
    return {
        # Seers
        "member organisation user": startpunt,
        "standing member user (a mentor by name)": named_mentor,
        "invited in person (W&I)": wi,
        # Not seers
        "colleague of the invited person": make_user(
            "collega@wi.test", "wi", "Werk en Inkomen Noord-Holland Noord"
        ),
        "mentor of a member school, not invited": make_user(
            "mentor@horizon-niet.test", "mentor", "Horizon College"
        ),
        "other region": leerplicht_haaglanden,
        "partner not at the table": make_user(
            "jsp@westfriesland.test", "jongeren_startpunt", "Jongerenstartpunt"
        ),
    }


SEERS = (
    "member organisation user",
    "standing member user (a mentor by name)",
    "invited in person (W&I)",
)
OTHERS = (
    "colleague of the invited person",
    "mentor of a member school, not invited",
    "other region",
    "partner not at the table",
)


@pytest.fixture
def final_agenda(meeting, dropout, leerplicht, wi):
    meeting.invited_users.add(wi)
    add(meeting, dropout, leerplicht)
    services.agenda_finalise(meeting=meeting, actor=leerplicht, notify=False)
    return meeting


@pytest.fixture
def final_minutes(past_meeting, dropout, leerplicht, wi):
    past_meeting.invited_users.add(wi)
    item = add(past_meeting, dropout, leerplicht)
    hold(past_meeting, leerplicht)
    services.minutes_save(
        item=item,
        data={"discussion": "Besproken aan tafel", "decision": "Besluit X"},
        actor=leerplicht,
    )
    services.minutes_finalise(meeting=past_meeting, actor=leerplicht)
    return past_meeting


@pytest.mark.parametrize("who", SEERS)
def test_a_participant_sees_the_page_the_agenda_pdf_and_the_minutes(
    client, people, final_agenda, final_minutes, who
):
    client.force_login(people[who])
    page = client.get(f"/doorstroomtafel/{final_agenda.public_id}/")
    assert page.status_code == 200
    assert "Daan Uitvaller" in page.content.decode()
    pdf = client.get(f"/doorstroomtafel/{final_agenda.public_id}/agenda.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    minutes = client.get(f"/doorstroomtafel/{final_minutes.public_id}/")
    assert minutes.status_code == 200
    assert "Besproken aan tafel" in minutes.content.decode()


@pytest.mark.parametrize("who", OTHERS)
def test_anyone_else_gets_a_404_on_the_page_the_agenda_pdf_and_the_minutes(
    client, people, final_agenda, final_minutes, who
):
    client.force_login(people[who])
    for url in (
        f"/doorstroomtafel/{final_agenda.public_id}/",
        f"/doorstroomtafel/{final_agenda.public_id}/agenda.pdf",
        f"/doorstroomtafel/{final_minutes.public_id}/",
    ):
        assert client.get(url).status_code == 404, url
    index = client.get("/doorstroomtafel/").content.decode()
    assert final_agenda.public_id not in index
    assert final_minutes.public_id not in index


def test_the_predicate_and_its_filter_agree_for_every_viewer_and_status(
    people, final_agenda, final_minutes, meeting, leerplicht, dsp, coordinator
):
    everyone = [*people.values(), leerplicht, dsp, coordinator]
    for user in everyone:
        visible = set(meetings_for_user(user).values_list("pk", flat=True))
        for m in Meeting.objects.select_related("table"):
            assert policy.can_see_meeting(user, m) == (m.pk in visible), (user.email, m.status)
    for who in SEERS:
        assert final_agenda.pk in set(meetings_for_user(people[who]).values_list("pk", flat=True))
    for who in OTHERS:
        assert not meetings_for_user(people[who]).exists(), who


def test_an_invitation_opens_that_meeting_only_not_the_tables_other_meetings(
    client, table, final_agenda, final_minutes, wi
):
    """W&I was invited to two meetings of this table; a third, without them, stays closed."""
    other = services.meeting_create(
        table=table,
        date=final_agenda.date,
        place="Elders",
        actor=final_agenda.created_by,
    )
    client.force_login(wi)
    assert client.get(f"/doorstroomtafel/{other.public_id}/").status_code == 404
    index = client.get("/doorstroomtafel/").content.decode()
    assert final_agenda.public_id in index
    assert other.public_id not in index


def test_a_mentor_who_proposed_sees_the_outcome_on_the_students_page_not_the_agenda(
    client, meeting, mentor, leerplicht, today
):
    from .conftest import make_student

    student = make_student(today=today, mentor=mentor, last_name="Voorgedragen")
    proposal = services.proposal_create(
        meeting=meeting, student=student, reason="Veel verzuim", actor=mentor
    )
    services.proposal_accept(proposal=proposal, actor=leerplicht)
    client.force_login(mentor)
    assert client.get(f"/doorstroomtafel/{meeting.public_id}/").status_code == 404
    page = client.get(f"/students/{student.public_id}/").content.decode()
    assert 'data-proposal-status="accepted"' in page
    assert "op de agenda gezet" in page


# --- Standing member users belong to the table's member organisations ----------------


def test_the_service_refuses_a_standing_member_of_another_organisation(
    table, leerplicht, leerplicht_haaglanden
):
    organisations = list(table.member_organisations.all())
    with pytest.raises(ValidationError) as refused:
        services.table_members_set(
            table=table,
            member_organisations=organisations,
            member_users=[leerplicht, leerplicht_haaglanden],
            actor=None,
        )
    assert "member_users" in refused.value.message_dict
    assert leerplicht_haaglanden not in table.member_users.all()


def test_the_table_form_refuses_a_standing_member_of_another_organisation(
    table, leerplicht, leerplicht_haaglanden
):
    data = {
        "name": table.name,
        "scope_kind": table.scope_kind,
        "region": table.region_id,
        "subregion": table.subregion_id,
        "member_organisations": list(table.member_organisations.values_list("pk", flat=True)),
        "member_users": [leerplicht.pk, leerplicht_haaglanden.pk],
        "is_active": "on",
        "version": table.version,
    }
    form = CaseTableForm(data, instance=table)
    assert not form.is_valid()
    assert "member_users" in form.errors
    data["member_users"] = [leerplicht.pk]
    assert CaseTableForm(data, instance=table).is_valid()


def test_the_demo_keeps_standing_members_within_their_tables_and_horizon_out_of_kop(
    client, settings, tmp_path
):
    from django.core.management import call_command

    from accounts.models import User

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", force=True, verbosity=0)
    for table in CaseTable.objects.prefetch_related("member_organisations", "member_users"):
        ids = [o.pk for o in table.member_organisations.all()]
        for user in table.member_users.all():
            assert policy.may_be_standing_member(user, ids), (table.name, user.email)
    kop = CaseTable.objects.get(name="Doorstroomtafel Kop van Noord-Holland")
    horizon = Organisation.objects.get(name="Horizon College")
    assert horizon not in kop.member_organisations.all()
    coordinator = User.objects.get(email="coordinator@horizon.demo")
    client.force_login(coordinator)
    for meeting in Meeting.objects.filter(table=kop):
        assert coordinator not in meeting.invited_users.all()
        assert client.get(f"/doorstroomtafel/{meeting.public_id}/").status_code == 404
        assert client.get(f"/doorstroomtafel/{meeting.public_id}/agenda.pdf").status_code == 404
    # Horizon's own tables stay open to its coordinator.
    kennemerland = Meeting.objects.filter(table__name__endswith="Noord-Kennemerland").first()
    assert client.get(f"/doorstroomtafel/{kennemerland.public_id}/").status_code == 200
