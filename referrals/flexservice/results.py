"""Results of the Flexservice against its targets (REFERRALS.md, Maatregel 2).

Computed from the records with two aggregate queries (trajectories and intake
registrations, each grouped by ROC, location, level and school year), then added up in
Python per dimension: the number of queries does not depend on the number of records.

The measure and its targets belong to the region that runs it (accounts.regions,
REFERRALS.md "Results against the targets"): callers pass only that region's ROCs.

Definitions (shown on the page too):
- supported: maatwerk trajectories started plus young people registered at the intake
  desk; the target 1,995 is one total for the whole measure over its period (a setting,
  1 January 2026 to 31 December 2029 by default): the count since the period's start is
  on track when count / 1,995 >= the share of the period elapsed. Per school year and
  per group only the count is shown, without the target;
- share at levels 3 and 4: trajectories at level 3 or 4 plus registrations placed at
  level 3 or 4, over supported; target at least 40%, over all supported students of the
  selection (so not per level);
- intake desk: registrations closed with a placement or a route outside education, over
  registrations closed with any outcome except "withdrawn"; band 40-70%;
- retained: ended trajectories with outcome "retained", over ended trajectories;
  band 50-75%;
- routed: ended trajectories routed to a fitting route, over ended trajectories that did
  not end retained (the young people who could not stay); band 40-70%.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, IntegerField, Q, When
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.regions import flexservice_period
from students.dates import school_year_label
from students.models import Level

from ..models import (
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

BEHIND, ON, AHEAD, NO_DATA, NO_TARGET = "behind", "on", "ahead", "no_data", "no_target"
STATUS_LABELS = {
    BEHIND: _("achter op doel"),
    ON: _("op doel"),
    AHEAD: _("boven doel"),
    NO_DATA: _("nog geen gegevens"),
    # A count shown without a target (the 1,995 per group or year; levels 3-4 per level).
    NO_TARGET: "",
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


def elapsed_share(period, today: date) -> tuple[int, int]:
    """(days elapsed, days in the period), today included; 0 before the start."""
    start, end = period
    total = (end - start).days + 1
    elapsed = (min(today, end) - start).days + 1
    return max(0, min(elapsed, total)), total


def status_for_period(count, target, elapsed_days, total_days):
    """On track when count / target >= the share of the period elapsed."""
    if elapsed_days <= 0:
        return NO_DATA
    return ON if count * total_days >= target * elapsed_days else BEHIND


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
    # The share of the measure's period elapsed (%), for the 1,995 against the period.
    elapsed_percent: float | None = None

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
    # Supported within the measure's period (any school year): the 1,995's count.
    period_supported: int = 0

    def add(self, other):
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def supported(self):
        return self.trajectories + self.registrations

    def figures(self, *, period_target=None):
        """The figures of this group. The 1,995 is compared only when `period_target`
        (elapsed days, days in the period) is given: for the whole selection, with the
        count over the measure's period; elsewhere the count has no target."""
        high = self.trajectories_high + self.registrations_high
        not_retained = self.ended - self.retained
        if period_target is None:
            supported = Figure(self.supported, 0, NO_TARGET, "")
        else:
            elapsed, total = period_target
            supported = Figure(
                self.period_supported,
                SUPPORTED_TARGET,
                status_for_period(self.period_supported, SUPPORTED_TARGET, elapsed, total),
                "1.995",
                elapsed_percent=round(100 * elapsed / total, 1),
            )
        return {
            "supported": supported,
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
    period: tuple = ()
    today: date | None = None
    total: Counts = field(default_factory=Counts)
    by_school: dict = field(default_factory=dict)
    by_location: dict = field(default_factory=dict)
    by_level: dict = field(default_factory=dict)
    by_year: dict = field(default_factory=dict)

    def total_figures(self):
        """The selection's figures, with the 1,995 against the measure's period."""
        return self.total.figures(period_target=elapsed_share(self.period, self.today))

    def rows(self, dimension):
        groups = getattr(self, f"by_{dimension}")
        rows = [(label, counts.figures()) for label, counts in sorted(groups.items())]
        if dimension == "level":
            # The level 3-4 share is over all supported students of the selection: per
            # level it would only say whether the level is 3 or 4.
            for _label, figures in rows:
                figures["share_high"] = Figure(0, 0, NO_TARGET, "")
        return rows


def _trajectory_groups(school_ids, period):
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
            in_period=Count("id", filter=Q(start_date__range=period)),
        )
        .order_by()
    )


def _registration_groups(school_ids, period):
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
            in_period=Count("id", filter=Q(registered_on__range=period)),
        )
        .order_by()
    )


def _level_label(level):
    if not level or level == UNKNOWN_LEVEL:
        return str(_("niveau onbekend"))
    return str(Level(level).label)


def compute_results(*, school_ids, school_year=None, location="", level="", today=None):
    """Results for these ROCs; the ROC, location and level tables for one school year
    (None: all years), the school-year table always over all years.

    `location` and `level` (the reports' filters) keep only the trajectories at that
    location (case-insensitive) and level and the registrations placed at that level;
    the intake desk is no school location, so a location filter leaves its
    registrations out.

    The 1,995's count (`total.period_supported`) is over the measure's period, whatever
    the school year chosen; `today` says how much of the period has elapsed."""
    period = flexservice_period()
    results = Results(school_year=school_year, period=period, today=today or timezone.localdate())
    location = location.strip().lower()

    def kept(row_location, row_level):
        if location and (row_location or "").strip().lower() != location:
            return False
        return not level or row_level == level

    def put(group_dict, key, counts):
        group_dict.setdefault(key, Counts()).add(counts)

    for row in _trajectory_groups(school_ids, period):
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
        results.total.period_supported += row["in_period"]
        if school_year is not None and row["school_year"] != school_year:
            continue
        results.total.add(counts)
        put(results.by_school, row["school__name"], counts)
        put(results.by_location, f"{row['school__name']} · {row['location']}", counts)
        put(results.by_level, _level_label(row["level"]), counts)
    for row in _registration_groups(school_ids, period):
        counts = Counts(
            registrations=row["total"],
            registrations_high=row["high"],
            intake_closed=row["closed"],
            intake_fitting=row["fitting"],
        )
        if not kept(None if location else "", row["placed_level"]):
            continue
        put(results.by_year, school_year_label(row["school_year"]), counts)
        results.total.period_supported += row["in_period"]
        if school_year is not None and row["school_year"] != school_year:
            continue
        results.total.add(counts)
        put(results.by_school, row["desk__name"], counts)
        put(results.by_location, f"{row['desk__name']} · {DESK_LOCATION}", counts)
        put(results.by_level, _level_label(row["placed_level"]), counts)
    return results
