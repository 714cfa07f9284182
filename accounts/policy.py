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

from django.db.models import Q

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


def can_import(user) -> bool:
    """The user may upload administration files in the browser: a school coordinator."""
    return has_role(user, Role.SCHOOL_COORDINATOR)


def import_institution_id(user):
    """The institution a user's browser upload acts for (their own school), or None."""
    if not can_import(user):
        return None
    return active_membership(user).organisation_id


def import_may_touch_q(institution_id) -> Q:
    """Known students (a filter on Student) that an import acting for `institution_id` may
    update, or attach an enrolment, qualification or employment to: the student has or had
    an enrolment there, or an import acting for it created the student and the student is
    enrolled nowhere (else). The third way in is a row with the student's own BSN
    (`import_same_person`), decided per row. Rows may repeat: take distinct values."""
    return Q(enrolments__institution_id=institution_id) | Q(
        created_by_institution_id=institution_id, enrolments__isnull=True
    )


def import_same_person(row_bsn, student_bsn) -> bool:
    """A row whose BSN equals the known student's: the same person arriving from another
    school, whom the import may take over."""
    return bool(row_bsn) and row_bsn == student_bsn


def import_may_touch(student, institution_id, *, row_bsn="") -> bool:
    """One student: the decision of `import_may_touch_q` plus `import_same_person`."""
    institutions = {enrolment.institution_id for enrolment in student.enrolments.all()}
    return (
        institution_id in institutions
        or (student.created_by_institution_id == institution_id and not institutions)
        or import_same_person(row_bsn, student.bsn)
    )


def pending_mentor_link_q(email: str, organisation_id) -> Q:
    """Students waiting for a mentor with address `email` whom a mentor role at
    `organisation_id` may take: the students of that institution, as an import acting for
    it sees them (never a student of another school)."""
    return Q(pending_mentor_email=email.lower()) & import_may_touch_q(organisation_id)


# --- Case tables (DOORSTROOMTAFEL.md, "Who sees a meeting") -------------------------------


# --- Referrals and partners (ACCESS.md; REFERRALS.md) -------------------------------------


# --- Signals and the roadmap (MONITORING.md; ROADMAP.md) ----------------------------------


# --- Reports and exports --------------------------------------------------------------------


# --- The API for other systems (issue 17; api/) ----------------------------------------
# A system acts through a service account with one membership (its organisation and role),
# so every predicate above and every visible_to() applies to it unchanged. These decide
# only what is the API's own: which roles a system may act in, which scopes it holds, and
# who is told of an event.

# Roles a system may act in: those whose work is their organisation's. Not a mentor (a
# mentor's scope is a person's own mentees), not the regional coordinator or the
# functional administrator (no person-level data through an API).
API_CLIENT_ROLES = (
    Role.SCHOOL_COORDINATOR,
    Role.INTAKE_DESK,
    Role.LEERPLICHT,
    Role.DOORSTROOMPUNT,
    Role.JONGEREN_STARTPUNT,
    Role.WI,
    Role.CARE,
)

# The scope each notification event needs.
API_EVENT_SCOPES = {
    "referral.received": "referrals",
    "signal.assigned": "signals",
    "action.due": "meetings",
}


def api_client_may_act(client) -> bool:
    """An API client may call at all: registered, active, in a role a system may hold,
    with an active service account."""
    return (
        client is not None
        and client.is_active
        and client.role in API_CLIENT_ROLES
        and client.user.is_active
    )


def api_client_scopes(client, every) -> list:
    """The scopes a token of `client` may carry: those registered on it (of `every`)."""
    if client is None or not client.is_active:
        return []
    return [scope for scope in every if scope in (client.scopes or [])]


def api_token_allows(token, scope) -> bool:
    """The (unexpired) token carries `scope`; a view without a scope needs a valid token."""
    return token.is_valid([scope] if scope else None)


def api_can_write_administration(user) -> bool:
    """Administration writes through the API act for the client's own institution, as the
    coordinator's upload does (`can_import`, `import_institution_id`)."""
    return can_import(user)


def api_may_subscribe(token, event) -> bool:
    """A subscription to `event` needs the scope of what the event is about."""
    scope = API_EVENT_SCOPES.get(event)
    return scope is not None and api_token_allows(token, scope)


def api_subscribers_q(organisation_id) -> Q:
    """Subscriptions (a filter on api.Subscription) told of events about a record of
    `organisation_id`: active ones of active clients of that organisation (each then
    only of the events it chose, `api_subscription_wants`)."""
    return Q(is_active=True, client__is_active=True, client__organisation_id=organisation_id)


def api_subscription_wants(subscription, event) -> bool:
    return event in (subscription.events or [])
