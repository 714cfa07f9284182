"""Every figure of every report against the hand-made data of tests/reports/conftest.py."""

from datetime import date

import pytest

from accounts.models import Region
from reports import figures
from reports.scope import Scope
from reports.tables import Count, Ratio, display

from .conftest import TODAY


def region_scope(**extra):
    region = Region.objects.get(name="Noord-Holland Noord")
    return Scope(school_year=2026, today=TODAY, region_id=region.pk, **extra)


def rows_by_first(table):
    return {row[0]: row for row in table.display_rows()}


def test_small_groups_are_suppressed_and_shares_show_numerator_and_denominator():
    assert display(Count(4)) == "< 5"
    assert display(Count(0)) == "0"
    assert display(Count(5)) == "5"
    assert display(Ratio(6, 17)) == "6 / 17 (35,3%)"
    assert display(Ratio(3, 17)) == "< 5 / 17"
    assert display(Ratio(3, 4)) == "< 5"
    assert display(Ratio(0, 0)) == "0 / 0"


def test_entree_outflow_per_cohort_counts_each_student_once_by_first_outcome(known):
    table = figures.entree_outflow(region_scope())
    row = rows_by_first(table)["2026-2027"]
    # Cohort, students, still enrolled, further, work, dagbesteding, praktijkleren, VSV,
    # unknown, still in monitoring. 24 students, 17 left.
    assert row == [
        "2026-2027",
        "24",
        "7",
        "6 / 17 (35,3%)",
        "5 / 17 (29,4%)",
        "< 5 / 17",
        "0 / 17 (0,0%)",
        "< 5 / 17",
        "< 5 / 17",
        "15",  # 17 left, minus 2 whose monitoring ended
    ]
    assert [r[0] for r in table.rows] == ["2023-2024", "2024-2025", "2025-2026", "2026-2027"]
    assert rows_by_first(table)["2025-2026"][1] == "0"
    raw = table.rows[-1]
    assert raw[5] == Ratio(2, 17)
    assert raw[7] == Ratio(1, 17)
    assert raw[8] == Ratio(3, 17)


def test_entree_outflow_for_the_school_includes_residents_of_other_regions(known, coordinator):
    horizon = coordinator.active_membership.organisation
    scope = Scope(school_year=2026, today=TODAY, institution_ids=[horizon.pk])
    raw = figures.entree_outflow(scope).rows[-1]
    assert raw[1] == Count(25)  # the Delft resident too
    assert raw[7] == Ratio(1, 18)  # VSV by the last sweep: only the NHN dropout has a status
    assert raw[8] == Ratio(4, 18)  # the Delft dropout has no outcome: unknown


def test_roadmap_timeliness_over_those_whose_date_has_passed(known):
    rows = figures.roadmap_timeliness(region_scope()).rows
    assert rows[0][1] == Ratio(10, 24)  # advice by the 16-week date (14 Dec 2026)
    # Perspective by 1 April 2027: 6 on the day, 2 before; 3 on 2 April are late.
    assert rows[1][1] == Ratio(8, 24)
    # Secured at the planned end: 6 further education, 5 work, 2 dagbesteding.
    assert rows[2][1] == Ratio(13, 24)


def test_roadmap_timeliness_denominator_waits_for_the_date(known):
    scope = region_scope()
    scope.today = date(2026, 12, 13)  # the day before the 16-week date
    rows = figures.roadmap_timeliness(scope).rows
    assert rows[0][1] == Ratio(0, 0)
    assert rows[2][1] == Ratio(0, 0)


def test_vsv_operational_count_on_a_date_with_splits(known):
    table = figures.vsv_operational(region_scope(on_date=TODAY))
    rows = [tuple(row) for row in table.rows]
    # 1 dropout, 3 unknown and 2 dagbesteding (Entree diploma, no work, past 1 Oct 2027);
    # the 5 working are exempt, the 6 in a level-2 programme and the 7 enrolled are not.
    assert rows[0][2] == Count(6)
    assert rows[1][2] == Count(1)  # the last sweep's status
    by_group = {(r[0], r[1]): r[2] for r in rows[2:]}
    assert by_group[("Leeftijd", "< 18")] == Count(1)
    assert by_group[("Leeftijd", "18-22")] == Count(5)
    assert by_group[("Niveau", "Entree (mbo 1)")] == Count(6)
    assert by_group[("Gemeente", "Alkmaar")] == Count(6)
    shown = {(r[0], r[1]): r[2] for r in table.display_rows()}
    assert shown[("Leeftijd", "< 18")] == "< 5"
    assert shown[("Leeftijd", "18-22")] == "5"


def test_vsv_graduates_are_in_transition_until_the_first_1_october(known):
    scope = region_scope(on_date=date(2027, 9, 30))
    assert figures.vsv_operational(scope).rows[0][2] == Count(1)  # only the dropout
    scope = region_scope(on_date=date(2027, 10, 1))
    assert figures.vsv_operational(scope).rows[0][2] == Count(6)


def test_vsv_school_scope_counts_the_delft_dropout_too(known, coordinator):
    horizon = coordinator.active_membership.organisation
    scope = Scope(school_year=2026, today=TODAY, institution_ids=[horizon.pk], on_date=TODAY)
    assert figures.vsv_operational(scope).rows[0][2] == Count(7)


def test_1_october_snapshot_new_vsv_by_age_level_and_municipality(known):
    table = figures.vsv_snapshot(region_scope())
    rows = {(r[0], r[1]): (r[2], r[3]) for r in table.rows}
    # Enrolled on 1 Oct 2026: 24 Entree + the mbo-4 student. Not enrolled on 1 Oct 2027:
    # dropout 1, unknown 3, dagbesteding 2, work 5 = 11; the mbo-4 graduate has an SK.
    assert rows[("Totaal", "")] == (Count(11), Ratio(11, 25))
    assert rows[("Leeftijd", "< 18")] == (Count(11), Ratio(11, 24))
    assert rows[("Leeftijd", "18-22")] == (Count(0), Ratio(0, 1))
    assert rows[("Niveau", "Entree (mbo 1)")] == (Count(11), Ratio(11, 24))
    assert rows[("Niveau", "Mbo 4")] == (Count(0), Ratio(0, 1))
    assert rows[("Gemeente", "Alkmaar")] == (Count(11), Ratio(11, 25))
    shown = {(r[0], r[1]): r[3] for r in table.display_rows()}
    assert shown[("Totaal", "")] == "11 / 25 (44,0%)"
    assert shown[("Niveau", "Mbo 4")] == "< 5"


def test_signals_per_kind_and_assignee(known):
    by_kind, by_assignee = figures.signals(region_scope())
    kinds = {row[0]: row[1:] for row in by_kind.rows}
    assert kinds["Studieadvies nodig"] == [Count(10), Count(5), Count(5), Ratio(4, 5)]
    assert kinds["Uitval"] == [Count(1), Count(1), Count(1), Ratio(0, 0)]
    assignees = {row[0]: row[1:] for row in by_assignee.rows}
    assert assignees["School"] == [Count(10), Count(5), Count(5), Ratio(4, 5)]
    assert assignees["Leerplicht"][0] == Count(1)
    assert rows_by_first(by_kind)["Uitval"][1] == "< 5"


def test_doorstroomtafel_discussed_decisions_with_lead_and_actions_on_time(known):
    table = figures.doorstroomtafel(region_scope())
    total, per_table = table.rows
    assert total == ["Totaal", Count(6), Ratio(5, 6), Ratio(5, 7)]
    assert per_table == ["Tafel Alkmaar", Count(6), Ratio(5, 6), Ratio(5, 7)]
    assert table.display_rows()[0][2] == "5 / 6 (83,3%)"


@pytest.fixture
def flexservice_here(settings):
    """The fixture's Flexservice data sit at Horizon: let its region run the measure."""
    settings.KOERS_FLEXSERVICE_REGIONS = ["Haaglanden", "Noord-Holland Noord"]


def test_flexservice_reuses_the_referrals_results(known, flexservice_here):
    table = figures.flexservice(region_scope())
    total = table.rows[0]
    # Supported 6 (no registrations), all at level 3; 4 of 6 retained, 2 of 2 routed.
    assert total[1] == Count(6)
    assert total[3] == Ratio(6, 6)
    assert total[7] == Ratio(4, 6)
    assert total[9] == Ratio(2, 2)
    assert total[10] == "boven doel"
    assert table.display_rows()[0][9] == "< 5"
    # The 1,995 is one total over the measure's period, beside the share elapsed.
    assert total[2].startswith("achter op doel (")
    assert "van de periode verstreken" in total[2]
    # The level 3-4 share is not flagged per level row.
    level_rows = [row for row in table.rows if str(row[0]).startswith("Niveau")]
    assert level_rows
    assert all(row[3] == "" and row[4] == "" for row in level_rows)


def test_a_region_that_does_not_run_the_flexservice_gets_no_flexservice_table(known):
    # Noord-Holland Noord does not run the measure (Haaglanden does): no "0 / 1995".
    assert figures.REPORTS["flexservice"](region_scope()) == []
    assert "flexservice" not in {table.key for table in figures.all_tables(region_scope())}


def test_flexservice_follows_the_location_and_level_filters(known, flexservice_here):
    def supported(**filters):
        scope = region_scope()
        for name, value in filters.items():
            setattr(scope, name, value)
        return figures.flexservice(scope).rows[0][1]

    assert supported(level="3") == Count(6)
    assert supported(level="4") == Count(0)
    assert supported(location="alkmaar") == Count(6)
    assert supported(location="Den Helder") == Count(0)


def test_the_chart_never_draws_a_suppressed_group(known):
    chart = figures.entree_outflow(region_scope()).chart()
    dagbesteding = next(d for d in chart["datasets"] if d["label"] == "Dagbesteding")
    assert dagbesteding["data"][-1] is None
    further = next(d for d in chart["datasets"] if d["label"] == "Vervolgopleiding")
    assert further["data"][-1] == 35.3
