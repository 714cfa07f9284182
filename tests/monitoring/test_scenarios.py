"""`run_checks --format json` reproduces MONITORING.md for import_admin scenario files.

Each folder of scenarios/ holds the administration files of INTERFACES.md section 1 and
one expected/<date>.json per date, written by hand from the rule book. The dates run in
order and then in reverse: running for an earlier date recomputes that date's state.
"""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from monitoring.models import Signal

SCENARIOS = Path(__file__).parent / "scenarios"
KINDS = ("students", "enrolments", "qualifications", "employment")


def run_checks(day: str) -> dict:
    out = io.StringIO()
    call_command("run_checks", "--today", day, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def import_scenario(folder: Path):
    args = []
    for kind in KINDS:
        path = folder / f"{kind}.csv"
        if path.exists():
            args += [f"--{kind}", str(path)]
    call_command("import_admin", *args, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.iterdir() if p.is_dir()))
def test_scenario_output_matches_the_rule_book(name):
    folder = SCENARIOS / name
    import_scenario(folder)
    expected = {
        path.stem: json.loads(path.read_text()) for path in (folder / "expected").glob("*.json")
    }
    days = sorted(expected)
    for day in days + days[::-1]:
        assert run_checks(day) == expected[day], day
    # Every identity once, whatever the order of the runs.
    identities = Signal.objects.values_list("student_id", "kind", "due_date", "enrolment_id")
    assert len(identities) == len(set(identities))


@pytest.mark.django_db
def test_json_output_is_one_object_with_exactly_the_documented_keys():
    import_scenario(SCENARIOS / "entree_roadmap")
    out = io.StringIO()
    call_command("run_checks", "--today", "2025-12-08", "--format", "json", stdout=out)
    text = out.getvalue()
    payload = json.loads(text)
    assert text.count("\n") <= 1
    assert list(payload) == ["date", "signals", "vsv"]
    assert all(
        list(signal) == ["student_number", "kind", "due_date", "assignee"]
        for signal in payload["signals"]
    )
    assert all(isinstance(signal["student_number"], str) for signal in payload["signals"])


@pytest.mark.django_db
def test_a_second_run_for_the_same_date_changes_nothing():
    import_scenario(SCENARIOS / "dropout_authority")
    first = run_checks("2026-12-01")
    rows = list(Signal.objects.order_by("pk").values())
    assert run_checks("2026-12-01") == first
    assert list(Signal.objects.order_by("pk").values()) == rows


@pytest.mark.django_db
def test_a_malformed_date_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("run_checks", "--today", "2026-02-30", stdout=io.StringIO())
