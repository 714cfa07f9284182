"""The dashboard's figures, computed once and kept: the page reads them in milliseconds.

    tables_for(scope) -> FigureRun(tables, computed_at, fresh)

Computing every figure for a region of 500,000 students takes seconds (aggregates over
every enrolment, the VSV definitions on two dates); the figures only move when the data
does, which for most of them is once a day, with the checks. So a computed set of
tables is kept in the cache alias "reports" (Redis in production) under its scope's signature
(`Scope.signature`: school year, today, filters, VSV date) and the language, for
`KOERS_REPORT_FIGURES_SECONDS` (default 26 hours):

- every night, after the checks (config.celery), `precompute_dashboards` starts a new
  generation and computes the default dashboards of every coordinator organisation
  (this school year and the previous one), so the morning's first visitor waits for
  nothing;
- a scope nobody computed yet (another filter) is computed on the first request and kept
  for the next one;
- the page and every file say when their figures were computed, and "Opnieuw berekenen"
  (`refresh`) computes them anew at once, e.g. after a correction during the day.

The page and its CSV/XLSX/PDF files read the same kept tables, so a file always matches
the page it came from.
"""

import contextlib
import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone, translation

from accounts import policy
from accounts.models import Membership
from students.dates import school_year_of

from .db import population_table, report_transaction
from .figures import all_tables
from .scope import scope_for_membership

logger = logging.getLogger(__name__)

GENERATION_KEY = "reports:figures:generation"


def _store():
    """The cache alias of the kept figures: apart from the rate-limit counters."""
    return caches["reports"]


@dataclass
class FigureRun:
    tables: list
    computed_at: datetime
    fresh: bool  # computed for this request (False: read from the store)


# The kept figures are a cache: when its server is down (Redis stopped), the figures
# are computed for the request instead (a warning in the log), never a failed page.
class StoreUnavailable(Exception):
    pass


def _store_call(method, *args, **kwargs):
    try:
        return getattr(_store(), method)(*args, **kwargs)
    except Exception as error:
        logger.warning("reports: kept figures unavailable (%s)", type(error).__name__)
        raise StoreUnavailable from None


def generation() -> str:
    """The current generation: a new one makes every kept figure old at once."""
    return _store_call("get_or_set", GENERATION_KEY, lambda: uuid.uuid4().hex, timeout=None)


def new_generation() -> str:
    value = uuid.uuid4().hex
    _store_call("set", GENERATION_KEY, value, timeout=None)
    return value


def _key(scope) -> str:
    text = repr((scope.signature(), translation.get_language()))
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"reports:figures:{generation()}:{digest}"


def compute(scope) -> FigureRun:
    """Every table for the scope, computed now (one read transaction) and kept."""
    # The key first: figures computed across a new generation belong to the old one.
    try:
        key = _key(scope)
    except StoreUnavailable:
        key = None
    with report_transaction(), population_table(scope):
        tables = all_tables(scope)
    run = FigureRun(tables=tables, computed_at=timezone.now(), fresh=True)
    if key is not None:
        with contextlib.suppress(StoreUnavailable):
            _store_call(
                "set", key, (tables, run.computed_at), timeout=settings.KOERS_REPORT_FIGURES_SECONDS
            )
    return run


def tables_for(scope, *, refresh=False) -> FigureRun:
    """The kept tables of the scope, or computed now when there are none (or `refresh`,
    or the store cannot be reached)."""
    if not refresh:
        try:
            kept = _store_call("get", _key(scope))
        except StoreUnavailable:
            kept = None
        if kept is not None:
            tables, computed_at = kept
            return FigureRun(tables=tables, computed_at=computed_at, fresh=False)
    return compute(scope)


def default_scopes(today=None):
    """The scope every coordinator organisation opens first: this school year and the
    previous one, without filters. One per organisation and role (the scope does not
    depend on the person)."""
    today = today or timezone.localdate()
    seen = set()
    memberships = (
        Membership.objects.filter(
            policy.report_memberships_q(), is_active=True, user__is_active=True
        )
        .select_related("organisation__region")
        .order_by("organisation_id", "role", "pk")
    )
    for membership in memberships:
        if (membership.organisation_id, membership.role) in seen:
            continue
        seen.add((membership.organisation_id, membership.role))
        current = school_year_of(today)
        for year in (current, current - 1):
            yield scope_for_membership(membership, {"jaar": str(year)}, today=today)


def precompute_dashboards(today=None) -> dict:
    """A new generation, then every default dashboard computed and kept. Idempotent: a
    second run computes the same figures again; nothing else changes."""
    new_generation()
    computed = set()
    with translation.override(settings.LANGUAGE_CODE):
        for scope in default_scopes(today):
            if scope.signature() in computed:
                continue
            run = compute(scope)
            # Today's headline numbers, so tomorrow's start page can say what changed.
            from .headline import headline, record

            record(scope, headline(run.tables))
            computed.add(scope.signature())
    logger.info("reports: precomputed %s dashboards", len(computed))
    return {"dashboards": len(computed)}
