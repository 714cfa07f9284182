"""The headline figures on a coordinator's start page, and what changed since yesterday.

Read from the kept figures (reports.precompute): the first figure of each report's
total row (or its first row). Each day's headline numbers are kept apart from the
figures' generation (which a new night replaces), so tomorrow's start page can say what
changed. A change is shown only where both days show the figure (no change beside a
suppressed small group: it would give the small number away).
"""

import hashlib
from datetime import timedelta

from django.core.cache import caches
from django.utils.translation import gettext as _

from . import precompute
from .tables import SMALL, Count, Ratio, display

KEEP_SECONDS = 3 * 24 * 3600


def _key(scope, day) -> str:
    institutions = None if scope.institution_ids is None else tuple(sorted(scope.institution_ids))
    text = repr((scope.school_year, scope.region_id, institutions, scope.level, scope.location))
    return f"reports:headline:{hashlib.sha256(text.encode()).hexdigest()}:{day.isoformat()}"


def _value(cell):
    """The number a change is computed on, or None where the table suppresses it."""
    if isinstance(cell, Count):
        return None if 0 < cell.value < SMALL else cell.value
    if isinstance(cell, Ratio):
        if cell.denominator < SMALL or 0 < cell.numerator < SMALL:
            return None
        return round(100 * cell.numerator / cell.denominator, 1)
    return None


def headline(tables) -> list[dict]:
    """[{key, title, label, text, value, percent}] one figure per report table."""
    total = _("Totaal")
    items = []
    for table in tables:
        if not table.rows:
            continue
        row = next((r for r in table.rows if str(r[0]) == str(total)), table.rows[0])
        index = next((i for i, cell in enumerate(row) if isinstance(cell, (Count, Ratio))), None)
        if index is None:
            continue
        cell = row[index]
        label = str(table.columns[index]) if index < len(table.columns) else ""
        items.append(
            {
                "key": table.key,
                "title": str(table.title),
                "label": label,
                "text": display(cell),
                "value": _value(cell),
                "percent": isinstance(cell, Ratio),
            }
        )
    return items


def record(scope, items):
    """Keep today's headline numbers of the scope (idempotent: the same day overwrites)."""
    values = {item["key"]: item["value"] for item in items}
    caches["reports"].set(_key(scope, scope.today), values, timeout=KEEP_SECONDS)


def with_changes(scope):
    """(items with `change` where yesterday's number is known, computed_at)."""
    run = precompute.tables_for(scope)
    items = headline(run.tables)
    record(scope, items)
    yesterday = caches["reports"].get(_key(scope, scope.today - timedelta(days=1))) or {}
    for item in items:
        before = yesterday.get(item["key"])
        item["known"] = item["key"] in yesterday and before is not None
        item["change"] = (
            round(item["value"] - before, 1)
            if item["known"] and item["value"] is not None
            else None
        )
    return items, run.computed_at, bool(yesterday)
