"""Retention (ACCESS.md): personal data goes `KOERS_RETENTION_YEARS` after monitoring ended.

A student is due when monitoring ended (the monitoring status says so, since the day it
changed) or, without such a status, when they passed the upper age, at least the
retention period before today. The student row stays, pseudonymised (no name, BSN,
contact details or exact birth date; the birth year and municipality stay for the
aggregate figures), and the history of their changes goes. Apps that hold more personal
data about a student (contact notes, referral snapshots, minutes) register a hook with
`register_retention_hook` that removes it for the due students.

Idempotent: a pseudonymised student is recognised by its student number and never due
again. `retention --dry-run` lists what a run would do, for the functional administrator.
"""

import logging
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from accounts.registry import Registry

from .dates import latest_birth_date_for_age, upper_age_on
from .models import Disclosure, RecordChange, Student

logger = logging.getLogger("koers.retention")

PSEUDONYM_PREFIX = "verwijderd-"
# Put in place of free text that a constraint or form requires to be non-empty.
REMOVED = "[verwijderd]"
retention_registry = Registry("retention hooks")


def register_retention_hook(hook, *, order=0, key=None):
    """`hook(student_ids)` removes the app's personal data of those students.

    Set-based (a few UPDATE/DELETE statements for all ids, never a query per student)
    and idempotent. Registering the same hook twice (ready() may run again) keeps one.
    """
    retention_registry.add(hook, order=order, key=key)


def cleared(*blank, required=()):
    """Update kwargs that clear free text: `blank` fields become empty, `required` fields
    (non-empty by constraint or form) become REMOVED unless they were empty already."""
    values = {name: Value("") for name in blank}
    for name in required:
        values[name] = Case(When(**{name: ""}, then=Value("")), default=Value(REMOVED))
    return values


def remove_disclosure_text(student_ids):
    """Disclosures are the accountability record: organisations, basis and dates stay.

    The access log stays as it is: append-only, and it holds ids, no personal data.
    """
    Disclosure.objects.filter(student_id__in=student_ids).update(
        **cleared("description", required=("consent_given_by",))
    )


register_retention_hook(remove_disclosure_text)


@dataclass(frozen=True)
class Due:
    student_id: int
    public_id: str
    reason: str


def due_students(*, today=None):
    """Students whose retention period ended on or before `today` (not yet removed)."""
    today = today or timezone.localdate()
    # The day exactly the retention period ago (29 February falls back to 28 February).
    cutoff = latest_birth_date_for_age(settings.KOERS_RETENTION_YEARS, today)
    live = Student.objects.exclude(student_number__startswith=PSEUDONYM_PREFIX)
    due = {}
    if apps.is_installed("monitoring"):
        # Looked up by name: students sits below monitoring and does not import it.
        status = apps.get_model("monitoring", "MonitoringStatus")
        ended = status.objects.filter(monitoring_ended=True, changed_on__lte=cutoff)
        for pk, public_id in live.filter(pk__in=ended.values("student_id")).values_list(
            "pk", "public_id"
        ):
            due[pk] = Due(pk, public_id, "monitoring_ended")
        without_status = live.filter(~Q(pk__in=status.objects.values("student_id")))
    else:
        without_status = live
    # Past the upper age on the cutoff date: born on or before cutoff minus that age.
    born_by = latest_birth_date_for_age(upper_age_on(cutoff), cutoff)
    for pk, public_id in without_status.filter(date_of_birth__lte=born_by).values_list(
        "pk", "public_id"
    ):
        due.setdefault(pk, Due(pk, public_id, "upper_age"))
    return sorted(due.values(), key=lambda item: item.student_id)


@transaction.atomic
def apply_retention(*, today=None, dry_run=False):
    """Pseudonymise every due student; returns the list of `Due` (also in a dry run)."""
    due = due_students(today=today)
    if dry_run or not due:
        return due
    ids = [item.student_id for item in due]
    for hook in retention_registry:
        hook(ids)
    RecordChange.objects.filter(student_id__in=ids).delete()
    for student in Student.objects.filter(pk__in=ids).only("pk", "date_of_birth"):
        Student.objects.filter(pk=student.pk).update(
            student_number=f"{PSEUDONYM_PREFIX}{student.pk}",
            first_name="",
            last_name="",
            sort_name="",
            search_name="",
            bsn="",
            email="",
            phone="",
            date_of_birth=date(student.date_of_birth.year, 7, 1),
            version=F("version") + 1,
        )
    logger.info("retention: pseudonymised %d student(s)", len(ids))
    return due
