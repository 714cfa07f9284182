"""Every scoped read of the roadmap, and who may write what (ACCESS.md, ROADMAP.md).

- Read: whoever may see the student (students.queries.get_student_for_user, else 404).
- Write steps: only the student's school: a mentor for their own mentees, a school
  coordinator for the students of their institution, and only on an Entree enrolment
  of the user's own institution. Anyone else gets a 404 for a write URL.
- ABA (step 3, special-category data): only the mentor and coordinator of the
  enrolment's institution; for everyone else the fields are absent, not greyed out.
- Contact moments: the school logs work check-ins and other conversations for the
  students it may write; the Doorstroompunt and Leerplicht log their own contacts for
  the students in their scope.
"""

from django.db.models import OuterRef, Q, Subquery
from django.http import Http404

from accounts import policy
from accounts.models import Role
from accounts.policy import sees_only_shared_sections
from students.models import Employment, Enrolment, Level
from students.queries import get_student_for_user, writable_students

from .models import STEP_RELATED_NAMES, ContactKind, ContactMoment, StepKind
from .route import StepFact

LATEST_CONTACT_MOMENTS = 5


def special_category_record_types():
    """Record types that must never appear in a history or export for other roles.

    ABA changes are not written to students.RecordChange at all (they live in
    roadmap.AbaStepChange); a history view can still filter on this set to be safe.
    """
    return {"abastep", "abastepchange"}


def _membership(user):
    return getattr(user, "active_membership", None)


def is_school_writer(user):
    membership = _membership(user)
    return membership is not None and policy.is_school_writer(membership)


def can_write_enrolment(user, enrolment, student):
    """The school's mentor or coordinator, on an enrolment of their own institution.

    `student` must have been loaded through the user's scope already (a mentor only
    sees their own mentees, so that part is decided there).
    """
    membership = _membership(user)
    if membership is None or not policy.is_school_writer(membership):
        return False
    if membership.role == Role.MENTOR and student.mentor_id != user.pk:
        return False
    return (
        enrolment.level == Level.ENTREE and enrolment.institution_id == membership.organisation_id
    )


def can_see_special(user, enrolment, student):
    """ABA: the mentor and coordinator of the enrolment's own institution only."""
    return can_write_enrolment(user, enrolment, student)


def special_institution_id(user, student):
    """The institution whose ABA records this user may see for this student, or None."""
    membership = _membership(user)
    if membership is None or not policy.is_school_writer(membership):
        return None
    if membership.role == Role.MENTOR and student.mentor_id != user.pk:
        return None
    return membership.organisation_id


def get_route_student(user, public_id):
    """The student if the user may see the route, else 404. A partner sees a student only
    through what a referral shared (accounts.policy), never the route itself."""
    if sees_only_shared_sections(user):
        raise Http404("No route here")
    return get_student_for_user(user, public_id)


def step_select_related(*, include_aba, with_authors=True):
    names = [
        name for kind, name in STEP_RELATED_NAMES.items() if include_aba or kind != StepKind.ABA
    ]
    related = []
    for name in names:
        related.append(name)
        if with_authors:
            related.append(f"{name}__author")
    related.append("work_step__employment")
    related.append("institution__region")
    return related


def get_writable_enrolment(user, public_id, enrolment_id, *, kind=None):
    """The Entree enrolment the user may log steps on, with its student, else 404.

    One query: the student's scope, the write rule and the step of `kind` together.
    """
    membership = _membership(user)
    if membership is None or not policy.is_school_writer(membership):
        raise Http404("No enrolment here")
    related = ["student__municipality", "student__mentor", "institution__region"]
    if kind is not None:
        name = STEP_RELATED_NAMES[kind]
        related += [name, f"{name}__author"]
        if kind == StepKind.WORK:
            related.append(f"{name}__employment")
    try:
        enrolment = (
            Enrolment.objects.select_related(*related)
            .filter(
                student__in=writable_students(user).values("pk"),
                student__public_id=public_id,
                institution_id=membership.organisation_id,
                level=Level.ENTREE,
            )
            .get(pk=enrolment_id)
        )
    except (Enrolment.DoesNotExist, ValueError):
        raise Http404("No enrolment here") from None
    if not can_write_enrolment(user, enrolment, enrolment.student):
        raise Http404("No enrolment here")
    return enrolment


def route_enrolments(student, *, aba_for_institution_id=None):
    """The student's Entree enrolments with every step loaded in one query.

    ABA is loaded only for the enrolments of `aba_for_institution_id` (the reader's
    own school, when the reader may see it); for any other enrolment the ABA record is
    never read from the database.
    """
    enrolments = list(
        Enrolment.objects.filter(student=student, level=Level.ENTREE)
        .select_related(*step_select_related(include_aba=False))
        .order_by("-start_date", "-id")
    )
    if aba_for_institution_id is not None and any(
        e.institution_id == aba_for_institution_id for e in enrolments
    ):
        from .models import AbaStep

        aba = {
            step.enrolment_id: step
            for step in AbaStep.objects.select_related("author").filter(
                enrolment__student=student, enrolment__institution_id=aba_for_institution_id
            )
        }
        for enrolment in enrolments:
            if enrolment.institution_id == aba_for_institution_id:
                # Fill the reverse one-to-one cache, so "no ABA" needs no query either.
                Enrolment.aba_step.related.set_cached_value(enrolment, aba.get(enrolment.pk))
    return enrolments


def latest_contact_moments(student, limit=LATEST_CONTACT_MOMENTS):
    return list(
        ContactMoment.objects.filter(student=student)
        .select_related("author", "author_organisation")
        .order_by("-date", "-id")[:limit]
    )


def all_contact_moments(student):
    return ContactMoment.objects.filter(student=student).select_related(
        "author", "author_organisation"
    )


def student_employments(student):
    return list(Employment.objects.filter(student=student).order_by("-start_date", "-id"))


def contact_kinds_for(user, student):
    """The kinds of contact moment this user may log for this (visible) student."""
    membership = _membership(user)
    if membership is None:
        return []
    if policy.is_school_writer(membership):
        if membership.role == Role.MENTOR and student.mentor_id != user.pk:
            return []
        return [ContactKind.WORK_CHECKIN, ContactKind.OTHER]
    if membership.role == Role.DOORSTROOMPUNT:
        return [ContactKind.DSP_CONTACT]
    if membership.role == Role.LEERPLICHT:
        return [ContactKind.LEERPLICHT_CONTACT]
    return []


def school_can_write_student(user, student):
    """Does the school user's scope include this student for writing? (one query)"""
    return writable_students(user).filter(pk=student.pk).exists()


# The steps a list may tell about without their contents (a timeline, the agenda's latest
# step): never ABA, special-category data that is read only where it may be shown.
FACT_STEPS = {kind: name for kind, name in STEP_RELATED_NAMES.items() if kind != StepKind.ABA}


def with_step_facts(enrolments):
    """Each enrolment with, per step of FACT_STEPS, the date it was logged on (None when
    it was not) and the perspective chosen: a scalar subquery per step (one index probe
    per enrolment and step) instead of joining the six step tables, whose planning cost
    more than running it (issue 16). Read with step_dates() and step_facts()."""
    facts = {}
    for kind, name in FACT_STEPS.items():
        steps = Enrolment._meta.get_field(name).related_model.objects.filter(
            enrolment=OuterRef("pk")
        )
        facts[f"fact_{name}_date"] = Subquery(steps.values("date")[:1])
        if kind == StepKind.PERSPECTIVE:
            facts["fact_perspective"] = Subquery(steps.values("perspective")[:1])
    return enrolments.annotate(**facts)


def step_dates(enrolment) -> dict:
    """{step kind: the date it was logged on} of the logged steps of an enrolment loaded
    with with_step_facts, in the route's order."""
    dates = {}
    for kind, name in FACT_STEPS.items():
        day = getattr(enrolment, f"fact_{name}_date")
        if day is not None:
            dates[kind] = day
    return dates


def step_facts(enrolment):
    """build_route's `records` for an enrolment loaded with with_step_facts: a StepFact
    for each logged step (ABA and the steps not logged are absent)."""
    return {
        kind: StepFact(
            kind,
            date=day,
            perspective=enrolment.fact_perspective if kind == StepKind.PERSPECTIVE else "",
        )
        for kind, day in step_dates(enrolment).items()
    }


def mentor_route_enrolments(user, *, today):
    """The running Entree enrolments of the mentor's own mentees with their step facts
    (with_step_facts): one query."""
    membership = _membership(user)
    if membership is None or membership.role != Role.MENTOR:
        return []
    return list(
        with_step_facts(
            Enrolment.objects.filter(
                student__mentor=user,
                institution_id=membership.organisation_id,
                level=Level.ENTREE,
            )
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .select_related("student")
        ).order_by("student__last_name", "student__first_name", "student_id", "-start_date")
    )
