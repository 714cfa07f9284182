"""Reports read the other apps; the one table they own is the background export job.

A person-level list too large to stream while the coordinator waits is built by a Celery
task (reports.tasks.build_export) into a private file: under MEDIA_ROOT/exports, which no
URL serves; only the requester downloads it, through a view that checks and logs.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from students.models import AccessLog, new_public_id


class ExportStorage(FileSystemStorage):
    """MEDIA_ROOT/exports, read from the settings when used (tests move MEDIA_ROOT), and
    without a URL: `url()` raises, so no template can link to a file directly."""

    @cached_property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "exports")

    @cached_property
    def base_url(self):
        return None


export_storage = ExportStorage(directory_permissions_mode=0o700, file_permissions_mode=0o600)


def _export_storage():
    return export_storage


class ExportJob(models.Model):
    """One background export: who asked, in which role, with which filters, and how far
    the worker got. Status changes are conditional UPDATEs (reports.services)."""

    class Kind(models.TextChoices):
        STUDENTS = "students", _("studentenlijst met status")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", _("Excel (XLSX)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("in de wachtrij")
        RUNNING = "running", _("bezig")
        DONE = "done", _("klaar")
        FAILED = "failed", _("mislukt")
        EXPIRED = "expired", _("verlopen")

    public_id = models.CharField(
        max_length=16, unique=True, default=new_public_id, editable=False, verbose_name=_("kenmerk")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("aangevraagd door"),
    )
    # The role and organisation the scope is evaluated in when the worker runs.
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("rol")
    )
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.STUDENTS, verbose_name=_("soort")
    )
    format = models.CharField(
        max_length=4, choices=Format.choices, verbose_name=_("bestandsformaat")
    )
    # The report filters of the request (jaar, instelling, ...), never names or a BSN.
    params = models.JSONField(default=dict, blank=True, verbose_name=_("filters"))
    school_year = models.PositiveIntegerField(verbose_name=_("schooljaar"))
    description = models.CharField(
        max_length=200, blank=True, verbose_name=_("omschrijving")
    )  # Scope.describe()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, verbose_name=_("status")
    )
    # Each claim counts one up; only the claim holder may report progress or finish.
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("pogingen"))
    rows_done = models.PositiveIntegerField(default=0, verbose_name=_("rijen klaar"))
    rows_total = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("rijen totaal"))
    file = models.FileField(
        storage=_export_storage, max_length=100, blank=True, verbose_name=_("bestand")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("gestart op"))
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("laatste teken van leven")
    )
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("klaar op"))
    expires_at = models.DateTimeField(verbose_name=_("verloopt op"))
    error = models.CharField(max_length=200, blank=True, verbose_name=_("fout"))
    # The export's access-log row (every student in the file); a download repeats its ids.
    access_log = models.ForeignKey(
        AccessLog,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inzageregel"),
    )

    class Meta:
        verbose_name = _("exporttaak")
        verbose_name_plural = _("exporttaken")
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="exportjob_user_created"),
            models.Index(fields=["status", "expires_at"], name="exportjob_status_expires"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(file=""), name="exportjob_done_has_file"
            ),
        ]

    def __str__(self):
        return f"export {self.public_id} ({self.status})"

    @property
    def is_pending(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))
