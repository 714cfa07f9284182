"""Every write to signals by a person, and the daily checks as one entry point."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Signal, SignalEvent, SignalKind, SignalStatus

if TYPE_CHECKING:
    from accounts.models import User

    from .sweep import SweepResult


class SignalAlreadyClosed(Exception):
    """Someone (or the rules) closed the signal in the meantime."""


class SignalChanged(Exception):
    """The signal changed since the user read it (another person or the rules): nothing
    was done; `current` is the signal as it is now."""

    def __init__(self, current: Signal) -> None:
        super().__init__("The signal was changed meanwhile")
        self.current = current


# Signals that ask for something to be logged (MONITORING.md section 2): the roadmap step
# (ROADMAP.md) or the contact moment that answers them. The attention list offers that
# form first; closing such a signal without it needs a reason.
ASKED_STEPS: dict[str, tuple[str, ...]] = {
    SignalKind.STUDY_ADVICE_DUE: ("study-advice",),
    SignalKind.PERSPECTIVE_DUE: ("perspective",),
    SignalKind.NO_NEXT_STEP: ("work", "further-education"),
}
ASKED_CONTACTS: dict[str, str] = {
    SignalKind.WORK_CHECKIN_DUE: "work_checkin",
    SignalKind.DSP_CHECKIN_DUE: "dsp_contact",
}
# A check-in counts from this many days before its due date (MONITORING.md).
CHECKIN_WINDOW_DAYS = 28


def asks_for_step(signal: Signal) -> bool:
    return signal.kind in ASKED_STEPS or signal.kind in ASKED_CONTACTS


def asked_step_logged(signal: Signal) -> bool:
    """What the signal asks for has been logged (the sweep closes it on its next run)."""
    from roadmap.models import (
        ContactMoment,
        FurtherEducationStep,
        PerspectiveStep,
        StudyAdviceStep,
        WorkStep,
    )

    if signal.kind in ASKED_CONTACTS:
        return ContactMoment.objects.filter(
            student_id=signal.student_id,
            kind=ASKED_CONTACTS[signal.kind],
            date__gte=signal.due_date - timedelta(days=CHECKIN_WINDOW_DAYS),
        ).exists()
    if signal.enrolment_id is None:
        return False
    models: dict[str, Any] = {  # step models; their common base declares no manager
        "study-advice": StudyAdviceStep,
        "perspective": PerspectiveStep,
        "work": WorkStep,
        "further-education": FurtherEducationStep,
    }
    return any(
        models[step].objects.filter(enrolment_id=signal.enrolment_id).exists()
        for step in ASKED_STEPS.get(signal.kind, ())
    )


def signal_version(signal_id: int) -> int:
    return SignalEvent.objects.filter(signal_id=signal_id).count()


def _close_by_person(
    *, signal: Signal, actor: User, status: str, note: str, expected_version: int | None = None
) -> Signal:
    now = timezone.now()
    locked = Signal.objects.select_for_update().get(pk=signal.pk)
    if expected_version is not None and signal_version(signal.pk) != expected_version:
        raise SignalChanged(locked)
    # A conditional UPDATE: of two people acting at once, exactly one wins.
    updated = Signal.objects.filter(pk=signal.pk, status=SignalStatus.OPEN).update(
        status=status, note=note, closed_by=actor, closed_at=now, closed_reason=""
    )
    if not updated:
        raise SignalAlreadyClosed
    SignalEvent.objects.create(
        signal_id=signal.pk,
        action=SignalEvent.Action.RESOLVED
        if status == SignalStatus.RESOLVED
        else SignalEvent.Action.DISMISSED,
        actor=actor,
        at=now,
        note=note,
    )
    signal.refresh_from_db()
    return signal


@transaction.atomic
def signal_resolve(
    *, signal: Signal, actor: User, note: str = "", expected_version: int | None = None
) -> Signal:
    """The signal's request was dealt with; the rules never reopen this identity.

    A signal that asks for a step (or a contact moment) is dealt with by logging it;
    closing it without that needs a note saying why (ValidationError on `note`)."""
    note = (note or "").strip()
    if not note and asks_for_step(signal) and not asked_step_logged(signal):
        raise ValidationError(
            {
                "note": _(
                    "Dit signaal vraagt om een stap die nog niet is vastgelegd. Leg de stap "
                    "vast, of schrijf waarom u het signaal zonder die stap afhandelt."
                )
            }
        )
    return _close_by_person(
        signal=signal,
        actor=actor,
        status=SignalStatus.RESOLVED,
        note=note,
        expected_version=expected_version,
    )


@transaction.atomic
def signal_dismiss(
    *, signal: Signal, actor: User, reason: str, expected_version: int | None = None
) -> Signal:
    """The signal does not apply (a reason is required); it stays closed."""
    if not reason.strip():
        raise ValidationError({"reason": _("Geef een reden om het signaal af te wijzen.")})
    return _close_by_person(
        signal=signal,
        actor=actor,
        status=SignalStatus.DISMISSED,
        note=reason.strip(),
        expected_version=expected_version,
    )


def may_handle(signal: Signal, handler: User) -> bool:
    """`handler` works at the signal's organisation (an active membership there) and may
    see its student in that membership: the people a signal can be handed to."""
    from accounts.models import Membership
    from students.models import Student

    if not handler.is_active or signal.organisation_id is None:
        return False
    membership = (
        Membership.objects.filter(
            user=handler, organisation_id=signal.organisation_id, is_active=True
        )
        .order_by("pk")
        .first()
    )
    if membership is None:
        return False
    handler.set_active_membership(membership.pk)
    return bool(Student.objects.visible_to(handler).filter(pk=signal.student_id).exists())


@transaction.atomic
def signal_assign(
    *, signal: Signal, actor: User, handler: User, expected_version: int | None = None
) -> Signal:
    """Hand an open signal to a person of its organisation who may see the student
    (ValidationError on `handler` otherwise); they get a notification."""
    from django.urls import reverse

    from accounts.notifications import NotificationKind, notify

    if not may_handle(signal, handler):
        raise ValidationError(
            {"handler": _("Kies een collega van de eigen organisatie die deze student mag zien.")}
        )
    now = timezone.now()
    locked = Signal.objects.select_for_update().get(pk=signal.pk)
    if expected_version is not None and signal_version(signal.pk) != expected_version:
        raise SignalChanged(locked)
    updated = Signal.objects.filter(pk=signal.pk, status=SignalStatus.OPEN).update(handler=handler)
    if not updated:
        raise SignalAlreadyClosed
    SignalEvent.objects.create(
        signal_id=signal.pk,
        action=SignalEvent.Action.HANDLER_ASSIGNED,
        actor=actor,
        at=now,
        note=handler.get_full_name() or handler.email,
    )
    # No name and no BSN in the text: the first name is shown at display time only to a
    # reader who may open the student (accounts.notifications).
    notify(
        handler,
        NotificationKind.SIGNAL_ASSIGNED,
        _("Signaal aan u toegewezen: %(kind)s") % {"kind": signal.kind_label},
        reverse("students:detail", args=[signal.student.public_id]),
        student_id=signal.student_id,
    )
    signal.refresh_from_db()
    return signal


def run_daily_checks(*, today: date | None = None) -> SweepResult:
    """The whole sweep (the rules and every registered check) for `today`."""
    from .sweep import run_sweep

    return cast("SweepResult", run_sweep(today or timezone.localdate()))
