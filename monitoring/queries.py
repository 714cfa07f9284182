"""Every read of signals: the run's report, and what a user may see and act on."""

from .models import MONITORING_SOURCE, MonitoringStatus, Signal, SignalStatus


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
