"""The intake desk's panel on the start page (its queue, the results link). A fixed
number of queries."""

from django.db.models import Count

from accounts import policy
from accounts.models import Role
from accounts.policy import may_see_flexservice_results

from ..models import IntakeStatus
from .queries import desk_organisation, registrations_for_user


def home_desk_panel(request):
    user = request.user
    membership = user.active_membership
    if membership is None:
        return None
    context = {
        "results": may_see_flexservice_results(user),
        "desk": None,
        "trajectories": policy.works_across_mentors(membership),
    }
    if desk_organisation(user) is not None:
        counts = dict(
            registrations_for_user(user)
            .exclude(status=IntakeStatus.CLOSED)
            .values_list("status")
            .annotate(n=Count("id"))
            .order_by()
        )
        context["desk"] = [
            (status.label, counts.get(status.value, 0))
            for status in (IntakeStatus.NEW, IntakeStatus.IN_INTAKE, IntakeStatus.IN_CONSULTATION)
        ]
    if membership.role == Role.SCHOOL_COORDINATOR and not context["desk"]:
        return None
    if not (context["results"] or context["desk"]):
        return None
    return {"template": "referrals/flexservice/_home_desk.html", "context": context}
