"""Every scoped read of referrals and of the Flexservice starts here (ACCESS.md).

- A referral is visible to the organisation that sent it (a mentor: only the referrals
  of their own mentees or that they wrote) and to the organisation it was sent to, from
  the moment it was sent. The receiver sees the student only from acceptance on, and
  then only the snapshot of the shared sections (on the referral and, through the scope
  and panel registered in ReferralsConfig, on the student's page).
- Intake registrations are visible to the desk's ROC (intake desk and coordinators).
- Maatwerk trajectories are visible to the school staff who see the student.

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


# --- Flexservice ----------------------------------------------------------------------


def desk_organisation(user):
    """The ROC whose intake desk this user works for, or None."""
    membership = _membership(user)
    if membership is None or not policy.works_at_flexservice_desk(membership):
        return None
    return membership.organisation


def registrations_for_user(user):
    from .models import IntakeRegistration

    desk = desk_organisation(user)
    if desk is None:
        return IntakeRegistration.objects.none()
    return IntakeRegistration.objects.filter(desk=desk)


def get_registration_for_user(user, public_id):
    from .models import IntakeRegistration

    try:
        return (
            registrations_for_user(user)
            .select_related("municipality", "student", "enrolment", "desk")
            .get(public_id=public_id)
        )
    except IntakeRegistration.DoesNotExist:
        raise Http404("No registration here") from None


def trajectories_for_user(user):
    from students.models import Student

    from .models import MaatwerkTrajectory

    membership = _membership(user)
    if membership is None or not policy.works_with_trajectories(membership):
        return MaatwerkTrajectory.objects.none()
    return MaatwerkTrajectory.objects.filter(
        school_id=membership.organisation_id,
        student__in=Student.objects.visible_to(user).values("pk"),
    )


def get_trajectory_for_user(user, public_id):
    from .models import MaatwerkTrajectory

    try:
        return (
            trajectories_for_user(user).select_related("student", "school").get(public_id=public_id)
        )
    except MaatwerkTrajectory.DoesNotExist:
        raise Http404("No trajectory here") from None


def results_schools(user):
    """The ROCs whose Flexservice results the user may see (ids), or None for none."""
    from accounts.models import Organisation
    from accounts.policy import may_see_flexservice_results

    if not may_see_flexservice_results(user):
        return None
    membership = _membership(user)
    if membership.role == Role.REGIONAL_COORDINATOR:
        return list(
            Organisation.objects.filter(
                kind=OrganisationKind.SCHOOL, region_id=membership.organisation.region_id
            ).values_list("pk", flat=True)
        )
    return [membership.organisation_id]
