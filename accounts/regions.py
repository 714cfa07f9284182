"""What belongs to one region (ROADMAP.md top, REFERRALS.md "Results against the
targets"): settings per region, read here so every app asks the same question.

- The regional parts of the Entree route (the name "Route naar succes", the Jongeren
  Startpunt, the regional transfer system): `KOERS_REGIONAL_ROUTE_REGIONS`, on for
  Noord-Holland Noord.
- The Flexservice measure and its targets: run by the region(s) in
  `KOERS_FLEXSERVICE_REGIONS` (Haaglanden), over `KOERS_FLEXSERVICE_PERIOD`.
"""

from django.conf import settings
from django.db.models import Q


def _name(region):
    if region is None:
        return None
    return getattr(region, "name", region)


def has_regional_route(region) -> bool:
    """Whether students of institutions in `region` (a Region or its name) get the
    region's own route parts."""
    return _name(region) in settings.KOERS_REGIONAL_ROUTE_REGIONS


def runs_flexservice(region) -> bool:
    """Whether `region` (a Region or its name) runs the Flexservice measure."""
    return _name(region) in settings.KOERS_FLEXSERVICE_REGIONS


def flexservice_schools_q(prefix=""):
    """The schools whose Flexservice counts (those in a region that runs it), as a Q over
    Organisation (`prefix` for a relation to it)."""
    return Q(**{f"{prefix}region__name__in": settings.KOERS_FLEXSERVICE_REGIONS})


def flexservice_period():
    """(start, end) of the Flexservice measure, both inclusive."""
    return settings.KOERS_FLEXSERVICE_PERIOD
