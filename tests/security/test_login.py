"""Two-factor login, lockout and session life (issue 8, ACCESS.md)."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.security import LAST_SEEN, LOGIN_AT
from tests.security.helpers import confirmed_totp_device, drop_second_factor

PASSWORD = "een-lang-wachtwoord-2026"


def code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def mentor_with_password(mentor):
    mentor.set_password(PASSWORD)
    mentor.save()
    return mentor


def password_login(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_without_a_device_every_page_leads_to_enrolment(client, mentor_with_password):
    response = password_login(client, mentor_with_password.email)
    assert response.status_code == 302
    for path in ("/", "/students/", "/verwijzingen/", "/beheer/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/tweestaps/instellen/"), path


def test_with_a_device_but_no_code_every_page_leads_to_verification(client, mentor):
    client.force_login(mentor)
    drop_second_factor(client)
    response = client.get("/students/?q=jansen")
    assert response.status_code == 302
    # The search term stays out of the redirect: it may be a name or a BSN.
    assert response["Location"] == "/accounts/tweestaps/?next=%2Fstudents%2F"


def test_enrolment_shows_a_qr_code_and_a_correct_code_gives_backup_codes(
    client, mentor_with_password
):
    password_login(client, mentor_with_password.email)
    page = client.get("/accounts/tweestaps/instellen/")
    assert page.status_code == 200
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=mentor_with_password, confirmed=False)
    wrong = client.post("/accounts/tweestaps/instellen/", {"token": "000000"})
    assert wrong.status_code == 200
    assert client.get("/").status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code slows the next try down; the person waits
    done = client.post("/accounts/tweestaps/instellen/", {"token": code(device)})
    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    assert client.get("/").status_code == 200


def test_a_backup_code_works_once(mentor_with_password):
    confirmed_totp_device(mentor_with_password)
    from accounts.otp import confirm_enrolment

    codes = confirm_enrolment(
        user=mentor_with_password, device=TOTPDevice.objects.get(user=mentor_with_password)
    )
    first, second = Client(), Client()
    for client in (first, second):
        password_login(client, mentor_with_password.email)
    assert first.post("/accounts/tweestaps/", {"token": codes[0]}).status_code == 302
    assert first.get("/").status_code == 200
    assert second.post("/accounts/tweestaps/", {"token": codes[0]}).status_code == 200
    assert second.get("/").status_code == 302
    assert not StaticToken.objects.filter(token=codes[0]).exists()


def test_the_sixth_wrong_password_locks_even_the_right_one(client, mentor_with_password, caplog):
    for _attempt in range(4):
        response = password_login(client, mentor_with_password.email, "fout-wachtwoord-1234")
        assert response.status_code == 200
    # The fifth failure locks the pair: its answer is already the lockout page.
    fifth = password_login(client, mentor_with_password.email, "fout-wachtwoord-1234")
    assert fifth.status_code == 429
    locked = password_login(client, mentor_with_password.email)
    assert locked.status_code in (403, 429)
    assert "Te veel mislukte pogingen" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert any(
        "refused POST /accounts/login/ with 429" in record.getMessage() for record in caplog.records
    )


def test_the_lockout_is_per_address(mentor_with_password):
    for _attempt in range(5):
        password_login(Client(REMOTE_ADDR="10.0.0.1"), mentor_with_password.email, "fout-1234567")
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert password_login(other, mentor_with_password.email).status_code == 302


def _age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_31_idle_minutes_log_out(client, mentor):
    client.force_login(mentor)
    _age_session(client, **{LAST_SEEN: 29 * 60})
    assert client.get("/").status_code == 200
    _age_session(client, **{LAST_SEEN: 31 * 60})
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302


def test_a_polling_page_does_not_keep_the_session_alive(client, mentor):
    """htmx polling (X-Koers-Poll) is no sign of a person: idle time keeps counting."""
    client.force_login(mentor)
    _age_session(client, **{LAST_SEEN: 29 * 60})
    assert client.get("/", headers={"X-Koers-Poll": "1"}).status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN] >= 29 * 60
    _age_session(client, **{LAST_SEEN: 31 * 60})
    assert client.get("/", headers={"X-Koers-Poll": "1"}).status_code == 302


def test_twelve_hours_after_login_the_session_ends_however_active(client, mentor):
    client.force_login(mentor)
    _age_session(client, **{LOGIN_AT: 12 * 3600 + 60, LAST_SEEN: 0})
    assert client.get("/").status_code == 302


def test_a_deactivated_users_open_session_is_dead(client, mentor):
    client.force_login(mentor)
    key = client.session.session_key
    assert client.get("/").status_code == 200
    mentor.is_active = False
    mentor.save()
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


def test_logout_ends_every_session_of_the_user(mentor):
    laptop, phone = Client(), Client()
    laptop.force_login(mentor)
    phone.force_login(mentor)
    assert phone.get("/").status_code == 200
    laptop.post("/accounts/logout/")
    assert phone.get("/").status_code == 302


@pytest.mark.parametrize(("email", "skips"), [("mentor@horizon.demo", True), ("a@b.nl", False)])
def test_only_demo_accounts_skip_the_second_factor_and_only_with_debug(
    db, client, settings, email, skips
):
    from tests.factories import make_user

    user = make_user(email, "mentor", "Horizon College")
    client.force_login(user)
    drop_second_factor(client)
    settings.KOERS_DEMO_SKIP_2FA = True
    settings.DEBUG = True
    assert (client.get("/").status_code == 200) is skips
    settings.DEBUG = False
    assert client.get("/").status_code == 302


def test_a_burst_of_exports_gets_429_and_is_logged(
    client, mentor, settings, caplog, one_rate_window
):
    settings.KOERS_RATE_LIMITS = {"search": (3, 60), "export": (3, 60)}
    client.force_login(mentor)
    for _n in range(3):
        assert client.get("/verwijzingen/onbekend/overgangsdocument.pdf").status_code == 404
    refused = client.get("/verwijzingen/onbekend/overgangsdocument.pdf")
    assert refused.status_code == 429
    assert "Te veel verzoeken" in refused.content.decode()
    assert any("rate limit export" in r.getMessage() for r in caplog.records)


def test_a_burst_of_searches_gets_429_but_browsing_the_list_does_not(
    client, mentor, settings, one_rate_window
):
    settings.KOERS_RATE_LIMITS = {"search": (3, 60), "export": (3, 60)}
    client.force_login(mentor)
    for _n in range(5):
        assert client.get("/students/").status_code == 200
    statuses = [client.get("/students/", {"q": "jan"}).status_code for _n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_an_htmx_request_after_the_idle_limit_navigates_the_whole_page_to_login(client, mentor):
    client.force_login(mentor)
    _age_session(client, **{LAST_SEEN: 31 * 60})
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


# --- Issue 13: the session key after the second factor, the lockout behind a proxy ------


def test_verifying_the_second_factor_gives_a_new_session_key(mentor_with_password):
    from django.conf import settings

    from accounts.models import UserSession

    device = confirmed_totp_device(mentor_with_password)
    client = Client()
    password_login(client, mentor_with_password.email)
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.post("/accounts/tweestaps/", {"token": code(device)}).status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert client.get("/").status_code == 200
    # The key seen before the second factor no longer opens anything.
    assert not Session.objects.filter(session_key=before).exists()
    old = Client()
    old.cookies[settings.SESSION_COOKIE_NAME] = before
    response = old.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    # Logout still finds the session under its new key.
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [after]
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=after).exists()


def test_enrolling_the_second_factor_gives_a_new_session_key(client, mentor_with_password):
    from django.conf import settings

    password_login(client, mentor_with_password.email)
    client.get("/accounts/tweestaps/instellen/")
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    device = TOTPDevice.objects.get(user=mentor_with_password, confirmed=False)
    assert client.post("/accounts/tweestaps/instellen/", {"token": code(device)}).status_code == 200
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get("/").status_code == 200


def _behind_proxy(forwarded_for):
    # The proxy connects from 10.0.0.9 and appends the client's address to the header.
    return Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded_for)


def test_behind_one_proxy_each_forwarded_client_is_locked_on_its_own(
    mentor_with_password, settings
):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    for _attempt in range(5):
        password_login(_behind_proxy("198.51.100.1"), mentor_with_password.email, "fout-1234567")
    assert password_login(
        _behind_proxy("198.51.100.1"), mentor_with_password.email
    ).status_code in (
        403,
        429,
    )
    # Another person in the same office, behind the same proxy, is not locked out.
    assert (
        password_login(_behind_proxy("198.51.100.2"), mentor_with_password.email).status_code == 302
    )
    # A locked client cannot escape by writing another address in front: the right-most,
    # added by the proxy, counts.
    spoofed = _behind_proxy("203.0.113.7, 198.51.100.1")
    assert password_login(spoofed, mentor_with_password.email).status_code in (403, 429)


def test_without_a_proxy_a_forwarded_header_is_ignored(mentor_with_password, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    for number in range(5):
        password_login(
            _behind_proxy(f"198.51.100.{number}"), mentor_with_password.email, "fout-1234567"
        )
    # Every attempt came from 10.0.0.9: the header a client can write changes nothing.
    assert password_login(
        _behind_proxy("198.51.100.99"), mentor_with_password.email
    ).status_code in (
        403,
        429,
    )


def test_the_proxy_settings_come_from_the_environment():
    from pathlib import Path

    from django.conf import settings

    assert settings.AXES_CLIENT_IP_CALLABLE == "accounts.security.client_ip"
    assert settings.AXES_IPWARE_META_PRECEDENCE_ORDER[0] == "HTTP_X_FORWARDED_FOR"
    example = (Path(settings.BASE_DIR) / ".env.example").read_text()
    assert "AXES_IPWARE_PROXY_COUNT=" in example
    assert "AXES_IPWARE_META_PRECEDENCE_ORDER=" in example
