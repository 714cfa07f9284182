"""Every write to signals by a person, and the daily checks as one entry point."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from .models import Signal, SignalEvent, SignalStatus


class SignalAlreadyClosed(Exception):
    """Someone (or the rules) closed the signal in the meantime."""


def _close_by_person(*, signal: Signal, actor, status: str, note: str) -> Signal:
    now = timezone.now()
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
def signal_resolve(*, signal: Signal, actor, note: str = "") -> Signal:
    """The signal's request was dealt with; the rules never reopen this identity."""
    return _close_by_person(signal=signal, actor=actor, status=SignalStatus.RESOLVED, note=note)


@transaction.atomic
def signal_dismiss(*, signal: Signal, actor, reason: str) -> Signal:
    """The signal does not apply (a reason is required); it stays closed."""
    if not reason.strip():
        raise ValueError("a dismissal needs a reason")
    return _close_by_person(
        signal=signal, actor=actor, status=SignalStatus.DISMISSED, note=reason.strip()
    )


def run_daily_checks(*, today: date | None = None):
    """The whole sweep (the rules and every registered check) for `today`."""
    from .sweep import run_sweep

    return run_sweep(today or timezone.localdate())
