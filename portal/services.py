"""Every write of the portal: keyword-only, atomic, logged (ids only, never a name,
BSN or free text in a log line)."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from accounts.models import OrganisationKind, User
from accounts.notifications import NotificationKind, notify_organisation
from students.dates import add_months, age_on
from students.models import AccessLog
from students.services import access_log

from .models import DataCopy, Invitation, Passkey, RightsRequest, SignIn, StudentAccount

if TYPE_CHECKING:
    from accounts.models import Organisation
    from referrals.models import Referral
    from students.models import Disclosure, Student

logger = logging.getLogger("koers.portal")
security_logger = logging.getLogger("koers.security")

COPY_HOURS = 24
# The fields a student may ask to correct (named, so the coordinator knows what).
CORRECTABLE_FIELDS = {
    "first_name": gettext_lazy("voornaam"),
    "last_name": gettext_lazy("achternaam"),
    "date_of_birth": gettext_lazy("geboortedatum"),
    "municipality": gettext_lazy("woonplaats"),
    "email": gettext_lazy("e-mailadres"),
    "phone": gettext_lazy("telefoonnummer"),
    "prior_education": gettext_lazy("vooropleiding"),
    "enrolment": gettext_lazy("inschrijving of opleiding"),
    "route": gettext_lazy("stappen van mijn route"),
    "other": gettext_lazy("iets anders"),
}


class PortalRefused(Exception):
    """A refusal the page shows to the person (a Dutch sentence)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def correctable_fields() -> list[tuple[str, Any]]:
    return list(CORRECTABLE_FIELDS.items())


# --- Invitations --------------------------------------------------------------------------


def invitation_days() -> int:
    return getattr(settings, "KOERS_PORTAL_INVITATION_DAYS", 7)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_refusal(*, student: Student, actor: User, today: date) -> str | None:
    """Why this student cannot be invited now (a sentence for the page), or None."""
    if not policy.student_invite_age_ok(age_on(student.date_of_birth, today)):
        return _(
            "Deze student is jonger dan 16. Jongere studenten zien hun dossier via school, "
            "samen met hun ouders."
        )
    if not student.email:
        return _("Er staat geen e-mailadres in het dossier. Vul dat eerst in.")
    if StudentAccount.objects.filter(student=student).exists():
        return _("Deze student heeft al een account.")
    if User.objects.filter(email__iexact=student.email).exists():
        return _("Dit e-mailadres hoort al bij een ander account. Kies een ander adres.")
    return None


@transaction.atomic
def invitation_create(
    *, student: Student, actor: User, today: date, accept_url_for: Callable[[str], str]
) -> Invitation:
    """Invite the student at the address in their file; returns the invitation. The
    link's token is sent once by e-mail and kept only as a hash."""
    if not policy.can_invite_student(actor, student):
        raise PortalRefused(_("U mag deze student niet uitnodigen."))
    reason = invitation_refusal(student=student, actor=actor, today=today)
    if reason:
        raise PortalRefused(reason)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        student=student,
        email=student.email.lower(),
        token_hash=_hash(token),
        invited_by=actor,
        invited_by_organisation=actor.active_membership.organisation,
        expires_at=timezone.now() + timedelta(days=invitation_days()),
    )
    url = accept_url_for(token)
    body = render_to_string(
        "portal/invitation_email.txt",
        {"url": url, "days": invitation_days(), "school": invitation.invited_by_organisation},
    )
    transaction.on_commit(
        lambda: send_mail(
            _("Je uitnodiging voor Koers"),
            body,
            settings.DEFAULT_FROM_EMAIL,
            [invitation.email],
        )
    )
    logger.info("invitation %s for student %s by user %s", invitation.pk, student.pk, actor.pk)
    return invitation


def invitation_for_token(token: str | None, *, now: datetime | None = None) -> Invitation | None:
    """The open invitation of this token, or None (unknown, used or expired)."""
    invitation = (
        Invitation.objects.filter(token_hash=_hash(token or "")).select_related("student").first()
    )
    if invitation is None or not invitation.is_open(now):
        return None
    return invitation


@transaction.atomic
def account_create(*, invitation: Invitation, password: str | None = None) -> StudentAccount:
    """The student's account, made from an open invitation (once)."""
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).update(accepted_at=timezone.now())
    if not claimed:
        raise PortalRefused(_("Deze uitnodiging is verlopen of al gebruikt."))
    if StudentAccount.objects.filter(student_id=invitation.student_id).exists() or (
        User.objects.filter(email__iexact=invitation.email).exists()
    ):
        raise PortalRefused(_("Er is al een account voor dit e-mailadres."))
    user = User.objects.create_user(invitation.email, password=password)
    account = StudentAccount.objects.create(user=user, student_id=invitation.student_id)
    logger.info("student account %s made from invitation %s", account.pk, invitation.pk)
    return account


@transaction.atomic
def passkey_add(
    *, account: StudentAccount, credential_id: str, public_key: bytes, sign_count: int
) -> Passkey:
    passkey = Passkey.objects.create(
        account=account, credential_id=credential_id, public_key=public_key, sign_count=sign_count
    )
    logger.info("passkey %s added to student account %s", passkey.pk, account.pk)
    return passkey


def passkey_used(*, passkey: Passkey, sign_count: int) -> None:
    Passkey.objects.filter(pk=passkey.pk).update(sign_count=sign_count, last_used_at=timezone.now())


def sign_in_record(*, account: StudentAccount, method: str) -> SignIn:
    row = SignIn.objects.create(account=account, method=method)
    security_logger.info("portal sign-in %s of student account %s (%s)", row.pk, account.pk, method)
    return row


# --- Consent ---------------------------------------------------------------------------


def consent_withdraw(*, account: StudentAccount, disclosure: Disclosure) -> Referral:
    """Withdraw the consent of a referral of the student's own (the referrals service:
    the receiver loses access, the disclosure log records it)."""
    from referrals.models import Referral
    from referrals.services import ReferralRefused, referral_consent_withdraw

    referral: Referral | None = (
        None
        if disclosure.source_id is None
        else Referral.objects.filter(pk=disclosure.source_id, student_id=account.student_id).first()
    )
    if referral is None or disclosure.student_id != account.student_id:
        raise PortalRefused(_("Deze toestemming kun je hier niet intrekken."))
    try:
        referral_consent_withdraw(
            referral=referral, actor=account.user, note=_("Ingetrokken door de jongere zelf.")
        )
    except ReferralRefused as refusal:
        raise PortalRefused(getattr(refusal, "message", str(refusal))) from None
    logger.info("consent of referral %s withdrawn by student account %s", referral.pk, account.pk)
    return referral


# --- Copy of the data (AVG art. 15) ------------------------------------------------------


@transaction.atomic
def data_copy_create(*, account: StudentAccount) -> DataCopy:
    copy = DataCopy.objects.create(
        account=account, expires_at=timezone.now() + timedelta(hours=COPY_HOURS)
    )
    transaction.on_commit(lambda: _send_copy(copy))
    logger.info("data copy %s asked by student account %s", copy.pk, account.pk)
    return copy


def _send_copy(copy: DataCopy) -> None:
    from .tasks import build_copy

    try:
        build_copy.delay(copy.pk)
    except Exception as error:  # the broker cannot take it: fail at once, say so
        logger.warning("data copy %s not queued: %s", copy.pk, type(error).__name__)
        DataCopy.objects.filter(pk=copy.pk, status=DataCopy.Status.QUEUED).update(
            status=DataCopy.Status.FAILED, finished_at=timezone.now()
        )


def _progress(copy: DataCopy, value: int) -> None:
    DataCopy.objects.filter(pk=copy.pk).update(progress=value)


def data_copy_build(*, copy_id: int) -> str:
    """Build the JSON and the PDF. Idempotent: only a queued copy is claimed."""
    from weasyprint import HTML

    from .copy import collect

    claimed = DataCopy.objects.filter(pk=copy_id, status=DataCopy.Status.QUEUED).update(
        status=DataCopy.Status.RUNNING, progress=5
    )
    if not claimed:
        return "skipped"
    copy = DataCopy.objects.select_related("account__student", "account__user").get(pk=copy_id)
    try:
        data = collect(
            copy.account.student, account=copy.account, progress=lambda v: _progress(copy, v)
        )
        _progress(copy, 70)
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        html = render_to_string("portal/copy_pdf.html", {"data": data})
        pdf = HTML(string=html).write_pdf()
        _progress(copy, 95)
        copy.json.save(f"kopie-{copy.public_id}.json", ContentFile(text.encode()), save=False)
        copy.pdf.save(f"kopie-{copy.public_id}.pdf", ContentFile(pdf), save=False)
        copy.status = DataCopy.Status.DONE
        copy.progress = 100
        copy.finished_at = timezone.now()
        copy.save(update_fields=["json", "pdf", "status", "progress", "finished_at"])
    except Exception as error:
        logger.warning("data copy %s failed: %s", copy.pk, type(error).__name__)
        DataCopy.objects.filter(pk=copy.pk).update(
            status=DataCopy.Status.FAILED, finished_at=timezone.now()
        )
        return "failed"
    # The copy holds the whole file: logged as an export on the student's own request.
    access_log(
        user=copy.account.user,
        action=AccessLog.Action.EXPORT,
        student=copy.account.student,
        detail="portal: copy on the student's own request",
    )
    logger.info("data copy %s built", copy.pk)
    return "done"


def data_copy_downloaded(*, copy: DataCopy, account: StudentAccount, fmt: str) -> None:
    access_log(
        user=account.user,
        action=AccessLog.Action.DOWNLOAD,
        student=account.student,
        detail=f"portal: own copy ({fmt})",
    )
    logger.info("data copy %s downloaded (%s) by student account %s", copy.pk, fmt, account.pk)


def data_copies_expire(*, now: datetime | None = None) -> int:
    """Remove the files of copies past their 24 hours (periodic and on every visit)."""
    now = now or timezone.now()
    count = 0
    for copy in DataCopy.objects.filter(expires_at__lte=now).exclude(
        status=DataCopy.Status.EXPIRED
    ):
        for field in (copy.pdf, copy.json):
            if field:
                field.delete(save=False)
        DataCopy.objects.filter(pk=copy.pk).update(status=DataCopy.Status.EXPIRED, pdf="", json="")
        count += 1
    return count


# --- Correction requests and objections (AVG art. 16, 21) ----------------------------------


def correction_organisation(student: Student, today: date) -> Organisation | None:
    """The coordinator's school (current enrolment), else the region's Doorstroompunt."""
    from .queries import current_enrolments, regional_organisation

    enrolments = current_enrolments(student, today)
    organisation: Organisation | None = (
        enrolments[0].institution
        if enrolments
        else regional_organisation(student, OrganisationKind.DOORSTROOMPUNT)
    )
    return organisation


@transaction.atomic
def rights_request_create(
    *,
    account: StudentAccount,
    kind: str,
    note: str,
    today: date,
    field: str = "",
    organisation: Organisation | None = None,
) -> RightsRequest:
    """A task for the organisation: nothing in the file changes by itself."""
    student = account.student
    note = (note or "").strip()
    if not note:
        raise PortalRefused(_("Schrijf kort wat er niet klopt of waarom je bezwaar maakt."))
    if kind == RightsRequest.Kind.CORRECTION:
        if field not in CORRECTABLE_FIELDS:
            raise PortalRefused(_("Kies welk gegeven niet klopt."))
        organisation = correction_organisation(student, today)
    elif kind == RightsRequest.Kind.OBJECTION:
        from .queries import organisations_concerned

        if organisation is None or organisation.pk not in {
            o.pk for o in organisations_concerned(student, today)
        }:
            raise PortalRefused(_("Kies de organisatie waartegen je bezwaar maakt."))
        field = ""
    else:
        raise PortalRefused(_("Onbekend soort verzoek."))
    if organisation is None:
        raise PortalRefused(_("Er is geen organisatie gevonden die je verzoek kan behandelen."))
    request = RightsRequest.objects.create(
        student=student,
        account=account,
        kind=kind,
        field=field,
        note=note,
        organisation=organisation,
        due_date=add_months(today, 1),
    )
    notify_organisation(
        organisation.pk,
        NotificationKind.CORRECTION_REQUEST,
        _("Een student vraagt om een correctie")
        if kind == RightsRequest.Kind.CORRECTION
        else _("Een student maakt bezwaar"),
        reverse("portal_staff:request", args=[request.pk]),
        roles=policy.RIGHTS_REQUEST_ANSWER_ROLES,
        student_id=student.pk,
    )
    logger.info(
        "rights request %s (%s) of student account %s to organisation %s",
        request.pk,
        kind,
        account.pk,
        organisation.pk,
    )
    return request


@transaction.atomic
def rights_request_answer(
    *, rights_request: RightsRequest, actor: User, answer: str
) -> RightsRequest:
    if not policy.can_answer_rights_request(actor, rights_request):
        raise PortalRefused(_("U kunt dit verzoek niet beantwoorden."))
    answer = (answer or "").strip()
    if not answer:
        raise PortalRefused(_("Schrijf een antwoord voor de student."))
    updated = RightsRequest.objects.filter(
        pk=rights_request.pk, status=RightsRequest.Status.OPEN
    ).update(
        status=RightsRequest.Status.ANSWERED,
        answer=answer,
        answered_at=timezone.now(),
        answered_by=actor,
    )
    if not updated:
        raise PortalRefused(_("Dit verzoek is al beantwoord."))
    # A staff action on the student's own request, logged as such.
    access_log(
        user=actor,
        action=AccessLog.Action.VIEW_STUDENT,
        student=rights_request.student,
        detail=f"portal: answered the student's own request {rights_request.pk}",
    )
    logger.info("rights request %s answered by user %s", rights_request.pk, actor.pk)
    rights_request.refresh_from_db()
    return rights_request
