"""The case table's panels: the student's page (every discussion, decision, lead and
action, and a mentor's proposal) and the start page (my actions, my meetings).

Each runs a fixed number of queries, whatever the number of meetings or actions.
"""

from django.db.models import Prefetch
from django.utils import timezone

from .models import ActionItem, ActionStatus, Addendum, AgendaItem, MeetingStatus, Proposal
from .queries import action_rows, meetings_for_user

HOME_LIMIT = 50


def student_casetable_panel(request, student):
    """Every case-table discussion of this student, for whoever may see the student."""
    from students.panels import has_rows

    from .views import proposable_meetings

    today = timezone.localdate()
    # Few students were ever discussed or proposed: most pages ask nothing more (issue 16).
    items = (
        list(
            AgendaItem.objects.filter(student=student)
            .select_related("meeting__table", "lead_organisation", "lead_user")
            .prefetch_related(
                Prefetch(
                    "actions",
                    queryset=ActionItem.objects.select_related("owner", "owner_organisation"),
                ),
                Prefetch("addenda", queryset=Addendum.objects.select_related("author")),
            )
            .order_by("-meeting__date", "-id")
        )
        if has_rows(student, "doorstroomtafel.agenda_items")
        else []
    )
    meetings = proposable_meetings(request.user, student, today=today)
    # The proposals and their outcome (a proposer sees these here, not the agenda).
    proposals = (
        list(
            Proposal.objects.filter(student=student)
            .select_related("meeting__table")
            .order_by("-proposed_at", "-id")
        )
        if has_rows(student, "doorstroomtafel.proposals")
        else []
    )
    if not items and not meetings and not proposals:
        return None
    return {
        "template": "doorstroomtafel/_student_panel.html",
        "context": {
            "items": items,
            "meetings": meetings,
            "proposals": proposals,
            "student": student,
            "minuted": (MeetingStatus.HELD, MeetingStatus.MINUTES_FINAL),
        },
    }


def _open_actions(request):
    """The user's open case-table actions (the panel's rows, and its presence)."""
    if request.user.active_membership is None:
        return None
    return ActionItem.objects.filter(owner=request.user, status=ActionStatus.OPEN)


def home_actions_panel(request):
    """The user's open case-table actions, the most urgent first."""
    user = request.user
    open_actions = _open_actions(request)
    if open_actions is None:
        return None
    actions = list(
        open_actions.select_related("item__student", "item__meeting__table").order_by(
            "due_date", "pk"
        )[: HOME_LIMIT + 1]
    )
    if not actions:
        return None
    today = timezone.localdate()
    # An owner who cannot open the student (a partner without an accepted referral)
    # sees the agenda's minimum here and a link to the meeting item, never the file.
    shown = action_rows(user, actions[:HOME_LIMIT], today=today)
    return {
        "template": "doorstroomtafel/_home_actions.html",
        "context": {
            "actions": shown,
            "more": len(actions) > HOME_LIMIT,
            "today": today,
            "next": request.get_full_path(),
        },
    }


def _coming_meetings(request):
    """Coming meetings of the tables the user takes part in (the panel's rows, and its
    presence)."""
    user = request.user
    if user.active_membership is None:
        return None
    return meetings_for_user(user).filter(
        date__gte=timezone.localdate(),
        status__in=[MeetingStatus.PLANNED, MeetingStatus.AGENDA_FINAL],
    )


def home_meetings_panel(request):
    """Coming meetings of the tables the user takes part in."""
    coming = _coming_meetings(request)
    if coming is None:
        return None
    meetings = list(coming.select_related("table").order_by("date", "pk")[:10])
    if not meetings:
        return None
    return {"template": "doorstroomtafel/_home_meetings.html", "context": {"meetings": meetings}}


_registered = False


def register_panels():
    global _registered
    if _registered:
        return
    from accounts.home import register_home_panel
    from students.panels import (
        register_disclosure_sections,
        register_student_panel,
        register_student_presence,
    )

    register_home_panel(8, home_actions_panel, presence=_open_actions)
    register_home_panel(12, home_meetings_panel, presence=_coming_meetings)
    register_student_panel(50, student_casetable_panel)
    register_student_presence("doorstroomtafel.agenda_items", AgendaItem)
    register_student_presence("doorstroomtafel.proposals", Proposal)
    register_disclosure_sections(
        {
            "doorstroomtafel_agenda": "Agenda Doorstroomtafel (naam, leeftijd, school en "
            "opleiding, reden, laatste stap, open signalen, voorbereidingsnotitie)"
        }
    )
    _registered = True
