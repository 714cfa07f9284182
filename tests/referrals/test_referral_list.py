"""The referral list (issue 15): its total and range, first / previous / next, sorting
by its columns (never by the student's name), and a pinned query count."""

from urllib.parse import parse_qs, urlparse

import pytest

from tests.factories import EnrolmentFactory, organisation, school

from .conftest import make_referral

pytestmark = pytest.mark.django_db

WI = "Werk en Inkomen Noord-Holland Noord"


def referrals(mentor, count):
    made = []
    for _index in range(count):
        student = EnrolmentFactory(student__mentor=mentor).student
        made.append(make_referral(actor=mentor, student=student, to=organisation(WI)))
    return made


def test_referral_list_pages_with_total_and_keeps_the_sort(client, mentor, settings):
    settings.KOERS_PAGE_SIZE = 2
    made = referrals(mentor, 3)
    client.force_login(mentor)
    first = client.get("/verwijzingen/")
    html = first.content.decode()
    assert "1–2 van 3" in html
    # Newest first by default; each page's links carry the sort asked for.
    page = first.context["page"]
    assert [r.pk for r in page.rows] == [made[2].pk, made[1].pk]
    second = client.get(f"/verwijzingen/{page.next_url}")
    assert [r.pk for r in second.context["page"].rows] == [made[0].pk]
    assert "3–3 van 3" in second.content.decode()
    ascending = client.get("/verwijzingen/", {"sort": "verstuurd"}).context["page"]
    assert [r.pk for r in ascending.rows] == [made[0].pk, made[1].pk]
    assert parse_qs(urlparse(ascending.next_url).query)["sort"] == ["verstuurd"]
    assert "student" not in first.context["page"].sort_links


@pytest.mark.parametrize("count", [1, 50])
def test_referral_list_query_count_does_not_grow(client, mentor, django_assert_num_queries, count):
    referrals(mentor, count)
    client.force_login(mentor)
    # Session, the user with their memberships; the total; the page (with student and organisations);
    # the receiver-sees-student check reads loaded rows only.
    with django_assert_num_queries(QUERIES):
        response = client.get("/verwijzingen/")
    assert response.context["page"].total == count


QUERIES = 4


def test_trajectory_list_sorts_on_the_surname_and_shows_its_total(client, desk_user, settings):
    from datetime import date

    from .test_flexservice import trajectory

    settings.KOERS_PAGE_SIZE = 2
    made = [trajectory(desk_user, level="2", start=date(2026, 9, day)) for day in (1, 2, 3)]
    for index, name in enumerate(["van Dijk", "Aalders", "de Boer"]):
        made[index].student.last_name = name
        made[index].student.save()
        EnrolmentFactory(student=made[index].student, institution=school("ROC Mondriaan"))
    client.force_login(desk_user)
    response = client.get("/verwijzingen/maatwerk/", {"sort": "student"})
    assert "1–2 van 3" in response.content.decode()
    assert [t.pk for t in response.context["page"].rows] == [made[1].pk, made[2].pk]
    newest = client.get("/verwijzingen/maatwerk/").context["page"].rows
    assert [t.pk for t in newest] == [made[2].pk, made[1].pk]


def test_intake_queue_shows_each_columns_total_beyond_the_rows_shown(
    client, desk_user, monkeypatch
):
    from .test_flexservice import closed_registration

    monkeypatch.setattr("referrals.flexservice.views.CLOSED_SHOWN", 2)
    for _index in range(3):
        closed_registration(desk_user, "placed", "2")
    client.force_login(desk_user)
    response = client.get("/verwijzingen/loket/")
    closed = next(c for c in response.context["columns"] if c["status"] == "closed")
    assert (len(closed["rows"]), closed["total"]) == (2, 3)
    assert "De laatste 2 van 3" in response.content.decode()
