"""A meeting's history (MeetingChange), shown through students.history."""

from students.history import register_history


def _record(entry):
    from .models import ActionItem, Addendum, AgendaItem, Meeting, MeetingChange, Proposal

    action = MeetingChange.Action
    if entry.action in (action.ACTION_ADD, action.ACTION_DONE):
        return ActionItem
    if entry.action == action.ADDENDUM:
        return Addendum
    if entry.action in (action.PROPOSAL, action.PROPOSAL_DECLINED):
        return Proposal
    if entry.action in (
        action.ITEM_ADD,
        action.ITEM_REMOVE,
        action.ITEM_MOVE,
        action.ITEM_NOTE,
        action.MINUTES,
    ):
        return AgendaItem
    return Meeting


def register_histories():
    from .models import MeetingChange

    register_history(MeetingChange, record_model=_record)
