"""Every scoped read of the Flexservice starts here (ACCESS.md).

- Intake registrations are visible to the desk's ROC (intake desk and coordinators).
- Maatwerk trajectories are visible to the school staff who see the student.

Anything outside the scope is a 404, never a 403 that confirms it exists.
"""

from django.http import Http404

from accounts import policy
from accounts.models import OrganisationKind, Role

from ..queries import _membership


def desk_organisation(user):
    """The ROC whose intake desk this user works for, or None."""
    membership = _membership(user)
    if membership is None or not policy.works_at_flexservice_desk(membership):
        return None
    return membership.organisation


def registrations_for_user(user):
    from ..models import IntakeRegistration

    desk = desk_organisation(user)
    if desk is None:
        return IntakeRegistration.objects.none()
    return IntakeRegistration.objects.filter(desk=desk)


def get_registration_for_user(user, public_id):
    from ..models import IntakeRegistration

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

    from ..models import MaatwerkTrajectory

    membership = _membership(user)
    if membership is None or not policy.works_with_trajectories(membership):
        return MaatwerkTrajectory.objects.none()
    return MaatwerkTrajectory.objects.filter(
        school_id=membership.organisation_id,
        student__in=Student.objects.visible_to(user).values("pk"),
    )


def get_trajectory_for_user(user, public_id):
    from ..models import MaatwerkTrajectory

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
