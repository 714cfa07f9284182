"""Who sees which report, and the filters of one report run.

Reports are for school coordinators (their institution) and regional coordinators
(their region, by the students' municipality of residence: the Doorstroompunt region is
where a young person lives). Every other role gets a 404, as for records outside scope.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import Organisation, OrganisationKind, Region, Role, SubRegion
from accounts.regions import flexservice_schools_q
from students.dates import school_year_of
from students.models import Enrolment, Level, Student

# The temporary table of reports.db.population_table.
POPULATION_TABLE = re.compile(r"reports_population_[0-9a-f]{16}")


def population_table_checked(name: str | None) -> str:
    """`name` when it is one of reports.db's temporary tables (a prefix and hex digits,
    never input), so it may be written into SQL; else ValueError."""
    if name is None or not POPULATION_TABLE.fullmatch(name):
        raise ValueError(f"not a population table: {name!r}")
    return name


@dataclass
class Scope:
    """One run of the reports: the school year and the filters, already limited to
    what the user (or the command line) may see."""

    school_year: int
    today: date
    region_id: int | None = None
    subregion_id: int | None = None
    institution_ids: list[int] | None = None  # None: every institution
    location: str = ""
    level: str = ""
    on_date: date | None = None  # the VSV operational count's date
    labels: dict = field(default_factory=dict)
    # While the figures are computed (reports.db.population_table): a temporary table
    # with the ids of `students()` and each one's facts, so the population is selected
    # (and its records read) once, not per figure; and beside it a table of the
    # population's enrolments (reports.figures.population_rows_sql).
    population_table: str | None = None
    population_rows: str | None = None

    @property
    def year_start(self):
        return date(self.school_year, 8, 1)

    @property
    def year_end(self):
        return date(self.school_year + 1, 7, 31)

    @property
    def vsv_date(self):
        return self.on_date or min(self.today, self.year_end)

    def municipality_q(self, prefix="") -> Q:
        q = Q()
        if self.region_id:
            q &= Q(**{f"{prefix}municipality__region_id": self.region_id})
        if self.subregion_id:
            q &= Q(**{f"{prefix}municipality__subregion_id": self.subregion_id})
        return q

    def enrolment_q(self, prefix="") -> Q:
        """Filters on an enrolment (institution, location, level)."""
        q = Q()
        if self.institution_ids is not None:
            q &= Q(**{f"{prefix}institution_id__in": self.institution_ids})
        if self.location:
            q &= Q(**{f"{prefix}location__iexact": self.location})
        if self.level:
            q &= Q(**{f"{prefix}level": self.level})
        return q

    def has_enrolment_filter(self):
        return self.institution_ids is not None or bool(self.location or self.level)

    def population_table_name(self) -> str:
        """The population table (columns pk, date_of_birth, municipality_id and the
        students' facts, reports.figures.population_facts_sql)."""
        return population_table_checked(self.population_table)

    def population_rows_name(self) -> str:
        """The population's enrolments (reports.figures.population_rows_sql), checked as
        population_table_name."""
        return population_table_checked(self.population_rows)

    def population_sql(self) -> str:
        """The SELECT of the population table's ids (SQL text without parameters)."""
        return f"SELECT pk FROM {self.population_table_name()}"  # noqa: S608  # nosec B608

    def _population(self):
        return RawSQL(self.population_sql(), ())  # noqa: S611  # nosec B611 - the ORM's own SQL

    def students(self):
        """Students in scope: living in the region / sub-region, and with an enrolment
        matching the institution, location and level filters."""
        if self.population_table:
            return Student.objects.filter(pk__in=self._population())
        return self.selected_students()

    def student_ids(self):
        """The ids of students(), for `student__in=`: the population table alone while it
        exists (no second read of the students' table)."""
        if self.population_table:
            return self._population()
        return self.students().values("pk")

    def selected_students(self):
        """students(), always selected from the students' tables (what the population
        table holds)."""
        queryset = Student.objects.filter(self.municipality_q())
        if self.has_enrolment_filter():
            queryset = queryset.filter(
                Exists(Enrolment.objects.filter(self.enrolment_q(), student=OuterRef("pk")))
            )
        return queryset

    def enrolments(self):
        """Enrolments matching the filters, of students living in the region: with the
        population table, the matching enrolments of its students (the same rows: such
        a student has an enrolment matching the filters)."""
        if self.population_table:
            return Enrolment.objects.filter(self.enrolment_q(), student_id__in=self._population())
        return Enrolment.objects.filter(self.enrolment_q(), self.municipality_q("student__"))

    def school_ids(self):
        """The ROCs whose Flexservice results count: only those of a region that runs the
        measure (accounts.regions), so another region's scope has none."""
        queryset = Organisation.objects.filter(
            flexservice_schools_q(), kind=OrganisationKind.SCHOOL
        )
        if self.institution_ids is not None:
            queryset = queryset.filter(pk__in=self.institution_ids)
        elif self.region_id:
            queryset = queryset.filter(region_id=self.region_id)
        return list(queryset.values_list("pk", flat=True))

    def signature(self) -> tuple:
        """Everything that decides the figures (not the labels): two scopes with the same
        signature have the same tables (reports.precompute keys its store on it)."""
        institutions = None if self.institution_ids is None else tuple(sorted(self.institution_ids))
        return (
            self.school_year,
            self.today.isoformat(),
            self.region_id,
            self.subregion_id,
            institutions,
            self.location.lower(),
            self.level,
            self.vsv_date.isoformat(),
        )

    def describe(self):
        """The filters in words, for file headers and the access log (no names of
        people): "Schooljaar 2026-2027 · Instelling: Horizon College"."""
        parts = [_("Schooljaar %(year)s") % {"year": f"{self.school_year}-{self.school_year + 1}"}]
        for key, word in (
            ("region", _("Regio")),
            ("subregion", _("Subregio")),
            ("institution", _("Instelling")),
            ("location", _("Locatie")),
            ("level", _("Niveau")),
        ):
            if self.labels.get(key):
                parts.append(f"{word}: {self.labels[key]}")
        return " · ".join(parts)


def report_membership(user):
    """The user's membership if it may see reports, else 404."""
    membership = getattr(user, "active_membership", None) if user.is_authenticated else None
    if membership is None or not policy.may_see_reports(membership):
        raise Http404("No reports for this role")
    return membership


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def scope_for(user, params, *, today=None) -> Scope:
    """The scope from the request's filters, limited to what the user may see."""
    membership = report_membership(user)
    return scope_for_membership(membership, params, today=today)


def scope_for_membership(membership, params, *, today=None) -> Scope:
    """The scope of a coordinator's membership (no user needed: the nightly precompute
    of reports.precompute builds the same scopes as the dashboard does)."""
    organisation = membership.organisation
    today = today or timezone.localdate()
    year = _int(params.get("jaar")) or school_year_of(today)
    on_date = None
    if params.get("peildatum"):
        try:
            on_date = date.fromisoformat(params["peildatum"])
        except ValueError:
            on_date = None
    scope = Scope(school_year=year, today=today, on_date=on_date)
    if membership.role == Role.SCHOOL_COORDINATOR:
        scope.institution_ids = [organisation.pk]
        scope.labels["institution"] = organisation.name
    else:
        scope.region_id = organisation.region_id
        scope.labels["region"] = organisation.region.name if organisation.region else ""
        institution = _int(params.get("instelling"))
        if (
            institution
            and Organisation.objects.filter(
                pk=institution, kind=OrganisationKind.SCHOOL, region_id=scope.region_id
            ).exists()
        ):
            scope.institution_ids = [institution]
            scope.labels["institution"] = Organisation.objects.get(pk=institution).name
    subregion = _int(params.get("subregio"))
    if (
        subregion
        and SubRegion.objects.filter(
            pk=subregion, region_id=scope.region_id or organisation.region_id
        ).exists()
    ):
        scope.subregion_id = subregion
        scope.labels["subregion"] = SubRegion.objects.get(pk=subregion).name
    scope.location = (params.get("locatie") or "").strip()[:100]
    scope.labels["location"] = scope.location
    if params.get("niveau") in Level.values:
        scope.level = params["niveau"]
        scope.labels["level"] = str(Level(scope.level).label)
    return scope


def scope_for_command(*, school_year, region_name="", today=None) -> Scope:
    """The command line's scope: a region or every student."""
    scope = Scope(school_year=school_year, today=today or timezone.localdate())
    if region_name:
        region = Region.objects.get(name__iexact=region_name)
        scope.region_id = region.pk
        scope.labels["region"] = region.name
    return scope


def filter_choices(user, scope):
    """Options for the filter form (sub-regions, institutions, locations) of the region."""
    membership = report_membership(user)
    region_id = membership.organisation.region_id
    institutions = Organisation.objects.filter(kind=OrganisationKind.SCHOOL, region_id=region_id)
    if membership.role == Role.SCHOOL_COORDINATOR:
        institutions = institutions.filter(pk=membership.organisation_id)
    return {
        "subregions": list(SubRegion.objects.filter(region_id=region_id).values_list("pk", "name")),
        "institutions": list(institutions.values_list("pk", "name")),
        "levels": Level.choices,
    }
