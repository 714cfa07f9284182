"""Log a test client through the second factor the way the verify page does."""

from django_otp import DEVICE_ID_SESSION_KEY


def confirmed_totp_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def verify_second_factor(client, user):
    device = confirmed_totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def drop_second_factor(client):
    session = client.session
    session.pop(DEVICE_ID_SESSION_KEY, None)
    session.save()
