"""Retention (ACCESS.md): a student past retention loses their account (and with it
passkeys, sign-ins and copies), their invitations, and the free text of their requests.
The requests' kind, status and dates stay for the figures."""

from django.contrib.auth import get_user_model
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from students.retention import cleared, register_retention_hook

from .models import DataCopy, Invitation, RightsRequest, StudentAccount

# Django's mark for a password that never matches (as set_unusable_password writes).
UNUSABLE = "!"


def remove_portal_data(student_ids):
    for copy in DataCopy.objects.filter(account__student_id__in=student_ids):
        for field in (copy.pdf, copy.json):
            if field:
                field.delete(save=False)
    user_ids = list(
        StudentAccount.objects.filter(student_id__in=student_ids).values_list("user_id", flat=True)
    )
    # The account goes (with its passkeys, sign-ins and copies); the User row stays for
    # the access log that names it (PROTECT), without the address and unable to sign in.
    StudentAccount.objects.filter(student_id__in=student_ids).delete()
    get_user_model().objects.filter(pk__in=user_ids, memberships__isnull=True).update(
        email=Concat(Value("removed-"), Cast("pk", CharField()), Value("@koers.invalid")),
        first_name="",
        last_name="",
        is_active=False,
        password=UNUSABLE,
    )
    Invitation.objects.filter(student_id__in=student_ids).delete()
    RightsRequest.objects.filter(student_id__in=student_ids).update(
        field="", **cleared("answer", required=("note",))
    )


def register():
    register_retention_hook(remove_portal_data)
