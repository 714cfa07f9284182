from datetime import date

import pytest
from django.core.exceptions import ValidationError

from students.models import Disclosure, LegalBasis
from students.services import disclosure_consent_withdraw, disclosure_record

from ..factories import EnrolmentFactory, organisation, school


def _share(student, actor, **extra):
    return disclosure_record(
        student=student,
        actor=actor,
        from_organisation=school(),
        to_organisation=organisation("Werk en Inkomen Noord-Holland Noord"),
        sections=["contact", "roadmap_summary"],
        source="test",
        source_id=1,
        **extra,
    )


def test_consent_needs_who_and_when(coordinator):
    student = EnrolmentFactory().student
    with pytest.raises(ValidationError):
        _share(student, coordinator, legal_basis=LegalBasis.CONSENT)
    assert not Disclosure.objects.exists()


def test_withdrawing_consent_marks_the_disclosure_and_keeps_it(coordinator):
    student = EnrolmentFactory().student
    _share(
        student,
        coordinator,
        legal_basis=LegalBasis.CONSENT,
        consent_given_by="de student",
        consent_given_on=date(2026, 11, 1),
    )
    assert disclosure_consent_withdraw(source="test", source_id=1, actor=coordinator) == 1
    assert disclosure_consent_withdraw(source="test", source_id=1, actor=coordinator) == 0
    assert Disclosure.objects.get().consent_withdrawn_at is not None


def test_student_page_lists_disclosures_with_basis(client, mentor):
    student = EnrolmentFactory(student__mentor=mentor).student
    _share(
        student,
        mentor,
        legal_basis=LegalBasis.WETTELIJKE_TAAK,
        legal_reference="Participatiewet",
    )
    client.force_login(mentor)
    html = client.get(f"/students/{student.public_id}/").content.decode()
    assert "Verstrekkingen" in html
    assert "Werk en Inkomen Noord-Holland Noord" in html
    assert "Wettelijke taak (Participatiewet)" in html
