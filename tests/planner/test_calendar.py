"""The calendar (issue 19, part 5): month and week pages and the private iCalendar feed,
only ever with students in the user's scope."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from planner.models import CalendarFeed
from planner.queries import EventKind, events_for
from planner.views import NEW_FEED_SESSION_KEY
from tests.factories import EnrolmentFactory


def due_today(mentor, **student):
    """An Entree student of `mentor` whose start step (start + 28 days) is due today."""
    today = timezone.localdate()
    return EnrolmentFactory(
        student__mentor=mentor, start_date=today - timedelta(days=28), **student
    ).student


def test_mentor_sees_a_due_step_of_their_student_this_month(client, mentor, other_mentor):
    own = due_today(mentor, student__first_name="Anouk")
    foreign = due_today(other_mentor, student__first_name="Zoltan")
    client.force_login(mentor)
    response = client.get(reverse("planner:month"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Anouk" in html
    assert "Stap op de route" in html
    assert escape(own.last_name) not in html
    assert "Zoltan" not in html
    assert foreign.public_id not in html
    week = client.get(reverse("planner:week")).content.decode()
    assert "Anouk" in week
    assert "Zoltan" not in week


def test_events_outside_the_scope_never_appear(mentor, other_mentor):
    due_today(other_mentor)
    today = timezone.localdate()
    assert (
        events_for(mentor, today - timedelta(days=40), today + timedelta(days=40), today=today)
        == []
    )


def test_a_follow_up_meeting_is_in_the_calendar(mentor):
    from roadmap.models import StudyAdviceStep

    today = timezone.localdate()
    enrolment = EnrolmentFactory(student__mentor=mentor, start_date=today - timedelta(days=130))
    StudyAdviceStep.objects.create(
        enrolment=enrolment, date=today - timedelta(days=5), advice="continue", author=mentor,
        followup_meeting_date=today + timedelta(days=2),
    )  # fmt: skip
    events = events_for(mentor, today, today + timedelta(days=7), today=today)
    assert [e.kind for e in events if e.kind == EventKind.FOLLOW_UP] == [EventKind.FOLLOW_UP]


def test_month_navigation_links_and_a_bad_month_falls_back(client, mentor):
    client.force_login(mentor)
    html = client.get(reverse("planner:month"), {"maand": "2026-02"}).content.decode()
    assert 'rel="prev" href="/kalender/?maand=2026-01"' in html
    assert 'rel="next" href="/kalender/?maand=2026-03"' in html
    assert "februari 2026" in html
    assert client.get(reverse("planner:month"), {"maand": "x"}).status_code == 200
    week = client.get(reverse("planner:week"), {"week": "2026-W53"})
    assert week.status_code == 200
    assert client.get(reverse("planner:week"), {"week": "2026-W01"}).status_code == 200


def test_roles_without_a_calendar_get_a_404(client, regio):
    client.force_login(regio)
    assert client.get(reverse("planner:month")).status_code == 404
    assert client.get(reverse("planner:feed_settings")).status_code == 404


@pytest.mark.parametrize("count", [1, 50])
def test_month_query_count_does_not_grow(client, mentor, django_assert_num_queries, count):
    for _i in range(count):
        due_today(mentor)
    client.force_login(mentor)
    client.get(reverse("planner:month"))
    # Session, the user with their memberships; enrolments with their steps; follow-up meetings;
    # case-table meetings; own actions; the access log row.
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("planner:month"))
    assert response.context["event_count"] == count


QUERIES = 7


def _make_feed(client):
    response = client.post(reverse("planner:feed_create"))
    assert response.status_code == 302
    token = client.session[NEW_FEED_SESSION_KEY]
    page = client.get(reverse("planner:feed_settings")).content.decode()
    assert reverse("planner:feed", args=[token]) in page
    # Shown once only.
    assert (
        reverse("planner:feed", args=[token])
        not in client.get(reverse("planner:feed_settings")).content.decode()
    )
    return token


def test_feed_by_token_only_with_first_names_and_kind(client, mentor, other_mentor):
    own = due_today(mentor, student__first_name="Anouk")
    due_today(other_mentor, student__first_name="Zoltan")
    client.force_login(mentor)
    token = _make_feed(client)
    feed = CalendarFeed.objects.get()
    assert feed.token_hash != token
    assert token not in feed.token_hash
    anonymous = client.__class__()
    response = anonymous.get(reverse("planner:feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "SUMMARY:Anouk: Stap op de route" in body
    assert own.last_name not in body
    assert own.public_id not in body
    assert "Zoltan" not in body


def test_revoked_renewed_and_unknown_tokens_are_404(client, mentor):
    due_today(mentor)
    client.force_login(mentor)
    first = _make_feed(client)
    anonymous = client.__class__()
    assert anonymous.get(reverse("planner:feed", args=[first])).status_code == 200
    second = _make_feed(client)  # renewing revokes the first
    assert anonymous.get(reverse("planner:feed", args=[first])).status_code == 404
    assert anonymous.get(reverse("planner:feed", args=[second])).status_code == 200
    client.post(reverse("planner:feed_revoke"))
    assert anonymous.get(reverse("planner:feed", args=[second])).status_code == 404
    assert anonymous.get(reverse("planner:feed", args=["onbekend"])).status_code == 404
    # The rows stay as the link's history.
    assert CalendarFeed.objects.filter(revoked_at__isnull=False).count() == 2


def test_feed_of_a_deactivated_user_is_404(client, mentor):
    client.force_login(mentor)
    token = _make_feed(client)
    mentor.is_active = False
    mentor.save()
    assert client.__class__().get(reverse("planner:feed", args=[token])).status_code == 404


def test_feed_is_rate_limited_like_exports(client, mentor, settings, one_rate_window):
    settings.KOERS_RATE_LIMITS = {**settings.KOERS_RATE_LIMITS, "export": (1, 60)}
    client.force_login(mentor)
    token = _make_feed(client)
    anonymous = client.__class__()
    assert anonymous.get(reverse("planner:feed", args=[token])).status_code == 200
    assert anonymous.get(reverse("planner:feed", args=[token])).status_code == 429


def test_a_case_table_meeting_and_own_action_appear(leerplicht, dsp, mentor):
    from accounts.models import Organisation, Region, SubRegion
    from doorstroomtafel.models import ActionItem, AgendaItem, CaseTable, Meeting, ScopeKind

    today = timezone.localdate()
    table = CaseTable.objects.create(
        name="Doorstroomtafel Noord-Kennemerland",
        scope_kind=ScopeKind.SUBREGION,
        region=Region.objects.get(name="Noord-Holland Noord"),
        subregion=SubRegion.objects.get(name="Noord-Kennemerland"),
    )
    table.member_organisations.set(
        Organisation.objects.filter(name="Regionaal Bureau Leerplicht Noord-Holland Noord")
    )
    meeting = Meeting.objects.create(
        table=table, date=today + timedelta(days=3), created_by=leerplicht
    )
    student = due_today(mentor, student__first_name="Bram")
    item = AgendaItem.objects.create(
        meeting=meeting, student=student, added_by=leerplicht, position=1, origin="signal",
        reason="Uitval",
    )  # fmt: skip
    ActionItem.objects.create(
        item=item, what="Huisbezoek", owner=dsp,
        owner_organisation=Organisation.objects.get(name="Doorstroompunt Noord-Holland Noord"),
        due_date=today + timedelta(days=4), created_by=leerplicht,
    )  # fmt: skip
    window = (today, today + timedelta(days=10))
    kinds = {e.kind for e in events_for(leerplicht, *window, today=today)}
    assert EventKind.MEETING in kinds
    # The action's owner sees their action only for a student in their own scope.
    dsp_kinds = [e.kind for e in events_for(dsp, *window, today=today)]
    assert EventKind.MEETING not in dsp_kinds  # not a member of this table
    from students.models import Student

    in_scope = Student.objects.visible_to(dsp).filter(pk=student.pk).exists()
    assert (EventKind.ACTION in dsp_kinds) == in_scope


def week_of_events(mentor, count):
    """`count` events of each kind in this week of the mentor's calendar: a due step, a
    follow-up meeting, a case-table meeting (each at its own table) the mentor was invited
    to, and an open action of the mentor's about one of their students."""
    from accounts.models import Region, SubRegion
    from doorstroomtafel.models import ActionItem, AgendaItem, CaseTable, Meeting, ScopeKind
    from roadmap.models import StudyAdviceStep
    from tests.factories import factory_today, school

    today = factory_today()
    region = Region.objects.get(name="Noord-Holland Noord")
    subregion = SubRegion.objects.get(name="Noord-Kennemerland")
    for index in range(count):
        student = due_today(mentor)
        follow_up = EnrolmentFactory(student__mentor=mentor, start_date=today - timedelta(days=130))
        StudyAdviceStep.objects.create(
            enrolment=follow_up, date=today - timedelta(days=5), advice="continue", author=mentor,
            followup_meeting_date=today,
        )  # fmt: skip
        table = CaseTable.objects.create(
            name=f"Tafel {index}", scope_kind=ScopeKind.SUBREGION, region=region,
            subregion=subregion,
        )  # fmt: skip
        meeting = Meeting.objects.create(table=table, date=today, created_by=mentor)
        meeting.invited_users.add(mentor)
        item = AgendaItem.objects.create(
            meeting=meeting, student=student, added_by=mentor, position=1, origin="signal",
            reason="Uitval",
        )  # fmt: skip
        ActionItem.objects.create(
            item=item, what=f"Gesprek {index}", owner=mentor, owner_organisation=school(),
            due_date=today, created_by=mentor,
        )  # fmt: skip


@pytest.mark.parametrize("count", [1, 25])
def test_week_query_count_does_not_grow(client, mentor, django_assert_num_queries, count):
    week_of_events(mentor, count)
    client.force_login(mentor)
    client.get(reverse("planner:week"))
    # Session, the user with their memberships; enrolments with their steps; follow-up meetings;
    # case-table meetings with their tables; own actions; the access log row.
    with django_assert_num_queries(WEEK_QUERIES):
        response = client.get(reverse("planner:week"))
    kinds = [event.kind for day in response.context["days"] for event in day["events"]]
    for kind in (EventKind.FOLLOW_UP, EventKind.MEETING, EventKind.ACTION):
        assert kinds.count(kind) == count
    assert kinds.count(EventKind.STEP_DUE) >= count
    assert response.context["event_count"] == len(kinds)


WEEK_QUERIES = 7
