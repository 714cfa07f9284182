"""Named personas: permission tests read like sentences.

Each persona is a user with one role at one organisation of the reference data.
"""

import pytest

from .factories import make_user


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2's deliberate slowness costs about a second per persona; tests need none of it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
