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
