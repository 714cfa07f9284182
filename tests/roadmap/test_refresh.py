"""Panels a save affects refresh with it (issue 15, "dead ends"): a 5a work step adds an
employment; the student's Werk section and history listen to the route's event
(roadmap-changed) and fetch their own fragment, so no reload is needed."""

import pytest

from roadmap.models import WorkStep

from .helpers import valid_data
from .test_views import HTMX, detail_url, form_data, step_url

pytestmark = pytest.mark.django_db

EVENT = 'hx-trigger="roadmap-changed from:body"'


def test_the_work_section_and_history_listen_to_the_routes_event(client, mentor, mentee, enrolment):
    client.force_login(mentor)
    html = client.get(detail_url(mentee)).content.decode()
    work = html[html.index('id="student-work"') - 20 :]
    assert work.index(EVENT) < work.index("</section>")
    assert f'hx-get="{detail_url(mentee)}?deel=werk"' in html
    assert f'hx-get="{detail_url(mentee)}?deel=geschiedenis"' in html


def test_after_a_5a_save_the_work_fragment_shows_the_new_employment(
    client, mentor, mentee, enrolment, today
):
    client.force_login(mentor)
    before = client.get(detail_url(mentee) + "?deel=werk", **HTMX).content.decode()
    assert "Geen dienstverbanden bekend" in before

    saved = client.post(
        step_url(mentee, enrolment, "work"), form_data(valid_data("work", enrolment, today)), **HTMX
    )
    assert saved["HX-Trigger"] == "roadmap-changed"
    assert WorkStep.objects.filter(enrolment=enrolment).exists()

    fragment = client.get(detail_url(mentee) + "?deel=werk", **HTMX)
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith("<section") or 'id="student-work"' in html
    assert "Bakkerij Ooms" in html
    assert "Geen dienstverbanden bekend" not in html
    history = client.get(detail_url(mentee) + "?deel=geschiedenis", **HTMX).content.decode()
    assert 'id="student-history"' in history
    assert "<html" not in history
    assert "stap 5a: werk" in history.lower()


def test_the_fragment_is_404_outside_the_scope(client, other_mentor, mentee):
    client.force_login(other_mentor)
    assert client.get(detail_url(mentee) + "?deel=werk", **HTMX).status_code == 404


def test_without_htmx_the_part_parameter_gives_the_whole_page(client, mentor, mentee):
    client.force_login(mentor)
    html = client.get(detail_url(mentee) + "?deel=werk").content.decode()
    assert "<html" in html
