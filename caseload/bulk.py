"""Bulk actions on selected students or signals: who may select what, and the writes.

Selecting never writes: the ids are checked against the user's scope and kept (with the
version of every record as read) until the user confirms; confirming checks every id
again and applies all or nothing. A record outside the scope refuses the whole action
(the view answers 404); a record changed since it was selected refuses it too
(`BulkConflict`), as the single edit does with its version.

The student writes are set-based (one UPDATE, one bulk insert of history rows), so a
thousand students take about as long as one bulk UPDATE of them (bench/bulk_benchmark.py).
Proposals for a case table and closing signals go through the very services of the
single action (doorstroomtafel.services, monitoring.services), record by record, inside
one transaction.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.policy import active_membership, bulk_student_actions, has_attention_list
from monitoring.models import SignalStatus
from monitoring.queries import signals_for_user, with_versions
from students.models import Enrolment, RecordChange, Student
from students.queries import writable_students
from students.services import history_value

STUDENT_ACTIONS = ("mentor", "group", "case_table")
SIGNAL_ACTIONS = ("resolve", "dismiss")
# A selection larger than this is refused (the form says so): a school's year at once.
MAX_SELECTION = 5000


class OutOfScope(Exception):
    """A selected id the user may not act on (or that does not exist): a 404."""


class BulkConflict(Exception):
    """Records changed since they were selected: nothing was done."""

    def __init__(self, count):
        super().__init__(f"{count} records changed meanwhile")
        self.count = count


class BulkRefused(Exception):
    """The single action's service refused one of the records: nothing was done."""

    def __init__(self, message, record=None):
        super().__init__(message)
        self.message = message
        self.record = record


# --- Scope ------------------------------------------------------------------------------


def student_scope(user, action):
    """The students `user` may select for `action`, or None when the action is not theirs.

    The coordinator's mentor and group changes concern the students enrolled (now or
    before) at the school; a case-table proposal the students whose file the user may
    write (a mentor: their own)."""
    if action not in bulk_student_actions(user):
        return None
    students = writable_students(user)
    membership = active_membership(user)
    if membership.role == Role.MENTOR:
        students = students.filter(mentor_id=user.pk)
    if action in ("mentor", "group"):
        students = students.filter(enrolments__institution_id=membership.organisation_id)
    return students.distinct()


def signal_scope(user):
    """The open signals the user may act on (as the attention list does), with versions."""
    if not has_attention_list(user):
        return None
    return with_versions(signals_for_user(user).filter(status=SignalStatus.OPEN))


def _checked(keys, found: dict):
    """found[key] for every key, in the order given; OutOfScope for any missing key."""
    keys = list(dict.fromkeys(keys))
    if not keys or len(keys) > MAX_SELECTION:
        raise OutOfScope
    missing = [key for key in keys if key not in found]
    if missing:
        raise OutOfScope
    return [found[key] for key in keys]


def select_students(user, action, public_ids) -> dict:
    """The selection to keep: {pk: version} of the students, in the order selected, and
    for a group change the enrolment it changes with its version. OutOfScope when any id
    is not one the user may select for this action."""
    scope = student_scope(user, action)
    if scope is None:
        raise OutOfScope
    rows = scope.filter(public_id__in=list(public_ids)[: MAX_SELECTION + 1]).values_list(
        "public_id", "pk", "version"
    )
    found = {public_id: (pk, version) for public_id, pk, version in rows}
    chosen = _checked(public_ids, found)
    selection = {"students": [[pk, version] for pk, version in chosen]}
    if action == "group":
        school_id = active_membership(user).organisation_id
        enrolments = school_enrolments([pk for pk, _version in chosen], school_id)
        selection["enrolments"] = {
            str(pk): [enrolment_pk, version]
            for pk, (enrolment_pk, version, _g) in enrolments.items()
        }
    return selection


def select_signals(user, pks) -> dict:
    scope = signal_scope(user)
    if scope is None:
        raise OutOfScope
    try:
        keys = [int(pk) for pk in pks]
    except (TypeError, ValueError):
        raise OutOfScope from None
    rows = scope.filter(pk__in=keys[: MAX_SELECTION + 1]).values_list("pk", "version")
    found = {pk: (pk, version) for pk, version in rows}
    return {"signals": [[pk, version] for pk, version in _checked(keys, found)]}


def recheck_students(user, action, selection) -> list[int]:
    """Every kept id, checked again against the scope now (OutOfScope if any is not)."""
    scope = student_scope(user, action)
    if scope is None:
        raise OutOfScope
    pks = [pk for pk, _version in selection["students"]]
    found = set(scope.filter(pk__in=pks).values_list("pk", flat=True))
    if len(found) != len(set(pks)):
        raise OutOfScope
    return pks


def recheck_signals(user, selection) -> list[int]:
    scope = signal_scope(user)
    if scope is None:
        raise OutOfScope
    pks = [pk for pk, _version in selection["signals"]]
    # A signal closed since it was selected is a change, not a scope question.
    found = set(signals_for_user(user).filter(pk__in=pks).values_list("pk", flat=True))
    if len(found) != len(set(pks)):
        raise OutOfScope
    return pks


def school_enrolments(student_ids, school_id) -> dict:
    """Student id -> (enrolment id, version, group) of the student's latest enrolment at
    the school (the one that names the class): one query."""
    latest = {}
    rows = (
        Enrolment.objects.filter(student_id__in=student_ids, institution_id=school_id)
        .order_by("student_id", "start_date", "id")
        .values_list("student_id", "pk", "version", "group_name")
    )
    for student_id, pk, version, group in rows:
        latest[student_id] = (pk, version, group)
    return latest


# --- Writes -----------------------------------------------------------------------------


def _stale(expected: dict, current: dict) -> int:
    return sum(1 for pk, version in expected.items() if current.get(pk) != version)


@transaction.atomic
def students_assign_mentor(*, selection, mentor, actor, source="bulk") -> int:
    """Give every selected student `mentor` (or none), as students.services.
    student_assign_mentor does for one: versioned, with a history row per student whose
    mentor changes. Set-based; returns how many changed."""
    if mentor is not None and not mentor.memberships.filter(role="mentor", is_active=True).exists():
        raise ValidationError({"mentor": _("Deze gebruiker is geen mentor.")})
    expected = dict(selection["students"])
    rows = list(
        Student.objects.select_for_update()
        .filter(pk__in=list(expected))
        .order_by("pk")
        .values_list("pk", "version", "mentor_id", "pending_mentor_email")
    )
    if _stale(expected, {pk: version for pk, version, _m, _p in rows}):
        raise BulkConflict(_stale(expected, {pk: version for pk, version, _m, _p in rows}))
    new_id = mentor.pk if mentor is not None else None
    changed = [
        (pk, old_id, pending)
        for pk, _version, old_id, pending in rows
        if old_id != new_id or pending
    ]
    if not changed:
        return 0
    names = {
        user.pk: history_value(user)
        for user in User.objects.filter(pk__in={old_id for _pk, old_id, _p in changed if old_id})
    }
    Student.objects.filter(pk__in=[pk for pk, _o, _p in changed]).update(
        mentor=mentor,
        pending_mentor_email="",
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    new_name = history_value(mentor) if mentor is not None else None
    history = []
    for pk, old_id, pending in changed:
        changes = {}
        if old_id != new_id:
            changes["mentor"] = {"old": names.get(old_id), "new": new_name}
        if pending:
            changes["pending_mentor_email"] = {"old": pending, "new": ""}
        history.append(
            RecordChange(
                student_id=pk,
                record_type="student",
                record_id=pk,
                action=RecordChange.Action.UPDATE,
                actor=actor,
                source=source,
                changes=changes,
            )
        )
    RecordChange.objects.bulk_create(history, batch_size=1000)
    return len(changed)


@transaction.atomic
def students_set_group(*, selection, group: str, actor, source="bulk") -> int:
    """Put every selected student in `group` (empty: no group) on their latest enrolment
    at the school, as students.services.enrolment_update does for one: versioned on the
    enrolment, a history row per enrolment that changes. Set-based."""
    group = (group or "").strip()
    if len(group) > 40:
        raise ValidationError({"group": _("Een groep heeft hoogstens 40 tekens.")})
    expected = dict(selection.get("enrolments", {}).values())
    rows = list(
        Enrolment.objects.select_for_update()
        .filter(pk__in=list(expected))
        .order_by("pk")
        .values_list("pk", "version", "student_id", "group_name")
    )
    current = {pk: version for pk, version, _s, _g in rows}
    if _stale(expected, current):
        raise BulkConflict(_stale(expected, current))
    changed = [(pk, student_id, old) for pk, _v, student_id, old in rows if old != group]
    if not changed:
        return 0
    Enrolment.objects.filter(pk__in=[pk for pk, _s, _o in changed]).update(
        group_name=group, version=F("version") + 1, updated_at=timezone.now()
    )
    RecordChange.objects.bulk_create(
        (
            RecordChange(
                student_id=student_id,
                record_type="enrolment",
                record_id=pk,
                action=RecordChange.Action.UPDATE,
                actor=actor,
                source=source,
                changes={"group_name": {"old": old, "new": group}},
            )
            for pk, student_id, old in changed
        ),
        batch_size=1000,
    )
    return len(changed)


@transaction.atomic
def students_propose(*, student_ids, meeting, reason, actor) -> int:
    """Propose every selected student for `meeting` through the single proposal's service
    (its rules: who may propose whom, the table's area, not twice). All or nothing."""
    from doorstroomtafel import services as table_services

    students = Student.objects.select_related("municipality").in_bulk(student_ids)
    for pk in student_ids:
        student = students[pk]
        try:
            table_services.proposal_create(
                meeting=meeting, student=student, reason=reason, actor=actor
            )
        except ValidationError as error:
            text = " ".join(error.messages)
            raise BulkRefused(text, record=student) from None
    return len(student_ids)


@transaction.atomic
def signals_close(*, selection, status, reason, actor) -> int:
    """Resolve or dismiss every selected signal with one reason, through the single
    action's services (monitoring.services: its rules per kind and its version check).
    All or nothing."""
    from monitoring.models import Signal
    from monitoring.services import (
        SignalAlreadyClosed,
        SignalChanged,
        signal_dismiss,
        signal_resolve,
    )

    expected = dict(selection["signals"])
    signals = Signal.objects.in_bulk(list(expected))
    for pk, version in expected.items():
        signal = signals[pk]
        try:
            if status == SignalStatus.RESOLVED:
                signal_resolve(signal=signal, actor=actor, note=reason, expected_version=version)
            else:
                signal_dismiss(signal=signal, actor=actor, reason=reason, expected_version=version)
        except (SignalChanged, SignalAlreadyClosed):
            raise BulkConflict(1) from None
        except ValidationError as error:
            raise BulkRefused(" ".join(error.messages), record=signal) from None
    return len(expected)
