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

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

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

# Partners: the organisations that see a student only through a referral they accepted.
PARTNER_ROLES = (Role.JONGEREN_STARTPUNT, Role.WI, Role.CARE)
# Who sends referrals (and whose scope a referral's student must be in).
REFERRAL_SENDER_ROLES = (Role.MENTOR, Role.SCHOOL_COORDINATOR, Role.LEERPLICHT, Role.DOORSTROOMPUNT)
# Organisation kinds that can receive a referral.
REFERRAL_RECEIVER_KINDS = ("jongeren_startpunt", "wi", "care", "school", "doorstroompunt")
# The referral states in which the receiver sees what was shared: from acceptance until
# the referral ends (completed) or the consent it rested on is withdrawn.
RECEIVER_SEES_STATUSES = ("accepted",)


def sees_only_shared_sections(user) -> bool:
    """The user is a partner: of a student's file they see only what a referral shared
    with their organisation (never the file itself, the route, signals or history)."""
    return has_role(user, *PARTNER_ROLES)


def receiver_sees_shared_data(referral) -> bool:
    """The receiving organisation sees the shared sections of this referral now: after
    accepting, until the referral ends or the consent it rested on is withdrawn."""
    return referral.status in RECEIVER_SEES_STATUSES and referral.consent_withdrawn_at is None


def shared_referrals_q(organisation_id) -> Q:
    """Referrals (as a filter over Referral) whose shared sections `organisation_id` sees
    now; the same rule as receiver_sees_shared_data, for many records."""
    return Q(
        to_organisation_id=organisation_id,
        status__in=RECEIVER_SEES_STATUSES,
        consent_withdrawn_at__isnull=True,
    )


def partner_student_scope(membership, today) -> Q | None:
    """Students a partner sees (as a filter over Student): those referred to the
    partner's organisation by a referral it accepted and may still read. None for every
    other role (their scope is their own, ACCESS.md)."""
    if membership is None or membership.role not in PARTNER_ROLES:
        return None
    referral_model = apps.get_model("referrals", "Referral")
    return Q(
        Exists(
            referral_model.objects.filter(
                shared_referrals_q(membership.organisation_id), student=OuterRef("pk")
            )
        )
    )


def may_send_referral_for(user, student) -> bool:
    """The user may send a referral for this student: a sender role, and the student in
    the user's own scope (outside it the student page and the form are a 404)."""
    if not has_role(user, *REFERRAL_SENDER_ROLES):
        return False
    student_model = apps.get_model("students", "Student")
    return student_model.objects.visible_to(user).filter(pk=student.pk).exists()


def referral_receivers_q(user, student) -> Q:
    """The organisations (as a filter over Organisation) this user may send a referral
    about this student to: active receiving organisations of the student's region (the
    region of the student's municipality), never the sender's own organisation."""
    membership = active_membership(user)
    region_id = getattr(getattr(student, "municipality", None), "region_id", None)
    if membership is None or region_id is None:
        return Q(pk__in=[])
    return Q(kind__in=REFERRAL_RECEIVER_KINDS, is_active=True, region_id=region_id) & ~Q(
        pk=membership.organisation_id
    )


# --- Signals and the roadmap (MONITORING.md; ROADMAP.md) ----------------------------------


def signal_scope_q(user) -> Q | None:
    """The signals (as a filter over Signal, within the students the user sees) the user
    may see and act on: a mentor the school signals of their own students, everyone
    else the signals addressed to their organisation. None: no signals at all."""
    membership = active_membership(user)
    if membership is None:
        return None
    if membership.role == Role.MENTOR:
        return Q(student__mentor_id=user.pk, assignee="school")
    return Q(organisation_id=membership.organisation_id)


# --- Reports and exports --------------------------------------------------------------------
