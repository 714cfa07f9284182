"""Test helper: the reference data back after a flush."""


def ensure_reference_data():
    """The reference data and the append-only triggers, loaded again if a flush (the end
    of a browser test on the same worker) removed them: one cheap query otherwise."""
    from django.apps import apps
    from django.db import connection

    from accounts import reference_data
    from accounts.models import Region
    from students.append_only import install_triggers

    if not Region.objects.exists():
        reference_data.load(apps)
        install_triggers(connection)
