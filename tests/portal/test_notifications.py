"""A student's correction request or objection notifies the roles that answer it."""

from accounts.models import Notification, NotificationKind
from portal import services
from tests.factories import make_user


def test_correction_request_notifies_the_answering_roles(
    account, pupil, mentor, coordinator, today
):
    item = services.rights_request_create(
        account=account, kind="correction", field="phone", note="mijn nummer", today=today
    )
    rows = list(Notification.objects.all())
    assert [row.user for row in rows] == [coordinator]  # not the mentor: they do not answer
    row = rows[0]
    assert row.kind == NotificationKind.CORRECTION_REQUEST
    assert row.url == f"/verzoeken/{item.pk}/"
    assert pupil.last_name not in row.text
    assert pupil.bsn not in row.text


def test_objection_notifies_too(account, coordinator, today):
    from accounts.models import Organisation

    horizon = Organisation.objects.get(name="Horizon College")
    make_user("mentor9@horizon.test", "mentor", "Horizon College")
    services.rights_request_create(
        account=account, kind="objection", note="nee", today=today, organisation=horizon
    )
    assert list(Notification.objects.values_list("user", flat=True)) == [coordinator.pk]
