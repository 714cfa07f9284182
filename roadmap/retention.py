"""Retention (ACCESS.md): the roadmap's personal data of students past retention.

Dates, kinds and choices stay (the aggregate figures count them); free text goes. ABA is
special-category data and goes entirely, with its history. Refused saves (StepConflict)
hold typed values, so they go too.
"""

from students.retention import cleared, register_retention_hook

from .models import (
    AbaStep,
    AbaStepChange,
    ContactMoment,
    FurtherEducationStep,
    LeavingStep,
    PerspectiveStep,
    StartStep,
    StepConflict,
    StudyAdviceStep,
    WorkStep,
)

# Per step model, the free-text fields beyond `note`: (blank, required non-empty).
_STEP_TEXT = {
    StartStep: (("handover_with", "transfer_system_reference"), ()),
    StudyAdviceStep: (("perspective_note",), ()),
    PerspectiveStep: (("destination_place",), ()),
    WorkStep: ((), ()),
    FurtherEducationStep: (("institution", "handover_with"), ()),
    LeavingStep: ((), ("reason",)),
}


def remove_roadmap_data(student_ids):
    for model, (blank, required) in _STEP_TEXT.items():
        model.objects.filter(enrolment__student_id__in=student_ids).update(
            **cleared("note", *blank, required=required)
        )
    AbaStepChange.objects.filter(aba_step__enrolment__student_id__in=student_ids).delete()
    AbaStep.objects.filter(enrolment__student_id__in=student_ids).delete()
    StepConflict.objects.filter(enrolment__student_id__in=student_ids).delete()
    ContactMoment.objects.filter(student_id__in=student_ids).update(**cleared("note"))


def register():
    register_retention_hook(remove_roadmap_data)
