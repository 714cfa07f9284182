"""The young person's own view (issue 18): student accounts, their passkeys and
sign-ins, the copy of their data, and their AVG requests (correction, objection).

A student account is a separate kind of account: a `User` without any membership,
linked to exactly one `Student`. It never holds a staff role; the boundary middleware
(portal.middleware) keeps it inside the portal.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from students.models import Student


def new_public_id():
    return secrets.token_urlsafe(12)[:16]


class StudentAccount(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student_account"
    )
    student = models.OneToOneField(Student, on_delete=models.CASCADE, related_name="account")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("studentaccount")
        verbose_name_plural = _("studentaccounts")

    def __str__(self):
        return f"student account {self.pk}"


class Invitation(models.Model):
    """An invitation sent by the mentor or coordinator; only the token's hash is kept."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")

    def __str__(self):
        return f"invitation {self.pk}"

    def is_open(self, now=None):
        return self.accepted_at is None and (now or timezone.now()) < self.expires_at


class Passkey(models.Model):
    account = models.ForeignKey(StudentAccount, on_delete=models.CASCADE, related_name="passkeys")
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")

    def __str__(self):
        return f"passkey {self.pk}"


class SignIn(models.Model):
    """Every sign-in of a student account (append-only by use: no service changes it)."""

    class Method(models.TextChoices):
        PASSKEY = "passkey", _("passkey")
        PASSWORD = "password", _("wachtwoord en code")

    account = models.ForeignKey(StudentAccount, on_delete=models.CASCADE, related_name="sign_ins")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=20, choices=Method.choices)

    class Meta:
        verbose_name = _("aanmelding")
        verbose_name_plural = _("aanmeldingen")

    def __str__(self):
        return f"sign-in {self.pk}"


class OrganisationPortalPolicy(models.Model):
    """An organisation's choice whether students see the names of its people in "Wie
    keek in mijn dossier" (default: role and organisation only)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="portal_policy"
    )
    show_person_names = models.BooleanField(_("namen van medewerkers tonen"), default=False)

    class Meta:
        verbose_name = _("inzagebeleid")
        verbose_name_plural = _("inzagebeleid")

    def __str__(self):
        return f"policy of organisation {self.organisation_id}"


class DataCopy(models.Model):
    """A copy of all data about the student (AVG art. 15), built in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("wacht")
        RUNNING = "running", _("bezig")
        DONE = "done", _("klaar")
        FAILED = "failed", _("mislukt")
        EXPIRED = "expired", _("verlopen")

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    account = models.ForeignKey(StudentAccount, on_delete=models.CASCADE, related_name="copies")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    pdf = models.FileField(upload_to="portal/copies/", blank=True)
    json = models.FileField(upload_to="portal/copies/", blank=True)

    class Meta:
        verbose_name = _("kopie van gegevens")
        verbose_name_plural = _("kopieën van gegevens")

    def __str__(self):
        return f"copy {self.public_id}"

    @property
    def is_pending(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class RightsRequest(models.Model):
    """A correction request (AVG art. 16) or an objection (art. 21). Changes no data."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("verzoek om correctie")
        OBJECTION = "objection", _("bezwaar")

    class Status(models.TextChoices):
        OPEN = "open", _("in behandeling")
        ANSWERED = "answered", _("beantwoord")

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="rights_requests")
    account = models.ForeignKey(
        StudentAccount, on_delete=models.SET_NULL, null=True, related_name="rights_requests"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    field = models.CharField(max_length=40, blank=True)
    note = models.TextField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    due_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("verzoek van een student")
        verbose_name_plural = _("verzoeken van studenten")
        indexes = [models.Index(fields=["organisation", "status"], name="rightsrequest_org_status")]

    def __str__(self):
        return f"{self.kind} {self.public_id}"
