"""Retention (ACCESS.md): signal notes of students past retention; kinds and dates stay."""

from students.retention import cleared, register_retention_hook

from .models import Signal, SignalEvent


def remove_signal_notes(student_ids):
    Signal.objects.filter(student_id__in=student_ids).update(**cleared("note"))
    SignalEvent.objects.filter(signal__student_id__in=student_ids).update(**cleared("note"))


def register():
    register_retention_hook(remove_signal_notes)
