"""The journal (issue 19, part 2): notes about a student, each with a confidentiality
level, editable by the author for a day and then locked, with addenda after that.

Who reads which note is accounts.policy's (`notes_visible_q`, `can_read_note`); the
history of a note lives here (NoteChange), not in the student's RecordChange, because
the student's page shows that history to everyone who sees the file.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.models import Organisation
from students.models import Guardian, Student


class NoteKind(models.TextChoices):
    CONVERSATION = "conversation", _("Gesprek")
    PHONE = "phone", _("Telefoongesprek")
    HOME_VISIT = "home_visit", _("Huisbezoek")
    EMAIL = "email", _("E-mail")
    OTHER = "other", _("Anders")


class Confidentiality(models.TextChoices):
    ORGANISATION = policy.NOTE_LEVEL_ORGANISATION, _("Mijn organisatie")
    FILE = (
        policy.NOTE_LEVEL_FILE,
        _("Alle organisaties die het hele dossier zien (school, Leerplicht, Doorstroompunt)"),
    )
    PRIVATE = policy.NOTE_LEVEL_PRIVATE, _("Alleen ik en mijn coördinator")


class Note(models.Model):
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="notes", verbose_name=_("student")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("geschreven door"),
    )
    # The organisation the author wrote for: "my organisation" and the coordinator's
    # reading of "only me and my coordinator" are about this one.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisatie")
    )
    date = models.DateField(_("datum"))
    kind = models.CharField(_("soort"), max_length=20, choices=NoteKind.choices)
    with_whom = models.CharField(_("met wie"), max_length=200, blank=True)
    guardians = models.ManyToManyField(
        Guardian, blank=True, related_name="notes", verbose_name=_("ouders of contactpersonen")
    )
    text = models.TextField(_("verslag"))
    level = models.CharField(_("vertrouwelijkheid"), max_length=20, choices=Confidentiality.choices)
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("versie"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("gewijzigd op"))

    class Meta:
        verbose_name = _("journaalnotitie")
        verbose_name_plural = _("journaalnotities")
        indexes = [models.Index(fields=["student", "-date", "-id"], name="note_student_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=NoteKind.values), name="note_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=Confidentiality.values), name="note_level_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.date})"


class NoteAddendum(models.Model):
    """An addition to a note (after it is locked, the only way to add to it)."""

    note = models.ForeignKey(
        Note, on_delete=models.CASCADE, related_name="addenda", verbose_name=_("notitie")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("geschreven door"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisatie")
    )
    text = models.TextField(_("aanvulling"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))

    class Meta:
        verbose_name = _("aanvulling")
        verbose_name_plural = _("aanvullingen")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.note_id} {self.created_at:%Y-%m-%d %H:%M}"


class NoteChange(models.Model):
    """History of a note: who wrote, changed or added to it, when, and the old values."""

    class Action(models.TextChoices):
        CREATE = "create", _("aangemaakt")
        UPDATE = "update", _("gewijzigd")
        ADDENDUM = "addendum", _("aanvulling toegevoegd")
        SHARE = "share", _("gedeeld met een verwijzing")

    note = models.ForeignKey(
        Note, on_delete=models.CASCADE, related_name="changes", verbose_name=_("notitie")
    )
    action = models.CharField(_("actie"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("tijdstip"))
    changes = models.JSONField(default=dict, verbose_name=_("wijzigingen"))

    class Meta:
        verbose_name = _("wijziging van een notitie")
        verbose_name_plural = _("wijzigingen van notities")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.note_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class NoteShare(models.Model):
    """A note shared with a referral (the spec: a note reaches a partner only "when shared
    in a referral"). The receiving organisation reads it (and its addenda) while it sees
    the referral's shared sections (accounts.policy.shared_referrals_q); the share is in
    the disclosure record on the referral's legal basis (referrals.services)."""

    note = models.ForeignKey(
        Note, on_delete=models.CASCADE, related_name="shares", verbose_name=_("notitie")
    )
    # referrals is a lower layer: casework may point at it, never the other way round.
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("verwijzing"),
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("gedeeld door"),
    )
    shared_at = models.DateTimeField(auto_now_add=True, verbose_name=_("gedeeld op"))

    class Meta:
        verbose_name = _("gedeelde notitie")
        verbose_name_plural = _("gedeelde notities")
        constraints = [
            models.UniqueConstraint(fields=["note", "referral"], name="note_share_once"),
        ]

    def __str__(self):
        return f"{self.note_id} → {self.referral_id}"
