"""A referral sent is a notification for the receiving organisation's partner users."""

from django.utils.html import escape

from accounts.models import Notification, NotificationKind
from tests.factories import make_user

from .conftest import make_referral


def test_sending_a_referral_notifies_the_receivers_partner_users(client, mentor, student, care):
    colleague = make_user("zorg2@nhn.test", "care", "Zorg Test")
    draft = make_referral(actor=mentor, student=student, to=care.organisation, send=False)
    assert not Notification.objects.exists()  # a draft tells nobody
    from referrals import services

    services.referral_send(referral=draft, actor=mentor)
    rows = list(Notification.objects.all())
    assert {row.user for row in rows} == {care, colleague}
    row = next(row for row in rows if row.user == care)
    assert row.kind == NotificationKind.REFERRAL_RECEIVED
    assert row.url == f"/verwijzingen/{draft.public_id}/"
    assert row.student_id == student.pk
    assert student.last_name not in row.text
    assert not student.bsn or student.bsn not in row.text
    # Not yet accepted: the partner does not see the student, so no name on the list.
    client.force_login(care)
    html = client.get("/accounts/meldingen/").content.decode()
    assert "Verwijzing ontvangen" in html
    assert escape(student.first_name) not in html
    # Following it leads to the referral (which the receiver may open).
    response = client.get(f"/accounts/meldingen/{row.pk}/", follow=True)
    assert response.status_code == 200
    assert not Notification.objects.filter(user=mentor).exists()
