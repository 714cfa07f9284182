"""Who may do what: the access decisions of ACCESS.md as named predicates, in one place.

Each function answers one question in the form "may this user (acting in their active
membership) do X to Y?", or gives the filter that answers it for many records at once.
Views, services, imports and queries ask these; none decides access on its own. The
module sits in the lowest layer: it names the other apps' fields by lookup strings and
reads related objects by attribute, so it imports no model of a higher app.

A refusal of a record outside the user's scope is a 404 (never a 403 that confirms the
record exists); the callers turn a False into Http404.
"""

from __future__ import annotations

from .models import Role


def active_membership(user):
    """The membership the user acts in now, or None (anonymous, no role)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "active_membership", None)


def has_role(user, *roles: Role) -> bool:
    """The user acts in one of `roles` now."""
    membership = active_membership(user)
    return membership is not None and membership.role in roles


# --- Administration import (INTERFACES.md section 1, "Acting for one institution") --------


# --- Case tables (DOORSTROOMTAFEL.md, "Who sees a meeting") -------------------------------


# --- Referrals and partners (ACCESS.md; REFERRALS.md) -------------------------------------


# --- Signals and the roadmap (MONITORING.md; ROADMAP.md) ----------------------------------


# --- Reports and exports --------------------------------------------------------------------
