"""Signals and the monitoring status: the state the daily sweep keeps (MONITORING.md).

A signal is identified by (student, kind, due date, enrolment): the unique constraint
`signal_identity` is what makes a repeated, retried or overlapping sweep harmless. A
signal that a person resolved or dismissed stays closed for good; one the rules closed
may be reopened by the rules when they want that same identity open again.

Every write goes through monitoring.services (people) or monitoring.signals_sync (the one
writer of every check's signals: the rules, referrals' reminders, the case table's).
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from students.models import Enrolment, Student


class SignalKind(models.TextChoices):
    """The kinds of MONITORING.md section 2. Other apps may store kinds of their own
    (with their own `source`), so the column is not limited to these values."""

    STUDY_ADVICE_DUE = "study_advice_due", _("Studieadvies nodig")
    PERSPECTIVE_DUE = "perspective_due", _("Uitstroomperspectief nodig")
    NO_NEXT_STEP = "no_next_step", _("Geen vervolgstap")
    DROPOUT = "dropout", _("Uitval")
    JOB_LOST = "job_lost", _("Baan verloren")
    NEXT_STEP_CHECK = "next_step_check", _("Vervolgstap nagaan")
    WORK_CHECKIN_DUE = "work_checkin_due", _("Werkcheck nodig")
    MONITORING_HANDOVER = "monitoring_handover", _("Overdracht monitoring")
    DSP_CHECKIN_DUE = "dsp_checkin_due", _("Contact Doorstroompunt nodig")


class Assignee(models.TextChoices):
    SCHOOL = "school", _("School")
    LEERPLICHT = "leerplicht", _("Leerplicht")
    DOORSTROOMPUNT = "doorstroompunt", _("Doorstroompunt")
    # A partner that received a referral (referrals raises its reminders to them).
    RECEIVER = "receiver", _("Ontvangende organisatie")


class SignalStatus(models.TextChoices):
    OPEN = "open", _("open")
    RESOLVED = "resolved", _("afgehandeld")
    DISMISSED = "dismissed", _("afgewezen")
    CLOSED = "closed", _("gesloten door de regels")


class ClosedReason(models.TextChoices):
    """Why the rules closed a signal (people give a note instead)."""

    RULES = "rules", _("niet meer van toepassing")
    AGE_LIMIT = "age_limit", _("leeftijdsgrens bereikt")
    STARTKWALIFICATIE = "startkwalificatie", _("startkwalificatie behaald")


# A person's decision is final for its identity; the rules never reopen it.
PERSON_CLOSED = (SignalStatus.RESOLVED, SignalStatus.DISMISSED)
MONITORING_SOURCE = "monitoring"

# Labels of the kinds other apps raise (referrals, the Doorstroomtafel), registered in
# their AppConfig.ready() so that monitoring shows them without importing those apps.
_other_kind_labels = {}


def register_signal_kind(kind: str, label):
    _other_kind_labels[kind] = label


def signal_kind_choices():
    """Every kind a signal can have: the rule book's and the registered ones."""
    return list(SignalKind.choices) + sorted(_other_kind_labels.items(), key=lambda c: str(c[1]))


# The rule book's kinds and their (lazy, translated when shown) labels, looked up once:
# every row of an attention list asks for its label.
_rule_kind_labels = dict(SignalKind.choices)


def signal_kind_label(kind: str):
    label = _rule_kind_labels.get(kind)
    if label is not None:
        return label
    return _other_kind_labels.get(kind, kind)


class Signal(models.Model):
    # No index of its own: signal_identity leads with the student (each index is one more
    # write per signal, and the sweep opens them by the 100,000).
    student = models.ForeignKey(
        Student,
        on_delete=models.CASCADE,
        related_name="signals",
        db_index=False,
        verbose_name=_("student"),
    )
    kind = models.CharField(_("soort"), max_length=40, choices=SignalKind.choices)
    # The app whose check owns this kind; the monitoring sweep only touches its own.
    source = models.CharField(max_length=30, default=MONITORING_SOURCE, verbose_name=_("bron"))
    assignee = models.CharField(_("voor"), max_length=20, choices=Assignee.choices)
    # The concrete organisation behind the assignee: the school of the enrolment (or the
    # student's latest school), or the Leerplicht / Doorstroompunt of the student's region.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signals",
        verbose_name=_("organisatie"),
        db_index=False,  # signal_org_open leads with the organisation
    )
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signals",
        verbose_name=_("inschrijving"),
        db_index=False,  # partial index below: only the enrolment signals have one
    )
    due_date = models.DateField(_("uiterlijk op"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SignalStatus.choices,
        default=SignalStatus.OPEN,
    )
    closed_reason = models.CharField(
        _("reden sluiten"), max_length=20, choices=ClosedReason.choices, blank=True
    )
    note = models.TextField(_("toelichting"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gesloten door"),
        db_index=False,  # partial index below: most signals are closed by the rules
    )
    opened_at = models.DateTimeField(_("geopend op"))
    closed_at = models.DateTimeField(_("gesloten op"), null=True, blank=True)
    # The person of the signal's organisation who handles it (issue 19): set by a person
    # only; the rules never touch it (closing or reopening keeps it).
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("behandelaar"),
        db_index=False,  # partial index below: most signals have no handler
    )

    class Meta:
        verbose_name = _("signaal")
        verbose_name_plural = _("signalen")
        constraints = [
            # MONITORING.md: "identified by student, kind and due date (plus the
            # enrolment, for the enrolment signals); at most one is open per identity".
            models.UniqueConstraint(
                "student", "kind", "due_date", Coalesce("enrolment", 0), name="signal_identity"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SignalStatus.values), name="signal_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | (~models.Q(status="open") & models.Q(closed_at__isnull=False)),
                name="signal_closed_at_when_closed",
            ),
        ]
        # Every index is one more write per signal the sweep opens: a student's signals are
        # found by signal_identity (student first), an organisation's by signal_org_open.
        indexes = [
            models.Index(fields=["organisation", "status", "due_date"], name="signal_org_open"),
            models.Index(
                fields=["enrolment"],
                name="signal_enrolment",
                condition=models.Q(enrolment__isnull=False),
            ),
            models.Index(
                fields=["closed_by"],
                name="signal_closed_by",
                condition=models.Q(closed_by__isnull=False),
            ),
            models.Index(
                fields=["handler"],
                name="signal_handler",
                condition=models.Q(handler__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.kind_label} ({self.due_date})"

    @property
    def kind_label(self):
        return signal_kind_label(self.kind)

    @property
    def is_open(self):
        return self.status == SignalStatus.OPEN


class SignalEvent(models.Model):
    """History of one signal: every opening, closing and change of hands."""

    class Action(models.TextChoices):
        OPENED = "opened", _("geopend")
        REOPENED = "reopened", _("heropend")
        CLOSED = "closed", _("gesloten door de regels")
        RESOLVED = "resolved", _("afgehandeld")
        DISMISSED = "dismissed", _("afgewezen")
        ASSIGNEE_CHANGED = "assignee_changed", _("andere behandelaar")
        HANDLER_ASSIGNED = "handler_assigned", _("toegewezen aan een behandelaar")

    # Indexed by signalevent_signal_at (signal first) and, for people only, by actor.
    signal = models.ForeignKey(
        Signal,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
        verbose_name=_("signaal"),
    )
    action = models.CharField(max_length=20, choices=Action.choices, verbose_name=_("actie"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("door"),
    )
    at = models.DateTimeField(verbose_name=_("tijdstip"))
    # For the rules: the run's date (D); for people: empty.
    for_date = models.DateField(null=True, blank=True, verbose_name=_("voor datum"))
    reason = models.CharField(max_length=20, blank=True, verbose_name=_("reden"))
    note = models.TextField(blank=True, verbose_name=_("notitie"))
    assignee = models.CharField(max_length=20, blank=True, verbose_name=_("voor"))

    class Meta:
        verbose_name = _("signaalgebeurtenis")
        verbose_name_plural = _("signaalgebeurtenissen")
        indexes = [
            models.Index(fields=["signal", "at"], name="signalevent_signal_at"),
            models.Index(
                fields=["actor"], name="signalevent_actor", condition=models.Q(actor__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class MonitoringStatus(models.Model):
    """The student's status by the last sweep, kept only for students who matter to
    monitoring (a leaving situation, VSV, an open signal, or ended after being in it).
    Rows change only when the status changes, so a daily run does not rewrite them."""

    student = models.OneToOneField(
        Student,
        on_delete=models.CASCADE,
        related_name="monitoring_status",
        primary_key=True,
        verbose_name=_("student"),
    )
    vsv = models.BooleanField(_("voortijdig schoolverlater"), default=False)
    in_target_group = models.BooleanField(_("in de doelgroep"), default=True)
    leaving_situation = models.CharField(
        max_length=20, blank=True, verbose_name=_("uitstroomsituatie")
    )
    monitoring_ended = models.BooleanField(_("monitoring beëindigd"), default=False)
    end_reason = models.CharField(
        max_length=20, blank=True, verbose_name=_("reden einde monitoring")
    )
    changed_on = models.DateField(_("gewijzigd voor datum"))

    class Meta:
        verbose_name = _("monitoringstatus")
        verbose_name_plural = _("monitoringstatussen")
        # Only the VSV students are looked up by it (the sweep writes the others too).
        indexes = [
            models.Index(fields=["vsv"], name="monitoringstatus_vsv", condition=models.Q(vsv=True))
        ]

    def __str__(self):
        return f"vsv={self.vsv} ended={self.monitoring_ended}"


class DigestSent(models.Model):
    """The claim on one user's daily digest: created before the e-mail is sent, and
    unique per user and day, so a repeated or overlapping run sends no second one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("gebruiker"),
    )
    date = models.DateField(verbose_name=_("datum"))
    signals = models.PositiveIntegerField(default=0, verbose_name=_("signalen"))
    sent_at = models.DateTimeField(auto_now_add=True, verbose_name=_("verstuurd op"))

    class Meta:
        verbose_name = _("verzonden dagoverzicht")
        verbose_name_plural = _("verzonden dagoverzichten")
        constraints = [models.UniqueConstraint("user", "date", name="digestsent_user_date")]

    def __str__(self):
        return f"{self.user_id} {self.date}"
