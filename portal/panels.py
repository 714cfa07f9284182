"""The invite panel on the student's page (for the mentor and the coordinator)."""

from django.utils import timezone

from accounts import policy
from students.panels import has_rows

from .models import Invitation, StudentAccount
from .services import invitation_refusal


def student_invite_panel(request, student):
    user = request.user
    if not policy.can_invite_student(user, student):
        return None
    today = timezone.localdate()
    # Few students have an account or an invitation: most pages ask neither (issue 16).
    has_account = (
        has_rows(student, "portal.accounts")
        and StudentAccount.objects.filter(student=student).exists()
    )
    open_invitation = (
        Invitation.objects.filter(
            student=student, accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at")
        .first()
        if has_rows(student, "portal.invitations")
        else None
    )
    return {
        "template": "portal/_invite_panel.html",
        "context": {
            "student": student,
            "has_account": has_account,
            "open_invitation": open_invitation,
            "refusal": None
            if has_account
            else invitation_refusal(student=student, actor=user, today=today),
        },
    }
