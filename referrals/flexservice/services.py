"""Every write of the Flexservice (intake desk, maatwerk trajectories): keyword-only,
atomic, with history (FlexEvent). Refusals and version checks as in referrals.services."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationKind, User
from rulebook.dates import add_months
from students.models import Enrolment, Student
from students.services import (
    ConcurrentEditError,
    enrolment_get_or_create,
    field_changes,
    history_value,
    student_create,
)
from students.validators import date_of_birth_error

from ..models import (
    FlexEvent,
    IntakeOutcome,
    IntakeRegistration,
    IntakeStatus,
    MaatwerkTrajectory,
    TrajectoryContact,
    TrajectoryOutcome,
)
from ..services import ReferralRefused, _check_version

# --- Flexservice: intake desk ------------------------------------------------------


def _flex_event(
    *,
    actor: User,
    action: str,
    registration: IntakeRegistration | None = None,
    trajectory: MaatwerkTrajectory | None = None,
    changes: dict[str, Any] | None = None,
) -> FlexEvent:
    return FlexEvent.objects.create(
        registration=registration,
        trajectory=trajectory,
        action=action,
        actor=actor,
        changes=changes or {},
    )


@transaction.atomic
def registration_create(
    *, actor: User, desk: Organisation, data: Mapping[str, Any]
) -> IntakeRegistration:
    data = dict(data)
    today = timezone.localdate()
    registered_on = data.pop("registered_on", None) or today
    errors = {}
    if registered_on > today:
        errors["registered_on"] = _("De aanmelddatum ligt in de toekomst.")
    message = date_of_birth_error(data.get("date_of_birth"), on=registered_on)
    if message:
        errors["date_of_birth"] = message
    if errors:
        raise ValidationError(errors)
    registration = IntakeRegistration.objects.create(
        desk=desk, created_by=actor, registered_on=registered_on, **data
    )
    _flex_event(actor=actor, action="registered", registration=registration)
    return registration


def _registration_update(
    *,
    registration: IntakeRegistration,
    expected_status: list[IntakeStatus],
    values: dict[str, Any],
    actor: User,
    action: str,
    refusal: str,
    expected_version: int | None = None,
) -> IntakeRegistration:
    version = registration.version if expected_version is None else expected_version
    changes = field_changes(registration, values)
    updated = IntakeRegistration.objects.filter(
        pk=registration.pk, status__in=expected_status, version=version
    ).update(version=version + 1, **values)
    if not updated:
        if IntakeRegistration.objects.filter(
            pk=registration.pk, status__in=expected_status
        ).exists():
            _check_version(IntakeRegistration, registration.pk, version)
        raise ReferralRefused(refusal)
    _flex_event(actor=actor, action=action, registration=registration, changes=changes)
    registration.refresh_from_db()
    return registration


def _registration_date_error(
    registration: IntakeRegistration, day: datetime.date, *, future: bool = False
) -> str | None:
    """Why `day` cannot be a date in this registration's course, or None."""
    if day < registration.registered_on:
        return _("Deze datum ligt vóór de aanmelding (%(day)s).") % {
            "day": registration.registered_on.strftime("%d-%m-%Y")
        }
    if not future and day > timezone.localdate():
        return _("Deze datum ligt in de toekomst.")
    return None


@transaction.atomic
def registration_record_intake(
    *,
    registration: IntakeRegistration,
    actor: User,
    intake_date: datetime.date | None,
    intake_notes: str,
    expected_version: int | None = None,
) -> IntakeRegistration:
    if not intake_date:
        raise ValidationError({"intake_date": _("Vul de intakedatum in.")})
    message = _registration_date_error(registration, intake_date)
    if message:
        raise ValidationError({"intake_date": message})
    return _registration_update(
        registration=registration,
        expected_status=[IntakeStatus.NEW, IntakeStatus.IN_INTAKE],
        values={
            "status": IntakeStatus.IN_INTAKE,
            "intake_date": intake_date,
            "intake_notes": intake_notes.strip(),
        },
        actor=actor,
        action="intake",
        expected_version=expected_version,
        refusal=_("Deze aanmelding is intussen gewijzigd of afgesloten; laad de pagina opnieuw."),
    )


@transaction.atomic
def registration_consult(
    *,
    registration: IntakeRegistration,
    actor: User,
    partners: str,
    expected_version: int | None = None,
) -> IntakeRegistration:
    if not partners.strip():
        raise ValidationError({"consultation_partners": _("Met wie wordt afgestemd?")})
    return _registration_update(
        registration=registration,
        expected_status=[IntakeStatus.NEW, IntakeStatus.IN_INTAKE, IntakeStatus.IN_CONSULTATION],
        values={"status": IntakeStatus.IN_CONSULTATION, "consultation_partners": partners.strip()},
        actor=actor,
        action="consultation",
        expected_version=expected_version,
        refusal=_("Deze aanmelding is intussen gewijzigd of afgesloten; laad de pagina opnieuw."),
    )


def _place_student(
    *,
    registration: IntakeRegistration,
    actor: User,
    institution: Organisation,
    programme: str,
    level: str,
    start_date: datetime.date,
    location: str,
    student_number: str,
) -> tuple[Student, Enrolment]:
    """Create or link the student and the enrolment, with history in the student file."""
    student = None
    if student_number:
        existing = Student.objects.filter(student_number=student_number).first()
        if existing is not None:
            if not Student.objects.visible_to(actor).filter(pk=existing.pk).exists() or (
                existing.date_of_birth != registration.date_of_birth
            ):
                raise ValidationError(
                    {
                        "student_number": _(
                            "Dit studentnummer is al in gebruik voor een andere jongere."
                        )
                    }
                )
            student = existing
    if student is None:
        # The same young person already known to this desk's school (no BSN needed).
        matches = list(
            Student.objects.visible_to(actor).filter(
                first_name__iexact=registration.first_name,
                last_name__iexact=registration.last_name,
                date_of_birth=registration.date_of_birth,
            )[:2]
        )
        if len(matches) == 1:
            student = matches[0]
    if student is None:
        student = student_create(
            values={
                "student_number": student_number or f"LOKET-{registration.pk}",
                "first_name": registration.first_name,
                "last_name": registration.last_name,
                "date_of_birth": registration.date_of_birth,
                "municipality": registration.municipality,
            },
            recorded=("student_number", "first_name", "last_name", "date_of_birth"),
            actor=actor,
            source="instroomloket",
        )
    enrolment, _created = enrolment_get_or_create(
        student=student,
        key={"institution": institution, "programme": programme, "start_date": start_date},
        defaults={"level": level, "location": location},
        actor=actor,
        source="instroomloket",
    )
    return student, enrolment


@transaction.atomic
def registration_close(
    *,
    registration: IntakeRegistration,
    actor: User,
    outcome: str,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> IntakeRegistration:
    """The outcome of the intake; placing in a programme creates or links the student."""
    data = dict(data)
    errors: dict[str, str] = {}
    if outcome not in IntakeOutcome.values:
        raise ValidationError({"outcome": _("Kies de uitkomst.")})
    values: dict[str, Any] = {
        "status": IntakeStatus.CLOSED,
        "outcome": outcome,
        "outcome_date": data.get("outcome_date") or timezone.localdate(),
        "outcome_note": (data.get("outcome_note") or "").strip(),
    }
    message = _registration_date_error(registration, values["outcome_date"])
    if message:
        errors["outcome_date"] = message
    elif registration.intake_date and values["outcome_date"] < registration.intake_date:
        errors["outcome_date"] = _("De uitkomst ligt vóór de intake (%(day)s).") % {
            "day": registration.intake_date.strftime("%d-%m-%Y")
        }
    if outcome == IntakeOutcome.PLACED:
        for field in ("institution", "programme", "level", "start_date"):
            if not data.get(field):
                errors[field] = _("Verplicht bij plaatsing in een opleiding.")
        if data.get("start_date"):
            # Placed with an impossible age (a date of birth typed wrong at registration).
            message = date_of_birth_error(registration.date_of_birth, on=data["start_date"])
            if message:
                errors["start_date"] = message
    elif outcome == IntakeOutcome.OUTSIDE_EDUCATION:
        if not data.get("outside_route"):
            errors["outside_route"] = _("Kies de soort route.")
        if not (data.get("place") or "").strip():
            errors["place"] = _("Vermeld de plek.")
        values.update(outside_route=data.get("outside_route"), place=data["place"].strip())
    elif outcome == IntakeOutcome.REFERRED_ON:
        if not (data.get("referred_to") or "").strip():
            errors["referred_to"] = _("Naar wie is doorverwezen?")
        values["referred_to"] = (data.get("referred_to") or "").strip()
    if errors:
        raise ValidationError(errors)
    # Lock the row first: placing twice must not create two enrolments.
    locked = IntakeRegistration.objects.select_for_update().get(pk=registration.pk)
    version = registration.version if expected_version is None else expected_version
    if locked.status != IntakeStatus.CLOSED and locked.version != version:
        raise ConcurrentEditError(locked)
    if locked.status == IntakeStatus.CLOSED:
        raise ReferralRefused(
            _("Deze aanmelding is intussen gewijzigd of afgesloten; laad de pagina opnieuw.")
        )
    if outcome == IntakeOutcome.PLACED:
        if data["institution"].kind != OrganisationKind.SCHOOL:
            raise ValidationError({"institution": _("Kies een mbo-instelling.")})
        student, enrolment = _place_student(
            registration=registration,
            actor=actor,
            institution=data["institution"],
            programme=data["programme"].strip(),
            level=data["level"],
            start_date=data["start_date"],
            location=(data.get("location") or "").strip(),
            student_number=(data.get("student_number") or "").strip(),
        )
        values.update(student=student, enrolment=enrolment, placed_level=data["level"])
        values["place"] = f"{enrolment.programme}, {enrolment.institution}"
    return _registration_update(
        registration=registration,
        expected_status=[IntakeStatus.NEW, IntakeStatus.IN_INTAKE, IntakeStatus.IN_CONSULTATION],
        values=values,
        actor=actor,
        action="closed",
        expected_version=expected_version,
        refusal=_("Deze aanmelding is intussen gewijzigd of afgesloten; laad de pagina opnieuw."),
    )


# --- Flexservice: maatwerk trajectories ----------------------------------------------


@transaction.atomic
def trajectory_start(
    *, actor: User, student: Student, data: Mapping[str, Any]
) -> MaatwerkTrajectory:
    membership = actor.active_membership
    if not Student.objects.visible_to(actor).filter(pk=student.pk).exists():
        raise ValidationError(_("Deze student valt buiten uw bereik."))
    start = data.get("start_date")
    if start and start > timezone.localdate():
        raise ValidationError(
            {
                "start_date": _(
                    "De startdatum ligt in de toekomst: leg het traject vast als het start."
                )
            }
        )
    if start and start < add_months(student.date_of_birth, 12 * 12):
        raise ValidationError({"start_date": _("Deze startdatum past niet bij de geboortedatum.")})
    trajectory = MaatwerkTrajectory.objects.create(
        student=student, school=membership.organisation, created_by=actor, **data
    )
    _flex_event(
        actor=actor,
        action="started",
        trajectory=trajectory,
        changes={k: {"old": None, "new": history_value(v)} for k, v in data.items()},
    )
    return trajectory


@transaction.atomic
def trajectory_contact_add(
    *,
    trajectory: MaatwerkTrajectory,
    actor: User,
    date: datetime.date,
    note: str,
    expected_version: int | None = None,
) -> TrajectoryContact:
    errors = {}
    if not note.strip():
        errors["note"] = _("Schrijf kort wat er besproken is.")
    if date < trajectory.start_date:
        errors["date"] = _("Het contact ligt vóór de start van het traject (%(day)s).") % {
            "day": trajectory.start_date.strftime("%d-%m-%Y")
        }
    elif date > timezone.localdate():
        errors["date"] = _(
            "De datum ligt in de toekomst: leg een contact vast als het er geweest is."
        )
    if errors:
        raise ValidationError(errors)
    rows = MaatwerkTrajectory.objects.filter(pk=trajectory.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.update(version=F("version") + 1):
        _check_version(MaatwerkTrajectory, trajectory.pk, expected_version)
        raise ReferralRefused(_("Dit traject bestaat niet meer."))
    contact = TrajectoryContact.objects.create(
        trajectory=trajectory, date=date, note=note.strip(), author=actor
    )
    _flex_event(actor=actor, action="contact", trajectory=trajectory)
    return contact


@transaction.atomic
def trajectory_end(
    *,
    trajectory: MaatwerkTrajectory,
    actor: User,
    end_date: datetime.date,
    outcome: str,
    routed_to: str = "",
    expected_version: int | None = None,
) -> MaatwerkTrajectory:
    if outcome not in TrajectoryOutcome.values:
        raise ValidationError({"outcome": _("Kies de uitkomst.")})
    if outcome == TrajectoryOutcome.ROUTED and not routed_to.strip():
        raise ValidationError({"routed_to": _("Vermeld naar welke route.")})
    if end_date < trajectory.start_date:
        raise ValidationError({"end_date": _("Het einde ligt niet vóór de start.")})
    if end_date > timezone.localdate():
        raise ValidationError(
            {
                "end_date": _(
                    "De einddatum ligt in de toekomst: beëindig het traject als het klaar is."
                )
            }
        )
    values = {"end_date": end_date, "outcome": outcome, "routed_to": routed_to.strip()}
    changes = field_changes(trajectory, values)
    rows = MaatwerkTrajectory.objects.filter(pk=trajectory.pk, end_date__isnull=True)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    updated = rows.update(version=F("version") + 1, **values)
    if not updated:
        if MaatwerkTrajectory.objects.filter(pk=trajectory.pk, end_date__isnull=True).exists():
            _check_version(MaatwerkTrajectory, trajectory.pk, expected_version)
        raise ReferralRefused(_("Dit traject is al beëindigd."))
    _flex_event(actor=actor, action="ended", trajectory=trajectory, changes=changes)
    trajectory.refresh_from_db()
    return trajectory
