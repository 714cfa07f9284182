"""Users, organisations, roles and the regional reference data.

A user holds a role at an organisation through a Membership; a person may hold several
and acts in one at a time (the active membership, chosen in the session). Everything
that decides what a user may see starts from that membership (students.queries).
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A Doorstroompunt (former RMC) region."""

    name = models.CharField(_("naam"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("regio")
        verbose_name_plural = _("regio's")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SubRegion(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="subregions", verbose_name=_("regio")
    )
    name = models.CharField(_("naam"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("subregio")
        verbose_name_plural = _("subregio's")
        ordering = ["name"]

    def __str__(self):
        return self.name


class MunicipalityQuerySet(models.QuerySet):
    def by_name(self, name):
        """Match a name or an alias case-insensitively ("Den Haag" is 's-Gravenhage)."""
        name = name.strip()
        return self.filter(models.Q(name__iexact=name) | models.Q(aliases__iexact=name))


class Municipality(models.Model):
    name = models.CharField(_("naam"), max_length=100, unique=True)
    # One alternative spelling that imports also accept, matched case-insensitively.
    aliases = models.CharField(_("andere naam"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("regio")
    )
    subregion = models.ForeignKey(
        SubRegion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="municipalities",
        verbose_name=_("subregio"),
    )
    # What the roadmap calls "Jongeren Startpunt" is called this here; empty where the
    # task lies with the Doorstroompunt or W&I.
    startpunt_name = models.CharField(_("naam Jongeren Startpunt"), max_length=100, blank=True)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="municipality_name_ci_unique"),
        ]

    def __str__(self):
        return self.name


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", _("School (mbo-instelling)")
    LEERPLICHT = "leerplicht", _("Leerplicht")
    DOORSTROOMPUNT = "doorstroompunt", _("Doorstroompunt")
    JONGEREN_STARTPUNT = "jongeren_startpunt", _("Jongeren Startpunt")
    WI = "wi", _("Werk en Inkomen")
    CARE = "care", _("Zorgpartner")
    REGION = "region", _("Regio")
    PLATFORM = "platform", _("Platform (functioneel beheer)")


class Organisation(models.Model):
    kind = models.CharField(_("soort"), max_length=30, choices=OrganisationKind.choices)
    name = models.CharField(_("naam"), max_length=150)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("regio"),
    )
    subregion = models.ForeignKey(
        SubRegion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("subregio"),
    )
    is_active = models.BooleanField(_("actief"), default=True)

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "kind", name="organisation_name_kind_unique"),
            models.CheckConstraint(
                condition=~models.Q(
                    kind__in=["school", "leerplicht", "doorstroompunt", "wi", "region"]
                )
                | models.Q(region__isnull=False),
                name="organisation_regional_kinds_have_region",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_school(self):
        return self.kind == OrganisationKind.SCHOOL


class Location(models.Model):
    """A school's location (vestiging)."""

    school = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="locations",
        limit_choices_to={"kind": OrganisationKind.SCHOOL},
        verbose_name=_("school"),
    )
    name = models.CharField(_("naam"), max_length=100)

    class Meta:
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")
        ordering = ["school__name", "name"]
        constraints = [
            models.UniqueConstraint("school", Lower("name"), name="location_school_name_unique"),
        ]

    def __str__(self):
        return f"{self.school} {self.name}"


class Role(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    SCHOOL_COORDINATOR = "school_coordinator", _("Schoolcoördinator")
    INTAKE_DESK = "intake_desk", _("Instroomloket")
    LEERPLICHT = "leerplicht", _("Leerplichtambtenaar")
    DOORSTROOMPUNT = "doorstroompunt", _("Doorstroompuntcoach")
    JONGEREN_STARTPUNT = "jongeren_startpunt", _("Jongeren Startpunt")
    WI = "wi", _("Consulent Werk en Inkomen")
    CARE = "care", _("Zorgpartner")
    REGIONAL_COORDINATOR = "regional_coordinator", _("Regiocoördinator")
    FUNCTIONAL_ADMIN = "functional_admin", _("Functioneel beheerder")


# Which organisation kind each role belongs to; Membership.clean() keeps this.
ROLE_ORGANISATION_KIND = {
    Role.MENTOR: OrganisationKind.SCHOOL,
    Role.SCHOOL_COORDINATOR: OrganisationKind.SCHOOL,
    Role.INTAKE_DESK: OrganisationKind.SCHOOL,
    Role.LEERPLICHT: OrganisationKind.LEERPLICHT,
    Role.DOORSTROOMPUNT: OrganisationKind.DOORSTROOMPUNT,
    Role.JONGEREN_STARTPUNT: OrganisationKind.JONGEREN_STARTPUNT,
    Role.WI: OrganisationKind.WI,
    Role.CARE: OrganisationKind.CARE,
    Role.REGIONAL_COORDINATOR: OrganisationKind.REGION,
    Role.FUNCTIONAL_ADMIN: OrganisationKind.PLATFORM,
}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A professional who logs in with an e-mail address."""

    email = models.EmailField(_("e-mailadres"), unique=True)
    first_name = models.CharField(_("voornaam"), max_length=100, blank=True)
    last_name = models.CharField(_("achternaam"), max_length=100, blank=True)
    is_active = models.BooleanField(_("actief"), default=True)
    is_staff = models.BooleanField(
        _("toegang tot beheer"),
        default=False,
        help_text=_("Functioneel beheerders beheren referentiegegevens en gebruikers."),
    )
    date_joined = models.DateTimeField(_("aangemaakt op"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    @staticmethod
    def active_memberships_query(memberships):
        """The active memberships among `memberships`, with what every page reads of
        them (also accounts.backends, which loads them with the user)."""
        return (
            memberships.filter(is_active=True, organisation__is_active=True)
            .select_related("organisation__region", "organisation__subregion")
            .order_by("pk")
        )

    @cached_property
    def memberships_list(self):
        return list(self.active_memberships_query(self.memberships.all()))

    @property
    def active_membership(self):
        """The membership the user acts in now (set per request by the middleware)."""
        chosen = getattr(self, "_active_membership_id", None)
        for membership in self.memberships_list:
            if chosen is None or membership.pk == chosen:
                return membership
        return None

    def set_active_membership(self, membership_id):
        self._active_membership_id = membership_id

    @property
    def role(self):
        membership = self.active_membership
        return membership.role if membership else None

    @property
    def organisation(self):
        membership = self.active_membership
        return membership.organisation if membership else None


class Membership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("gebruiker")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisatie"),
    )
    role = models.CharField(_("rol"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        constraints = [
            models.UniqueConstraint(
                "user", "organisation", "role", name="membership_user_org_role_unique"
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}, {self.organisation}"

    def clean(self):
        from django.core.exceptions import ValidationError

        expected = ROLE_ORGANISATION_KIND.get(self.role)
        if expected and self.organisation_id and self.organisation.kind != expected:
            raise ValidationError(
                {
                    "role": _("Deze rol hoort bij een organisatie van de soort %(kind)s.")
                    % {"kind": OrganisationKind(expected).label}
                }
            )


class UserSession(models.Model):
    """Which sessions belong to which user, so logout and deactivation can end them all
    without decoding every row of the session table."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("gebruiker")
    )
    session_key = models.CharField(max_length=40, unique=True, verbose_name=_("sessiesleutel"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("aangemaakt op"))

    class Meta:
        verbose_name = _("sessie")
        verbose_name_plural = _("sessies")

    def __str__(self):
        return f"session of user {self.user_id}"


# --- Notifications in the app (issue 19; accounts/notifications.py) -----------------------


class NotificationKind(models.TextChoices):
    """Every kind of notification, defined once; apps above call notify() with one."""

    REFERRAL_RECEIVED = "referral_received", _("Verwijzing ontvangen")
    ACTION_ASSIGNED = "action_assigned", _("Actie toegewezen")
    SIGNAL_ASSIGNED = "signal_assigned", _("Signaal toegewezen")
    AGENDA_FINAL = "agenda_final", _("Agenda definitief")
    CORRECTION_REQUEST = "correction_request", _("Correctieverzoek")


class Notification(models.Model):
    """One message for one user in the app: a kind, a short text without a name or BSN,
    and the internal page it links to (followed through a view that marks it read)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("gebruiker")
    )
    kind = models.CharField(_("soort"), max_length=30, choices=NotificationKind.choices)
    text = models.CharField(_("tekst"), max_length=200)
    # An internal path ("/verwijzingen/..."), never a full URL: checked when created and
    # again when followed (accounts.notifications.safe_target).
    url = models.CharField(_("pagina"), max_length=300)
    # The student it is about, as a plain id (accounts is below students): the name is
    # looked up at display time within the reader's scope, and retention removes the row.
    student_id = models.BigIntegerField(_("student"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    read_at = models.DateTimeField(_("gelezen op"), null=True, blank=True)

    class Meta:
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_created"),
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notification_user_unread",
            ),
        ]

    def __str__(self):
        return f"{self.kind} for user {self.user_id}"


class NotificationSettings(models.Model):
    """Which kinds a user does NOT want in the daily e-mail (no row: every kind mailed,
    and a kind added later is mailed until the user turns it off)."""

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("gebruiker"),
    )
    not_mailed = models.JSONField(_("niet per e-mail"), default=list, blank=True)
    changed_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("instelling voor meldingen")
        verbose_name_plural = _("instellingen voor meldingen")

    def __str__(self):
        return f"notification settings of user {self.user_id}"
