import pytest

from students.models import LegalBasis
from tests.factories import EnrolmentFactory, make_user


@pytest.fixture
def student(mentor):
    enrolment = EnrolmentFactory(student__mentor=mentor)
    return enrolment.student


@pytest.fixture
def care(db):
    from accounts.demo import seed_accounts  # noqa: F401 - the care organisation's home
    from accounts.models import Organisation, Region

    # In the region of the test students (the factories' municipality): a referral
    # goes only to the partners of the student's region.
    Organisation.objects.get_or_create(
        name="Zorg Test",
        kind="care",
        defaults={"region": Region.objects.get(name="Noord-Holland Noord")},
    )
    return make_user("zorg@nhn.test", "care", "Zorg Test")


@pytest.fixture
def desk_user(db):
    return make_user("loket@mondriaan.test", "intake_desk", "ROC Mondriaan")


def make_referral(*, actor, student, to, sections=("contact",), send=True, **extra):
    from referrals import services

    values = {
        "question": "Kunnen jullie begeleiding naar werk bieden?",
        "legal_basis": LegalBasis.WETTELIJKE_TAAK,
        "legal_reference": "WEB art. 8.1.8a",
    }
    values.update(extra)
    referral = services.referral_create(
        actor=actor, student=student, to_organisation=to, sections=list(sections), **values
    )
    if send:
        services.referral_send(referral=referral, actor=actor)
    return referral
