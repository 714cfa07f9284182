"""The start page panel that students contributes: a mentor's own students with what is
coming, a count and a link for the other roles, nothing for roles without students."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import home
from accounts.registry import Registry
from students.dates import latest_birth_date_for_age
from students.panels import home_students_panel, upcoming_events
from tests.factories import EnrolmentFactory, StudentFactory, municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_students_panel(monkeypatch):
    """The students app's panel alone, whatever other apps register."""
    only = Registry("only the students panel")
    only.add(home_students_panel, order=10)
    monkeypatch.setattr(home, "home_panel_registry", only)


def entree(student, start, **extra):
    return EnrolmentFactory(
        student=student,
        level="entree",
        start_date=start,
        planned_end_date=start + timedelta(days=320),
        **extra,
    )


def test_mentor_sees_their_own_students_with_current_enrolment(
    client, mentor, other_mentor, only_students_panel
):
    today = timezone.localdate()
    mine = StudentFactory(first_name="Noor", last_name="Jansen", mentor=mentor)
    entree(mine, today - timedelta(days=20), programme="Entree Logistiek")
    theirs = StudentFactory(mentor=other_mentor)
    entree(theirs, today - timedelta(days=20))
    client.force_login(mentor)
    html = client.get("/").content.decode()
    assert "Mijn studenten" in html
    assert f'href="/students/{mine.public_id}/">Jansen, Noor</a>' in html
    assert "Entree Logistiek" in html
    assert theirs.public_id not in html


def test_students_panel_leaves_the_study_advice_to_the_roadmap_panel(
    client, mentor, only_students_panel
):
    today = timezone.localdate()
    entree(StudentFactory(mentor=mentor), today - timedelta(days=20))
    client.force_login(mentor)
    assert "Studieadvies" not in client.get("/").content.decode()


def test_mentor_sees_a_planned_end_within_8_weeks(client, mentor, only_students_panel):
    today = timezone.localdate()
    student = StudentFactory(mentor=mentor)
    EnrolmentFactory(
        student=student,
        level="2",
        start_date=today - timedelta(days=300),
        planned_end_date=today + timedelta(days=40),
    )
    client.force_login(mentor)
    html = client.get("/").content.decode()
    assert "Gepland einde opleiding" in html
    assert (today + timedelta(days=40)).isoformat() in html


def test_the_mentors_rows_show_name_age_enrolment_and_what_is_coming_escaped(
    client, mentor, only_students_panel
):
    """students.rows.with_my_student_rows builds each row in Python: the markup the
    template wrote, every value escaped."""
    today = timezone.localdate()
    student = StudentFactory(
        mentor=mentor,
        first_name="<b>Noor</b>",
        last_name="Jansen",
        date_of_birth=latest_birth_date_for_age(19, today),
    )
    EnrolmentFactory(
        student=student,
        level="2",
        programme="Zorg & welzijn",
        start_date=today - timedelta(days=300),
        planned_end_date=today + timedelta(days=40),
    )
    StudentFactory(mentor=mentor, first_name="Sem", last_name="Zonder")
    client.force_login(mentor)
    html = client.get("/").content.decode()
    end = today + timedelta(days=40)
    assert (
        f'<a href="/students/{student.public_id}/">Jansen, &lt;b&gt;Noor&lt;/b&gt;</a>'
        ' <span class="text-secondary-strong small">(19)</span>'
    ) in html
    assert ": Zorg &amp; welzijn (Mbo 2)</div>" in html
    assert (
        f'<li><time datetime="{end.isoformat()}">{end:%d-%m-%Y}</time>: Gepland einde'
        " opleiding</li>"
    ) in html
    assert '<span class="text-secondary-strong">Niet ingeschreven</span>' in html
    assert "<b>Noor</b>" not in html


def test_mentor_with_no_students_is_told_so(client, mentor, only_students_panel):
    client.force_login(mentor)
    assert "U bent nog van geen enkele student mentor." in client.get("/").content.decode()


def test_upcoming_lists_planned_ends_within_8_weeks():
    today = date(2026, 11, 22)
    entree_ending = EnrolmentFactory.build(
        level="entree", start_date=date(2026, 2, 2), planned_end_date=date(2027, 1, 8)
    )
    level_2_ending = EnrolmentFactory.build(
        level="2", start_date=date(2024, 9, 2), planned_end_date=date(2027, 1, 17)
    )
    level_2_later = EnrolmentFactory.build(
        level="2", start_date=date(2024, 9, 2), planned_end_date=date(2027, 1, 18)
    )
    events = upcoming_events([entree_ending, level_2_ending, level_2_later], today)
    assert [day for day, _label in events] == [
        date(2027, 1, 8),  # day 47
        date(2027, 1, 17),  # day 56: still within 8 weeks
    ]


@pytest.mark.parametrize("persona", ["coordinator", "leerplicht", "dsp"])
def test_other_roles_with_students_see_a_count_and_a_link(
    request, client, persona, only_students_panel
):
    user = request.getfixturevalue(persona)
    today = timezone.localdate()
    for _n in range(3):
        student = StudentFactory(
            municipality=municipality("Alkmaar"),
            # Under 18 for Leerplicht, a young adult for the Doorstroompunt.
            date_of_birth=latest_birth_date_for_age(19 if persona == "dsp" else 16, today)
            - timedelta(days=40),
        )
        entree(student, today - timedelta(days=20))
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "ziet u 3 studenten" in html
    assert 'href="/students/">Naar de studentenlijst</a>' in html


@pytest.mark.parametrize("persona", ["startpunt", "wi", "regio", "functional_admin"])
def test_roles_without_students_get_no_students_panel(
    request, client, persona, only_students_panel
):
    entree(StudentFactory(), timezone.localdate())
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["panels"] == []


def test_mentor_panel_is_capped_with_a_link_to_the_list(client, mentor, only_students_panel):
    for _n in range(51):
        StudentFactory(mentor=mentor)
    client.force_login(mentor)
    response = client.get("/")
    panel = response.context["panels"][0]["context"]
    assert len(panel["students"]) == 50
    assert panel["more"]
    assert "Alle studenten bekijken" in response.content.decode()


def home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


@pytest.mark.parametrize("count", [1, 40])
def test_mentor_panel_query_count_does_not_grow_with_students(
    client, mentor, only_students_panel, django_assert_num_queries, count
):
    today = timezone.localdate()
    for _n in range(count):
        student = StudentFactory(mentor=mentor)
        entree(student, today - timedelta(days=20))
        EnrolmentFactory(student=student, level="2", programme="Ook", start_date=today)
    client.force_login(mentor)
    # Session, the user with their memberships; the mentor's students; their current enrolments.
    with django_assert_num_queries(4):
        client.get("/")


@pytest.mark.parametrize("persona", ["mentor", "coordinator"])
def test_start_page_with_every_registered_panel_costs_the_same_for_1_and_40_students(
    request, client, persona
):
    user = request.getfixturevalue(persona)
    today = timezone.localdate()
    client.force_login(user)

    def add(count):
        for _n in range(count):
            student = StudentFactory(mentor=user if persona == "mentor" else None)
            entree(student, today - timedelta(days=20))

    add(1)
    home_queries(client)  # warm up per-process caches
    one = home_queries(client)
    add(39)
    assert home_queries(client) == one


def test_a_large_scope_is_counted_up_to_a_cap(
    client, coordinator, only_students_panel, monkeypatch
):
    from students import panels

    monkeypatch.setattr(panels, "HOME_COUNT_CAP", 2)
    for _n in range(3):
        entree(StudentFactory(), timezone.localdate())
    client.force_login(coordinator)
    assert "ziet u meer dan 2 studenten" in client.get("/").content.decode()


def test_a_panel_whose_presence_finds_nothing_is_not_asked(client, mentor, monkeypatch):
    """accounts.home: the presences of every panel in one query; a panel is asked unless
    its presence found no row (None: always asked; no presence: always asked)."""
    from accounts.models import Membership

    asked = []
    built = []

    def panel(name):
        def provider(request):
            asked.append(name)

        return provider

    only = Registry("panels with presences")
    presences = Registry("their presences")
    monkeypatch.setattr(home, "home_panel_registry", only)
    monkeypatch.setattr(home, "home_presence_registry", presences)
    for order, (name, presence) in enumerate(
        {
            "has rows": lambda request: (
                built.append(1) or Membership.objects.filter(user=request.user)
            ),
            "has none": lambda request: Membership.objects.filter(user=request.user, pk=-1),
            "leaves it to the panel": lambda request: None,
            "no presence": None,
        }.items()
    ):
        home.register_home_panel(order, panel(name), key=name, presence=presence)
    client.force_login(mentor)
    home_queries(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert asked[-3:] == ["has rows", "leaves it to the panel", "no presence"]
    presence_queries = [q for q in queries if "EXISTS" in q["sql"]]
    assert len(presence_queries) == 1
    # Built and compiled once for this user, membership and day; asked on every request.
    assert built == [1]
    # Registering a panel again without a presence drops the one it had.
    home.register_home_panel(1, panel("has none"), key="has none")
    asked.clear()
    client.get("/")
    assert "has none" in asked


@pytest.mark.parametrize("persona", ["mentor", "coordinator", "leerplicht", "dsp", "wi", "regio"])
def test_a_presence_reads_no_database_while_it_is_built(request, rf, persona):
    """accounts.home keeps each user's presence statement for the day: it may depend on
    who asks and the day only, never on rows read while building it."""
    user = request.getfixturevalue(persona)
    user = type(user).objects.get(pk=user.pk)  # the memberships loaded, as on a page
    user.memberships_list  # noqa: B018 - loaded before counting, as the middleware does
    page = rf.get("/")
    page.user = user
    with CaptureQueriesContext(connection) as queries:
        for presence in home.home_presence_registry.values():
            rows = presence(page)
            if rows is not None:
                str(rows.query)
    assert not queries.captured_queries
    assert len(home.home_presence_registry) >= 4
