"""The intake-desk and trajectory history table, shown through students.history."""

from students.history import register_history


def _flex_record(entry):
    from ..models import IntakeRegistration, MaatwerkTrajectory

    return MaatwerkTrajectory if entry.trajectory_id else IntakeRegistration


def register_histories():
    from ..models import FlexEvent

    register_history(FlexEvent, record_model=_flex_record)
