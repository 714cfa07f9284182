"""Results of the Flexservice against its targets (REFERRALS.md, Maatregel 2).

Computed from the records with two aggregate queries (trajectories and intake
registrations, each grouped by ROC, location, level and school year), then added up in
Python per dimension: the number of queries does not depend on the number of records.

Definitions (shown on the page too):
- supported: maatwerk trajectories started plus young people registered at the intake
  desk, in the school year (1 August to 31 July); target 1,995 for the measure;
- share at levels 3 and 4: trajectories at level 3 or 4 plus registrations placed at
  level 3 or 4, over supported; target at least 40%;
- intake desk: registrations closed with a placement or a route outside education, over
  registrations closed with any outcome except "withdrawn"; band 40-70%;
- retained: ended trajectories with outcome "retained", over ended trajectories;
  band 50-75%;
- routed: ended trajectories routed to a fitting route, over ended trajectories that did
  not end retained (the young people who could not stay); band 40-70%.
"""

from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, When
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from students.dates import school_year_label
from students.models import Level

from .models import (
    FITTING_INTAKE_OUTCOMES,
    IntakeOutcome,
    IntakeRegistration,
    IntakeStatus,
    MaatwerkTrajectory,
    TrajectoryOutcome,
)

SUPPORTED_TARGET = 1995
HIGH_LEVELS = (Level.MBO3, Level.MBO4)
SHARE_HIGH_TARGET = 40
INTAKE_BAND = (40, 70)
RETAINED_BAND = (50, 75)
ROUTED_BAND = (40, 70)
DESK_LOCATION = _("Instroomloket")
UNKNOWN_LEVEL = "unknown"

BEHIND, ON, AHEAD, NO_DATA = "behind", "on", "ahead", "no_data"
STATUS_LABELS = {
    BEHIND: _("achter op doel"),
    ON: _("op doel"),
    AHEAD: _("boven doel"),
    NO_DATA: _("nog geen gegevens"),
}


def _school_year_expression(field_name):
    return Case(
        When(**{f"{field_name}__month__gte": 8}, then=ExtractYear(field_name)),
        default=ExtractYear(field_name) - 1,
        output_field=IntegerField(),
    )


def status_for_band(numerator, denominator, band):
    if not denominator:
        return NO_DATA
    low, high = band
    if numerator * 100 < low * denominator:
        return BEHIND
    if numerator * 100 > high * denominator:
        return AHEAD
    return ON


def status_for_minimum(numerator, denominator, minimum_percent):
    if not denominator:
        return NO_DATA
    return BEHIND if numerator * 100 < minimum_percent * denominator else ON


@dataclass
class Figure:
    numerator: int
    denominator: int
    status: str
    target: str

    @property
    def percent(self):
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


@dataclass
class Counts:
    trajectories: int = 0
    trajectories_high: int = 0
    ended: int = 0
    retained: int = 0
    routed: int = 0
    registrations: int = 0
    registrations_high: int = 0
    intake_closed: int = 0
    intake_fitting: int = 0

    def add(self, other):
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def supported(self):
        return self.trajectories + self.registrations

    def figures(self):
        high = self.trajectories_high + self.registrations_high
        not_retained = self.ended - self.retained
        return {
            "supported": Figure(
                self.supported,
                SUPPORTED_TARGET,
                BEHIND if self.supported < SUPPORTED_TARGET else ON,
                "1.995",
            ),
            "share_high": Figure(
                high,
                self.supported,
                status_for_minimum(high, self.supported, SHARE_HIGH_TARGET),
                "≥ 40%",
            ),
            "intake": Figure(
                self.intake_fitting,
                self.intake_closed,
                status_for_band(self.intake_fitting, self.intake_closed, INTAKE_BAND),
                "40–70%",
            ),
            "retained": Figure(
                self.retained,
                self.ended,
                status_for_band(self.retained, self.ended, RETAINED_BAND),
                "50–75%",
            ),
            "routed": Figure(
                self.routed,
                not_retained,
                status_for_band(self.routed, not_retained, ROUTED_BAND),
                "40–70%",
            ),
        }


@dataclass
class Results:
    school_year: int | None
    total: Counts = field(default_factory=Counts)
    by_school: dict = field(default_factory=dict)
    by_location: dict = field(default_factory=dict)
    by_level: dict = field(default_factory=dict)
    by_year: dict = field(default_factory=dict)

    def rows(self, dimension):
        groups = getattr(self, f"by_{dimension}")
        return [(label, counts.figures()) for label, counts in sorted(groups.items())]


def _trajectory_groups(school_ids):
    return (
        MaatwerkTrajectory.objects.filter(school_id__in=school_ids)
        .annotate(school_year=_school_year_expression("start_date"))
        .values("school__name", "location", "level", "school_year")
        .annotate(
            total=Count("id"),
            high=Count("id", filter=Q(level__in=HIGH_LEVELS)),
            ended=Count("id", filter=Q(end_date__isnull=False)),
            retained=Count("id", filter=Q(outcome=TrajectoryOutcome.RETAINED)),
            routed=Count("id", filter=Q(outcome=TrajectoryOutcome.ROUTED)),
        )
        .order_by()
    )


def _registration_groups(school_ids):
    return (
        IntakeRegistration.objects.filter(desk_id__in=school_ids)
        .annotate(school_year=_school_year_expression("registered_on"))
        .values("desk__name", "placed_level", "school_year")
        .annotate(
            total=Count("id"),
            high=Count("id", filter=Q(placed_level__in=HIGH_LEVELS)),
            closed=Count(
                "id",
                filter=Q(status=IntakeStatus.CLOSED) & ~Q(outcome=IntakeOutcome.WITHDRAWN),
            ),
            fitting=Count("id", filter=Q(outcome__in=FITTING_INTAKE_OUTCOMES)),
        )
        .order_by()
    )


def _level_label(level):
    if not level or level == UNKNOWN_LEVEL:
        return str(_("niveau onbekend"))
    return str(Level(level).label)


def compute_results(*, school_ids, school_year=None, location="", level=""):
    """Results for these ROCs; the ROC, location and level tables for one school year
    (None: all years), the school-year table always over all years.

    `location` and `level` (the reports' filters) keep only the trajectories at that
    location (case-insensitive) and level and the registrations placed at that level;
    the intake desk is no school location, so a location filter leaves its
    registrations out."""
    results = Results(school_year=school_year)
    location = location.strip().lower()

    def kept(row_location, row_level):
        if location and (row_location or "").strip().lower() != location:
            return False
        return not level or row_level == level

    def put(group_dict, key, counts):
        group_dict.setdefault(key, Counts()).add(counts)

    for row in _trajectory_groups(school_ids):
        counts = Counts(
            trajectories=row["total"],
            trajectories_high=row["high"],
            ended=row["ended"],
            retained=row["retained"],
            routed=row["routed"],
        )
        if not kept(row["location"], row["level"]):
            continue
        put(results.by_year, school_year_label(row["school_year"]), counts)
        if school_year is not None and row["school_year"] != school_year:
            continue
        results.total.add(counts)
        put(results.by_school, row["school__name"], counts)
        put(results.by_location, f"{row['school__name']} · {row['location']}", counts)
        put(results.by_level, _level_label(row["level"]), counts)
    for row in _registration_groups(school_ids):
        counts = Counts(
            registrations=row["total"],
            registrations_high=row["high"],
            intake_closed=row["closed"],
            intake_fitting=row["fitting"],
        )
        if not kept(None if location else "", row["placed_level"]):
            continue
        put(results.by_year, school_year_label(row["school_year"]), counts)
        if school_year is not None and row["school_year"] != school_year:
            continue
        results.total.add(counts)
        put(results.by_school, row["desk__name"], counts)
        put(results.by_location, f"{row['desk__name']} · {DESK_LOCATION}", counts)
        put(results.by_level, _level_label(row["placed_level"]), counts)
    return results
