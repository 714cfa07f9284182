"""Every write to the student file. Each service is keyword-only and atomic, validates,
writes, and records the history (RecordChange) in the same transaction.

Optimistic locking: a caller passes the `version` it read; when someone else saved in
between, the UPDATE matches no row and `ConcurrentEditError` carries the current record,
so the page can show both versions and nothing is overwritten silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from rulebook import expressions as rulebook

from .models import AccessLog, Employment, Enrolment, RecordChange, Student

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Model

    from accounts.models import Organisation, User

    from .models import Disclosure

    _M = TypeVar("_M", bound=Model)

# {field: {"old": ..., "new": ...}}: one history entry's changes.
Changes = dict[str, dict[str, Any]]

# Fields whose values never enter the history: a change is recorded, the value is not.
SECRET_FIELDS = {"bsn"}


class ConcurrentEditError(Exception):
    def __init__(self, current: Any) -> None:
        super().__init__("The record was changed by someone else")
        self.current = current


def history_value(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # 16.0 -> "16", 12.5 -> "12.5" (normalize() alone would give "2E+1" for 20).
        return str(int(value)) if value == value.to_integral() else str(value.normalize())
    if hasattr(value, "pk"):
        return str(value)
    return value


def field_changes(instance: object, new_values: Mapping[str, Any]) -> Changes:
    """{field: {"old": ..., "new": ...}} for the fields whose value differs."""
    changes: Changes = {}
    for field, new in new_values.items():
        old = getattr(instance, field)
        if old != new:
            if field in SECRET_FIELDS:
                changes[field] = {"old": "•" if old else "", "new": "•" if new else ""}
            else:
                changes[field] = {"old": history_value(old), "new": history_value(new)}
    return changes


def record_change(
    *,
    student_id: int,
    record: Model,
    action: str,
    changes: Mapping[str, Any],
    actor: User | None = None,
    source: str = "web",
) -> RecordChange:
    return RecordChange(
        student_id=student_id,
        record_type=cast(str, record._meta.model_name),  # every model has a name
        record_id=record.pk,
        action=action,
        actor=actor,
        source=source,
        changes=changes,
    )


def _save_versioned(
    *,
    instance: _M,
    expected_version: int,
    values: Mapping[str, Any],
    actor: User | None,
    student_id: int,
    source: str,
) -> tuple[_M, Changes]:
    changes = field_changes(instance, values)
    if not changes:
        return instance, {}
    # Every versioned model has `objects` and, for Student, the name fields; the TypeVar
    # cannot say so.
    model: Any = type(instance)
    if model is Student and set(values) & set(Student.NAME_FIELDS):
        values = {
            **values,
            **Student.derived_names(
                values.get("first_name", cast(Student, instance).first_name),
                values.get("last_name", cast(Student, instance).last_name),
            ),
        }
    # QuerySet.update() skips auto_now: stamp updated_at here where the model has one.
    stamp = {"updated_at": timezone.now()} if hasattr(instance, "updated_at") else {}
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **values, **stamp
    )
    if not updated:
        raise ConcurrentEditError(model.objects.get(pk=instance.pk))
    record_change(
        student_id=student_id,
        record=instance,
        action=RecordChange.Action.UPDATE,
        changes=changes,
        actor=actor,
        source=source,
    ).save()
    instance.refresh_from_db()
    return instance, changes


@transaction.atomic
def student_update(
    *,
    student: Student,
    expected_version: int,
    data: Mapping[str, Any],
    actor: User | None,
    source: str = "web",
) -> tuple[Student, Changes]:
    """Change a student's personal data; the caller's form has validated the fields."""
    return _save_versioned(
        instance=student,
        expected_version=expected_version,
        values=data,
        actor=actor,
        student_id=student.pk,
        source=source,
    )


@transaction.atomic
def student_assign_mentor(
    *, student: Student, expected_version: int, mentor: User | None, actor: User | None
) -> tuple[Student, Changes]:
    if (
        mentor is not None
        and not mentor.memberships.filter(role=Role.MENTOR, is_active=True).exists()
    ):
        raise ValidationError({"mentor": _("Deze gebruiker is geen mentor.")})
    # A chosen mentor (or none) replaces an address that was waiting for an account.
    return _save_versioned(
        instance=student,
        expected_version=expected_version,
        values={"mentor": mentor, "pending_mentor_email": ""},
        actor=actor,
        student_id=student.pk,
        source="web",
    )


@transaction.atomic
def enrolment_update(
    *,
    enrolment: Enrolment,
    expected_version: int,
    data: Mapping[str, Any],
    actor: User | None,
) -> tuple[Enrolment, Changes]:
    saved, changes = _save_versioned(
        instance=enrolment,
        expected_version=expected_version,
        values=data,
        actor=actor,
        student_id=enrolment.student_id,
        source="web",
    )
    if changes.keys() & {"end_date", "end_reason", "level"}:
        student_refresh_startkwalificatie(student_ids=[enrolment.student_id])
    return saved, changes


@transaction.atomic
def student_link_pending_mentor(*, mentor: User, organisation_id: int) -> int:
    """Link the students whose imported mentor_email waited for `mentor`'s address, now
    that it holds a mentor role at `organisation_id`: only students of that institution
    (accounts.policy.pending_mentor_link_q), never anyone else's. Set-based, with
    history; returns how many were linked. Idempotent: a linked student waits no more."""
    from accounts import policy

    email = (mentor.email or "").lower()
    if not email or not mentor.is_active:
        return 0
    ids = sorted(
        set(
            Student.objects.filter(policy.pending_mentor_link_q(email, organisation_id))
            .order_by()
            .values_list("pk", flat=True)
        )
    )
    if not ids:
        return 0
    Student.objects.filter(pk__in=ids, pending_mentor_email=email).update(
        mentor=mentor,
        pending_mentor_email="",
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    RecordChange.objects.bulk_create(
        RecordChange(
            student_id=pk,
            record_type="student",
            record_id=pk,
            action=RecordChange.Action.UPDATE,
            source="mentor_account",
            changes={
                "mentor": {"old": None, "new": history_value(mentor)},
                "pending_mentor_email": {"old": email, "new": ""},
            },
        )
        for pk in ids
    )
    return len(ids)


@transaction.atomic
def student_create(
    *,
    values: Mapping[str, Any],
    actor: User | None,
    source: str,
    recorded: Sequence[str] | None = None,
) -> Student:
    """Create a student with the history of its creation: the one way a student comes into
    Koers outside the administration import (which writes in bulk, students.importing).
    `recorded`: the fields the history names (default: every field in `values`)."""
    student = Student.objects.create(**values)
    record_change(
        student_id=student.pk,
        record=student,
        action=RecordChange.Action.CREATE,
        changes={
            f: {"old": None, "new": history_value(getattr(student, f))}
            for f in (recorded or tuple(values))
        },
        actor=actor,
        source=source,
    ).save()
    return student


@transaction.atomic
def enrolment_get_or_create(
    *,
    student: Student,
    key: Mapping[str, Any],
    defaults: Mapping[str, Any],
    actor: User | None,
    source: str,
) -> tuple[Enrolment, bool]:
    """The student's enrolment matching `key` (institution, programme, start date, ...),
    created with `defaults` and the history of its creation when there is none yet.
    Returns (enrolment, created)."""
    enrolment, created = Enrolment.objects.get_or_create(student=student, defaults=defaults, **key)
    if created:
        record_change(
            student_id=student.pk,
            record=enrolment,
            action=RecordChange.Action.CREATE,
            changes={
                f: {"old": None, "new": history_value(getattr(enrolment, f))}
                for f in (*key, *defaults)
            },
            actor=actor,
            source=source,
        ).save()
    return enrolment, created


def employment_save(
    *,
    student_id: int,
    employment: Employment | None,
    values: Mapping[str, Any],
    actor: User | None,
    source: str = "web",
) -> Employment:
    """Create an employment, or correct it (optimistic lock on `employment.version`).

    Without `employment`, an existing one with the same key (employer, compared
    case-insensitively, and start date) is corrected instead of doubled.
    """
    if employment is None:
        employment = (
            Employment.objects.filter(
                student_id=student_id,
                employer__iexact=values["employer"],
                start_date=values["start_date"],
            )
            .order_by("pk")
            .first()
        )
    try:
        with transaction.atomic():
            if employment is None:
                employment = Employment.objects.create(student_id=student_id, **values)
                record_change(
                    student_id=student_id,
                    record=employment,
                    action=RecordChange.Action.CREATE,
                    changes={
                        name: {"old": None, "new": history_value(value)}
                        for name, value in values.items()
                        if value not in (None, "")
                    },
                    actor=actor,
                    source=source,
                ).save()
                return employment
            employment, _changes = _save_versioned(
                instance=employment,
                expected_version=employment.version,
                values=values,
                actor=actor,
                student_id=student_id,
                source=source,
            )
            return employment
    except IntegrityError:
        raise ValidationError(
            {
                "employer": _(
                    "Deze student heeft al een dienstverband bij deze werkgever met deze startdatum."
                )
            }
        ) from None


def access_log(
    *,
    user: User | AnonymousUser,
    action: str,
    student: Student | None = None,
    students: Iterable[int | Student] = (),
    detail: str = "",
) -> AccessLog:
    """Write one access-log row: who, in which role and organisation, what, which students."""
    membership = getattr(user, "active_membership", None)
    return AccessLog.objects.create(
        # An authenticated user is a User; AnonymousUser is not.
        user=cast("User", user) if getattr(user, "is_authenticated", False) else None,
        role=membership.role if membership else "",
        organisation=membership.organisation if membership else None,
        action=action,
        student=student,
        student_ids=[s if isinstance(s, int) else s.pk for s in students],
        detail=detail[:200],
    )


def disclosure_record(
    *,
    student: Student,
    actor: User | None,
    from_organisation: Organisation,
    to_organisation: Organisation,
    sections: Iterable[str],
    legal_basis: str,
    source: str,
    source_id: int | None = None,
    legal_reference: str = "",
    consent_given_by: str = "",
    consent_given_on: date | None = None,
    description: str = "",
) -> Disclosure:
    """Record that data of `student` crossed from one organisation to another (ACCESS.md).

    Consent needs who gave it and when; the database refuses a consent row without them.
    """
    from .models import Disclosure, LegalBasis

    if legal_basis == LegalBasis.CONSENT and not (consent_given_by and consent_given_on):
        raise ValidationError({"consent_given_by": _("Vermeld wie toestemming gaf en wanneer.")})
    return Disclosure.objects.create(
        student=student,
        actor=actor,
        from_organisation=from_organisation,
        to_organisation=to_organisation,
        sections=list(sections),
        legal_basis=legal_basis,
        legal_reference=legal_reference,
        consent_given_by=consent_given_by,
        consent_given_on=consent_given_on,
        source=source,
        source_id=source_id,
        description=description[:200],
    )


def disclosure_consent_withdraw(
    *, source: str, source_id: int, actor: User | None, at: datetime | None = None
) -> int:
    """Mark the consent-based disclosures of one sharing record as withdrawn."""
    from django.utils import timezone

    from .models import Disclosure, LegalBasis

    return Disclosure.objects.filter(
        source=source,
        source_id=source_id,
        legal_basis=LegalBasis.CONSENT,
        consent_withdrawn_at__isnull=True,
    ).update(consent_withdrawn_at=at or timezone.now())


# --- The stored startkwalificatie date (issue 16) -------------------------------------
# The one writer of Student.startkwalificatie_on. Called for every change of an
# enrolment or qualification: by post_save/post_delete (students.apps; single saves from
# services, admin, factories), by enrolment_update, and by the bulk loaders (the import,
# the demo seeders, the synthetic population) for the students they wrote.


def startkwalificatie_since_expression() -> Least:
    """The earliest date a startkwalificatie counts from, per student (SQL expression)."""
    from .models import Qualification

    enrolment = Subquery(
        Enrolment.objects.filter(
            rulebook.startkwalificatie_enrolment_since_q(), student=OuterRef("pk")
        )
        .order_by("end_date")
        .values("end_date")[:1]
    )
    qualification = Subquery(
        Qualification.objects.filter(
            rulebook.startkwalificatie_qualification_since_q(), student=OuterRef("pk")
        )
        .order_by("date")
        .values("date")[:1]
    )
    # Least() is NULL on SQLite when either side is: each side falls back to the other.
    return Least(Coalesce(enrolment, qualification), Coalesce(qualification, enrolment))


def student_refresh_startkwalificatie(*, student_ids: Iterable[int] | None = None) -> int:
    """Recompute the stored startkwalificatie date and institutions (Student.
    institution_ids) of these students (ids, a range of ids, or None: everyone).

    One set-based UPDATE each; rows whose value is unchanged are not written. Returns the
    number of students whose date changed.
    """
    if isinstance(student_ids, range) and student_ids.step == 1:
        # A block of new ids (the synthetic population): one statement.
        _refresh_institutions("id >= %s AND id < %s", [student_ids.start, student_ids.stop])
        return _refresh_startkwalificatie(
            Student.objects.filter(pk__gte=student_ids.start, pk__lt=student_ids.stop)
        )
    if student_ids is not None:
        student_ids = list(student_ids)
        # In chunks: an import names up to 100,000 students (SQLite's parameter limit).
        changed = 0
        for at in range(0, len(student_ids), 5000):
            chunk = [int(pk) for pk in student_ids[at : at + 5000]]
            student_refresh_institutions(student_ids=chunk)
            changed += _refresh_startkwalificatie(Student.objects.filter(pk__in=chunk))
        return changed
    _refresh_institutions("TRUE", [])
    return _refresh_startkwalificatie(Student.objects.all())


def student_refresh_institutions(*, student_ids: list[int]) -> None:
    """Recompute Student.institution_ids of these students (a new enrolment without a
    diploma changes no startkwalificatie, but may add an institution)."""
    if student_ids:
        marks = ", ".join(["%s"] * len(student_ids))
        ids = [int(pk) for pk in student_ids]
        if connection.vendor == "postgresql":
            # The students' rows locked first, in a statement of their own: the UPDATEs
            # that follow then read every enrolment committed meanwhile (READ COMMITTED
            # takes a new snapshot per statement). Without it, two transactions changing
            # one student's enrolments at once could each write what it alone saw.
            with connection.cursor() as cursor:
                lock = f"SELECT count(*) FROM (SELECT 1 FROM students_student WHERE id IN ({marks}) ORDER BY id FOR UPDATE) locked"  # noqa: E501, S608  # nosec B608 - placeholders only
                cursor.execute(lock, ids)
        _refresh_institutions(f"id IN ({marks})", ids)


# A student's institutions from their enrolments, ascending, as a JSON list.
_INSTITUTIONS_SQL = {
    "postgresql": (
        "(SELECT COALESCE(jsonb_agg(DISTINCT e.institution_id ORDER BY e.institution_id),"
        " '[]'::jsonb) FROM students_enrolment e WHERE e.student_id = students_student.id)"
    ),
    "sqlite": (
        "(SELECT COALESCE(json_group_array(institution_id), '[]') FROM (SELECT DISTINCT"
        " e.institution_id FROM students_enrolment e"
        " WHERE e.student_id = students_student.id ORDER BY e.institution_id))"
    ),
}


def _refresh_institutions(where: str, params: list[int]) -> None:
    """One UPDATE of Student.institution_ids; rows already right are not written.
    `where` is a fixed condition on "id" with placeholders (never user input)."""
    ids = _INSTITUTIONS_SQL["postgresql" if connection.vendor == "postgresql" else "sqlite"]
    changed = (
        "institution_ids IS DISTINCT FROM " + ids
        if connection.vendor == "postgresql"
        else "institution_ids IS NULL OR institution_ids IS NOT " + ids
    )
    sql = "UPDATE students_student SET institution_ids = " + ids  # noqa: S608  # nosec B608 - fixed SQL
    sql += " WHERE (" + where + ") AND (" + changed + ")"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _refresh_startkwalificatie(students: QuerySet[Student]) -> int:
    since = startkwalificatie_since_expression()
    return (
        students.annotate(_since=since)
        .exclude(startkwalificatie_on__isnull=True, _since__isnull=True)
        .filter(
            Q(startkwalificatie_on__isnull=True)
            | Q(_since__isnull=True)
            | ~Q(startkwalificatie_on=F("_since"))
        )
        .update(startkwalificatie_on=since)
    )
