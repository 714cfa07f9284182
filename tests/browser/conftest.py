"""Browser tests: real Chromium (Debian's /usr/bin/chromium) through pytest-playwright,
against pytest-django's live server.

- Every test in this folder is marked `browser` and runs on a transactional database (the
  live server's thread must see committed data) with the reference data loaded again
  (the flush after each transactional test leaves no municipalities or schools).
- Without Chromium the tests are skipped on a developer machine, but in CI (`CI=true`)
  they fail: a green CI run must have driven a real browser.
- Helpers: `login(page, live_server, email)` logs in through the login form and the
  second factor (a TOTP device made for the user in the test database);
  `assert_accessible(page)` runs axe-core and fails on serious or critical violations.
"""

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts.demo import DEMO_PASSWORD

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from
# test code (fixtures, assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# PLATFORM.md: the flags that make Debian's Chromium run headless in containers and CI.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
BROWSER_DIR = Path(__file__).resolve().parent


def in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(items):
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if in_ci():
            pytest.fail(f"{message}: browser tests must run in CI", pytrace=False)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": browser_type_launch_args.get("headless", True),
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The pages follow Accept-Language: ask for Dutch, the language the msgids are in.
    return {**browser_context_args, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}


@pytest.fixture(autouse=True)
def _browser_database(transactional_db, page):
    # A transactional test starts from the flushed database the previous one left: put
    # the reference data (REFERENCE_DATA.md) back. Django's serialized rollback would do
    # this, but its copy hangs on the connection object of the thread, which Playwright's
    # event loop does not share.
    from django.apps import apps
    from django.db import connection

    from accounts import reference_data
    from students.append_only import install_triggers, remove_triggers

    reference_data.load(apps)
    install_triggers(connection)
    page.set_default_timeout(15_000)
    yield
    # The flush after a transactional test empties tables with DELETE on SQLite, which the
    # access log's append-only trigger refuses (PostgreSQL's TRUNCATE passes row triggers):
    # lift it for the flush; the next test puts it back above.
    if connection.vendor == "sqlite":
        remove_triggers(connection)


@pytest.fixture
def demo_accounts():
    """Only the demo accounts of INTERFACES.md section 3 (fast: no students)."""
    from django.utils import timezone

    from accounts.demo import DemoContext, seed_accounts

    seed_accounts(DemoContext(today=timezone.localdate()))


@pytest.fixture
def demo_data():
    """The whole demo data set, as `manage.py seed_demo` makes it (about two seconds)."""
    from django.core.management import call_command

    call_command("seed_demo", force=True, verbosity=0)


def current_totp_token(email):
    """A confirmed authenticator for `email` in the test database, and its current code."""
    from django_otp.oath import totp

    from accounts.models import User
    from tests.security.helpers import confirmed_totp_device

    device = confirmed_totp_device(User.objects.get(email=email))
    # A code is accepted once per 30 s window: a second login in the same window (another
    # test step) would be refused, so forget the last window used.
    device.last_t = -1
    device.save(update_fields=["last_t"])
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def login(page, live_server, email, password=DEMO_PASSWORD):
    """Log in through the login form and the second factor, as a person would, and land on
    the start page."""
    token = current_totp_token(email)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/accounts/tweestaps/**")
    page.get_by_label("Code").fill(token)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


_axe = Axe()


def assert_accessible(page, context=None, impacts=("serious", "critical")):
    """axe-core on the current page: no violation of the given impacts."""
    results = _axe.run(page, context=context)
    violations = [v for v in results.response["violations"] if v.get("impact") in impacts]
    report = "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}): "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
    )
    assert not violations, f"axe found on {page.url}:\n{report}"
