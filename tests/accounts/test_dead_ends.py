"""No dead ends (issue 15): each role's menu leads only to pages it can use, and the
regional coordinator's start page serves their work (the headline figures)."""

from datetime import date, timedelta

import pytest
from django.core.cache import caches

from reports import headline, precompute
from reports.scope import scope_for
from reports.tables import Count, Ratio, Table

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


def test_regional_coordinator_has_no_students_menu_item(client, regio):
    client.force_login(regio)
    html = client.get("/").content.decode()
    assert 'href="/students/"' not in html
    assert 'href="/rapportages/"' in html


def test_functional_admin_has_no_students_menu_item(client, functional_admin):
    client.force_login(functional_admin)
    assert 'href="/students/"' not in client.get("/").content.decode()


def test_roles_with_a_student_list_keep_the_menu_item(client, mentor, wi, coordinator):
    for user in (mentor, wi, coordinator):
        client.force_login(user)
        assert 'href="/students/"' in client.get("/").content.decode(), user.email


def test_import_is_in_the_menu_of_the_school_coordinator_only(client, mentor, coordinator):
    client.force_login(coordinator)
    page = client.get("/students/import/").content.decode()
    assert 'aria-current="page" href="/students/import/"' in page
    # The import page marks "Importeren" as current, not "Studenten".
    assert 'aria-current="page" href="/students/"' not in page
    client.force_login(mentor)
    assert 'href="/students/import/"' not in client.get("/").content.decode()


def test_regional_coordinator_start_page_shows_headline_figures_not_an_empty_signal_list(
    client, regio
):
    client.force_login(regio)
    html = client.get("/").content.decode()
    assert 'data-panel="headline-figures"' in html
    assert "Kerncijfers" in html
    assert 'id="home-attention"' not in html


def test_a_mentor_keeps_the_attention_list_and_sees_no_headline_figures(client, mentor):
    client.force_login(mentor)
    html = client.get("/").content.decode()
    assert 'id="home-attention"' in html
    assert 'data-panel="headline-figures"' not in html


def _tables(vsv, share):
    return [
        Table(
            key="vsv_operational",
            title="VSV op peildatum",
            columns=["Indeling", "Groep", "VSV"],
            rows=[["Leeftijd", "18", Count(7)], ["Totaal", "", Count(vsv)]],
        ),
        Table(
            key="entree_outflow",
            title="Uitstroom Entree",
            columns=["Niveau", "Naar werk"],
            rows=[["Entree", Ratio(*share)]],
        ),
    ]


def _run(tables, monkeypatch):
    run = precompute.FigureRun(tables=tables, computed_at=None, fresh=False)
    monkeypatch.setattr(precompute, "tables_for", lambda scope, refresh=False: run)


def test_headline_says_what_changed_since_yesterday(regio, monkeypatch):
    caches["reports"].clear()
    yesterday = scope_for(regio, {}, today=TODAY - timedelta(days=1))
    headline.record(yesterday, headline.headline(_tables(10, (20, 40))))
    _run(_tables(13, (25, 40)), monkeypatch)

    items, _computed, compared = headline.with_changes(scope_for(regio, {}, today=TODAY))

    assert compared
    by_key = {item["key"]: item for item in items}
    assert by_key["vsv_operational"]["text"] == "13"  # the total row, not the first
    assert by_key["vsv_operational"]["change"] == 3
    assert by_key["entree_outflow"]["change"] == 12.5  # 50% against 62.5%
    assert by_key["entree_outflow"]["percent"]


def test_no_change_is_shown_beside_a_suppressed_small_group(regio, monkeypatch):
    caches["reports"].clear()
    yesterday = scope_for(regio, {}, today=TODAY - timedelta(days=1))
    headline.record(yesterday, headline.headline(_tables(10, (20, 40))))
    _run(_tables(3, (20, 40)), monkeypatch)

    items, _computed, _compared = headline.with_changes(scope_for(regio, {}, today=TODAY))

    vsv = next(item for item in items if item["key"] == "vsv_operational")
    assert vsv["text"] == "< 5"
    assert vsv["change"] is None


def test_without_yesterdays_figures_the_page_says_so(client, regio, monkeypatch):
    caches["reports"].clear()
    _run(_tables(13, (25, 40)), monkeypatch)
    client.force_login(regio)
    html = client.get("/").content.decode()
    assert "nog geen cijfers van gisteren" in html


def test_the_nightly_precompute_keeps_the_days_headline(regio):
    caches["reports"].clear()
    precompute.precompute_dashboards(today=TODAY - timedelta(days=1))
    items, _computed, compared = headline.with_changes(scope_for(regio, {}, today=TODAY))
    assert compared
    assert items
