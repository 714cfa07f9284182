"""Every scoped read of students starts here (ACCESS.md, "Who sees what").

`Student.objects.visible_to(user)` is the one place that decides which students a user
may see, for lists and for single lookups alike; `get_student_for_user` turns "not
visible" into a 404, so a record outside the scope is indistinguishable from none.
"""

from datetime import date

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from accounts.registry import Registry
from rulebook import expressions as rulebook
from rulebook.settings import rule_settings

from .names import normalise

# Extra scopes that later apps contribute (for example: students on the agenda of a case
# table the user takes part in, or referrals a partner accepted). Each is a callable
# (membership, today) -> Q over Student, or None. Registered in AppConfig.ready().
scope_registry = Registry("extra scopes")


def register_scope(provider, *, key=None):
    return scope_registry.add(provider, key=key)


def startkwalificatie_q(today: date, student_ref: str = "pk") -> Q:
    """Students with a startkwalificatie dated on or before `today`: the rule book's
    `has_startkwalificatie` (rulebook.expressions.startkwalificatie_q) over the students'
    enrolments and qualifications."""
    from .models import Enrolment, Qualification

    return rulebook.startkwalificatie_q(
        today,
        enrolments=Enrolment.objects,
        qualifications=Qualification.objects,
        student_ref=student_ref,
    )


def in_target_group_q(today: date, settings=None) -> Q:
    """Students in the target group on `today` (rulebook: below the upper age, no SK)."""
    from .models import Enrolment, Qualification

    return rulebook.in_target_group_q(
        today,
        settings or rule_settings(),
        enrolments=Enrolment.objects,
        qualifications=Qualification.objects,
    )


def without_startkwalificatie_q(today: date) -> Q:
    """Students without a startkwalificatie on `today`, from the stored date
    (Student.startkwalificatie_on; the same rule as startkwalificatie_q)."""
    return rulebook.without_startkwalificatie_stored_q(today)


def _region_municipality_ids(organisation) -> list[int]:
    """The region's municipality ids, resolved once per request.

    Filtering students on a literal id list instead of a join on the municipality's
    region lets PostgreSQL combine it with the name-search indexes (1.0 s -> 0.16 s for
    a two-word search over 500,000 students).
    """
    if not hasattr(organisation, "_municipality_ids"):
        from accounts.models import Municipality

        organisation._municipality_ids = list(
            Municipality.objects.filter(region_id=organisation.region_id).values_list(
                "pk", flat=True
            )
        )
    return organisation._municipality_ids


def _membership_scope(membership, today: date) -> Q | None:
    """The students one membership sees, as a filter; None when it sees none."""
    organisation = membership.organisation
    role = membership.role
    if role == Role.MENTOR:
        return Q(mentor_id=membership.user_id)
    if role in (Role.SCHOOL_COORDINATOR, Role.INTAKE_DESK):
        from .models import Enrolment

        return Q(Exists(Enrolment.objects.filter(student=OuterRef("pk"), institution=organisation)))
    if role == Role.LEERPLICHT:
        # Living in the region and under 18 (kwalificatieplicht): the rule book's
        # responsible authority is Leerplicht.
        settings = rule_settings()
        return Q(
            municipality_id__in=_region_municipality_ids(organisation)
        ) & rulebook.leerplicht_responsible_q(today, settings)
    if role == Role.DOORSTROOMPUNT:
        # Living in the region, 18 or older (the Doorstroompunt is the responsible
        # authority), in the target group (below the upper age and without a
        # startkwalificatie, read from the stored date: a plain filter on the student row,
        # not every enrolment and qualification per request).
        settings = rule_settings()
        return (
            Q(municipality_id__in=_region_municipality_ids(organisation))
            & rulebook.doorstroompunt_responsible_q(today, settings)
            & rulebook.below_upper_age_q(today, settings)
            & without_startkwalificatie_q(today)
        )
    # Partners see students through accepted referrals only, regional coordinators
    # through aggregate reports, functional administrators never: nothing here.
    return None


class StudentQuerySet(models.QuerySet):
    def visible_to(self, user, *, today: date | None = None):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        membership = user.active_membership
        if membership is None:
            return self.none()
        today = today or timezone.localdate()
        # Several panels of one page ask for the same scope: resolving its filter costs
        # about a millisecond for a region's scope, so the request's user keeps it (the
        # filter, not rows: every use is its own query).
        pristine = self._pristine()
        key = (self.model, membership.pk, membership.role, membership.organisation_id, today)
        kept = user.__dict__.setdefault("_visible_to", {}) if pristine else {}
        if key in kept:
            return kept[key].all()
        scopes = [_membership_scope(membership, today)]
        scopes += [provider(membership, today) for provider in scope_registry]
        scopes = [scope for scope in scopes if scope is not None]
        if not scopes:
            return self.none()
        combined = scopes[0]
        for scope in scopes[1:]:
            combined |= scope
        visible = kept[key] = self.filter(combined)
        return visible.all() if pristine else visible

    def _pristine(self) -> bool:
        """Nothing asked of this queryset yet (Student.objects itself)."""
        query = self.query
        return not (
            query.where
            or query.select_related
            or query.annotations
            or query.order_by
            or query.extra_order_by
            or query.extra
            or query.values_select
            or query.deferred_loading[0]
            or not query.deferred_loading[1]
            or not query.standard_ordering
            or query.is_sliced
            or query.distinct
            or query.select_for_update
            or self._prefetch_related_lookups
            or self._fields
            or self._db
            or self._iterable_class is not models.query.ModelIterable
        )

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.fill_derived_names()
        return super().bulk_create(objs, *args, **kwargs)

    def search(self, text: str):
        """Every word must match the names (without accents or case: "sahin" finds
        "Şahin") or the start of the number. The words are normalised by the same
        function as the stored `search_name`, so one trigram index serves (PostgreSQL)."""
        for word in text.split()[:5]:
            self = self.filter(
                Q(search_name__contains=normalise(word)) | Q(student_number__startswith=word)
            )
        return self


def school_search_q(user, text: str) -> Q:
    """For a name search by a user whose whole scope is one school's enrolments (its
    coordinator or intake desk): the school on the student row too (Student.
    institution_ids), so that PostgreSQL reads the school and the name's trigrams from
    one index (student_school_search) and rechecks and sorts the school's matches only,
    not every match in the country ("scope first, then search", issue 16: a fifth of the
    rows for "Jansen"). The same students as the scope (it adds nothing, it only
    narrows the index scan); Q() where it does not apply: other roles, extra scopes,
    words too short for trigrams (their matches are dense: the name index walk serves),
    other databases.
    """
    from django.db import connection

    membership = getattr(user, "active_membership", None)
    if (
        connection.vendor != "postgresql"
        or membership is None
        or membership.role not in (Role.SCHOOL_COORDINATOR, Role.INTAKE_DESK)
        or not any(len(word) >= 3 for word in text.split()[:5])
    ):
        return Q()
    today = timezone.localdate()
    if any(provider(membership, today) is not None for provider in scope_registry):
        return Q()  # students seen through another scope need not be enrolled here
    return Q(institution_ids__contains=[membership.organisation_id])


def get_student_for_user(user, public_id: str, *, write: bool = False):
    """The student with this public id if the user may see it (or write it), else 404."""
    from .models import Student

    queryset = Student.objects.visible_to(user)
    if write:
        queryset = queryset.filter(pk__in=writable_students(user).values("pk"))
    try:
        return queryset.select_related("municipality__subregion", "mentor").get(public_id=public_id)
    except Student.DoesNotExist:
        raise Http404("No student here") from None


def writable_students(user):
    """Students whose file the user may change: the school's mentor and coordinator only."""
    from .models import Student

    membership = user.active_membership
    if membership is None or membership.role not in (
        Role.MENTOR,
        Role.SCHOOL_COORDINATOR,
        Role.INTAKE_DESK,
    ):
        return Student.objects.none()
    return Student.objects.visible_to(user)


def may_write_student(user, student) -> bool:
    """May the user change this student's file (writable_students)? Asked once per request:
    the student's page and its panels share the answer, kept on the user object (the
    authentication middleware loads it anew for every request). No query at all for a
    role that writes no file."""
    membership = user.active_membership
    key = (membership.pk if membership else None, student.pk)
    answers = getattr(user, "_koers_may_write", None)
    if answers is None:
        answers = {}
        user._koers_may_write = answers  # request.user is a lazy object: no __dict__ here
    if key not in answers:
        writable = writable_students(user)
        answers[key] = not writable.query.is_empty() and writable.filter(pk=student.pk).exists()
    return answers[key]
