"""The student file: students, enrolments, qualifications, employment, and the two logs
that privacy asks for (who changed what, and who looked at which file).

Every write goes through students.services; every scoped read through students.queries.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality, Organisation

from . import names
from .append_only import AppendOnlyError, AppendOnlyQuerySet
from .bsn import mask_bsn
from .queries import StudentQuerySet


def new_public_id():
    """A random identifier for URLs: never the database id, the BSN or the student number."""
    return secrets.token_urlsafe(9)


class PriorEducation(models.TextChoices):
    VO = "vo", _("Voortgezet onderwijs")
    VMBO = "vmbo", _("Vmbo")
    PRO = "pro", _("Praktijkonderwijs")
    VSO = "vso", _("Voortgezet speciaal onderwijs")
    HAVO = "havo", _("Havo")
    VWO = "vwo", _("Vwo")
    MBO = "mbo", _("Mbo")
    OTHER = "other", _("Anders")
    UNKNOWN = "unknown", _("Onbekend")


class Level(models.TextChoices):
    ENTREE = "entree", _("Entree (mbo 1)")
    MBO2 = "2", _("Mbo 2")
    MBO3 = "3", _("Mbo 3")
    MBO4 = "4", _("Mbo 4")
    VAVO = "vavo", _("Vavo")


class EndReason(models.TextChoices):
    DIPLOMA = "diploma", _("Diploma")
    DROPOUT = "dropout", _("Uitval")
    SWITCH = "switch", _("Overstap")
    OTHER = "other", _("Anders")


class QualificationType(models.TextChoices):
    VMBO = "vmbo", _("Vmbo")
    HAVO = "havo", _("Havo")
    VWO = "vwo", _("Vwo")
    PRO = "pro", _("Praktijkonderwijs-certificaat")
    VSO = "vso", _("Vso-certificaat")
    ENTREE = "entree", _("Entree-diploma")
    MBO = "mbo", _("Mbo-diploma")


class Student(models.Model):
    public_id = models.CharField(
        max_length=16, unique=True, default=new_public_id, editable=False, verbose_name=_("kenmerk")
    )
    student_number = models.CharField(_("studentnummer"), max_length=20, unique=True)
    first_name = models.CharField(_("voornaam"), max_length=100)
    last_name = models.CharField(_("achternaam"), max_length=100)
    # Derived from the names (students.names), never edited: the lists sort on the
    # surname without its tussenvoegsel and search without accents or case. Filled by
    # save(), bulk_create(), the services and the import's bulk paths.
    sort_name = models.CharField(_("sorteernaam"), max_length=300, default="", editable=False)
    search_name = models.CharField(_("zoeknaam"), max_length=300, default="", editable=False)
    date_of_birth = models.DateField(_("geboortedatum"))
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="students",
        verbose_name=_("woongemeente"),
    )
    bsn = models.CharField(_("BSN"), max_length=9, blank=True)
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    prior_education = models.CharField(
        _("vooropleiding"), max_length=10, choices=PriorEducation.choices, blank=True
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentees",
        verbose_name=_("mentor"),
    )
    # A mentor_email from the administration with no account yet (lower case): linked to
    # the student as soon as that address holds a mentor role at one of the student's
    # institutions (students.services.student_link_pending_mentor), never to anyone else.
    # A database default too: bulk loaders that write rows with COPY (the synthetic
    # population) need not know every column added later.
    pending_mentor_email = models.EmailField(
        _("mentor (nog zonder account)"), blank=True, editable=False, default="", db_default=""
    )
    # The institution whose import created this student (INTERFACES.md 1, "Acting for one
    # institution"): that import may update the student while it is enrolled nowhere else.
    created_by_institution = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("aangemaakt door de import van"),
    )
    # Optimistic locking: every write must name the version it read (students.services).
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("versie"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("gewijzigd op"))
    # Derived, never edited: the date the student first held a startkwalificatie (the
    # earliest diploma or certificate that counts), or empty. A date, not a yes/no, so it
    # never goes stale: "has one on D" is `startkwalificatie_on <= D`. The scopes read it
    # instead of scanning every enrolment and qualification per request (issue 16). One
    # writer: students.services.student_refresh_startkwalificatie, called on every change
    # of an enrolment or qualification (students.apps) and by the bulk loaders.
    startkwalificatie_on = models.DateField(
        _("startkwalificatie sinds"), null=True, blank=True, editable=False
    )
    # Derived, never edited: the ids of the institutions the student was ever enrolled
    # at, ascending (a JSON list; empty until the writer ran). A school's name search
    # narrows on it inside one index (student_school_search, PostgreSQL: the school and
    # the name's trigrams together) instead of rechecking and sorting every match in the
    # country (issue 16). The scope itself stays the enrolments (students.queries). Same
    # writer as the date above (students.services.student_refresh_startkwalificatie).
    institution_ids = models.JSONField(
        _("instellingen (afgeleid)"), null=True, blank=True, editable=False
    )

    objects = StudentQuerySet.as_manager()

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("studenten")
        indexes = [
            # The list's keyset order.
            models.Index(fields=["last_name", "first_name", "id"], name="student_name_order"),
            models.Index(fields=["sort_name", "id"], name="student_sort_order"),
            models.Index(fields=["municipality", "date_of_birth"], name="student_municipality_dob"),
            models.Index(
                fields=["mentor", "last_name", "first_name", "id"], name="student_mentor_order"
            ),
            models.Index(
                fields=["pending_mentor_email"],
                name="student_pending_mentor",
                condition=~models.Q(pending_mentor_email=""),
            ),
        ]
        # Trigram indexes for name search are created on PostgreSQL only (migrations 0002
        # and 0006).

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        # A derived column, not a workflow: kept equal to the names on every save.
        self.fill_derived_names()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.NAME_FIELDS):
            kwargs["update_fields"] = {*update_fields, *self.DERIVED_NAME_FIELDS}
        if (
            update_fields is None
            and not self._state.adding
            and not args
            and not kwargs.get("force_insert")
        ):
            # The stored startkwalificatie date and institutions have their own writer
            # (students.services): a save of a student loaded before a diploma or an
            # enrolment was recorded must not undo it.
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.WRITER_FIELDS
            ]
        super().save(*args, **kwargs)

    NAME_FIELDS = ("first_name", "last_name")
    WRITER_FIELDS = ("startkwalificatie_on", "institution_ids")
    DERIVED_NAME_FIELDS = ("sort_name", "search_name")

    @staticmethod
    def derived_names(first_name, last_name) -> dict:
        return {
            "sort_name": names.sort_name(first_name, last_name),
            "search_name": names.search_name(first_name, last_name),
        }

    def fill_derived_names(self):
        for name, value in self.derived_names(self.first_name, self.last_name).items():
            setattr(self, name, value)

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def masked_bsn(self):
        return mask_bsn(self.bsn)


class Enrolment(models.Model):
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("student")
    )
    institution = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="enrolments",
        limit_choices_to={"kind": "school"},
        verbose_name=_("instelling"),
    )
    location = models.CharField(_("locatie"), max_length=100, blank=True)
    programme = models.CharField(_("opleiding"), max_length=200)
    level = models.CharField(_("niveau"), max_length=10, choices=Level.choices)
    start_date = models.DateField(_("startdatum"))
    planned_end_date = models.DateField(_("geplande einddatum"), null=True, blank=True)
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    end_reason = models.CharField(
        _("reden einde"), max_length=10, choices=EndReason.choices, blank=True
    )
    # The class or cohort (INTERFACES.md 1, the import's `group` column; the coordinator
    # changes it in the caseload app). A database default too, for COPY loaders.
    group_name = models.CharField(
        _("klas of groep"), max_length=40, blank=True, default="", db_default=""
    )
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("versie"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("gewijzigd op"))

    class Meta:
        verbose_name = _("inschrijving")
        verbose_name_plural = _("inschrijvingen")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                "student", "institution", "programme", "start_date", name="enrolment_key"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="enrolment_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_end_date__isnull=True)
                | models.Q(planned_end_date__gte=models.F("start_date")),
                name="enrolment_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=(models.Q(end_date__isnull=True) & models.Q(end_reason=""))
                | (models.Q(end_date__isnull=False) & ~models.Q(end_reason="")),
                name="enrolment_end_reason_with_end_date",
            ),
            models.CheckConstraint(
                condition=~(models.Q(level="vavo") & models.Q(end_reason="diploma")),
                name="enrolment_vavo_no_diploma",
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "student"], name="enrolment_institution_student"),
            models.Index(fields=["student", "start_date"], name="enrolment_student_start"),
            models.Index(
                fields=["institution", "group_name"],
                name="enrolment_institution_group",
                condition=~models.Q(group_name=""),
            ),
        ]

    def __str__(self):
        return f"{self.programme} ({self.get_level_display()}), {self.institution}"

    def is_enrolled_on(self, day):
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class Qualification(models.Model):
    """A diploma or certificate obtained elsewhere (or recorded apart from an enrolment)."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("student")
    )
    type = models.CharField(_("soort"), max_length=10, choices=QualificationType.choices)
    level = models.PositiveSmallIntegerField(_("niveau"), null=True, blank=True)
    date = models.DateField(_("datum"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))

    class Meta:
        verbose_name = _("diploma of certificaat")
        verbose_name_plural = _("diploma's en certificaten")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                "student", "type", Coalesce("level", 0), "date", name="qualification_key"
            ),
            models.CheckConstraint(
                condition=(models.Q(type="mbo") & models.Q(level__in=[2, 3, 4]))
                | (~models.Q(type="mbo") & models.Q(level__isnull=True)),
                name="qualification_level_only_for_mbo",
            ),
        ]

    def __str__(self):
        label = self.get_type_display()
        return f"{label} {self.level}" if self.level else label


class Employment(models.Model):
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="employments", verbose_name=_("student")
    )
    employer = models.CharField(_("werkgever"), max_length=200)
    hours_per_week = models.DecimalField(_("uren per week"), max_digits=3, decimal_places=1)
    start_date = models.DateField(_("startdatum"))
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("versie"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("gewijzigd op"))

    class Meta:
        verbose_name = _("dienstverband")
        verbose_name_plural = _("dienstverbanden")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint("student", "employer", "start_date", name="employment_key"),
            models.CheckConstraint(
                condition=models.Q(hours_per_week__gte=0) & models.Q(hours_per_week__lte=60),
                name="employment_hours_0_60",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="employment_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.employer}, {self.hours_per_week} u/w"


class RecordChange(models.Model):
    """History: who changed which record of a student's file, when, and the old values.

    One table for the whole file, so the student's page reads the history in one query.
    The BSN is never stored here: a change to it is recorded as "changed" only.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("aangemaakt")
        UPDATE = "update", _("gewijzigd")
        DELETE = "delete", _("verwijderd")

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="changes", verbose_name=_("student")
    )
    record_type = models.CharField(max_length=50, verbose_name=_("soort gegeven"))
    record_id = models.BigIntegerField(verbose_name=_("nummer van het gegeven"))
    action = models.CharField(max_length=10, choices=Action.choices, verbose_name=_("actie"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    source = models.CharField(
        max_length=30, blank=True, verbose_name=_("bron")
    )  # "import", "web", "admin", ...
    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("tijdstip"))
    # {field: {"old": value, "new": value}}; values as shown (dates ISO, BSN masked out).
    changes = models.JSONField(default=dict, verbose_name=_("wijzigingen"))

    class Meta:
        verbose_name = _("wijziging")
        verbose_name_plural = _("wijzigingen")
        indexes = [models.Index(fields=["student", "-at"], name="change_student_at")]

    def __str__(self):
        return f"{self.record_type} {self.record_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class AccessLog(models.Model):
    """Append-only: every view of a student file, list page, export or import preview."""

    class Action(models.TextChoices):
        VIEW_STUDENT = "view_student", _("dossier bekeken")
        LIST_STUDENTS = "list_students", _("lijst of zoekresultaat bekeken")
        IMPORT_PREVIEW = "import_preview", _("importvoorbeeld bekeken")
        IMPORT_APPLY = "import_apply", _("import doorgevoerd")
        EXPORT = "export", _("export")
        DOWNLOAD = "download", _("download")
        VIEW_SPECIAL = "view_special", _("bijzondere gegevens bekeken")

    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("tijdstip"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("gebruiker"),
    )
    role = models.CharField(max_length=30, blank=True, verbose_name=_("rol"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("organisatie"),
    )
    action = models.CharField(max_length=30, choices=Action.choices, verbose_name=_("actie"))
    # One student for a file view; for lists and exports the ids of every student shown.
    student = models.ForeignKey(
        Student,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_logs",
        verbose_name=_("student"),
    )
    student_ids = models.JSONField(default=list, blank=True, verbose_name=_("studenten"))
    detail = models.CharField(max_length=200, blank=True, verbose_name=_("toelichting"))

    # Append-only (students/append_only.py; database triggers in migration 0004).
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("inzage")
        verbose_name_plural = _("inzagelog")
        indexes = [models.Index(fields=["student", "-at"], name="accesslog_student_at")]

    def __str__(self):
        return f"{self.action} by user {self.user_id} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the access log is append-only")


class ImportBatch(models.Model):
    """Uploaded administration files waiting for the coordinator's confirmation."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("voorbeeld")
        APPLIED = "applied", _("doorgevoerd")
        DISCARDED = "discarded", _("verworpen")

    public_id = models.CharField(
        max_length=16, unique=True, default=new_public_id, editable=False, verbose_name=_("kenmerk")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("geüpload door"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisatie")
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PREVIEW, verbose_name=_("status")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))
    applied_at = models.DateTimeField(null=True, blank=True, verbose_name=_("doorgevoerd op"))
    summary = models.JSONField(default=list, blank=True, verbose_name=_("samenvatting"))
    # Validated once, at upload (students.importing.batches): the preview page only reads
    # `preview` (errors, notices, counts, the changes per student); confirming applies the
    # kept `validated` rows when the files are still the ones validated (`files_digest`)
    # and the database still gives the same plan. Emptied once applied or discarded.
    files_digest = models.CharField(
        max_length=64, blank=True, verbose_name=_("vingerafdruk van de bestanden")
    )
    preview = models.JSONField(default=dict, blank=True, verbose_name=_("voorbeeld"))
    validated = models.BinaryField(null=True, blank=True, verbose_name=_("gecontroleerd"))

    class Meta:
        verbose_name = _("importbestand")
        verbose_name_plural = _("importbestanden")

    def __str__(self):
        return f"import {self.public_id} ({self.status})"


class ImportFile(models.Model):
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="files", verbose_name=_("importronde")
    )
    kind = models.CharField(
        max_length=20, verbose_name=_("soort")
    )  # students, enrolments, qualifications, employment
    name = models.CharField(
        max_length=50, verbose_name=_("naam")
    )  # the canonical base name, e.g. "students.csv"
    content = models.BinaryField(verbose_name=_("inhoud"))

    class Meta:
        verbose_name = _("importbestand")
        verbose_name_plural = _("importbestanden")
        constraints = [models.UniqueConstraint("batch", "kind", name="importfile_batch_kind")]

    def __str__(self):
        return self.name


class LegalBasis(models.TextChoices):
    WETTELIJKE_TAAK = "wettelijke_taak", _("Wettelijke taak")
    WVO_103B = "wvo_103b", _("WVO artikel 103b (overdracht vo naar mbo)")
    CONSENT = "consent", _("Toestemming")


class Disclosure(models.Model):
    """Every time student data crosses an organisation boundary (ACCESS.md): what was
    shared, by whom, with whom, when, and on which legal basis. Written by the apps that
    share (referrals, the Doorstroomtafel) through `students.services.disclosure_record`.
    """

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="disclosures", verbose_name=_("student")
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("tijdstip"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("van")
    )
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("aan")
    )
    # The section keys shared, e.g. ["contact", "roadmap_summary"]; labels come from the
    # app that shared them.
    sections = models.JSONField(_("gedeelde onderdelen"), default=list)
    legal_basis = models.CharField(_("grondslag"), max_length=20, choices=LegalBasis.choices)
    # For a legal task: the law and article ("Leerplichtwet art. 21a", ...).
    legal_reference = models.CharField(_("wettelijke grondslag"), max_length=200, blank=True)
    consent_given_by = models.CharField(_("toestemming gegeven door"), max_length=200, blank=True)
    consent_given_on = models.DateField(_("toestemming gegeven op"), null=True, blank=True)
    consent_withdrawn_at = models.DateTimeField(
        _("toestemming ingetrokken op"), null=True, blank=True
    )
    # What carried the data: "referral", "doorstroomtafel", ... and that record's id.
    source = models.CharField(max_length=30, verbose_name=_("bron"))
    source_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("nummer in de bron"))
    description = models.CharField(_("omschrijving"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("verstrekking")
        verbose_name_plural = _("verstrekkingen")
        indexes = [models.Index(fields=["student", "-at"], name="disclosure_student_at")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(legal_basis="consent")
                | (~models.Q(consent_given_by="") & models.Q(consent_given_on__isnull=False)),
                name="disclosure_consent_has_who_and_when",
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.from_organisation_id}->{self.to_organisation_id} {self.at:%Y-%m-%d}"


# --- Parents, guardians and the student's network (issue 19) ---------------------------


class GuardianRelation(models.TextChoices):
    PARENT = "parent", _("Ouder")
    GUARDIAN = "guardian", _("Voogd")
    OTHER = "other", _("Anders / netwerk")


class ParentalAuthority(models.TextChoices):
    YES = "yes", _("Ja")
    NO = "no", _("Nee")
    UNKNOWN = "unknown", _("Onbekend")


class StudentAgreement(models.TextChoices):
    NOT_ASKED = "", _("Niet gevraagd")
    YES = "yes", _("Ja")
    NO = "no", _("Nee")


class Guardian(models.Model):
    """A parent, guardian (wettelijk vertegenwoordiger) or other contact of the student's
    network. Shown to those who see the student's contact details; written through
    students.guardians; imported from guardians.csv (INTERFACES.md 1), keyed by
    (student, name, relation)."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("student")
    )
    name = models.CharField(_("naam"), max_length=200)
    relation = models.CharField(_("relatie"), max_length=10, choices=GuardianRelation.choices)
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    parental_authority = models.CharField(
        _("gezag"),
        max_length=10,
        choices=ParentalAuthority.choices,
        default=ParentalAuthority.UNKNOWN,
    )
    # Asked from 16: the student agreed that this person is involved.
    student_agreed = models.CharField(
        _("student (16+) stemt in met betrekken"),
        max_length=5,
        choices=StudentAgreement.choices,
        blank=True,
        default="",
    )
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("versie"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("gewijzigd op"))

    class Meta:
        verbose_name = _("ouder of contactpersoon")
        verbose_name_plural = _("ouders en contactpersonen")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("student", "name", "relation", name="guardian_key"),
            models.CheckConstraint(
                condition=models.Q(relation__in=GuardianRelation.values),
                name="guardian_relation_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(parental_authority__in=ParentalAuthority.values),
                name="guardian_authority_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_relation_display()})"
