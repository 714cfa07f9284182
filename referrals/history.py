"""The referral history table, shown through students.history."""

from students.history import register_history


def _referral_record(entry):
    from .models import Referral, ReferralEvent, WorkInstruments

    if entry.action == ReferralEvent.Action.INSTRUMENTS:
        return WorkInstruments
    return Referral


def _referral_fields(entry):
    # The transition's statuses, as the referral's own status field names them.
    return {"status": entry.to_status} if entry.to_status else {}


def register_histories():
    from .models import ReferralEvent

    register_history(ReferralEvent, record_model=_referral_record, fields=_referral_fields)
