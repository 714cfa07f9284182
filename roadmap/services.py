"""Every write of the roadmap: steps, their corrections, conflicts and contact moments.

Each service is keyword-only and atomic: it validates (ROADMAP.md, "Rules for logging"),
writes, and records the history in the same transaction. A correction names the version
it read; when someone else saved in between, the conditional UPDATE matches no row and
`ConcurrentEditError` carries the saved record, so the page shows both versions and
nothing is overwritten. ABA history goes to AbaStepChange, never to RecordChange.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from students.dates import add_months
from students.models import EndReason, Enrolment, Level, RecordChange
from students.services import (
    ConcurrentEditError,
    employment_save,
    enrolment_update,
    field_changes,
    history_value,
    record_change,
)

from .models import (
    STEP_MODELS,
    AbaStepChange,
    ContactKind,
    ContactMoment,
    StepConflict,
    StepKind,
)
from .queries import contact_kinds_for
from .route import loaded_step

if TYPE_CHECKING:
    from accounts.models import User
    from students.models import Employment, Guardian, Student

__all__ = ["ConcurrentEditError", "contact_moment_log", "step_conflict_record", "step_log"]

# The fields a caller passes for each step (the step's own fields; 5a adds the
# employment's fields below, which live on students.Employment).
STEP_FIELDS = {
    StepKind.START: [
        "date",
        "intake_origin",
        "warm_handover",
        "handover_with",
        "parents_present",
        "transfer_system_loaded",
        "transfer_system_reference",
        "lob_started_date",
        "note",
    ],
    StepKind.STUDY_ADVICE: [
        "date",
        "advice",
        "perspective_discussed",
        "perspective_note",
        "followup_meeting_date",
        "note",
    ],
    StepKind.ABA: ["date", "decision", "applied_date", "uwv_outcome", "doelgroepregister", "note"],
    StepKind.PERSPECTIVE: [
        "date",
        "perspective",
        "destination_place",
        "startpunt_involved",
        "alob_started_date",
        "doorstroomtafel_agenda",
        "note",
    ],
    StepKind.WORK: [
        "date",
        "contract_type",
        "overgangsdocument_needed",
        "job_lost_date",
        "uwv_ww_checked",
        "instrument_loonkostensubsidie",
        "instrument_jobcoach",
        "instrument_no_risk_polis",
        "instrument_lkv",
        "doelgroepverklaring_date",
        "note",
    ],
    StepKind.FURTHER_EDUCATION: [
        "date",
        "programme",
        "institution",
        "registered_date",
        "handover_date",
        "handover_with",
        "enrolment_confirmed_date",
        "note",
    ],
    StepKind.LEAVING: [
        "date",
        "reason",
        "doorstroomtafel_discussed",
        "alob_started_date",
        "startpunt_involved",
        "note",
    ],
}

# 5a: form field -> students.Employment field.
EMPLOYMENT_FIELDS = {
    "employer": "employer",
    "hours_per_week": "hours_per_week",
    "employment_start": "start_date",
    "employment_end": "end_date",
}

# Dates of things that happened: never in the future. The planned follow-up meeting
# (step 2) and a contract's end date may lie ahead.
PAST_DATES = {
    "lob_started_date",
    "applied_date",
    "alob_started_date",
    "job_lost_date",
    "doelgroepverklaring_date",
    "registered_date",
    "handover_date",
    "enrolment_confirmed_date",
}
# Dates that belong to the programme itself: not before the enrolment started
# (ROADMAP.md: "A step cannot be dated before the enrolment start"; the planned
# follow-up meeting and the further-education dates of 5b included).
DURING_ENROLMENT = {
    "lob_started_date",
    "applied_date",
    "alob_started_date",
    "followup_meeting_date",
    "registered_date",
    "handover_date",
    "enrolment_confirmed_date",
}

LKV_MONTHS = 3

REQUIRED_MESSAGES = {
    "intake_origin": lambda: _("Kies waar de student vandaan komt."),
    "advice": lambda: _("Kies een advies: doorgaan of stoppen. Stap 2 zonder advies kan niet."),
    "decision": lambda: _("Kies een besluit over de ABA."),
    "perspective": lambda: _("Kies een uitstroomperspectief. Stap 4 zonder perspectief kan niet."),
    "employer": lambda: _("Vul de werkgever in. Stap 5a zonder werkgever kan niet."),
    "hours_per_week": lambda: _("Vul het aantal uren per week in."),
    "employment_start": lambda: _("Vul de startdatum van het werk in."),
    "programme": lambda: _("Vul de gekozen opleiding in. Stap 5b zonder opleiding kan niet."),
    "reason": lambda: _("Vul de reden in."),
}
REQUIRED_FIELDS = {
    StepKind.START: ["intake_origin"],
    StepKind.STUDY_ADVICE: ["advice"],
    StepKind.ABA: ["decision"],
    StepKind.PERSPECTIVE: ["perspective"],
    StepKind.WORK: ["employer", "hours_per_week", "employment_start"],
    StepKind.FURTHER_EDUCATION: ["programme"],
    StepKind.LEAVING: ["reason"],
}


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _fmt(day: date) -> str:
    return date_format(day, "j F Y")


def _normalise(kind: StepKind, data: Mapping[str, Any]) -> dict[str, Any]:
    """Only the known fields, text stripped, missing booleans False, missing text empty."""
    model: Any = STEP_MODELS[kind]
    values: dict[str, Any] = {}
    for name in STEP_FIELDS[kind]:
        field = model._meta.get_field(name)
        value = data.get(name)
        if field.get_internal_type() == "BooleanField":
            value = bool(value)
        elif isinstance(value, str):
            value = value.strip()
        elif value is None and field.get_internal_type() in ("CharField", "TextField"):
            value = ""
        values[name] = value
    if kind == StepKind.WORK:
        for name in EMPLOYMENT_FIELDS:
            value = data.get(name)
            values[name] = value.strip() if isinstance(value, str) else value
    return values


def validate_step(
    *, enrolment: Enrolment, kind: StepKind, values: Mapping[str, Any], today: date
) -> dict[str, str]:
    """{field: message} for every rule the step breaks (empty when it is valid)."""
    errors: dict[str, str] = {}
    step_date = values.get("date")
    if step_date is None:
        errors["date"] = _("Vul een datum in.")
    elif step_date < enrolment.start_date:
        errors["date"] = _(
            "De datum ligt vóór de start van de inschrijving (%(start)s): dat kan niet."
        ) % {"start": _fmt(enrolment.start_date)}
    elif step_date > today:
        errors["date"] = _("De datum ligt in de toekomst: een stap leg je vast als hij gedaan is.")

    for name in REQUIRED_FIELDS[kind]:
        if _empty(values.get(name)):
            errors[name] = REQUIRED_MESSAGES[name]()

    for name, value in values.items():
        if name == "date" or not isinstance(value, date) or name in errors:
            continue
        if name in PAST_DATES and value > today:
            errors[name] = _("Deze datum ligt in de toekomst.")
        elif name in DURING_ENROLMENT and value < enrolment.start_date:
            errors[name] = _("Deze datum ligt vóór de start van de inschrijving (%(start)s).") % {
                "start": _fmt(enrolment.start_date)
            }

    followup = values.get("followup_meeting_date")
    if (
        followup
        and step_date
        and "date" not in errors
        and "followup_meeting_date" not in errors
        and followup < step_date
    ):
        errors["followup_meeting_date"] = _(
            "Het vervolggesprek volgt op het studieadviesgesprek (%(day)s): kies een latere datum."
        ) % {"day": _fmt(step_date)}

    if kind == StepKind.START:
        if not values["transfer_system_loaded"] and values["transfer_system_reference"]:
            errors["transfer_system_reference"] = _(
                "Een kenmerk hoort bij een student die is ingeladen: vink dat aan of laat het leeg."
            )
    elif kind == StepKind.ABA:
        if values["applied_date"] and values["decision"] != "apply":
            errors["applied_date"] = _("Een aanvraagdatum hoort bij het besluit 'Aanvragen'.")
        if values["uwv_outcome"] and not values["applied_date"]:
            errors["uwv_outcome"] = _(
                "Een uitkomst van het UWV volgt op een aanvraag: vul de aanvraagdatum in."
            )
    elif kind == StepKind.WORK:
        _validate_work(values, errors, today)
    elif kind == StepKind.LEAVING and "date" not in errors:
        if enrolment.end_reason == EndReason.DIPLOMA:
            errors["date"] = _("Deze inschrijving is afgesloten met een diploma.")
        elif (
            enrolment.end_date
            and enrolment.end_reason != EndReason.DROPOUT
            and step_date is not None
            and step_date > enrolment.end_date
        ):
            errors["date"] = _(
                "De inschrijving is al beëindigd op %(end)s; de uitstroom kan niet later zijn."
            ) % {"end": _fmt(enrolment.end_date)}
    return errors


def _validate_work(values: Mapping[str, Any], errors: dict[str, str], today: date) -> None:
    hours = values.get("hours_per_week")
    if hours is not None and not (Decimal(0) <= Decimal(hours) <= Decimal(60)):
        errors["hours_per_week"] = _("Het aantal uren per week ligt tussen 0 en 60.")
    start, end = values.get("employment_start"), values.get("employment_end")
    if start and end and end < start:
        errors["employment_end"] = _("De einddatum ligt vóór de startdatum van het werk.")
    lost = values.get("job_lost_date")
    if start and lost and lost < start and "job_lost_date" not in errors:
        errors["job_lost_date"] = _("De baan kan niet verloren zijn vóór de start van het werk.")
    requested = values.get("doelgroepverklaring_date")
    if requested and "doelgroepverklaring_date" not in errors:
        if not values.get("instrument_lkv"):
            errors["doelgroepverklaring_date"] = _(
                "De doelgroepverklaring hoort bij het LKV: vink het LKV aan."
            )
        elif start and requested > add_months(start, LKV_MONTHS):
            errors["doelgroepverklaring_date"] = _(
                "De doelgroepverklaring moet binnen 3 maanden na de start van het werk "
                "(%(start)s) zijn aangevraagd, dus uiterlijk op %(last)s."
            ) % {"start": _fmt(start), "last": _fmt(add_months(start, LKV_MONTHS))}


def _history_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: history_value(value) for name, value in values.items() if not _empty(value)}


def _write_history(
    *,
    step: Any,
    kind: str,
    action: str,
    changes: dict[str, Any],
    actor: User,
    student_id: int,
) -> None:
    if kind == StepKind.ABA:
        AbaStepChange.objects.create(aba_step=step, action=action, actor=actor, changes=changes)
    else:
        record_change(
            student_id=student_id,
            record=step,
            action=action,
            changes=changes,
            actor=actor,
            source="web",
        ).save()


def _employment_write(
    *,
    student_id: int,
    employment: Employment | None,
    values: Mapping[str, Any],
    actor: User,
) -> Employment:
    """Create or correct the students.Employment behind step 5a, with its history."""
    emp_values = {EMPLOYMENT_FIELDS[name]: values[name] for name in EMPLOYMENT_FIELDS}
    emp_values["hours_per_week"] = Decimal(emp_values["hours_per_week"])
    lost = values.get("job_lost_date")
    if lost and (emp_values["end_date"] is None or emp_values["end_date"] > lost):
        # Losing the job ends the employment on that day; monitoring reads this table.
        emp_values["end_date"] = lost
    saved: Employment = employment_save(
        student_id=student_id, employment=employment, values=emp_values, actor=actor
    )
    return saved


def _end_enrolment_for_leaving(
    *, enrolment: Enrolment, old_date: date | None, new_date: date, actor: User
) -> None:
    """Leaving without a diploma ends the enrolment (as `dropout`) when it still runs;
    a corrected date moves the end it set."""
    if enrolment.end_date is None:
        enrolment_update(
            enrolment=enrolment,
            expected_version=enrolment.version,
            data={"end_date": new_date, "end_reason": EndReason.DROPOUT},
            actor=actor,
        )
    elif (
        old_date is not None
        and enrolment.end_reason == EndReason.DROPOUT
        and enrolment.end_date == old_date
        and old_date != new_date
    ):
        enrolment_update(
            enrolment=enrolment,
            expected_version=enrolment.version,
            data={"end_date": new_date},
            actor=actor,
        )


def _present_guardians(
    enrolment: Enrolment, kind: StepKind, data: Mapping[str, Any]
) -> list[Guardian] | None:
    """Step 1's parents and network who were there (issue 19): None when the caller did
    not say; only the student's own contacts, else a ValidationError."""
    if kind != StepKind.START or "present_guardians" not in data:
        return None
    chosen = list(data.get("present_guardians") or [])
    if any(guardian.student_id != enrolment.student_id for guardian in chosen):
        raise ValidationError(
            {"present_guardians": _("Kies alleen contactpersonen van deze student.")}
        )
    return chosen


def _set_present_guardians(*, step: Any, present: list[Guardian], actor: User) -> None:
    before = list(step.present_guardians.all())
    if {g.pk for g in before} == {g.pk for g in present}:
        return
    step.present_guardians.set(present)
    record_change(
        student_id=step.enrolment.student_id,
        record=step,
        action=RecordChange.Action.UPDATE,
        changes={
            "present_guardians": {
                "old": ", ".join(sorted(g.name for g in before)),
                "new": ", ".join(sorted(g.name for g in present)),
            }
        },
        actor=actor,
        source="web",
    ).save()


@transaction.atomic
def step_log(
    *,
    enrolment: Enrolment,
    kind: str,
    data: Mapping[str, Any],
    actor: User,
    expected_version: int | None = None,
    today: date | None = None,
) -> Any:
    """Log step `kind` on an Entree enrolment, or correct it when it exists.

    `expected_version` is the version the caller read (None when it saw no step); a
    mismatch raises ConcurrentEditError with the saved record. Returns the step.
    """
    kind = StepKind(kind)
    today = today or timezone.localdate()
    if enrolment.level != Level.ENTREE:
        raise ValidationError(_("De Route naar succes hoort bij een Entree-inschrijving."))
    model: Any = STEP_MODELS[kind]
    values = _normalise(kind, data)
    errors = validate_step(enrolment=enrolment, kind=kind, values=values, today=today)
    if errors:
        raise ValidationError(errors)

    present = _present_guardians(enrolment, kind, data)

    existing = loaded_step(enrolment, kind)
    if existing is not None and existing.version != expected_version:
        # Saved by someone else since the caller read it (or created meanwhile).
        raise ConcurrentEditError(model.objects.get(pk=existing.pk))

    step_values = {name: values[name] for name in STEP_FIELDS[kind]}
    if kind == StepKind.WORK:
        employment = _employment_write(
            student_id=enrolment.student_id,
            employment=existing.employment if existing else None,
            values=values,
            actor=actor,
        )
        step_values["employment"] = employment

    if existing is None:
        step = model(enrolment=enrolment, author=actor, **step_values)
        try:
            with transaction.atomic():
                step.save()
        except IntegrityError:
            current = model.objects.filter(enrolment=enrolment).first()
            if current is None:
                raise
            raise ConcurrentEditError(current) from None
        changes = {
            name: {"old": None, "new": value}
            for name, value in _history_values(step_values).items()
        }
        _write_history(
            step=step,
            kind=kind,
            action=RecordChange.Action.CREATE,
            changes=changes,
            actor=actor,
            student_id=enrolment.student_id,
        )
        old_date = None
    else:
        old_date = existing.date
        changes = field_changes(existing, step_values)
        if changes:
            updated = model.objects.filter(pk=existing.pk, version=expected_version).update(
                version=F("version") + 1, updated_at=timezone.now(), **step_values
            )
            if not updated:
                raise ConcurrentEditError(model.objects.get(pk=existing.pk))
            for name, value in step_values.items():
                setattr(existing, name, value)
            existing.version += 1  # = expected_version + 1: checked above
            _write_history(
                step=existing,
                kind=kind,
                action=RecordChange.Action.UPDATE,
                changes=changes,
                actor=actor,
                student_id=enrolment.student_id,
            )
        step = existing

    if present is not None:
        _set_present_guardians(step=step, present=present, actor=actor)
    if kind == StepKind.LEAVING:
        _end_enrolment_for_leaving(
            enrolment=enrolment, old_date=old_date, new_date=step.date, actor=actor
        )
    # Keep the caller's enrolment in step with the database: the route re-renders from it.
    model._meta.get_field("enrolment").remote_field.set_cached_value(enrolment, step)
    return step


def step_values_for_display(kind: str, step: Any) -> dict[str, Any]:
    """The values of a saved step in the shape the form uses (5a includes employment)."""
    values = {name: getattr(step, name) for name in STEP_FIELDS[StepKind(kind)]}
    if kind == StepKind.WORK and step.employment_id:
        for name, field in EMPLOYMENT_FIELDS.items():
            values[name] = getattr(step.employment, field)
    return values


@transaction.atomic
def step_conflict_record(
    *,
    enrolment: Enrolment,
    kind: str,
    actor: User,
    expected_version: int | None,
    current: Any,
    refused_data: Mapping[str, Any],
) -> StepConflict:
    """Keep a refused save next to the saved version, so the history shows the conflict."""
    kind = StepKind(kind)
    saved = step_values_for_display(kind, current)
    refused = _normalise(kind, refused_data)
    values: dict[str, dict[str, Any]] = {}
    for name, saved_value in saved.items():
        refused_value = refused.get(name)
        if history_value(saved_value) != history_value(refused_value):
            values[name] = {
                "saved": history_value(saved_value),
                "refused": history_value(refused_value),
            }
    return StepConflict.objects.create(
        enrolment=enrolment,
        kind=kind,
        actor=actor,
        expected_version=expected_version,
        current_version=current.version,
        values=values,
    )


@transaction.atomic
def contact_moment_log(
    *,
    student: Student,
    kind: str,
    data: Mapping[str, Any],
    actor: User,
    enrolment: Enrolment | None = None,
    today: date | None = None,
) -> ContactMoment:
    """Log a contact moment (work check-in, Doorstroompunt or Leerplicht contact, other)."""
    today = today or timezone.localdate()
    membership = actor.active_membership
    errors = {}
    if kind not in contact_kinds_for(actor, student):
        errors["kind"] = _("Dit soort contactmoment kunt u in uw rol niet vastleggen.")
    day = data.get("date")
    if day is None:
        errors["date"] = _("Vul een datum in.")
    elif day > today:
        errors["date"] = _(
            "De datum ligt in de toekomst: leg een contact vast als het er geweest is."
        )
    elif day < today - timedelta(days=5 * 366):
        errors["date"] = _("Deze datum ligt te ver terug.")
    if _empty(data.get("channel")):
        errors["channel"] = _("Kies hoe het contact was.")
    still_working = data.get("still_working")
    hours = data.get("hours_per_week")
    if kind == ContactKind.WORK_CHECKIN:
        if still_working is None:
            errors["still_working"] = _("Geef aan of de student nog werkt.")
        if hours is not None and not (Decimal(0) <= Decimal(hours) <= Decimal(60)):
            errors["hours_per_week"] = _("Het aantal uren per week ligt tussen 0 en 60.")
    else:
        still_working, hours = None, None
    if errors:
        raise ValidationError(errors)
    moment = ContactMoment.objects.create(
        student=student,
        enrolment=enrolment,
        kind=kind,
        date=cast(date, day),  # checked above: a missing date is an error
        channel=data["channel"],
        note=(data.get("note") or "").strip(),
        author=actor,
        author_organisation=membership.organisation,
        still_working=still_working,
        hours_per_week=hours,
    )
    record_change(
        student_id=student.pk,
        record=moment,
        action=RecordChange.Action.CREATE,
        changes={
            "kind": {"old": None, "new": kind},
            "date": {"old": None, "new": history_value(day)},
        },
        actor=actor,
    ).save()
    return moment
