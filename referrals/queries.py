"""Every scoped read of referrals starts here (ACCESS.md; the Flexservice's reads are in
referrals.flexservice.queries).

- A referral is visible to the organisation that sent it (a mentor: only the referrals
  of their own mentees or that they wrote) and to the organisation it was sent to, from
  the moment it was sent. The receiver sees the student only from acceptance on, and
  then only the snapshot of the shared sections (on the referral and, through the scope
  and panel registered in ReferralsConfig, on the student's page).

Anything outside the scope is a 404, never a 403 that confirms it exists.
"""

from django.db import models
from django.db.models import Q
from django.http import Http404

from accounts import policy
from accounts.models import OrganisationKind, Role
from accounts.policy import receiver_sees_shared_data

# Organisation kinds that can receive a referral.
RECEIVER_KINDS = (
    OrganisationKind.JONGEREN_STARTPUNT,
    OrganisationKind.WI,
    OrganisationKind.CARE,
    OrganisationKind.SCHOOL,
    OrganisationKind.DOORSTROOMPUNT,
)


def _membership(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.active_membership


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        membership = _membership(user)
        if membership is None:
            return self.none()
        organisation_id = membership.organisation_id
        sent = Q(from_organisation_id=organisation_id)
        if membership.role == Role.MENTOR:
            sent &= Q(student__mentor_id=user.pk) | Q(created_by_id=user.pk)
        elif not policy.can_send_referral(membership):
            sent = Q(pk__in=[])
        received = Q(to_organisation_id=organisation_id) & ~Q(status="draft")
        return self.filter(sent | received)

    def received_by(self, user):
        membership = _membership(user)
        if membership is None:
            return self.none()
        return self.filter(to_organisation_id=membership.organisation_id).exclude(status="draft")


def get_referral_for_user(user, public_id):
    from .models import Referral

    try:
        return (
            Referral.objects.visible_to(user)
            .select_related("student", "from_organisation", "to_organisation", "created_by")
            .get(public_id=public_id)
        )
    except Referral.DoesNotExist:
        raise Http404("No referral here") from None


def is_sender(user, referral):
    membership = _membership(user)
    return membership is not None and membership.organisation_id == referral.from_organisation_id


def is_receiver(user, referral):
    membership = _membership(user)
    return membership is not None and membership.organisation_id == referral.to_organisation_id


def receiver_sees_student(referral):
    """The receiver sees the shared sections only after accepting, until the referral
    ends or the consent it rested on is withdrawn (accounts.policy)."""
    return receiver_sees_shared_data(referral)


def can_send_referrals(user):
    membership = _membership(user)
    return membership is not None and policy.can_send_referral(membership)
