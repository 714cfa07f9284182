"""The copy of all data about a student (AVG art. 15): every record that points at the
student (found through the model relations, so an app added later is included), and
the records of their enrolments (the route's steps), less other people's personal data:
staff appear as role and organisation only, never by name, and secrets are left out."""

from datetime import date, datetime

from django.db import models
from django.utils.translation import gettext as _

from accounts.models import Municipality, Organisation, User
from students.bsn import mask_bsn
from students.copies import copy_sections, replaced_models
from students.models import AccessLog, Enrolment, Guardian, Student

from .queries import access_overview

# Never in the copy: secrets and internal bookkeeping, the BSN in full (masked instead),
# and a referral's snapshot (it repeats the file, with staff names).
SKIPPED_FIELDS = {
    "id",
    "version",
    "public_id",
    "token_hash",
    "public_key",
    "credential_id",
    "sign_count",
    "shared_data",
    "student_ids",
    "source_id",
    "pdf",
    "json",
    "pending_mentor_email",
    "created_by_institution",
    # Derived for the search index from the enrolments, which the copy shows themselves.
    "institution_ids",
}
# Relations shown another way (the access log as "who looked") or holding secrets.
SKIPPED_MODELS = {"students.accesslog", "portal.invitation", "portal.passkey", "portal.datacopy"}
# Shown as sections of their own: the parents, guardians and contacts (below), and what
# the higher apps register in students.copies (the journal, the documents' list).
OWN_SECTION_MODELS = {"students.guardian"}


def _value(obj, field):
    if isinstance(field, models.ForeignKey):
        target = field.related_model
        if target is Organisation or target is Municipality:
            related = getattr(obj, field.name)
            return related.name if related else ""
        return None  # people (staff) and internal links: left out
    value = getattr(obj, field.attname)
    if field.choices and value not in (None, ""):
        return str(getattr(obj, f"get_{field.name}_display")())
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return None
    return value


def serialize(obj):
    row = {}
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS or (
            isinstance(field, models.ForeignKey)
            and field.related_model in (Student, Enrolment, User)
        ):
            continue
        if field.name == "bsn":
            value = mask_bsn(obj.bsn) if obj.bsn else ""
        else:
            value = _value(obj, field)
        if value is None or value == "" or value == [] or value == {}:
            continue
        row[str(field.verbose_name)] = value
    return row


def _related_sections(instance, *, skip=()):
    sections = []
    for relation in instance._meta.related_objects:
        model = relation.related_model
        label = model._meta.label_lower
        if (
            label in SKIPPED_MODELS
            or label in OWN_SECTION_MODELS
            or label in replaced_models()
            or label in skip
            or relation.many_to_many
        ):
            continue
        if relation.one_to_one:
            try:
                rows = [getattr(instance, relation.get_accessor_name())]
            except model.DoesNotExist:
                rows = []
        else:
            rows = list(getattr(instance, relation.get_accessor_name()).all())
        rows = [serialize(row) for row in rows]
        rows = [row for row in rows if row]
        if rows:
            sections.append({"title": str(model._meta.verbose_name_plural), "rows": rows})
    return sections


def guardians_copy(student):
    """The young person's parents, guardians and contacts, as the school recorded them."""
    rows = [
        serialize(guardian)
        for guardian in Guardian.objects.filter(student=student).order_by("name", "pk")
    ]
    rows = [row for row in rows if row]
    if not rows:
        return []
    return [{"title": _("Ouders, verzorgers en contactpersonen"), "rows": rows}]


def collect(student, *, account, progress=lambda value: None):
    data = {
        "title": _("Kopie van je gegevens in Koers"),
        "person": serialize(student),
        "sections": [],
    }
    mentor = student.mentor
    if mentor is not None:
        data["person"][_("mentor")] = _("je mentor (naam op te vragen bij school)")
    progress(15)
    data["sections"] += guardians_copy(student)
    data["sections"] += _related_sections(student, skip={"students.enrolment"})
    # The journal (every level) and the documents' list: students.copies registrations.
    data["sections"] += copy_sections(student)
    progress(35)
    for enrolment in Enrolment.objects.filter(student=student).select_related("institution"):
        data["sections"].append({"title": _("Inschrijving"), "rows": [serialize(enrolment)]})
        data["sections"] += _related_sections(enrolment)
    progress(55)
    data["who_looked"] = [
        {
            "month": group["month"].isoformat(),
            "organisations": [
                {
                    "organisation": name,
                    "views": [
                        {
                            "at": view["at"].isoformat(),
                            "role": str(view["role"]),
                            "what": str(view["what"]),
                        }
                        for view in views
                    ],
                }
                for name, views in group["organisations"]
            ],
        }
        for group in access_overview(student, exclude_user_id=account.user_id)
    ]
    data["access_log_kept"] = AccessLog.objects.filter(student=student).exists()
    return data
