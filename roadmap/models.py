"""The Entree roadmap ("Route naar succes", Noord-Holland Noord) as structured records.

One model per step, so every step has its own typed fields and database constraints.
Each step belongs to one Entree enrolment (one-to-one: a correction updates the record
in place and the history keeps the earlier version). Contact moments (work check-ins,
Doorstroompunt and Leerplicht contacts) are records of their own; the monitoring rules
read them.

Facts that the monitoring rules read (MONITORING.md section 2):
- step 2 logged, with `StudyAdviceStep.advice` (`continue` / `stop`);
- step 4 logged, with `PerspectiveStep.perspective` and `destination_place` (a next step
  is secured by a `dagbesteding` or `praktijkleren` perspective with a named place);
- `ContactMoment` of kind `work_checkin` and `dsp_contact`, by `date`.

Every write goes through roadmap.services; every scoped read through roadmap.queries.
ABA (step 3) is special-category data (ACCESS.md): its history lives in `AbaStepChange`,
never in the student's general history (students.RecordChange), so no page or export
built on that history can show it to a role that may not see it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from students.models import Employment, Enrolment, RecordChange, Student

HEALTH_WARNING = _(
    "Noteer hier geen gezondheids- of medische gegevens: daarvoor zijn aparte velden."
)


class StepKind(models.TextChoices):
    """The steps of the route, in the order of the timeline; the value is the URL slug."""

    START = "start", _("Stap 1 · Start")
    STUDY_ADVICE = "study-advice", _("Stap 2 · Studieadvies")
    ABA = "aba", _("Stap 3 · ABA (vrijwillig)")
    PERSPECTIVE = "perspective", _("Stap 4 · Uitstroomperspectief")
    WORK = "work", _("Stap 5a · Werk")
    FURTHER_EDUCATION = "further-education", _("Stap 5b · Vervolgopleiding")
    LEAVING = "leaving", _("Uitstroom zonder diploma")


class StepBase(models.Model):
    """What every step has: its enrolment, its date, who logged it, and a version."""

    date = models.DateField(_("datum"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("vastgelegd door"),
    )
    note = models.TextField(_("notitie"), blank=True, help_text=HEALTH_WARNING)
    # Optimistic locking: a correction names the version it read (roadmap.services).
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("versie"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("gewijzigd op"))

    kind: str = ""

    class Meta:
        abstract = True

    def __str__(self):
        return f"{StepKind(self.kind).label} ({self.date})"


class IntakeOrigin(models.TextChoices):
    PRO = "pro", _("Praktijkonderwijs")
    VSO = "vso", _("Voortgezet speciaal onderwijs")
    VO = "vo", _("Voortgezet onderwijs")
    DOORSTROOMPUNT = "doorstroompunt", _("Via het Doorstroompunt")
    OTHER = "other", _("Anders")


class StartStep(StepBase):
    """Step 1: the start of the Entree programme."""

    kind = StepKind.START

    enrolment = models.OneToOneField(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="start_step",
        verbose_name=_("inschrijving"),
    )
    intake_origin = models.CharField(
        _("instroom vanuit"), max_length=20, choices=IntakeOrigin.choices
    )
    warm_handover = models.BooleanField(_("warme overdracht"), default=False)
    handover_with = models.CharField(
        _("overdracht met"),
        max_length=200,
        blank=True,
        help_text=_("Bijvoorbeeld de vorige school."),
    )
    parents_present = models.BooleanField(_("ouders of netwerk aanwezig"), default=False)
    # Who of the student's parents and network was there (issue 19): only the student's
    # own contacts (roadmap.services.step_log checks it).
    present_guardians = models.ManyToManyField(
        "students.Guardian",
        blank=True,
        related_name="start_steps",
        verbose_name=_("aanwezige ouders of contactpersonen"),
    )
    transfer_system_loaded = models.BooleanField(
        _("ingeladen in Intergrip / Grip Connect"), default=False
    )
    transfer_system_reference = models.CharField(
        _("kenmerk in Intergrip / Grip Connect"), max_length=50, blank=True
    )
    lob_started_date = models.DateField(_("LOB fase 1a gestart op"), null=True, blank=True)

    class Meta:
        verbose_name = _("stap 1: start")
        verbose_name_plural = _("stap 1: start")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(intake_origin__in=IntakeOrigin.values),
                name="startstep_intake_origin_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(transfer_system_loaded=True)
                | models.Q(transfer_system_reference=""),
                name="startstep_reference_only_when_loaded",
            ),
        ]


class Advice(models.TextChoices):
    CONTINUE = "continue", _("Doorgaan met de opleiding")
    STOP = "stop", _("Stoppen met de opleiding")


class StudyAdviceStep(StepBase):
    """Step 2: the study advice conversation, 16 weeks after the start."""

    kind = StepKind.STUDY_ADVICE

    enrolment = models.OneToOneField(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="study_advice_step",
        verbose_name=_("inschrijving"),
    )
    advice = models.CharField(_("advies"), max_length=10, choices=Advice.choices)
    perspective_discussed = models.BooleanField(_("uitstroomperspectief besproken"), default=False)
    perspective_note = models.TextField(
        _("notitie over het uitstroomperspectief"), blank=True, help_text=HEALTH_WARNING
    )
    followup_meeting_date = models.DateField(
        _("overleg met Leerplicht en Doorstroompunt gepland op"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("stap 2: studieadvies")
        verbose_name_plural = _("stap 2: studieadviezen")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(advice__in=Advice.values), name="studyadvice_advice_valid"
            ),
        ]


class AbaDecision(models.TextChoices):
    APPLY = "apply", _("Aanvragen")
    NOT_NOW = "not_now", _("Nu niet")
    DECLINED = "declined", _("Afgezien")


class UwvOutcome(models.TextChoices):
    PENDING = "pending", _("In behandeling")
    INDICATIE = "indicatie", _("Indicatie banenafspraak")
    NO_INDICATIE = "no_indicatie", _("Geen indicatie")


class AbaStep(StepBase):
    """Step 3: a voluntary ABA (aanvraag beoordeling arbeidsvermogen).

    Special-category data: only the school's mentor and coordinator of this enrolment's
    institution see it (roadmap.queries.can_see_special), and every view is logged.
    `date` is the day it was discussed with the student (and parents).
    """

    kind = StepKind.ABA

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="aba_step", verbose_name=_("inschrijving")
    )
    decision = models.CharField(_("besluit"), max_length=10, choices=AbaDecision.choices)
    applied_date = models.DateField(_("aangevraagd op"), null=True, blank=True)
    uwv_outcome = models.CharField(
        _("uitkomst UWV"), max_length=15, choices=UwvOutcome.choices, blank=True
    )
    doelgroepregister = models.BooleanField(_("opgenomen in het doelgroepregister"), default=False)

    class Meta:
        verbose_name = _("stap 3: ABA")
        verbose_name_plural = _("stap 3: ABA")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=AbaDecision.values), name="aba_decision_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(decision="apply") | models.Q(applied_date__isnull=True),
                name="aba_applied_only_when_decided",
            ),
            models.CheckConstraint(
                condition=models.Q(applied_date__isnull=False) | models.Q(uwv_outcome=""),
                name="aba_outcome_only_when_applied",
            ),
        ]


class Perspective(models.TextChoices):
    WORK = "work", _("Werk")
    FURTHER_EDUCATION = "further_education", _("Vervolgopleiding")
    DAGBESTEDING = "dagbesteding", _("Dagbesteding")
    PRAKTIJKLEREN = "praktijkleren", _("Praktijkleren")


class PerspectiveStep(StepBase):
    """Step 4: the outflow perspective, discussed in spring with Leerplicht and the DSP."""

    kind = StepKind.PERSPECTIVE

    enrolment = models.OneToOneField(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="perspective_step",
        verbose_name=_("inschrijving"),
    )
    startpunt_involved = models.BooleanField(_("Jongeren Startpunt betrokken"), default=False)
    perspective = models.CharField(
        _("uitstroomperspectief"), max_length=20, choices=Perspective.choices
    )
    destination_place = models.CharField(
        _("plek"),
        max_length=200,
        blank=True,
        help_text=_("Werkgever, school, dagbestedingsplek of leerbedrijf, als die bekend is."),
    )
    alob_started_date = models.DateField(_("ALOB (fase 1b) gestart op"), null=True, blank=True)
    doorstroomtafel_agenda = models.BooleanField(
        _("op de agenda van de Doorstroomtafel"), default=False
    )

    class Meta:
        verbose_name = _("stap 4: uitstroomperspectief")
        verbose_name_plural = _("stap 4: uitstroomperspectieven")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(perspective__in=Perspective.values),
                name="perspective_value_valid",
            ),
        ]


class ContractType(models.TextChoices):
    PERMANENT = "permanent", _("Vast contract")
    FIXED_TERM = "fixed_term", _("Tijdelijk contract")
    ON_CALL = "on_call", _("Oproep- of nulurencontract")
    BBL = "bbl", _("Leerwerkovereenkomst (bbl)")
    OTHER = "other", _("Anders")


class WorkStep(StepBase):
    """Step 5a: work. `date` is the day werkbemiddeling light (phase 2) started.

    The employment itself is a students.Employment (the monitoring rules read that
    table); this step links it and adds what the roadmap records around it.
    """

    kind = StepKind.WORK

    enrolment = models.OneToOneField(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="work_step",
        verbose_name=_("inschrijving"),
    )
    employment = models.ForeignKey(
        Employment,
        on_delete=models.PROTECT,
        related_name="work_steps",
        verbose_name=_("dienstverband"),
    )
    contract_type = models.CharField(
        _("soort contract"), max_length=15, choices=ContractType.choices, blank=True
    )
    overgangsdocument_needed = models.BooleanField(
        _("overgangsdocument nodig (overdracht naar W&I)"), default=False
    )
    job_lost_date = models.DateField(_("baan verloren op"), null=True, blank=True)
    uwv_ww_checked = models.BooleanField(_("UWV (WW) nagegaan"), default=False)
    instrument_loonkostensubsidie = models.BooleanField(_("loonkostensubsidie"), default=False)
    instrument_jobcoach = models.BooleanField(_("jobcoach"), default=False)
    instrument_no_risk_polis = models.BooleanField(_("no-risk polis"), default=False)
    instrument_lkv = models.BooleanField(_("LKV (loonkostenvoordeel)"), default=False)
    doelgroepverklaring_date = models.DateField(
        _("doelgroepverklaring aangevraagd op"),
        null=True,
        blank=True,
        help_text=_("Voor het LKV: binnen 3 maanden na de start van het werk."),
    )

    class Meta:
        verbose_name = _("stap 5a: werk")
        verbose_name_plural = _("stap 5a: werk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(instrument_lkv=True)
                | models.Q(doelgroepverklaring_date__isnull=True),
                name="workstep_doelgroepverklaring_only_with_lkv",
            ),
        ]


class FurtherEducationStep(StepBase):
    """Step 5b: further education. `date` is the day the choice was made with the mentor."""

    kind = StepKind.FURTHER_EDUCATION

    enrolment = models.OneToOneField(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="further_education_step",
        verbose_name=_("inschrijving"),
    )
    programme = models.CharField(_("gekozen opleiding"), max_length=200)
    institution = models.CharField(_("school"), max_length=200, blank=True)
    registered_date = models.DateField(_("aangemeld op"), null=True, blank=True)
    handover_date = models.DateField(_("warme overdracht op"), null=True, blank=True)
    handover_with = models.CharField(_("overdracht aan"), max_length=200, blank=True)
    enrolment_confirmed_date = models.DateField(
        _("inschrijving bevestigd op"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("stap 5b: vervolgopleiding")
        verbose_name_plural = _("stap 5b: vervolgopleidingen")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(programme=""), name="furthereducation_programme_required"
            ),
        ]


class LeavingStep(StepBase):
    """Leaving without a diploma. `date` is the last day of enrolment."""

    kind = StepKind.LEAVING

    enrolment = models.OneToOneField(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="leaving_step",
        verbose_name=_("inschrijving"),
    )
    reason = models.CharField(_("reden"), max_length=200)
    doorstroomtafel_discussed = models.BooleanField(
        _("besproken aan de Doorstroomtafel"), default=False
    )
    alob_started_date = models.DateField(_("ALOB (fase 1b) gestart op"), null=True, blank=True)
    startpunt_involved = models.BooleanField(_("Jongeren Startpunt betrokken"), default=False)

    class Meta:
        verbose_name = _("uitstroom zonder diploma")
        verbose_name_plural = _("uitstroom zonder diploma")
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="leaving_reason_required"),
        ]


STEP_MODELS = {
    StepKind.START: StartStep,
    StepKind.STUDY_ADVICE: StudyAdviceStep,
    StepKind.ABA: AbaStep,
    StepKind.PERSPECTIVE: PerspectiveStep,
    StepKind.WORK: WorkStep,
    StepKind.FURTHER_EDUCATION: FurtherEducationStep,
    StepKind.LEAVING: LeavingStep,
}

# The reverse one-to-one accessor on Enrolment of each step.
STEP_RELATED_NAMES = {
    StepKind.START: "start_step",
    StepKind.STUDY_ADVICE: "study_advice_step",
    StepKind.ABA: "aba_step",
    StepKind.PERSPECTIVE: "perspective_step",
    StepKind.WORK: "work_step",
    StepKind.FURTHER_EDUCATION: "further_education_step",
    StepKind.LEAVING: "leaving_step",
}


class AbaStepChange(models.Model):
    """The history of ABA records, apart from the general history for privacy's sake."""

    aba_step = models.ForeignKey(
        AbaStep, on_delete=models.CASCADE, related_name="changes", verbose_name=_("ABA-stap")
    )
    action = models.CharField(_("actie"), max_length=10, choices=RecordChange.Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("door"),
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("tijdstip"))
    changes = models.JSONField(default=dict, verbose_name=_("wijzigingen"))

    class Meta:
        verbose_name = _("wijziging ABA")
        verbose_name_plural = _("wijzigingen ABA")
        indexes = [models.Index(fields=["aba_step", "-at"], name="abachange_step_at")]

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class StepConflict(models.Model):
    """A save that was refused because someone else saved the step first.

    Both versions are kept, so nothing typed is lost and the history shows the conflict.
    """

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="+", verbose_name=_("inschrijving")
    )
    kind = models.CharField(max_length=20, choices=StepKind.choices, verbose_name=_("soort"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("door"),
    )
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("tijdstip"))
    expected_version = models.PositiveIntegerField(null=True, verbose_name=_("gelezen versie"))
    current_version = models.PositiveIntegerField(null=True, verbose_name=_("huidige versie"))
    # {field: {"saved": value, "refused": value}} for the fields that differ.
    values = models.JSONField(default=dict, verbose_name=_("waarden"))

    class Meta:
        verbose_name = _("conflict bij opslaan")
        verbose_name_plural = _("conflicten bij opslaan")
        indexes = [models.Index(fields=["enrolment", "kind", "-at"], name="stepconflict_step_at")]

    def __str__(self):
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class ContactKind(models.TextChoices):
    WORK_CHECKIN = "work_checkin", _("Werkcheck (school)")
    DSP_CONTACT = "dsp_contact", _("Contact Doorstroompunt")
    LEERPLICHT_CONTACT = "leerplicht_contact", _("Contact Leerplicht")
    OTHER = "other", _("Ander gesprek")


class Channel(models.TextChoices):
    PHONE = "phone", _("Telefoon")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("Persoonlijk")
    VIDEO = "video", _("Video")
    OTHER = "other", _("Anders")


class ContactMoment(models.Model):
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="contact_moments", verbose_name=_("student")
    )
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_moments",
        verbose_name=_("inschrijving"),
    )
    kind = models.CharField(_("soort"), max_length=20, choices=ContactKind.choices)
    date = models.DateField(_("datum"))
    channel = models.CharField(_("kanaal"), max_length=10, choices=Channel.choices)
    note = models.TextField(_("notitie"), blank=True, help_text=HEALTH_WARNING)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("auteur"),
    )
    author_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisatie van de auteur"),
    )
    # Work check-ins only: is the student still working, and how many hours a week.
    still_working = models.BooleanField(_("werkt nog"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("uren per week"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))

    class Meta:
        verbose_name = _("contactmoment")
        verbose_name_plural = _("contactmomenten")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ContactKind.values), name="contact_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="work_checkin")
                | (models.Q(still_working__isnull=True) & models.Q(hours_per_week__isnull=True)),
                name="contact_work_fields_only_for_checkin",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_per_week__isnull=True)
                | (models.Q(hours_per_week__gte=0) & models.Q(hours_per_week__lte=60)),
                name="contact_hours_0_60",
            ),
        ]
        indexes = [
            models.Index(fields=["student", "-date", "-id"], name="contact_student_date"),
            models.Index(fields=["kind", "student", "date"], name="contact_kind_student_date"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"
