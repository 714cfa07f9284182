"""Retention (ACCESS.md): referral personal data of students past retention (the
Flexservice's: referrals.flexservice.retention).

Statuses, kinds, outcomes (choices) and dates stay for the figures; the shared-data
snapshot and free text go.
"""

from students.retention import cleared, register_retention_hook

from .models import (
    Overgangsdocument,
    Referral,
    ReferralEvent,
    WorkInstruments,
)


def remove_referral_data(student_ids):
    Referral.objects.filter(student_id__in=student_ids).update(
        shared_data={},
        **cleared(
            "support_needs",
            "outcome_note",
            required=("question", "consent_given_by", "rejection_reason"),
        ),
    )
    ReferralEvent.objects.filter(referral__student_id__in=student_ids).update(note="", changes={})
    Overgangsdocument.objects.filter(referral__student_id__in=student_ids).update(
        **cleared(
            "work_capacity",
            "hour_limits",
            "wishes",
            "support_needed",
            "agreements",
            "contacts",
            required=("situation",),
        )
    )
    WorkInstruments.objects.filter(referral__student_id__in=student_ids).update(note="")


def register():
    register_retention_hook(remove_referral_data)
