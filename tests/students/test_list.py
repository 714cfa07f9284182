"""The student list: columns, search, filters, keyset paging, htmx, access log, and a
query count that does not grow with the number of students."""

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone
from django.utils.html import escape

from students.models import AccessLog, Student
from tests.factories import (
    EnrolmentFactory,
    StudentFactory,
    make_user,
    municipality,
    school,
)

pytestmark = pytest.mark.django_db

STUDENT_LINK = re.compile(r'href="/students/([A-Za-z0-9_-]+)/"')


def shown(response):
    return [key for key in STUDENT_LINK.findall(response.content.decode()) if key != "import"]


def enrol(student, school_name="Horizon College", *, ended=False, **extra):
    today = timezone.localdate()
    if ended:
        extra.update(end_date=today - timedelta(days=10), end_reason="dropout")
    return EnrolmentFactory(
        student=student,
        institution=school(school_name),
        start_date=today - timedelta(days=100),
        planned_end_date=today + timedelta(days=200),
        **extra,
    )


@pytest.fixture
def small_pages(settings):
    settings.KOERS_PAGE_SIZE = 3


def test_list_shows_name_number_birth_date_municipality_enrolment_and_mentor(
    client, coordinator, mentor
):
    student = StudentFactory(
        first_name="Noor",
        last_name="Jansen",
        student_number="700123",
        date_of_birth=date(2009, 5, 1),
        municipality=municipality("Hoorn"),
        mentor=mentor,
    )
    enrol(student, location="Hoorn", programme="Entree Zorg en welzijn", level="entree")
    client.force_login(coordinator)
    response = client.get("/students/")
    html = response.content.decode()
    assert f'href="/students/{student.public_id}/">Jansen, Noor</a>' in html
    assert "700123" in html
    assert "01-05-2009" in html
    assert "Hoorn" in html
    assert "Horizon College Hoorn: Entree Zorg en welzijn" in html
    assert "Entree (mbo 1)" in html
    assert escape(mentor.get_full_name()) in html
    assert "<caption>" in html
    assert '<th scope="col" aria-sort="ascending"><a href="/students/?sort=-naam"' in html


def test_list_says_not_enrolled_for_a_student_whose_enrolment_ended(client, coordinator):
    enrol(StudentFactory(), ended=True)
    client.force_login(coordinator)
    assert "Niet ingeschreven" in client.get("/students/").content.decode()


def test_search_matches_every_word_on_names_or_the_start_of_the_number(client, coordinator):
    noor = StudentFactory(first_name="Noor", last_name="de Vries", student_number="800001")
    sam = StudentFactory(first_name="Sam", last_name="de Boer", student_number="900002")
    for student in (noor, sam):
        enrol(student)
    client.force_login(coordinator)
    assert shown(client.get("/students/", {"q": "vries"})) == [noor.public_id]
    assert shown(client.get("/students/", {"q": "de noor"})) == [noor.public_id]
    assert set(shown(client.get("/students/", {"q": "de"}))) == {noor.public_id, sam.public_id}
    assert shown(client.get("/students/", {"q": "9000"})) == [sam.public_id]
    # The number matches from its start only.
    assert shown(client.get("/students/", {"q": "0002"})) == []


def test_search_never_reaches_beyond_the_scope(client, coordinator):
    other = StudentFactory(first_name="Zeldzaam")
    enrol(other, "Clusius College")
    client.force_login(coordinator)
    response = client.get("/students/", {"q": "Zeldzaam"})
    assert shown(response) == []
    assert "Geen studenten gevonden" in response.content.decode()


def test_filter_by_level_and_location_apply_to_the_same_enrolment(client, coordinator):
    both = StudentFactory()
    enrol(both, location="Hoorn", level="2")
    split = StudentFactory()
    enrol(split, location="Hoorn", level="entree", programme="A")
    enrol(split, location="Alkmaar", level="2", programme="B")
    hoorn = school().locations.get(name="Hoorn")
    client.force_login(coordinator)
    response = client.get("/students/", {"level": "2", "location": str(hoorn.pk)})
    assert shown(response) == [both.public_id]


def test_filter_by_status_enrolled_today_or_not(client, coordinator):
    now = StudentFactory()
    enrol(now)
    former = StudentFactory()
    enrol(former, ended=True)
    future = StudentFactory()
    EnrolmentFactory(student=future, start_date=timezone.localdate() + timedelta(days=30))
    client.force_login(coordinator)
    assert shown(client.get("/students/", {"status": "enrolled"})) == [now.public_id]
    assert set(shown(client.get("/students/", {"status": "not_enrolled"}))) == {
        former.public_id,
        future.public_id,
    }


def test_coordinator_filters_by_mentor_or_without_mentor(client, coordinator, mentor, other_mentor):
    mine = StudentFactory(mentor=mentor)
    theirs = StudentFactory(mentor=other_mentor)
    nobody = StudentFactory()
    for student in (mine, theirs, nobody):
        enrol(student)
    client.force_login(coordinator)
    assert shown(client.get("/students/", {"mentor": str(mentor.pk)})) == [mine.public_id]
    assert shown(client.get("/students/", {"mentor": "none"})) == [nobody.public_id]


def test_leerplicht_filters_by_institution_of_the_region(client, leerplicht):
    horizon = StudentFactory()
    enrol(horizon)
    clusius = StudentFactory()
    enrol(clusius, "Clusius College")
    client.force_login(leerplicht)
    response = client.get("/students/", {"institution": str(school("Clusius College").pk)})
    assert shown(response) == [clusius.public_id]


def test_coordinator_is_offered_only_their_own_schools_locations_and_mentors(
    client, coordinator, mentor
):
    make_user("mentor@clusius.test", "mentor", "Clusius College", first_name="Clara")
    client.force_login(coordinator)
    form = client.get("/students/").context["form"]
    assert "institution" not in form.fields
    locations = {label for _value, label in form.fields["location"].choices}
    assert locations == {"Alle locaties", "Alkmaar", "Hoorn", "Heerhugowaard", "Purmerend"}
    # The school's mentors come when the filter is opened (issue 16: thousands at a
    # large school), not with the page.
    assert [value for value, _label in form.fields["mentor"].choices] == ["", "none"]
    options = client.get("/students/", {"deel": "mentoren"}, HTTP_HX_REQUEST="true")
    mentors = [value for value, _label in options.context["field"].field.choices]
    assert mentors == ["", "none", str(mentor.pk)]
    assert escape(mentor.get_full_name()) in options.content.decode()


def test_the_chosen_mentor_stays_offered_and_selected(client, coordinator, mentor, other_mentor):
    client.force_login(coordinator)
    form = client.get("/students/", {"mentor": str(mentor.pk)}).context["form"]
    assert [value for value, _label in form.fields["mentor"].choices] == [
        "",
        "none",
        str(mentor.pk),
    ]
    options = client.get(
        "/students/", {"deel": "mentoren", "mentor": str(mentor.pk)}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert f'<option value="{mentor.pk}" selected>' in options
    assert f'<option value="{other_mentor.pk}">' in options


def test_only_coordinators_get_the_mentor_options(client, mentor, leerplicht):
    for user in (mentor, leerplicht):
        client.force_login(user)
        response = client.get("/students/", {"deel": "mentoren"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 403


def test_mentor_is_offered_no_mentor_filter(client, mentor):
    client.force_login(mentor)
    assert "mentor" not in client.get("/students/").context["form"].fields


def test_leerplicht_is_offered_the_schools_of_their_region_only(client, leerplicht):
    client.force_login(leerplicht)
    form = client.get("/students/").context["form"]
    institutions = {label for _value, label in form.fields["institution"].choices}
    assert institutions == {
        "Alle instellingen",
        "Clusius College",
        "Horizon College",
        "ROC Kop van Noord-Holland",
    }
    assert "mentor" not in form.fields


def test_a_mentor_of_another_school_is_not_a_valid_filter(client, coordinator):
    stranger = make_user("mentor@clusius.test", "mentor", "Clusius College")
    theirs = StudentFactory(mentor=stranger)
    enrol(theirs)
    client.force_login(coordinator)
    response = client.get("/students/", {"mentor": str(stranger.pk)})
    # The invalid choice is reported and ignored, not applied.
    assert response.context["form"].errors["mentor"]
    assert shown(response) == [theirs.public_id]


def walk(client, url, direction):
    """Follow next (or previous) links from `url`; the public ids of every page."""
    pages = []
    while url:
        response = client.get(url)
        pages.append(shown(response))
        link = response.context[f"{direction}_url"] if response.context[f"has_{direction}"] else ""
        url = f"/students/{link}" if link else ""
    return pages


def test_keyset_paging_walks_every_student_once_in_name_order_and_back(
    client, coordinator, small_pages
):
    students = [StudentFactory(last_name=name, first_name="Kim") for name in "HGFEDCBA"]
    twin = StudentFactory(last_name="D", first_name="Kim")  # same name: the id decides
    for student in [*students, twin]:
        enrol(student)
    client.force_login(coordinator)
    expected = sorted([*students, twin], key=lambda s: (s.sort_name, s.pk))

    forward = walk(client, "/students/", "next")
    assert [len(page) for page in forward] == [3, 3, 3]
    assert sum(forward, []) == [s.public_id for s in expected]

    last_page = f"/students/?after={expected[5].public_id}"
    backward = walk(client, last_page, "previous")
    assert backward == forward[::-1]


@pytest.mark.parametrize("search", ["ki", "kim"])
def test_keyset_paging_through_search_results_in_either_plan(
    client, coordinator, small_pages, search
):
    # Two letters walk the name index; three or more take the trigram plan on PostgreSQL
    # with the order as an expression. Both must page the same way.
    matches = [StudentFactory(last_name=name, first_name="Kim") for name in "GFEDCBA"]
    matches.append(StudentFactory(last_name="de Vries", first_name="Kim"))
    matches.append(StudentFactory(last_name="D", first_name="Kim"))
    others = [StudentFactory(last_name=name, first_name="Sam") for name in "CBA"]
    for student in [*matches, *others]:
        enrol(student)
    client.force_login(coordinator)
    forward = walk(client, f"/students/?q={search}", "next")
    # "de Vries" sorts under V, on the surname without its tussenvoegsel.
    in_order = list(
        Student.objects.filter(pk__in=[s.pk for s in matches])
        .order_by("sort_name", "id")
        .values_list("public_id", flat=True)
    )
    assert in_order[-1] == matches[7].public_id
    assert [len(page) for page in forward] == [3, 3, 3]
    assert sum(forward, []) == in_order
    backward = walk(client, f"/students/?q={search}&after={in_order[5]}", "previous")
    assert backward == forward[::-1]


def test_paging_links_keep_the_filters_and_carry_no_names(client, coordinator, small_pages):
    for index in range(5):
        enrol(StudentFactory(last_name=f"Bakker{index}", first_name="Jan"), level="2")
    client.force_login(coordinator)
    response = client.get("/students/", {"level": "2", "q": "bakker"})
    next_url = response.context["next_url"]
    query = parse_qs(urlparse(next_url).query)
    assert query["level"] == ["2"]
    assert query["q"] == ["bakker"]
    assert set(query) == {"level", "q", "after", "pos"}
    assert "Jan" not in next_url
    assert len(shown(client.get(f"/students/{next_url}"))) == 2


def test_a_cursor_outside_the_scope_is_ignored(client, coordinator, small_pages):
    outsider = StudentFactory(last_name="Aaa")
    enrol(outsider, "Clusius College")
    own = [StudentFactory(last_name=name) for name in ("Bbb", "Ccc")]
    for student in own:
        enrol(student)
    client.force_login(coordinator)
    response = client.get("/students/", {"after": outsider.public_id})
    assert shown(response) == [s.public_id for s in own]
    assert not response.context["has_previous"]


def test_htmx_request_gets_only_the_rows_fragment(client, coordinator):
    enrol(StudentFactory())
    client.force_login(coordinator)
    response = client.get("/students/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert "<table" in html
    assert 'hx-swap-oob="true"' in html
    assert "HX-Request" in response["Vary"]
    full = client.get("/students/")
    assert "<html" in full.content.decode()


def test_htmx_history_restore_gets_the_whole_page(client, coordinator):
    client.force_login(coordinator)
    response = client.get(
        "/students/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_every_list_page_writes_one_access_log_row_with_the_students_shown(
    client, coordinator, small_pages
):
    students = [StudentFactory(last_name=name) for name in "ABCD"]
    for student in students:
        enrol(student)
    client.force_login(coordinator)
    client.get("/students/", {"q": "123456782", "level": "entree"})
    client.get("/students/")
    rows = list(AccessLog.objects.order_by("pk"))
    assert [row.action for row in rows] == ["list_students", "list_students"]
    assert rows[1].student_ids == [s.pk for s in students[:3]]
    assert rows[1].role == "school_coordinator"
    assert rows[1].organisation == school()
    assert rows[1].user == coordinator
    # The search text is never logged (someone may have typed a BSN).
    assert "123456782" not in rows[0].detail
    assert "zoeken" in rows[0].detail


@pytest.mark.parametrize("persona", ["startpunt", "wi", "regio", "functional_admin"])
def test_roles_without_students_get_an_explanation(request, client, persona):
    enrol(StudentFactory())
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/students/")
    assert response.status_code == 200
    assert response.context["scope_empty"]
    assert 'role="status"' in response.content.decode()


def test_empty_list_says_so(client, coordinator):
    client.force_login(coordinator)
    assert "nog geen studenten" in client.get("/students/").content.decode()


# Session, the user with their memberships; locations for the filter; the total (capped); the page;
# the current enrolments of the page; the access-log row. (The school's mentors only when
# the mentor filter is opened: ?deel=mentoren.)
COORDINATOR_LIST_QUERIES = 7


@pytest.mark.parametrize("count", [1, 50])
def test_list_query_count_does_not_grow_with_students(
    client, coordinator, mentor, other_mentor, django_assert_num_queries, count
):
    for index in range(count):
        student = StudentFactory(mentor=(mentor, other_mentor, None)[index % 3])
        enrol(student)
        enrol(student, "Clusius College", programme="Tweede")
    client.force_login(coordinator)
    with django_assert_num_queries(COORDINATOR_LIST_QUERIES):
        response = client.get("/students/", {"status": "enrolled"})
    assert len(shown(response)) == min(count, 25)
    if count > 25:
        cursor = response.context["students"][-1].public_id
        # One more query: the cursor student's position.
        with django_assert_num_queries(COORDINATOR_LIST_QUERIES + 1):
            client.get("/students/", {"status": "enrolled", "after": cursor})


@pytest.mark.parametrize("count", [1, 50])
def test_leerplicht_list_query_count_does_not_grow_with_students(
    client, leerplicht, django_assert_num_queries, count
):
    for _index in range(count):
        enrol(StudentFactory(municipality=municipality("Hoorn")))
    client.force_login(leerplicht)
    # Session, the user with their memberships; schools and locations of the region; total; page;
    # enrolments; access log.
    with django_assert_num_queries(9):  # +1: the region's municipality ids
        client.get("/students/")
