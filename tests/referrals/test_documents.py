"""The overgangsdocument as a PDF (issue 15): rendered with long text, read back with
`pdftotext -bbox-layout`: every word on an A4 page, page numbers, the date and maker,
and the confidentiality footer."""

import pytest

from referrals import services
from referrals.models import ReferralKind
from tests.factories import organisation
from tests.pdfcheck import assert_fits_a4, pdf_pages

from .conftest import make_referral

pytestmark = pytest.mark.django_db

WI = "Werk en Inkomen Noord-Holland Noord"
LONG_WORD = "https://voorbeeld.nl/dossier/" + "klmnopqrst" * 12
LONG_TEXT = (
    "De jongere werkt graag met de handen en wil een vaste plek in de groenvoorziening; "
    "de stage liep goed, maar de reistijd is een probleem. " * 12
) + LONG_WORD


@pytest.fixture
def document_referral(mentor, student):
    student.first_name = "Maximiliaan-Alexander Johannes"
    student.last_name = "van den Oudenallemanshuizen-Vredenburgh"
    student.save()
    return make_referral(
        actor=mentor,
        student=student,
        to=organisation(WI),
        kind=ReferralKind.OVERGANGSDOCUMENT,
        overgangsdocument={
            "situation": LONG_TEXT,
            "work_capacity": LONG_TEXT,
            "hour_limits": "Maximaal 24 uur per week",
            "wishes": LONG_TEXT,
            "support_needed": LONG_TEXT,
            "agreements": LONG_TEXT,
            "contacts": "Mentor: " + LONG_WORD,
        },
    )


def test_the_overgangsdocument_pdf_fits_a4_for_the_receiver(document_referral, wi, client):
    services.referral_accept(referral=document_referral, actor=wi)
    client.force_login(wi)

    response = client.get(f"/verwijzingen/{document_referral.public_id}/overgangsdocument.pdf")

    assert response.status_code == 200
    pages = pdf_pages(response.content)
    assert len(pages) > 1
    assert_fits_a4(pages)
    text = " ".join(" ".join(page.text for page in pages).split())
    assert "Overgangsdocument" in text
    assert "Werk en Inkomen Noord-Holland Noord" in text  # the maker's organisation
    assert "Wensen van de jongere" in text


def test_the_overgangsdocument_pdf_fits_a4_for_the_sender(document_referral, mentor, client):
    client.force_login(mentor)
    response = client.get(f"/verwijzingen/{document_referral.public_id}/overgangsdocument.pdf")
    assert response.status_code == 200
    assert_fits_a4(pdf_pages(response.content))
