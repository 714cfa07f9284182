"""The history rows built in Python (students.history.with_row_html) read as the
template's did: escaped, local time, capitalised labels, a dash for no changes."""

from datetime import UTC, datetime

from students.history import with_row_html


def row(**overrides):
    base = {
        "at": datetime(2026, 12, 3, 23, 30, tzinfo=UTC),
        "actor": "Anna <b>de Vries</b>",
        "record": "inschrijving",
        "action": "gewijzigd",
        "fields": [{"label": "opleiding", "old": "Entree", "new": "<script>x</script>"}],
    }
    return base | overrides


def test_a_row_is_escaped_in_local_time_with_its_changes():
    (html,) = [r["html"] for r in with_row_html([row()])]
    assert "<td>04-12-2026 00:30</td>" in html  # Europe/Amsterdam
    assert "Anna &lt;b&gt;de Vries&lt;/b&gt;" in html
    assert "<td>Inschrijving gewijzigd</td>" in html
    assert "<li>Opleiding: Entree " in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>" not in html


def test_a_row_without_field_changes_shows_a_dash():
    (html,) = [r["html"] for r in with_row_html([row(fields=[])])]
    assert html.endswith("<td>—</td></tr>")
