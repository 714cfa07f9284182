"""accounts.backends.MembershipBackend: the request's user with their memberships."""

import pytest

from accounts.backends import MembershipBackend
from accounts.models import Membership, User
from tests.factories import UserFactory, organisation

pytestmark = pytest.mark.django_db


def test_the_user_and_their_active_memberships_in_one_query(mentor, django_assert_num_queries):
    second = Membership.objects.create(
        user=mentor, organisation=organisation("Clusius College"), role="school_coordinator"
    )
    Membership.objects.create(
        user=mentor, organisation=organisation("ROC Mondriaan"), role="mentor", is_active=False
    )
    with django_assert_num_queries(1):
        user = MembershipBackend().get_user(mentor.pk)
        memberships = user.memberships_list
        assert user.active_membership.role == "mentor"
        assert all(membership.user is user for membership in memberships)
        assert memberships[1].organisation.region.name  # read with the memberships
    assert user == mentor
    assert memberships[1] == second
    assert [m.pk for m in memberships] == [
        m.pk for m in User.objects.get(pk=mentor.pk).memberships_list
    ]


def test_a_user_without_an_active_membership_is_loaded_the_usual_way(mentor):
    mentor.memberships.update(is_active=False)
    user = MembershipBackend().get_user(mentor.pk)
    assert user == mentor
    assert user.memberships_list == []
    lone = UserFactory(email="zonder@koers.test")
    assert MembershipBackend().get_user(lone.pk) == lone


def test_an_inactive_user_is_nobody(mentor):
    User.objects.filter(pk=mentor.pk).update(is_active=False)
    assert MembershipBackend().get_user(mentor.pk) is None
    mentor.memberships.update(is_active=False)
    assert MembershipBackend().get_user(mentor.pk) is None


def test_a_session_logged_in_before_the_backend_changed_stays_logged_in(client, mentor):
    """accounts/migrations/0006 rewrites the backend path kept in open sessions."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0006_sessions_membership_backend")
    client.force_login(mentor, backend=migration.OLD)
    assert client.get("/students/").status_code == 302  # the old path: logged out
    client.force_login(mentor, backend=migration.OLD)
    migration.forwards(apps, None)
    assert client.get("/students/").status_code == 200
    assert client.session[migration.KEY] == migration.NEW
