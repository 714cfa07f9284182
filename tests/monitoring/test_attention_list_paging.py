"""The attention list (issue 15): its total and range, first / previous / next instead
of a silent cut at 100, sorting by student (surname without tussenvoegsel), signal or
due date, with the kind filter kept in every link."""

from urllib.parse import parse_qs, urlparse

import pytest

from monitoring.models import Signal
from monitoring.sweep import run_sweep

from .test_attention import TODAY, home, minor_dropout

pytestmark = pytest.mark.django_db


def dropouts(names):
    students = []
    for name in names:
        student = minor_dropout()
        student.last_name = name
        student.save()
        students.append(student)
    run_sweep(TODAY)
    return students


def test_attention_list_pages_with_its_total_and_sorts_by_student(client, leerplicht, settings):
    settings.KOERS_PAGE_SIZE = 2
    made = dropouts(["van Dijk", "Aalders", "de Boer"])
    total = Signal.objects.filter(status="open").count()
    response = home(client, leerplicht, sort="student", signal_kind="dropout")
    html = response.content.decode()
    dropout_total = Signal.objects.filter(status="open", kind="dropout").count()
    assert dropout_total == 3
    assert "1–2 van 3" in html
    panel_page = next(
        panel["context"]["page"]
        for panel in response.context["panels"]
        if "page" in panel.get("context", {})
    )
    assert [s.student_id for s in panel_page.rows] == [made[1].pk, made[2].pk]
    query = parse_qs(urlparse(panel_page.next_url).query)
    assert query["sort"] == ["student"]
    assert query["signal_kind"] == ["dropout"]
    following = home(client, leerplicht, **{k: v[0] for k, v in query.items()})
    assert "3–3 van 3" in following.content.decode()
    assert total >= dropout_total


def test_a_cursor_that_is_no_id_gives_the_first_page(client, leerplicht):
    dropouts(["Aalders"])
    assert home(client, leerplicht, after="niet-een-id").status_code == 200
