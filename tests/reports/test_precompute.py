"""Kept figures (reports.precompute): the nightly precompute, the page and its files read
the same tables, "Opnieuw berekenen" computes them anew, and a new day never reads
yesterday's figures."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import policy
from accounts.models import Membership
from reports import figures, precompute
from reports.scope import scope_for
from reports.tasks import precompute_dashboards
from tests.factories import EnrolmentFactory, StudentFactory, municipality

from .conftest import TODAY

DASHBOARD = "/rapportages/"


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr("reports.scope.timezone.localdate", lambda: TODAY)
    monkeypatch.setattr("reports.precompute.timezone.localdate", lambda: TODAY)


def _dropout():
    return EnrolmentFactory(
        student=StudentFactory(municipality=municipality("Alkmaar")),
        level="entree",
        start_date=TODAY.replace(year=2026, month=8, day=24),
        end_date=TODAY - timedelta(days=200),
        end_reason="dropout",
    )


def test_every_table_belongs_to_one_report(regio, fixed_today, settings):
    # The Flexservice table only where the region runs it: let this region run it here.
    settings.KOERS_FLEXSERVICE_REGIONS = ["Noord-Holland Noord"]
    tables = figures.all_tables(scope_for(regio, {"jaar": "2026"}))
    keys = {table.key for table in tables}
    assert keys == set().union(*figures.REPORT_TABLE_KEYS.values())
    assert set(figures.REPORT_TABLE_KEYS) == set(figures.REPORTS)


def test_second_visit_reads_the_kept_figures(known, regio, client, fixed_today):
    client.force_login(regio)
    first = client.get(DASHBOARD, {"jaar": 2026}).content.decode()
    with CaptureQueriesContext(connection) as computed:
        precompute.compute(scope_for(regio, {"jaar": "2026"}))
    with CaptureQueriesContext(connection) as queries:
        second = client.get(DASHBOARD, {"jaar": 2026}).content.decode()
    # The page's own queries (session, user, filter choices), none of the figures'.
    assert len(queries) < len(computed)
    assert "6 / 17 (35,3%)" in second
    assert "Cijfers berekend op" in first


def test_kept_figures_stay_until_recomputed(known, regio, client, fixed_today):
    """A change during the day shows after "Opnieuw berekenen" (or the next night)."""
    client.force_login(regio)
    scope = scope_for(regio, {"jaar": "2026"})
    before = precompute.tables_for(scope)
    outflow = next(t for t in before.tables if t.key == "entree_outflow")
    students_before = outflow.display_rows()[3][1]
    for _ in range(5):
        _dropout()
    assert precompute.tables_for(scope).tables[0].display_rows()[3][1] == students_before
    response = client.post(DASHBOARD + "?jaar=2026")
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD + "?jaar=2026"
    after = next(t for t in precompute.tables_for(scope).tables if t.key == "entree_outflow")
    assert int(after.display_rows()[3][1]) == int(students_before) + 5


def test_a_new_day_computes_anew(known, regio, fixed_today, monkeypatch):
    scope = scope_for(regio, {"jaar": "2026"})
    assert precompute.tables_for(scope).fresh
    assert not precompute.tables_for(scope).fresh
    tomorrow = scope_for(regio, {"jaar": "2026"}, today=TODAY + timedelta(days=1))
    assert precompute.tables_for(tomorrow).fresh


def test_nightly_precompute_keeps_every_coordinators_default_dashboards(
    known, regio, clusius_coordinator, fixed_today
):
    result = precompute_dashboards(TODAY.isoformat())
    coordinator_organisations = (
        Membership.objects.filter(policy.report_memberships_q(), is_active=True)
        .values("organisation", "role")
        .distinct()
        .count()
    )
    assert coordinator_organisations >= 2
    # Each coordinator organisation, this school year and the last.
    assert result == {"dashboards": 2 * coordinator_organisations}
    for user in (regio, clusius_coordinator):
        for year in ("2027", "2026"):
            run = precompute.tables_for(scope_for(user, {"jaar": year}))
            assert not run.fresh, (user, year)
    # Another filter was not computed in advance.
    assert precompute.tables_for(scope_for(regio, {"jaar": "2026", "niveau": "4"})).fresh


def test_a_new_generation_makes_kept_figures_old(known, regio, fixed_today):
    scope = scope_for(regio, {"jaar": "2026"})
    precompute.tables_for(scope)
    precompute.new_generation()
    assert precompute.tables_for(scope).fresh


def test_the_file_holds_the_kept_figures_of_the_page(known, regio, client, fixed_today):
    client.force_login(regio)
    client.get(DASHBOARD, {"jaar": 2026})
    for _ in range(5):
        _dropout()
    # Same kept tables as the page: the five new students are not in the file yet.
    text = b"".join(
        client.get("/rapportages/export/entree_outflow.csv", {"jaar": 2026}).streaming_content
    ).decode("utf-8-sig")
    scope = scope_for(regio, {"jaar": "2026"})
    kept = next(t for t in precompute.tables_for(scope).tables if t.key == "entree_outflow")
    live = figures.entree_outflow(scope)
    assert kept.display_rows() != live.display_rows()
    for row in kept.display_rows():
        assert ";".join(row) in text
    assert "berekend op" in text


def test_refresh_is_for_coordinators_only(mentor, client):
    client.force_login(mentor)
    assert client.post(DASHBOARD).status_code == 404


def test_kept_figures_are_never_shared_between_scopes_or_languages(
    known, coordinator, clusius_coordinator, regio, fixed_today
):
    from django.utils import translation

    horizon = precompute.tables_for(scope_for(coordinator, {"jaar": "2026"}))
    clusius = precompute.tables_for(scope_for(clusius_coordinator, {"jaar": "2026"}))
    assert clusius.fresh  # not Horizon's figures
    assert clusius.tables[0].display_rows() != horizon.tables[0].display_rows()
    filtered = scope_for(regio, {"jaar": "2026", "instelling": str(coordinator.organisation.pk)})
    assert precompute.tables_for(filtered).fresh  # not the school coordinator's either
    with translation.override("en"):
        english = precompute.tables_for(scope_for(coordinator, {"jaar": "2026"}))
    assert english.fresh
    assert english.tables[0].title != horizon.tables[0].title
