"""Retention (ACCESS.md): signal notes of students past retention; kinds and dates stay."""

from students.retention import cleared, register_monitoring_end, register_retention_hook

from .models import MonitoringStatus, Signal, SignalEvent


def remove_signal_notes(student_ids):
    Signal.objects.filter(student_id__in=student_ids).update(**cleared("note"))
    SignalEvent.objects.filter(signal__student_id__in=student_ids).update(**cleared("note"))


def monitoring_end(cutoff):
    """For students.retention: whose monitoring ended on or before `cutoff`, and who has a
    monitoring status at all (both as querysets of student ids)."""
    ended = MonitoringStatus.objects.filter(monitoring_ended=True, changed_on__lte=cutoff)
    return ended.values("student_id"), MonitoringStatus.objects.values("student_id")


def register():
    register_retention_hook(remove_signal_notes)
    register_monitoring_end(monitoring_end)
