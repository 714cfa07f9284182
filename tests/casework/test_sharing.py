"""Journal notes shared in a referral (issue 19, part 2: a note reaches a partner only
"when shared in a referral"): the sender shares, the share is a disclosure on the
referral's basis, the partner of an accepted referral reads that note and its addenda and
nothing else of the journal, completion or consent withdrawal ends it; a forged referral
or note is refused; a note at "only me and my coordinator" is never shared."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from casework.models import NoteShare
from casework.services import addendum_add
from referrals import services as referral_services
from students.models import Disclosure, LegalBasis
from tests.factories import organisation
from tests.referrals.conftest import make_referral

from .test_journal import note, own_student

WI = "Werk en Inkomen Noord-Holland Noord"


def share_url(student, shared):
    return reverse("casework:note_share", args=[student.public_id, shared.pk])


def detail(client, student):
    return client.get(reverse("students:detail", args=[student.public_id]))


def test_sender_shares_partner_reads_it_and_its_addenda_and_nothing_else(client, mentor, wi):
    student = own_student(mentor)
    shared = note(student, mentor, level="organisation", text="Gedeelde notitie over stage.")
    note(student, mentor, level="file", text="Niet gedeelde notitie.")
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    client.force_login(mentor)
    page = client.get(share_url(student, shared))
    assert page.status_code == 200
    response = client.post(share_url(student, shared), {"referral": referral.public_id})
    assert response.status_code == 302
    assert NoteShare.objects.get().referral == referral
    disclosure = Disclosure.objects.get(sections=["journal_note"])
    assert disclosure.source == "referral"
    assert disclosure.source_id == referral.pk
    assert disclosure.legal_basis == referral.legal_basis
    assert disclosure.to_organisation == referral.to_organisation
    addendum_add(note=shared, text="Aanvulling bij de gedeelde.", actor=mentor)

    client.force_login(wi)
    # Sent, not yet accepted: nothing.
    assert detail(client, student).status_code == 404
    referral_services.referral_accept(referral=referral, actor=wi)
    body = detail(client, student).content.decode()
    assert "Gedeelde notitie over stage." in body
    assert "Aanvulling bij de gedeelde." in body
    assert "Niet gedeelde notitie." not in body
    # The journal itself stays closed to a partner.
    assert client.get(reverse("casework:journal", args=[student.public_id])).status_code == 404
    assert client.get(share_url(student, shared)).status_code == 404

    referral.refresh_from_db()
    referral_services.referral_complete(referral=referral, actor=wi, outcome="work")
    response = detail(client, student)
    assert response.status_code == 404 or "Gedeelde notitie over stage." not in (
        response.content.decode()
    )


def test_consent_withdrawal_ends_the_partners_reading(client, mentor, wi):
    student = own_student(mentor)
    shared = note(student, mentor, text="Met toestemming gedeeld.")
    referral = make_referral(
        actor=mentor,
        student=student,
        to=organisation(WI),
        legal_basis=LegalBasis.CONSENT,
        legal_reference="",
        consent_given_by="De student",
        consent_given_on=timezone.localdate() - timedelta(days=2),
    )
    referral_services.referral_accept(referral=referral, actor=wi)
    client.force_login(mentor)
    assert (
        client.post(share_url(student, shared), {"referral": referral.public_id}).status_code == 302
    )
    client.force_login(wi)
    assert "Met toestemming gedeeld." in detail(client, student).content.decode()
    referral.refresh_from_db()
    referral_services.referral_consent_withdraw(referral=referral, actor=mentor)
    response = detail(client, student)
    assert response.status_code == 404 or "Met toestemming gedeeld." not in (
        response.content.decode()
    )
    assert Disclosure.objects.get(sections=["journal_note"]).consent_withdrawn_at is not None


def test_a_private_note_is_not_shared_with_a_clear_message(client, mentor):
    student = own_student(mentor)
    private = note(student, mentor, level="private")
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    client.force_login(mentor)
    page = client.get(share_url(student, private)).content.decode()
    assert "notitie wordt niet met een andere organisatie gedeeld." in page
    response = client.post(share_url(student, private), {"referral": referral.public_id})
    assert response.status_code == 400
    assert not NoteShare.objects.exists()
    assert not Disclosure.objects.filter(sections=["journal_note"]).exists()


def test_a_forged_referral_or_note_is_refused(client, mentor, other_mentor):
    student = own_student(mentor)
    other = own_student(mentor)
    shared = note(student, mentor)
    other_referral = make_referral(actor=mentor, student=other, to=organisation(WI))
    draft = make_referral(actor=mentor, student=student, to=organisation(WI), send=False)
    client.force_login(mentor)
    for forged in (other_referral.public_id, draft.public_id, "onbekend"):
        response = client.post(share_url(student, shared), {"referral": forged})
        assert response.status_code == 400
        assert "Kies een verstuurde verwijzing van deze student" in response.content.decode()
    # Another student's note through this student's URL, and a note out of scope: 404.
    other_note = note(other, mentor)
    assert client.post(share_url(student, other_note), {}).status_code == 404
    client.force_login(other_mentor)
    assert client.get(share_url(student, shared)).status_code == 404
    assert not NoteShare.objects.exists()


def test_a_note_the_sender_may_not_read_is_404(client, mentor, coordinator):
    student = own_student(mentor)
    private = note(student, coordinator, level="private")
    client.force_login(mentor)
    assert client.get(share_url(student, private)).status_code == 404


def test_a_shared_note_cannot_become_private(mentor):
    import pytest
    from django.core.exceptions import ValidationError

    from casework.services import note_share, note_update

    student = own_student(mentor)
    shared = note(student, mentor)
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    note_share(note=shared, referral=referral, actor=mentor)
    data = {name: getattr(shared, name) for name in ("date", "kind", "with_whom", "text")}
    with pytest.raises(ValidationError):
        note_update(
            note=shared,
            expected_version=shared.version,
            data={**data, "level": "private"},
            actor=mentor,
        )


def test_the_partners_shared_notes_are_a_fixed_number_of_queries(
    mentor, wi, django_assert_num_queries
):
    from casework.queries import shared_notes
    from casework.services import note_share

    student = own_student(mentor)
    referral = make_referral(actor=mentor, student=student, to=organisation(WI))
    referral_services.referral_accept(referral=referral, actor=wi)
    referral.refresh_from_db()
    wi.active_membership  # noqa: B018 - the membership is the session's, loaded once
    for count in (1, 50):
        while NoteShare.objects.count() < count:
            shared = note(student, mentor, text=f"Notitie {NoteShare.objects.count()}")
            addendum_add(note=shared, text="Aanvulling.", actor=mentor)
            note_share(note=shared, referral=referral, actor=mentor)
        # The notes (with their shares as a subquery), their contacts, their addenda.
        with django_assert_num_queries(3):
            rows = shared_notes(wi, student, limit=100)
        assert len(rows) == count
        assert all(len(row.addenda.all()) == 1 for row in rows)
