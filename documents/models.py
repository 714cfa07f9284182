"""Documents attached to a student's file (issue 19, part 3).

A document belongs to one student and, optionally, to one thing of that student's file:
a roadmap step, a referral (then it is shared with the receiver, and part of the
referral's disclosure record) or an item of a case-table meeting. The file itself lives
in a private folder (settings.KOERS_DOCUMENT_ROOT) under a random storage name; URLs use
the random `public_id`, never the title, the original file name or a BSN.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from doorstroomtafel.models import AgendaItem
from referrals.models import Referral
from roadmap.models import StepKind
from students.models import Enrolment, Student


def new_public_id():
    return secrets.token_urlsafe(12)


def new_storage_name():
    """The file's name on disk: random, no extension, nothing of the title or student."""
    return secrets.token_hex(20)


class FileKind(models.TextChoices):
    PDF = "pdf", _("PDF")
    PNG = "png", _("Afbeelding (PNG)")
    JPEG = "jpeg", _("Afbeelding (JPEG)")
    DOCX = "docx", _("Word-document")
    XLSX = "xlsx", _("Excel-werkmap")
    PPTX = "pptx", _("PowerPoint-presentatie")
    ODT = "odt", _("OpenDocument-tekst")
    ODS = "ods", _("OpenDocument-rekenblad")
    ODP = "odp", _("OpenDocument-presentatie")


class DocumentQuerySet(models.QuerySet):
    def present(self):
        """Documents not removed (a removed one keeps its row for the history)."""
        return self.filter(removed_at__isnull=True)


class Document(models.Model):
    public_id = models.CharField(
        max_length=20, unique=True, default=new_public_id, editable=False, verbose_name=_("kenmerk")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="documents", verbose_name=_("student")
    )
    title = models.CharField(_("titel"), max_length=120)
    kind = models.CharField(_("soort bestand"), max_length=10, choices=FileKind.choices)
    content_type = models.CharField(max_length=120, editable=False, verbose_name=_("bestandstype"))
    size = models.PositiveIntegerField(_("grootte in bytes"))
    storage_name = models.CharField(
        max_length=64,
        unique=True,
        default=new_storage_name,
        editable=False,
        verbose_name=_("opslag"),
    )
    sha256 = models.CharField(max_length=64, editable=False, verbose_name=_("controlegetal"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("toegevoegd door"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisatie")
    )
    uploaded_at = models.DateTimeField(_("toegevoegd op"), auto_now_add=True)
    # What it belongs to: at most one of a step, a referral or a meeting item.
    step_kind = models.CharField(_("stap"), max_length=20, choices=StepKind.choices, blank=True)
    step_enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inschrijving van de stap"),
    )
    referral = models.ForeignKey(
        Referral,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("verwijzing"),
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("bespreking op de Doorstroomtafel"),
    )
    # How the list and the history name what it belongs to, as written when attached.
    attached_to = models.CharField(_("hoort bij"), max_length=200, blank=True)
    removed_at = models.DateTimeField(_("verwijderd op"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verwijderd door"),
    )
    removal_reason = models.TextField(_("reden van verwijderen"), blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documenten")
        indexes = [models.Index(fields=["student", "-uploaded_at"], name="document_student_at")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(step_enrolment__isnull=True)
                    | (models.Q(referral__isnull=True) & models.Q(agenda_item__isnull=True))
                )
                & (models.Q(referral__isnull=True) | models.Q(agenda_item__isnull=True)),
                name="document_belongs_to_one",
            ),
            models.CheckConstraint(
                condition=~models.Q(removed_at__isnull=False) | ~models.Q(removal_reason=""),
                name="document_removed_has_reason",
            ),
        ]

    def __str__(self):
        return self.title
