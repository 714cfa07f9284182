"""Sessions logged in before accounts.backends.MembershipBackend stay logged in.

Django keeps the path of the backend that authenticated a session in the session, and
loads the user only through a backend still listed in AUTHENTICATION_BACKENDS. Without
this step, every open session (12 hours at most) would end on the deploy, and with it
whatever a user was typing.
"""

from django.conf import settings
from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "accounts.backends.MembershipBackend"
KEY = "_auth_user_backend"


def _rewrite(apps, schema_editor, old, new):
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return  # sessions elsewhere (a cache, cookies) are not in this table
    from django.contrib.sessions.backends.db import SessionStore

    session_model = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in session_model.objects.iterator():
        data = store.decode(session.session_data)
        if data.get(KEY) == old:
            data[KEY] = new
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


def forwards(apps, schema_editor):
    _rewrite(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _rewrite(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_notificationsettings_notification"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
