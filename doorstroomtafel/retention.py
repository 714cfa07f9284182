"""Retention (ACCESS.md): case-table text about students past retention.

That an item was on an agenda, its dates and statuses stay (reports count them); what
was prepared, discussed, decided and agreed about the student goes.
"""

from students.retention import cleared, register_retention_hook

from .models import ActionItem, Addendum, AgendaItem, MeetingChange, Proposal


def remove_case_table_data(student_ids):
    AgendaItem.objects.filter(student_id__in=student_ids).update(
        **cleared("preparation_note", "discussion", "decision", required=("reason",))
    )
    ActionItem.objects.filter(item__student_id__in=student_ids).update(
        **cleared(required=("what",))
    )
    Addendum.objects.filter(item__student_id__in=student_ids).update(**cleared(required=("text",)))
    Proposal.objects.filter(student_id__in=student_ids).update(**cleared(required=("reason",)))
    MeetingChange.objects.filter(item__student_id__in=student_ids).update(changes={})


def register():
    register_retention_hook(remove_case_table_data)
