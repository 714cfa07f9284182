"""Panels on the start page (a partner's inbox, the sender's referrals; the intake
desk's queue is in referrals.flexservice.panels) and on the student's page (the
referrals and maatwerk trajectories of this student, for the school). Each uses a fixed
number of queries."""

from django.urls import reverse
from django.utils import timezone

from accounts import policy
from accounts.models import Role
from accounts.policy import sees_only_shared_sections, shared_referrals_q
from students.models import AccessLog
from students.panels import has_rows
from students.services import access_log

from .flexservice.queries import trajectories_for_user
from .models import SPECIAL_SECTIONS, Referral, ReferralStatus, Section
from .queries import can_send_referrals, is_sender
from .reminders import is_overdue

INBOX_LIMIT = 20
_PUBLIC_ID = "referral-public-id"


def with_detail_urls(referrals):
    """Each referral's `detail_url`: reversed once per list, not per row (a start page
    lists up to 40 of them; issue 16)."""
    pattern = reverse("referrals:detail", args=[_PUBLIC_ID])
    for referral in referrals:
        referral.detail_url = pattern.replace(_PUBLIC_ID, str(referral.public_id))
    return referrals


def _inbox(user):
    """Referrals waiting for the user's organisation's answer, and the accepted ones."""
    return Referral.objects.received_by(user).filter(
        status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED]
    )


def _inbox_shown_when_empty(membership):
    """A partner (who sees only what was shared) has the inbox on the start page even
    when nothing waits: it is where their students come in."""
    return policy.sees_only_shared_sections(membership)


def inbox_presence(request):
    """The inbox's rows for the start page's one presence query; None (ask the panel)
    for those who see the inbox even when it is empty."""
    membership = request.user.active_membership
    if membership is None or _inbox_shown_when_empty(membership):
        return None
    return _inbox(request.user)


def home_inbox_panel(request):
    """Referrals waiting for this organisation's answer, and the accepted ones."""
    user = request.user
    membership = user.active_membership
    if membership is None:
        return None
    today = timezone.localdate()
    rows = list(
        _inbox(user)
        .select_related("from_organisation", "student")
        .order_by("status", "sent_at", "id")[: INBOX_LIMIT + 1]
    )
    if not rows and not _inbox_shown_when_empty(membership):
        return None
    for referral in with_detail_urls(rows):
        referral.overdue = is_overdue(referral, today)
    waiting = [r for r in rows if r.status == ReferralStatus.SENT]
    accepted = [r for r in rows if r.status == ReferralStatus.ACCEPTED]
    return {
        "template": "referrals/_home_inbox.html",
        "context": {
            "waiting": waiting,
            "accepted": accepted,
            "more": len(rows) > INBOX_LIMIT,
        },
    }


def sent_in_progress(request):
    """The referrals the user's organisation drafted or sent and the user sees (the sent
    panel's rows, and its presence)."""
    user = request.user
    if not can_send_referrals(user):
        return None
    return Referral.objects.visible_to(user).filter(
        from_organisation_id=user.active_membership.organisation_id,
        status__in=[ReferralStatus.DRAFT, ReferralStatus.SENT],
    )


def home_sent_panel(request):
    sent = sent_in_progress(request)
    if sent is None:
        return None
    today = timezone.localdate()
    rows = list(
        sent.select_related("to_organisation", "student").order_by("-created_at")[:INBOX_LIMIT]
    )
    if not rows:
        return None
    for referral in with_detail_urls(rows):
        referral.overdue = is_overdue(referral, today)
    return {"template": "referrals/_home_sent.html", "context": {"referrals": rows}}


def student_referrals_panel(request, student):
    """For the school (and other senders): this student's referrals and trajectories."""
    user = request.user
    if not can_send_referrals(user) and user.role != Role.INTAKE_DESK:
        return None
    # Few students were ever referred: most pages ask nothing more (issue 16).
    referrals = (
        list(
            Referral.objects.visible_to(user)
            .filter(student=student, from_organisation_id=user.active_membership.organisation_id)
            .select_related("to_organisation")
            .order_by("-created_at")
        )
        if has_rows(student, "referrals.referrals")
        else []
    )
    trajectories = (
        list(trajectories_for_user(user).filter(student=student))
        if has_rows(student, "referrals.trajectories")
        else []
    )
    return {
        "template": "referrals/_student_panel.html",
        "context": {
            "student": student,
            "referrals": referrals,
            "trajectories": trajectories,
            "can_send": can_send_referrals(user),
            "school_staff": policy.is_school_staff(user),
            "section_labels": dict(Section.choices),
            "is_sender": is_sender,
        },
    }


def student_shared_panel(request, student):
    """For a partner: exactly the sections that the referrals they accepted shared about
    this student, from the snapshot taken when each was sent; nothing else of the file.
    Special-category sections on screen are logged, one row per referral (ACCESS.md)."""
    user = request.user
    if not sees_only_shared_sections(user) or not has_rows(student, "referrals.referrals"):
        return None
    referrals = list(
        Referral.objects.filter(
            shared_referrals_q(user.active_membership.organisation_id), student=student
        )
        .select_related("from_organisation")
        .order_by("-decided_at", "-id")
    )
    if not referrals:
        return None
    special = {str(s) for s in SPECIAL_SECTIONS}
    for referral in referrals:
        shown = sorted(set(referral.sections) & special)
        if shown:
            access_log(
                user=user,
                action=AccessLog.Action.VIEW_SPECIAL,
                student=student,
                detail=f"referral {referral.public_id}: {', '.join(shown)} (student page)",
            )
    return {
        "template": "referrals/_student_shared.html",
        "context": {"referrals": referrals, "section_labels": dict(Section.choices)},
    }
