"""The rule book's words are the apps' stored values, and the rule book imports no app."""

import ast
from pathlib import Path

from monitoring.models import Assignee, ClosedReason, SignalKind
from roadmap.models import Advice, ContactKind, Perspective
from rulebook import vocabulary as v
from students.models import EndReason, Level, QualificationType

RULEBOOK = Path(__file__).resolve().parents[2] / "rulebook"


def test_the_apps_choices_are_the_rule_books_values():
    assert tuple(Level.values) == v.LEVELS
    assert tuple(EndReason.values) == v.END_REASONS
    assert tuple(QualificationType.values) == v.QUALIFICATION_TYPES
    assert tuple(Advice.values) == v.ADVICES
    assert tuple(Perspective.values) == v.PERSPECTIVES
    assert {v.WORK_CHECKIN, v.DSP_CONTACT} <= set(ContactKind.values)
    assert tuple(SignalKind.values) == v.SIGNAL_KINDS
    assert set(v.ASSIGNEES) <= set(Assignee.values)
    assert set(v.END_OF_MONITORING_REASONS) <= set(ClosedReason.values)


def test_the_rule_book_imports_no_app():
    allowed = {"rulebook", "django", "calendar", "collections", "dataclasses", "datetime", "typing"}
    for path in RULEBOOK.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: inside the rule book
                    continue
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
                if name.startswith("django."):
                    # Query expressions and the settings reader only: no models.
                    assert name in {
                        "django.db.models",
                        "django.db.models.expressions",
                        "django.db.models.functions",
                        "django.conf",
                    }


def test_sql_lists_are_constant_and_ordered():
    assert v.sql_list(v.ENROLMENT_SIGNAL_KINDS) == (
        "('no_next_step', 'perspective_due', 'study_advice_due')"
    )
