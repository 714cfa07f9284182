"""The user of a request with their memberships, in one query.

Every page asks the user's active membership (role and organisation) first. Django's
ModelBackend loads the user, and `User.memberships_list` then loads the memberships: two
round trips on every request. Here the memberships are read with their user joined
(select_related), so the second comes for free; a user without an active membership
(a student's portal account, a new account) is loaded the usual way.
"""

from django.contrib.auth.backends import ModelBackend

from .models import Membership, User


class MembershipBackend(ModelBackend):
    def get_user(self, user_id):
        memberships = list(
            User.active_memberships_query(
                Membership.objects.filter(user_id=user_id)
            ).select_related("user")
        )
        if not memberships:
            return super().get_user(user_id)
        user = memberships[0].user
        for membership in memberships:
            membership.user = user
        # The cached_property's value, as if User.memberships_list had run.
        user.__dict__["memberships_list"] = memberships
        return user if self.user_can_authenticate(user) else None
