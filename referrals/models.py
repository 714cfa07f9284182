"""Warm handovers between organisations (referrals) and the Flexservice of the ROCs
(intake desk registrations and maatwerk trajectories), REFERRALS.md.

Every write goes through referrals.services; every scoped read through referrals.queries.
A referral carries a snapshot of exactly the sections the sender chose, taken when it is
sent: that snapshot is what the receiver sees after accepting, and what the disclosure
in the student's file describes.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality, Organisation
from students.dates import add_months
from students.models import Enrolment, LegalBasis, Level, Student

from .queries import ReferralQuerySet


def new_public_id():
    return secrets.token_urlsafe(9)


class Section(models.TextChoices):
    CONTACT = "contact", _("Contactgegevens")
    ROADMAP_SUMMARY = "roadmap_summary", _("Samenvatting van de route")
    STUDY_ADVICE = "study_advice", _("Studieadvies")
    PERSPECTIVE = "perspective", _("Uitstroomperspectief")
    SUPPORT_NEEDS = "support_needs", _("Ondersteuningsbehoefte")
    ABA = "aba", _("ABA en instrumenten")
    OVERGANGSDOCUMENT = "overgangsdocument", _("Overgangsdocument")


# Special-category data (ACCESS.md): only from the school, only to W&I, every view logged.
SPECIAL_SECTIONS = {Section.ABA, Section.OVERGANGSDOCUMENT}


class ReferralKind(models.TextChoices):
    GENERAL = "general", _("Warme overdracht")
    OVERGANGSDOCUMENT = "overgangsdocument", _("Overgangsdocument (naar W&I)")


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("concept")
    SENT = "sent", _("verstuurd")
    ACCEPTED = "accepted", _("geaccepteerd")
    REJECTED = "rejected", _("afgewezen")
    COMPLETED = "completed", _("afgerond")
    WITHDRAWN = "withdrawn", _("ingetrokken")


class ReferralOutcome(models.TextChoices):
    WORK = "work", _("Aan het werk")
    EDUCATION = "education", _("Naar (vervolg)onderwijs")
    SUPPORT = "support", _("Begeleiding of zorg gestart")
    DAGBESTEDING = "dagbesteding", _("Dagbesteding")
    NO_RESULT = "no_result", _("Geen resultaat")
    OTHER = "other", _("Anders")


class Referral(models.Model):
    public_id = models.CharField(
        max_length=16, unique=True, default=new_public_id, editable=False, verbose_name=_("kenmerk")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("student")
    )
    kind = models.CharField(
        _("soort"), max_length=20, choices=ReferralKind.choices, default=ReferralKind.GENERAL
    )
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_sent", verbose_name=_("van")
    )
    to_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("aan"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("aangemaakt door"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReferralStatus.choices,
        default=ReferralStatus.DRAFT,
    )
    # What the receiver reads before accepting: no name or other personal data.
    question = models.TextField(_("vraag aan de ontvanger"))
    support_needs = models.TextField(_("ondersteuningsbehoefte"), blank=True)
    sections = models.JSONField(_("gedeelde onderdelen"), default=list)
    legal_basis = models.CharField(_("grondslag"), max_length=20, choices=LegalBasis.choices)
    legal_reference = models.CharField(_("wettelijke grondslag"), max_length=200, blank=True)
    consent_given_by = models.CharField(_("toestemming gegeven door"), max_length=200, blank=True)
    consent_given_on = models.DateField(_("toestemming gegeven op"), null=True, blank=True)
    consent_withdrawn_at = models.DateTimeField(
        _("toestemming ingetrokken op"), null=True, blank=True
    )
    # The shared sections as they were when sent; the receiver reads only this.
    shared_data = models.JSONField(default=dict, blank=True, verbose_name=_("gedeelde gegevens"))
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besloten door"),
    )
    rejection_reason = models.TextField(_("reden van afwijzing"), blank=True)
    outcome = models.CharField(
        _("uitkomst"), max_length=20, choices=ReferralOutcome.choices, blank=True
    )
    outcome_note = models.TextField(_("toelichting uitkomst"), blank=True)
    completed_at = models.DateTimeField(_("afgerond op"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    # Optimistic locking: every change (a transition, the instruments) names the version
    # it read, so a stale page never overwrites someone else's change.
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("versie"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("verwijzing")
        verbose_name_plural = _("verwijzingen")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["to_organisation", "status"], name="referral_to_status"),
            models.Index(fields=["from_organisation", "status"], name="referral_from_status"),
            models.Index(fields=["status", "sent_at"], name="referral_status_sent"),
        ]
        constraints = [
            # One overgangsdocument per student at a time: a second one is refused
            # (referrals.services.OvergangsdocumentExists); a withdrawn or rejected one
            # does not count.
            models.UniqueConstraint(
                fields=["student"],
                condition=models.Q(kind="overgangsdocument")
                & ~models.Q(status__in=["withdrawn", "rejected"]),
                name="referral_one_overgangsdocument",
            ),
            models.CheckConstraint(
                condition=~models.Q(legal_basis="consent")
                | (~models.Q(consent_given_by="") & models.Q(consent_given_on__isnull=False)),
                name="referral_consent_has_who_and_when",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="referral_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | ~models.Q(outcome=""),
                name="referral_completed_has_outcome",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.public_id} ({self.status})"

    @property
    def consent_withdrawn(self):
        return self.consent_withdrawn_at is not None


class ReferralEvent(models.Model):
    """History: every transition of a referral, who did it and when."""

    class Action(models.TextChoices):
        CREATED = "created", _("aangemaakt")
        SENT = "sent", _("verstuurd")
        WITHDRAWN = "withdrawn", _("ingetrokken")
        ACCEPTED = "accepted", _("geaccepteerd")
        REJECTED = "rejected", _("afgewezen")
        COMPLETED = "completed", _("afgerond")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("toestemming ingetrokken")
        INSTRUMENTS = "instruments", _("instrumenten vastgelegd")

    referral = models.ForeignKey(
        Referral,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("verwijzing"),
    )
    action = models.CharField(_("gebeurtenis"), max_length=30, choices=Action.choices)
    from_status = models.CharField(
        _("van status"), max_length=10, blank=True, choices=ReferralStatus.choices
    )
    to_status = models.CharField(
        _("naar status"), max_length=10, blank=True, choices=ReferralStatus.choices
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisatie"),
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("tijdstip"))
    note = models.TextField(blank=True, verbose_name=_("notitie"))
    changes = models.JSONField(default=dict, blank=True, verbose_name=_("wijzigingen"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("gebeurtenis van een verwijzing")
        verbose_name_plural = _("gebeurtenissen van verwijzingen")

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class Overgangsdocument(models.Model):
    """Step 5a: the structured document that goes with a referral to W&I."""

    referral = models.OneToOneField(
        Referral,
        on_delete=models.CASCADE,
        related_name="overgangsdocument",
        verbose_name=_("verwijzing"),
    )
    situation = models.TextField(_("huidige situatie"))
    work_capacity = models.TextField(_("arbeidsvermogen"), blank=True)
    hour_limits = models.CharField(_("urenbeperking"), max_length=200, blank=True)
    wishes = models.TextField(_("wensen van de jongere"), blank=True)
    support_needed = models.TextField(_("benodigde ondersteuning"), blank=True)
    agreements = models.TextField(_("afspraken"), blank=True)
    contacts = models.TextField(_("contactpersonen"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))

    class Meta:
        verbose_name = _("overgangsdocument")
        verbose_name_plural = _("overgangsdocumenten")

    def __str__(self):
        return f"overgangsdocument {self.referral_id}"


class WorkInstruments(models.Model):
    """What W&I deploys after accepting an overgangsdocument (or any referral to W&I)."""

    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, related_name="instruments", verbose_name=_("verwijzing")
    )
    loonkostensubsidie = models.BooleanField(
        _("loonkostensubsidie"),
        default=False,
    )
    jobcoach = models.BooleanField(
        _("jobcoach"),
        default=False,
    )
    no_risk_polis = models.BooleanField(_("no-risk polis"), default=False)
    lkv = models.BooleanField(_("LKV (loonkostenvoordeel)"), default=False)
    job_start_date = models.DateField(_("startdatum baan"), null=True, blank=True)
    doelgroepverklaring_date = models.DateField(
        _("doelgroepverklaring aangevraagd op"), null=True, blank=True
    )
    note = models.TextField(_("toelichting"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("gewijzigd door"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("gewijzigd op"))

    class Meta:
        verbose_name = _("instrumenten van W&I")
        verbose_name_plural = _("instrumenten van W&I")

    def __str__(self):
        return f"instruments {self.referral_id}"

    @property
    def doelgroepverklaring_deadline(self):
        """The LKV needs the doelgroepverklaring within 3 months of the job start."""
        if not self.job_start_date:
            return None
        return add_months(self.job_start_date, 3)


# --- Flexservice: the intake desk ---------------------------------------------------


class ReferredBy(models.TextChoices):
    VO = "vo", _("Voortgezet onderwijs")
    LEERPLICHT = "leerplicht", _("Leerplicht / RMC / RBL")
    CARE = "care", _("Zorgpartner")
    SELF = "self", _("Zelf aangemeld")
    OTHER = "other", _("Anders")


class IntakeStatus(models.TextChoices):
    NEW = "new", _("nieuw")
    IN_INTAKE = "in_intake", _("in intake")
    IN_CONSULTATION = "in_consultation", _("in afstemming")
    CLOSED = "closed", _("geplaatst / afgesloten")


class IntakeOutcome(models.TextChoices):
    PLACED = "placed", _("Geplaatst in een opleiding")
    OUTSIDE_EDUCATION = "outside_education", _("Route buiten het onderwijs")
    REFERRED_ON = "referred_on", _("Doorverwezen")
    NO_ROUTE = "no_route", _("Geen route gevonden")
    WITHDRAWN = "withdrawn", _("Teruggetrokken")


# Outcomes that count as "led to a fitting route" for the target band.
FITTING_INTAKE_OUTCOMES = (IntakeOutcome.PLACED, IntakeOutcome.OUTSIDE_EDUCATION)


class OutsideRoute(models.TextChoices):
    WORK = "work", _("Werk")
    DAGBESTEDING = "dagbesteding", _("Dagbesteding")
    CARE = "care", _("Zorg")
    PRAKTIJKLEREN = "praktijkleren", _("Praktijkleren")


class IntakeRegistration(models.Model):
    """A young person at an intake desk; may exist before they are a student anywhere."""

    public_id = models.CharField(
        max_length=16, unique=True, default=new_public_id, editable=False, verbose_name=_("kenmerk")
    )
    desk = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="intake_registrations",
        verbose_name=_("instroomloket van"),
    )
    first_name = models.CharField(_("voornaam"), max_length=100)
    last_name = models.CharField(_("achternaam"), max_length=100)
    date_of_birth = models.DateField(_("geboortedatum"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("woongemeente")
    )
    referred_by = models.CharField(_("aangemeld door"), max_length=20, choices=ReferredBy.choices)
    referred_by_name = models.CharField(_("naam verwijzer"), max_length=200, blank=True)
    question = models.TextField(_("vraag"))
    situation = models.TextField(_("situatie"), blank=True)
    registered_on = models.DateField(_("aangemeld op"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=IntakeStatus.choices,
        default=IntakeStatus.NEW,
    )
    intake_date = models.DateField(_("intakedatum"), null=True, blank=True)
    intake_notes = models.TextField(_("verslag intake"), blank=True)
    consultation_partners = models.CharField(_("afgestemd met"), max_length=300, blank=True)
    outcome = models.CharField(
        _("uitkomst"), max_length=20, choices=IntakeOutcome.choices, blank=True
    )
    outcome_date = models.DateField(_("datum uitkomst"), null=True, blank=True)
    outside_route = models.CharField(
        _("soort route"), max_length=20, choices=OutsideRoute.choices, blank=True
    )
    place = models.CharField(_("plek"), max_length=200, blank=True)
    referred_to = models.CharField(_("doorverwezen naar"), max_length=200, blank=True)
    outcome_note = models.TextField(_("toelichting"), blank=True)
    placed_level = models.CharField(_("niveau"), max_length=10, choices=Level.choices, blank=True)
    student = models.ForeignKey(
        Student,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("student"),
    )
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inschrijving"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("aangemaakt door"),
    )
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("versie"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))

    class Meta:
        verbose_name = _("aanmelding instroomloket")
        verbose_name_plural = _("aanmeldingen instroomloket")
        ordering = ["registered_on", "id"]
        indexes = [models.Index(fields=["desk", "status"], name="intake_desk_status")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="closed") & ~models.Q(outcome=""))
                | (~models.Q(status="closed") & models.Q(outcome="")),
                name="intake_outcome_iff_closed",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"


# --- Flexservice: maatwerk trajectories ----------------------------------------------


class TrajectoryOutcome(models.TextChoices):
    RETAINED = "retained", _("Behouden voor het reguliere onderwijs")
    ROUTED = "routed", _("Naar een passende route binnen of buiten het onderwijs")
    DROPPED_OUT = "dropped_out", _("Uitgevallen")


class MaatwerkTrajectory(models.Model):
    public_id = models.CharField(
        max_length=16, unique=True, default=new_public_id, editable=False, verbose_name=_("kenmerk")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="+", verbose_name=_("student")
    )
    school = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("ROC")
    )
    location = models.CharField(_("locatie"), max_length=100)
    level = models.CharField(_("niveau"), max_length=10, choices=Level.choices)
    start_date = models.DateField(_("startdatum"))
    reason = models.TextField(_("reden"))
    expert = models.CharField(_("deskundige of partner"), max_length=200)
    goals = models.TextField(_("doelen"))
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    outcome = models.CharField(
        _("uitkomst"), max_length=20, choices=TrajectoryOutcome.choices, blank=True
    )
    routed_to = models.CharField(_("route naar"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("aangemaakt door"),
    )
    # Optimistic locking: a contact moment or the end names the version it read.
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("versie"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))

    class Meta:
        verbose_name = _("maatwerktraject")
        verbose_name_plural = _("maatwerktrajecten")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["school", "start_date"], name="trajectory_school_start")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(end_date__isnull=True) & models.Q(outcome=""))
                | (models.Q(end_date__isnull=False) & ~models.Q(outcome="")),
                name="trajectory_outcome_iff_ended",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="trajectory_end_after_start",
            ),
        ]

    def __str__(self):
        return f"maatwerk {self.public_id}"


class TrajectoryContact(models.Model):
    trajectory = models.ForeignKey(
        MaatwerkTrajectory,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("maatwerktraject"),
    )
    date = models.DateField(_("datum"))
    note = models.TextField(_("notitie"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("auteur"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))

    class Meta:
        verbose_name = _("contact in een maatwerktraject")
        verbose_name_plural = _("contacten in maatwerktrajecten")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"contact {self.date}"


class FlexEvent(models.Model):
    """History of intake registrations and trajectories: who did what, when, old values."""

    class Action(models.TextChoices):
        REGISTERED = "registered", _("aangemeld")
        INTAKE = "intake", _("intakegesprek vastgelegd")
        CONSULTATION = "consultation", _("overleg vastgelegd")
        CLOSED = "closed", _("afgesloten")
        STARTED = "started", _("traject gestart")
        CONTACT = "contact", _("contact vastgelegd")
        ENDED = "ended", _("traject beëindigd")

    registration = models.ForeignKey(
        IntakeRegistration,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("aanmelding"),
    )
    trajectory = models.ForeignKey(
        MaatwerkTrajectory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("maatwerktraject"),
    )
    action = models.CharField(_("gebeurtenis"), max_length=30, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("door"),
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("tijdstip"))
    changes = models.JSONField(default=dict, blank=True, verbose_name=_("wijzigingen"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("gebeurtenis van het instroomloket")
        verbose_name_plural = _("gebeurtenissen van het instroomloket")

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"
