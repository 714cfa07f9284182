"""Every read of signals: the run's report, and what a user may see and act on."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .models import MONITORING_SOURCE, MonitoringStatus, Signal, SignalEvent, SignalStatus


def open_signal_rows() -> list[dict]:
    """Every open signal of the rule book, as MONITORING.md section 6 lists them."""
    rows = Signal.objects.filter(status=SignalStatus.OPEN, source=MONITORING_SOURCE).values_list(
        "student__student_number", "kind", "due_date", "assignee"
    )
    result = [
        {
            "student_number": number,
            "kind": kind,
            "due_date": due.isoformat(),
            "assignee": assignee,
        }
        for number, kind, due, assignee in rows
    ]
    # Sorted in Python: code-point order, whatever the database's collation.
    result.sort(key=lambda row: (row["student_number"], row["kind"], row["due_date"]))
    return result


def vsv_student_numbers() -> list[str]:
    return sorted(
        MonitoringStatus.objects.filter(vsv=True).values_list("student__student_number", flat=True)
    )


def signals_for_user(user, *, today=None):
    """The signals a user may see and act on: of the user's organisation, for students
    visible to the user; a mentor sees the school signals of their own students."""
    from accounts.policy import signal_scope_q
    from students.models import Student

    scope = signal_scope_q(user)
    if scope is None:
        return Signal.objects.none()
    visible = Student.objects.visible_to(user, today=today)
    if visible.query.is_empty():
        return Signal.objects.none()
    return Signal.objects.filter(scope, student__in=visible.values("pk"))


def with_versions(signals):
    """Each signal with its `version`: the number of its history events. Every change,
    by a person or by the rules (closed, reopened, handed to someone else), adds one, so
    a form that carries the version it read notices any change since (no lost update)."""
    events = (
        SignalEvent.objects.filter(signal=OuterRef("pk"))
        .order_by()
        .values("signal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return signals.annotate(version=Coalesce(Subquery(events), 0))


def attention_list(user, *, today, kind: str = "", mine: bool = False):
    """The open signals for the user's start page, the most urgent first; `mine`: only
    those handed to the user. Without their versions: the forms that change a signal
    load it with its version when opened (monitoring.views)."""
    signals = signals_for_user(user, today=today).filter(status=SignalStatus.OPEN)
    if kind:
        signals = signals.filter(kind=kind)
    if mine:
        signals = signals.filter(handler_id=user.pk)
    return signals.select_related("student", "handler").order_by("due_date", "pk")
