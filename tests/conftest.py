"""Named personas: permission tests read like sentences.

Each persona is a user with one role at one organisation of the reference data.
"""

import time
from types import SimpleNamespace

import pytest

from tests.reference import ensure_reference_data

from .factories import make_user


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2's deliberate slowness costs about a second per persona; tests need none of it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _second_factor_on_force_login(monkeypatch):
    # Every professional account logs in with a second factor (accounts/security.py).
    # Tests that log in with force_login get a confirmed TOTP device and a session that
    # passed it; tests/security checks the refusal without it.
    from django.test import Client

    from tests.security.helpers import verify_second_factor

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        verify_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _private_cache(settings):
    # Rate-limit counters live in the cache: each test starts with its own, empty one.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
        "reports": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "r"},
    }
    from django.core.cache import caches

    caches["default"].clear()
    caches["reports"].clear()


@pytest.fixture(autouse=True)
def _private_documents(settings, tmp_path_factory):
    # Documents (documents app) are files on disk: every test keeps them in its own
    # temporary folder, never in var/.
    settings.KOERS_DOCUMENT_ROOT = tmp_path_factory.mktemp("documents")


@pytest.fixture
def mentor(db):
    return make_user("mentor@horizon.test", "mentor", "Horizon College", first_name="Mirjam")


@pytest.fixture
def other_mentor(db):
    return make_user("mentor2@horizon.test", "mentor", "Horizon College", first_name="Otto")


@pytest.fixture
def coordinator(db):
    return make_user("coordinator@horizon.test", "school_coordinator", "Horizon College")


@pytest.fixture
def clusius_coordinator(db):
    return make_user("coordinator@clusius.test", "school_coordinator", "Clusius College")


@pytest.fixture
def mondriaan_coordinator(db):
    return make_user("coordinator@mondriaan.test", "school_coordinator", "ROC Mondriaan")


@pytest.fixture
def leerplicht(db):
    return make_user(
        "leerplicht@nhn.test", "leerplicht", "Regionaal Bureau Leerplicht Noord-Holland Noord"
    )


@pytest.fixture
def leerplicht_haaglanden(db):
    return make_user("leerplicht@haaglanden.test", "leerplicht", "Leerplicht Haaglanden")


@pytest.fixture
def dsp(db):
    return make_user("dsp@nhn.test", "doorstroompunt", "Doorstroompunt Noord-Holland Noord")


@pytest.fixture
def startpunt(db):
    return make_user("startpunt@nhn.test", "jongeren_startpunt", "Check-In en Doorstroompunt")


@pytest.fixture
def wi(db):
    return make_user("wi@nhn.test", "wi", "Werk en Inkomen Noord-Holland Noord")


@pytest.fixture
def regio(db):
    return make_user("regio@nhn.test", "regional_coordinator", "Regio Noord-Holland Noord")


@pytest.fixture
def functional_admin(db):
    return make_user(
        "admin@koers.test", "functional_admin", "Koers functioneel beheer", is_staff=True
    )


@pytest.fixture(autouse=True)
def _reference_data_after_a_flush(request):
    """A browser test (transactional, with a live server) ends with a flush that empties
    every table, the reference data of the data migration included, and removes the
    append-only triggers. A database test that the same worker runs afterwards finds them
    back: one cheap query when nothing was flushed."""
    marker = request.node.get_closest_marker("django_db")
    wants_db = marker is not None or {"db", "transactional_db"} & set(request.fixturenames)
    if not wants_db or request.node.get_closest_marker("browser"):
        yield
        return
    transactional = bool(marker and marker.kwargs.get("transaction")) or (
        "transactional_db" in request.fixturenames
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    ensure_reference_data()
    yield


@pytest.fixture
def one_rate_window(monkeypatch):
    """The rate limiter's clock (accounts.security) stands still for the test: a burst of
    requests falls in one window, never across the turn of a minute (which would count
    it in two and let the request that must be refused through)."""
    now = time.time()
    monkeypatch.setattr("accounts.security.time", SimpleNamespace(time=lambda: now))
    return now
