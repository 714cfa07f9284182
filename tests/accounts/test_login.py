"""Logging in with an e-mail address, logging out, the health check, and switching
between the roles of a person who holds more than one."""

import re

import pytest

from accounts.middleware import SESSION_KEY
from tests.factories import EnrolmentFactory, StudentFactory, make_user, school

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def test_login_with_email_in_any_case(client, coordinator):
    response = client.post(
        "/accounts/login/", {"username": "Coordinator@Horizon.TEST", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").wsgi_request.user == coordinator


def test_login_follows_next_within_the_site(client, coordinator):
    response = client.post(
        "/accounts/login/?next=/students/",
        {"username": "coordinator@horizon.test", "password": PASSWORD, "next": "/students/"},
    )
    assert response["Location"] == "/students/"


def test_login_never_redirects_off_the_site(client, coordinator):
    response = client.post(
        "/accounts/login/",
        {
            "username": "coordinator@horizon.test",
            "password": PASSWORD,
            "next": "https://evil.test/",
        },
    )
    assert response["Location"] == "/"


def test_wrong_password_says_so_in_dutch_without_telling_which_part(client, coordinator):
    response = client.post(
        "/accounts/login/", {"username": "coordinator@horizon.test", "password": "fout"}
    )
    assert response.status_code == 200
    assert "Het e-mailadres of wachtwoord klopt niet." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_email_gets_the_same_message(client, db):
    response = client.post("/accounts/login/", {"username": "niemand@koers.test", "password": "x"})
    assert "Het e-mailadres of wachtwoord klopt niet." in response.content.decode()


def test_inactive_user_cannot_log_in(client, coordinator):
    coordinator.is_active = False
    coordinator.save()
    response = client.post(
        "/accounts/login/", {"username": "coordinator@horizon.test", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_page_labels_the_email_field(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert re.search(r'<label\s+for="id_username"[^>]*>\s*E-mailadres', html)
    assert 'autocomplete="username"' in html


def test_logout_needs_a_post(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session


def test_logout_ends_the_session(client, coordinator):
    client.force_login(coordinator)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/students/").status_code == 302


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_start_page_needs_a_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- A person with two roles --------------------------------------------------------


@pytest.fixture
def two_schools_coordinator(db):
    user = make_user("dubbel@koers.test", "school_coordinator", "Horizon College")
    make_user("dubbel@koers.test", "school_coordinator", "Clusius College")
    user.refresh_from_db()  # the second make_user set the password again
    return user


@pytest.fixture
def students_of_both_schools(db):
    horizon = StudentFactory()
    EnrolmentFactory(student=horizon, institution=school("Horizon College"))
    clusius = StudentFactory()
    EnrolmentFactory(student=clusius, institution=school("Clusius College"))
    return horizon, clusius


def test_role_switcher_changes_what_a_person_sees(
    client, two_schools_coordinator, students_of_both_schools
):
    horizon, clusius = students_of_both_schools
    user = two_schools_coordinator
    client.force_login(user)
    page = client.get("/students/").content.decode()
    assert horizon.public_id in page
    assert clusius.public_id not in page
    assert 'id="membership-switch"' in page

    clusius_membership = user.memberships.get(organisation__name="Clusius College")
    response = client.post("/accounts/role/", {"membership": clusius_membership.pk})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == clusius_membership.pk

    page = client.get("/students/").content.decode()
    assert clusius.public_id in page
    assert horizon.public_id not in page
    assert client.get(f"/students/{horizon.public_id}/").status_code == 404
    assert client.get(f"/students/{clusius.public_id}/").status_code == 200


def test_role_switcher_ignores_a_membership_of_someone_else(
    client, two_schools_coordinator, students_of_both_schools, mondriaan_coordinator
):
    horizon, _clusius = students_of_both_schools
    client.force_login(two_schools_coordinator)
    foreign = mondriaan_coordinator.memberships.get()
    client.post("/accounts/role/", {"membership": foreign.pk})
    assert SESSION_KEY not in client.session
    assert horizon.public_id in client.get("/students/").content.decode()


def test_role_switcher_needs_a_post(client, two_schools_coordinator):
    client.force_login(two_schools_coordinator)
    assert client.get("/accounts/role/").status_code == 405
