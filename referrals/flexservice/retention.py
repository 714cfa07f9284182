"""Retention (ACCESS.md): Flexservice personal data of students past retention.

Statuses, outcomes (choices) and dates stay for the figures; free text and the
registration's personal fields go.
"""

from django.db.models import Q
from django.db.models.functions import TruncYear

from students.retention import cleared, register_retention_hook

from ..models import FlexEvent, IntakeRegistration, MaatwerkTrajectory, TrajectoryContact


def remove_flexservice_data(student_ids):
    # A registration keeps its municipality and the year of birth, like the student row.
    IntakeRegistration.objects.filter(student_id__in=student_ids).update(
        date_of_birth=TruncYear("date_of_birth"),
        **cleared(
            "referred_by_name",
            "situation",
            "intake_notes",
            "consultation_partners",
            "place",
            "referred_to",
            "outcome_note",
            required=("first_name", "last_name", "question"),
        ),
    )
    MaatwerkTrajectory.objects.filter(student_id__in=student_ids).update(
        **cleared("routed_to", required=("reason", "expert", "goals"))
    )
    TrajectoryContact.objects.filter(trajectory__student_id__in=student_ids).update(
        **cleared(required=("note",))
    )
    FlexEvent.objects.filter(
        Q(registration__student_id__in=student_ids) | Q(trajectory__student_id__in=student_ids)
    ).update(changes={})


def register():
    register_retention_hook(remove_flexservice_data)
