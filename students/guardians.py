"""Parents, guardians and the student's network (issue 19, part 1).

Writes (keyword-only, atomic, with history in the same transaction, optimistic locking
as in students.services), the section on the student's page, the retention hook and the
demo data. Who sees and who writes is accounts.policy's (`sees_contact_details`,
`may_edit_guardians`); registered from StudentsConfig.ready() through `register()`.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy

from .models import Guardian, GuardianRelation, ParentalAuthority, RecordChange, Student
from .services import ConcurrentEditError, field_changes, history_value, record_change

# The fields a person edits (the import sets all but student_agreed).
GUARDIAN_FIELDS = ("name", "relation", "email", "phone", "parental_authority", "student_agreed")


class DuplicateGuardian(Exception):
    """The student already has a contact with this name and relation."""


@transaction.atomic
def guardian_create(*, student: Student, data: dict, actor, source="web") -> Guardian:
    values = {name: data[name] for name in GUARDIAN_FIELDS if name in data}
    guardian = Guardian(student=student, **values)
    try:
        with transaction.atomic():
            guardian.save()
    except IntegrityError:
        raise DuplicateGuardian from None
    record_change(
        student_id=student.pk,
        record=guardian,
        action=RecordChange.Action.CREATE,
        changes={
            name: {"old": None, "new": history_value(getattr(guardian, name))}
            for name in GUARDIAN_FIELDS
            if getattr(guardian, name) not in ("", None)
        },
        actor=actor,
        source=source,
    ).save()
    return guardian


@transaction.atomic
def guardian_update(*, guardian: Guardian, expected_version: int, data: dict, actor):
    """Change a contact; raises ConcurrentEditError when someone saved in between and
    DuplicateGuardian when the new name and relation are the student's other contact's."""
    values = {name: data[name] for name in GUARDIAN_FIELDS if name in data}
    changes = field_changes(guardian, values)
    if not changes:
        return guardian, {}
    try:
        with transaction.atomic():
            updated = Guardian.objects.filter(pk=guardian.pk, version=expected_version).update(
                version=F("version") + 1, updated_at=timezone.now(), **values
            )
    except IntegrityError:
        raise DuplicateGuardian from None
    if not updated:
        raise ConcurrentEditError(Guardian.objects.get(pk=guardian.pk))
    record_change(
        student_id=guardian.student_id,
        record=guardian,
        action=RecordChange.Action.UPDATE,
        changes=changes,
        actor=actor,
    ).save()
    guardian.refresh_from_db()
    return guardian, changes


@transaction.atomic
def guardian_delete(*, guardian: Guardian, expected_version: int, actor):
    deleted = Guardian.objects.filter(pk=guardian.pk, version=expected_version)
    current = deleted.first()
    if current is None:
        raise ConcurrentEditError(Guardian.objects.filter(pk=guardian.pk).first())
    record_change(
        student_id=guardian.student_id,
        record=guardian,
        action=RecordChange.Action.DELETE,
        changes={
            name: {"old": history_value(getattr(current, name)), "new": None}
            for name in ("name", "relation")
        },
        actor=actor,
    ).save()
    current.delete()


# --- The section on the student's page ---------------------------------------------------


def guardians_panel(request, student):
    """Parents and network, for those who see contact details; 1 query (2 with the
    editor check), whatever the number of contacts."""
    from .panels import has_rows

    user = request.user
    if not policy.sees_contact_details(user):
        return None
    today = timezone.localdate()
    return {
        "template": "students/_guardians_panel.html",
        "context": {
            "student": student,
            "guardians": list(student.guardians.order_by("name", "id"))
            if has_rows(student, "students.guardians")
            else [],
            "may_edit": policy.may_edit_guardians(user, student),
            "agreement_asked": policy.guardian_agreement_asked(student, today),
        },
    }


# --- Retention -----------------------------------------------------------------------------


def remove_guardians(student_ids):
    """Contacts are personal data of other people: they go with the student's file."""
    Guardian.objects.filter(student_id__in=student_ids).delete()


# --- Demo data -------------------------------------------------------------------------------

DEMO_FIRST = ["Marieke", "Ahmed", "Petra", "Youssef", "Sandra", "Dennis", "Fatma", "Ronald"]


def seed_guardians(ctx):
    """Minors in the demo get one or two parents (one with parental authority); idempotent:
    a student with any contact is left alone."""
    from .dates import latest_birth_date_for_age

    rng = ctx.random("guardians")
    adult_born_by = latest_birth_date_for_age(18, ctx.today)
    minors = list(
        Student.objects.filter(date_of_birth__gt=adult_born_by, guardians__isnull=True)
        .exclude(student_number__startswith="verwijderd-")
        .order_by("student_number")
    )
    created = []
    for student in minors:
        count = rng.choice((1, 2))
        surname = student.last_name
        for index in range(count):
            first = rng.choice(DEMO_FIRST)
            created.append(
                Guardian(
                    student=student,
                    name=f"{first} {surname}" if index == 0 else f"{first} {surname}-Bakker",
                    relation=GuardianRelation.PARENT,
                    email=f"{first.lower()}.{student.pk}@ouders.example",
                    phone=f"06-{rng.randint(10000000, 99999999)}",
                    parental_authority=ParentalAuthority.YES
                    if index == 0
                    else rng.choice([ParentalAuthority.YES, ParentalAuthority.UNKNOWN]),
                )
            )
    Guardian.objects.bulk_create(created, batch_size=500, ignore_conflicts=True)
    ctx.log(f"guardians: {len(created)} created")


_registered = False


def register():
    """Called from StudentsConfig.ready() (which may run more than once)."""
    global _registered
    if _registered:
        return
    from .demo import register_seeder
    from .panels import register_student_panel, register_student_presence
    from .retention import register_retention_hook

    register_student_panel(15, guardians_panel)
    register_student_presence("students.guardians", Guardian)
    register_retention_hook(remove_guardians)
    register_seeder(25, seed_guardians, name="guardians")
    _registered = True


def saved_message(changes) -> str:
    return _("De gegevens zijn opgeslagen.") if changes else _("Er is niets gewijzigd.")
