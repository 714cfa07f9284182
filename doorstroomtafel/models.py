"""The Doorstroomtafel (DOORSTROOMTAFEL.md): case tables, meetings, agenda items,
minutes, actions, addenda, proposals and the meeting's history.

Every write goes through doorstroomtafel.services; every scoped read through
doorstroomtafel.queries. The app reads monitoring's signals; monitoring never reads it.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from accounts.models import Location, Organisation, Region, SubRegion
from students.models import Student


def new_public_id():
    return secrets.token_urlsafe(9)


class ScopeKind(models.TextChoices):
    REGION = "region", _("Regio")
    SUBREGION = "subregion", _("Subregio")
    SCHOOL = "school", _("Locaties van een school")


class CaseTable(models.Model):
    """A standing case table: its scope decides which students it may discuss."""

    name = models.CharField(_("naam"), max_length=150, unique=True)
    scope_kind = models.CharField(_("werkgebied"), max_length=10, choices=ScopeKind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("regio")
    )
    subregion = models.ForeignKey(
        SubRegion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subregio"),
    )
    school = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "school"},
        verbose_name=_("school"),
    )
    # For a school's table: the locations it covers (none chosen: all of them).
    locations = models.ManyToManyField(
        Location, blank=True, related_name="+", verbose_name=_("locaties")
    )
    member_organisations = models.ManyToManyField(
        Organisation, related_name="case_tables", verbose_name=_("vaste deelnemende organisaties")
    )
    member_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="case_tables",
        verbose_name=_("vaste deelnemers"),
    )
    is_active = models.BooleanField(_("actief"), default=True)
    # Optimistic lock of the table's settings (scope, members): a stale save is refused.
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("versie"))

    class Meta:
        verbose_name = _("Doorstroomtafel")
        verbose_name_plural = _("Doorstroomtafels")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(scope_kind="subregion") | models.Q(subregion__isnull=False),
                name="casetable_subregion_scope_has_subregion",
            ),
            models.CheckConstraint(
                condition=~models.Q(scope_kind="school") | models.Q(school__isnull=False),
                name="casetable_school_scope_has_school",
            ),
        ]

    def __str__(self):
        return self.name


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("gepland")
    AGENDA_FINAL = "agenda_final", _("agenda definitief")
    HELD = "held", _("gehouden")
    MINUTES_FINAL = "minutes_final", _("verslag definitief")


# While a meeting is prepared and minuted, its members may see its students.
ACTIVE_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.AGENDA_FINAL, MeetingStatus.HELD)


class Meeting(models.Model):
    public_id = models.CharField(
        max_length=16, unique=True, default=new_public_id, editable=False, verbose_name=_("kenmerk")
    )
    table = models.ForeignKey(
        CaseTable,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("Doorstroomtafel"),
    )
    date = models.DateField(_("datum"))
    start_time = models.TimeField(_("aanvang"), null=True, blank=True)
    place = models.CharField(_("plaats"), max_length=200, blank=True)
    video_link = models.URLField(_("videolink"), blank=True)
    invited_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="invited_meetings",
        verbose_name=_("uitgenodigd"),
    )
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=MeetingStatus.choices,
        default=MeetingStatus.PLANNED,
    )
    # Bumped by every transition and every change of the details: the conditional UPDATE
    # that claims a change names the version the user read.
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("versie"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("aangemaakt door"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))
    agenda_final_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("agenda definitief op")
    )
    minutes_final_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("verslag definitief op")
    )

    class Meta:
        verbose_name = _("overleg")
        verbose_name_plural = _("overleggen")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=MeetingStatus.values), name="meeting_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["table", "date"], name="meeting_table_date")]

    def __str__(self):
        # What people read (a disclosure's description, the admin): a Dutch date.
        return f"{self.table} {date_format(self.date, 'j F Y')}"

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES


class ItemOrigin(models.TextChoices):
    SIGNAL = "signal", _("signaal")
    CARRIED_OVER = "carried_over", _("open uit vorig overleg")
    PROPOSAL = "proposal", _("voorstel mentor")
    MANUAL = "manual", _("toegevoegd")


class AgendaItem(models.Model):
    """One student on one meeting's agenda, and that item's minutes."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("bijeenkomst")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("student")
    )
    position = models.PositiveIntegerField(_("volgorde"))
    origin = models.CharField(_("herkomst"), max_length=15, choices=ItemOrigin.choices)
    reason = models.CharField(_("reden op de agenda"), max_length=300)
    preparation_note = models.TextField(
        _("voorbereidingsnotitie"),
        blank=True,
        help_text=_("Alleen wat de deelnemers nodig hebben; geen gezondheidsgegevens."),
    )
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("overgenomen van"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("toegevoegd door"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))
    # The minutes of this item.
    discussion = models.TextField(_("besproken"), blank=True)
    decision = models.TextField(_("besluit"), blank=True)
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regie bij organisatie"),
    )
    lead_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regie bij persoon"),
    )
    # Optimistic lock of the item (its place, preparation note and minutes).
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("versie"))

    class Meta:
        verbose_name = _("agendapunt")
        verbose_name_plural = _("agendapunten")
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint("meeting", "student", name="agendaitem_meeting_student"),
        ]
        indexes = [models.Index(fields=["student", "meeting"], name="agendaitem_student")]

    def __str__(self):
        return f"{self.meeting} #{self.position}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("gedaan")


class ActionItem(models.Model):
    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="actions", verbose_name=_("agendapunt")
    )
    what = models.CharField(_("wat"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="case_actions",
        verbose_name=_("wie"),
    )
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisatie")
    )
    due_date = models.DateField(_("uiterlijk op"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ActionStatus.choices,
        default=ActionStatus.OPEN,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("aangemaakt door"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("afgerond op"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("afgerond door"),
    )
    # Optimistic lock of the action (marking it done names the version the user read).
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("versie"))

    class Meta:
        verbose_name = _("actiepunt")
        verbose_name_plural = _("actiepunten")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_date"], name="action_owner_open"),
            models.Index(fields=["status", "due_date"], name="action_status_due"),
        ]

    def __str__(self):
        return self.what


class Addendum(models.Model):
    """A correction to finalised minutes: the minutes stay as they were."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="addenda", verbose_name=_("bijeenkomst")
    )
    item = models.ForeignKey(
        AgendaItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="addenda",
        verbose_name=_("agendapunt"),
    )
    text = models.TextField(_("aanvulling"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("auteur"),
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("tijdstip"))

    class Meta:
        verbose_name = _("addendum")
        verbose_name_plural = _("addenda")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.meeting} · {date_format(localtime(self.at), 'j F Y H:i')}"


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACCEPTED = "accepted", _("overgenomen")
    DECLINED = "declined", _("niet overgenomen")


class Proposal(models.Model):
    """A mentor's proposal to discuss a student at a planned meeting."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("bijeenkomst")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="+", verbose_name=_("student")
    )
    reason = models.CharField(_("reden"), max_length=300)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("voorgesteld door"),
    )
    proposed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("voorgesteld op"))
    status = models.CharField(
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.OPEN,
        verbose_name=_("status"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besloten door"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("besloten op"))

    class Meta:
        verbose_name = _("voorstel")
        verbose_name_plural = _("voorstellen")
        ordering = ["proposed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                "meeting",
                "student",
                condition=models.Q(status="open"),
                name="proposal_one_open_per_student",
            ),
        ]

    def __str__(self):
        return f"voorstel {self.student_id} voor {self.meeting_id}"


class MeetingChange(models.Model):
    """History of a meeting: who changed what, when, and the previous values."""

    class Action(models.TextChoices):
        CREATE = "create", _("gepland")
        UPDATE = "update", _("gegevens gewijzigd")
        STATUS = "status", _("status gewijzigd")
        PROPOSAL = "proposal", _("student voorgesteld")
        PROPOSAL_DECLINED = "proposal_declined", _("voorstel afgewezen")
        ITEM_ADD = "item_add", _("agendapunt toegevoegd")
        ITEM_REMOVE = "item_remove", _("agendapunt verwijderd")
        ITEM_MOVE = "item_move", _("agendapunt verplaatst")
        ITEM_NOTE = "item_note", _("voorbereidingsnotitie gewijzigd")
        MINUTES = "minutes", _("verslag vastgelegd")
        ACTION_ADD = "action_add", _("actie toegevoegd")
        ACTION_DONE = "action_done", _("actie afgerond")
        ADDENDUM = "addendum", _("aanvulling toegevoegd")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="changes", verbose_name=_("bijeenkomst")
    )
    item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agendapunt"),
    )
    action = models.CharField(_("actie"), max_length=30, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("tijdstip"))
    # {field: {"old": ..., "new": ...}}
    changes = models.JSONField(default=dict, blank=True, verbose_name=_("wijzigingen"))

    class Meta:
        verbose_name = _("wijziging overleg")
        verbose_name_plural = _("wijzigingen overleg")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["meeting", "at"], name="meetingchange_meeting_at")]

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"
