"""The one writer of signals: every check, in any app, says which signals it wants open.

    signals_sync(source, wanted, day) -> SyncResult          (Python: a list of Wanted)
    SqlSync(source, day, ...).snapshot() / .apply(...)        (set-based, PostgreSQL)

A check (the monitoring rules, referrals' reminders, the case table's overdue actions)
computes the identities it wants open on D, each a `Wanted` (student, kind, due date,
enrolment, with the assignee and organisation it belongs to). The writer compares them
with the stored signals of that check's `source` and writes the difference, with the
rule book's meaning (MONITORING.md, monitoring.models):

- a wanted identity without a row opens (event `opened`);
- one the rules closed and wanted again reopens (`reopened`); one a person resolved or
  dismissed stays closed for good;
- an open one wanted for other hands changes hands (`assignee_changed`);
- an open one no longer wanted closes (`closed`, reason `rules`, or the student's end of
  monitoring for the kinds it ends).

Nothing else is written, so a second run with the same wanted set writes nothing. The
whole diff runs under the source's lock (a PostgreSQL advisory lock per source, the
sweep's own key for the monitoring rules; SQLite's IMMEDIATE transactions), so two
overlapping runs serialise and the second finds nothing to do; the unique identity
constraint is the last guard. The statements per call are fixed (one per kind of change
and distinct new value), whatever the number of signals.

Kinds and their labels travel with the check that raises them: an app registers its
check with monitoring.sweep.register_check(name, fn, kinds={kind: label}).
"""

import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import OrganisationKind

from .models import (
    MONITORING_SOURCE,
    Assignee,
    ClosedReason,
    Signal,
    SignalEvent,
    SignalStatus,
)

# Any fixed number: the key of the PostgreSQL advisory lock that serialises sweeps (the
# monitoring rules); the other sources lock a key derived from their name.
SWEEP_LOCK_KEY = 4_242_001

# Whose attention list a signal raised for an organisation goes to (one definition for
# every check; a check names the assignee for the kinds of organisation not listed).
ASSIGNEE_FOR_ORGANISATION_KIND = {
    OrganisationKind.SCHOOL: Assignee.SCHOOL,
    OrganisationKind.LEERPLICHT: Assignee.LEERPLICHT,
    OrganisationKind.DOORSTROOMPUNT: Assignee.DOORSTROOMPUNT,
}


def assignee_for(organisation_kind, default: str) -> str:
    return ASSIGNEE_FOR_ORGANISATION_KIND.get(organisation_kind, default)


@dataclass(frozen=True)
class Wanted:
    """One signal a check wants open on D."""

    student_id: int
    kind: str
    due_date: date
    assignee: str
    organisation_id: int | None = None
    enrolment_id: int | None = None

    @property
    def identity(self):
        return (self.student_id, self.kind, self.due_date, self.enrolment_id)


@dataclass
class SyncResult:
    opened: int = 0
    reopened: int = 0
    closed: int = 0
    reassigned: int = 0
    events: int = 0


# --- The lock ------------------------------------------------------------------------


def lock_key(source: str) -> int:
    if source == MONITORING_SOURCE:
        return SWEEP_LOCK_KEY
    return SWEEP_LOCK_KEY + 1 + zlib.crc32(source.encode()) % 1_000_003


def lock(source: str):
    """Serialise the writers of one source until the end of the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(source)])
    # SQLite: the project opens every transaction IMMEDIATE (config/settings.py), which
    # takes the database's write lock at BEGIN: overlapping runs wait their turn.


# --- The Python path -----------------------------------------------------------------


def signals_sync(
    source: str,
    wanted: Iterable[Wanted],
    day: date,
    *,
    students: Iterable[int] | None = None,
    ended: Mapping[int, str] | None = None,
    reason_exempt_kinds: Iterable[str] = (),
    only_close: bool = False,
    now=None,
) -> SyncResult:
    """Make the open signals of `source` the `wanted` ones, for D (see module doc).

    students: compare only the stored signals of these students (a sweep's chunk); None
        for every signal of the source.
    ended: {student id: reason} for students whose monitoring ended: their signals close
        with that reason, except the kinds in `reason_exempt_kinds` (which close `rules`).
    only_close: only close what is no longer wanted (a person's action that ends the
        reason for a signal, between two runs); open, reopen and hand over nothing.
    """
    wanted_by_identity = {}
    for item in wanted:
        wanted_by_identity.setdefault(item.identity, item)
    ended = ended or {}
    exempt = set(reason_exempt_kinds)
    result = SyncResult()
    with transaction.atomic(savepoint=False):
        lock(source)
        now = now or timezone.now()
        stored_rows = Signal.objects.filter(source=source).order_by()
        if students is not None:
            stored_rows = stored_rows.filter(student_id__in=list(students))
        stored = {
            (student_id, kind, due, enrolment_id): (pk, status, assignee, organisation_id)
            for pk, student_id, kind, due, enrolment_id, status, assignee, organisation_id in (
                stored_rows.values_list(
                    "pk",
                    "student_id",
                    "kind",
                    "due_date",
                    "enrolment_id",
                    "status",
                    "assignee",
                    "organisation_id",
                )
            )
        }
        changes = _Changes(day, now)
        if not only_close:
            for identity, item in wanted_by_identity.items():
                changes.want(item, stored.get(identity))
        for identity, (pk, status, _assignee, _organisation) in stored.items():
            if status != SignalStatus.OPEN or identity in wanted_by_identity:
                continue
            student_id, kind = identity[0], identity[1]
            reason = ClosedReason.RULES
            if student_id in ended and kind not in exempt:
                reason = ended[student_id]
            changes.close[reason].append(pk)
            changes.event(pk, SignalEvent.Action.CLOSED, reason=reason)
        changes.write(source, result)
    return result


class _Changes:
    """The difference, collected, then written with a fixed number of statements."""

    def __init__(self, day: date, now):
        self.day, self.now = day, now
        self.new = []
        self.reopen = defaultdict(list)  # (assignee, organisation) -> [pk]
        self.reassign = defaultdict(list)  # (assignee, organisation) -> [pk]
        self.close = defaultdict(list)  # reason -> [pk]
        self.events = []

    def event(self, signal_id, action, *, reason="", assignee=""):
        self.events.append(
            SignalEvent(
                signal_id=signal_id,
                action=action,
                at=self.now,
                for_date=self.day,
                reason=reason,
                assignee=assignee,
            )
        )

    def want(self, item: Wanted, row):
        if row is None:
            self.new.append(item)
            return
        pk, status, assignee, organisation_id = row
        hands = (item.assignee, item.organisation_id)
        if status == SignalStatus.CLOSED:
            self.reopen[hands].append(pk)
            self.event(pk, SignalEvent.Action.REOPENED, assignee=item.assignee)
        elif status == SignalStatus.OPEN and (assignee, organisation_id) != hands:
            self.reassign[hands].append(pk)
            self.event(pk, SignalEvent.Action.ASSIGNEE_CHANGED, assignee=item.assignee)
        # Resolved or dismissed by a person: stays closed for this identity.

    def write(self, source: str, result: SyncResult):
        if self.new:
            signals = [
                Signal(
                    student_id=item.student_id,
                    kind=item.kind,
                    source=source,
                    assignee=item.assignee,
                    organisation_id=item.organisation_id,
                    enrolment_id=item.enrolment_id,
                    due_date=item.due_date,
                    status=SignalStatus.OPEN,
                    opened_at=self.now,
                )
                for item in self.new
            ]
            Signal.objects.bulk_create(signals)
            for signal in signals:
                self.event(signal.pk, SignalEvent.Action.OPENED, assignee=signal.assignee)
            result.opened += len(signals)
        for (assignee, organisation_id), pks in self.reopen.items():
            result.reopened += Signal.objects.filter(pk__in=pks, status=SignalStatus.CLOSED).update(
                status=SignalStatus.OPEN,
                closed_reason="",
                closed_at=None,
                assignee=assignee,
                organisation_id=organisation_id,
            )
        for (assignee, organisation_id), pks in self.reassign.items():
            result.reassigned += Signal.objects.filter(pk__in=pks, status=SignalStatus.OPEN).update(
                assignee=assignee, organisation_id=organisation_id
            )
        for reason, pks in self.close.items():
            result.closed += Signal.objects.filter(pk__in=pks, status=SignalStatus.OPEN).update(
                status=SignalStatus.CLOSED, closed_reason=reason, closed_at=self.now
            )
        if self.events:
            SignalEvent.objects.bulk_create(self.events)
            result.events += len(self.events)


# --- The set-based path (PostgreSQL) -------------------------------------------------

# The stored signals of the source, copied once under the lock: the engine may read it
# (the monitoring sweep's candidates include every student with an open signal), and the
# diff joins temp tables with fresh statistics.
STORED_TABLE = "sw_g"

# The columns the diff joins and filters on: ANALYZE reads only these (every other
# column's statistics would cost time and decide no plan).
STORED_KEYS = "(student_id, kind, due_date, enrolment, status)"

STORED_SIGNALS = f"""
CREATE TEMP TABLE {STORED_TABLE} ON COMMIT DROP AS
SELECT id, student_id, kind, due_date, coalesce(enrolment_id, 0) AS enrolment, status,
    assignee, organisation_id
FROM monitoring_signal
WHERE source = %(sync_source)s
"""  # noqa: S608  # nosec B608 - constants only; every value is a parameter

SAME_IDENTITY = (
    "w.student_id = g.student_id AND w.kind = g.kind AND w.due = g.due_date"
    " AND coalesce(w.enrolment_id, 0) = g.enrolment"
)

# Every stored signal to change: closed (no longer wanted, for a student in scope),
# reopened (closed by the rules, wanted again) or handed over (wanted, open, other
# assignee or organisation). {scope}: a relation (student_id, end_reason).
SIGNAL_CHANGES = f"""
CREATE TEMP TABLE sw_x ON COMMIT DROP AS
SELECT g.id,
    CASE WHEN w.student_id IS NULL THEN 'close'
         WHEN g.status = '{SignalStatus.CLOSED}' THEN 'reopen'
         ELSE 'reassign' END AS action,
    w.assignee, w.org,
    CASE WHEN w.student_id IS NOT NULL THEN ''
         WHEN s.end_reason IS NOT NULL AND NOT (g.kind = ANY(%(sync_exempt_kinds)s))
         THEN s.end_reason ELSE '{ClosedReason.RULES}' END AS reason
FROM {STORED_TABLE} g
LEFT JOIN {{wanted}} w ON {SAME_IDENTITY}
LEFT JOIN {{scope}} s ON s.student_id = g.student_id
WHERE (w.student_id IS NULL AND g.status = '{SignalStatus.OPEN}' AND {{in_scope}})
    OR (w.student_id IS NOT NULL AND g.status = '{SignalStatus.CLOSED}')
    OR (w.student_id IS NOT NULL AND g.status = '{SignalStatus.OPEN}'
        AND (g.assignee, g.organisation_id) IS DISTINCT FROM (w.assignee, w.org))
"""  # noqa: S608  # nosec B608 - constants only; every value is a parameter

EVENT_COLUMNS = "(signal_id, action, actor_id, at, for_date, reason, note, assignee)"

CLOSE = f"""
WITH changed AS (
    UPDATE monitoring_signal g
    SET status = '{SignalStatus.CLOSED}', closed_at = %(sync_now)s, closed_reason = x.reason
    FROM sw_x x
    WHERE g.id = x.id AND x.action = 'close' AND g.status = '{SignalStatus.OPEN}'
    RETURNING g.id, g.closed_reason
)
INSERT INTO monitoring_signalevent {EVENT_COLUMNS}
SELECT id, '{SignalEvent.Action.CLOSED}', NULL, %(sync_now)s, %(sync_day)s, closed_reason,
    '', ''
FROM changed
"""  # noqa: S608  # nosec B608 - constants only; every value is a parameter

REOPEN = f"""
WITH changed AS (
    UPDATE monitoring_signal g
    SET status = '{SignalStatus.OPEN}', closed_reason = '', closed_at = NULL,
        assignee = x.assignee, organisation_id = x.org
    FROM sw_x x
    WHERE g.id = x.id AND x.action = 'reopen' AND g.status = '{SignalStatus.CLOSED}'
    RETURNING g.id, g.assignee
)
INSERT INTO monitoring_signalevent {EVENT_COLUMNS}
SELECT id, '{SignalEvent.Action.REOPENED}', NULL, %(sync_now)s, %(sync_day)s, '', '', assignee
FROM changed
"""  # noqa: S608  # nosec B608 - constants only; every value is a parameter

REASSIGN = f"""
WITH changed AS (
    UPDATE monitoring_signal g
    SET assignee = x.assignee, organisation_id = x.org
    FROM sw_x x
    WHERE g.id = x.id AND x.action = 'reassign' AND g.status = '{SignalStatus.OPEN}'
        AND (g.assignee, g.organisation_id) IS DISTINCT FROM (x.assignee, x.org)
    RETURNING g.id, g.assignee
)
INSERT INTO monitoring_signalevent {EVENT_COLUMNS}
SELECT id, '{SignalEvent.Action.ASSIGNEE_CHANGED}', NULL, %(sync_now)s, %(sync_day)s, '', '',
    assignee
FROM changed
"""  # noqa: S608  # nosec B608 - constants only; every value is a parameter

# The new identities. No ON CONFLICT: the snapshot was taken under the source's lock, so
# an identity it lacks has no row; a writer that skipped the lock makes the run fail on
# signal_identity (and retry) rather than be skipped in silence, as in the Python path.
# An identity wanted twice opens once (DISTINCT ON, on the sort the insert needs anyway).
# (A speculative insertion per row cost a quarter of the insert at 100,000 students.)
OPEN = f"""
WITH changed AS (
    INSERT INTO monitoring_signal (student_id, kind, source, assignee, organisation_id,
        enrolment_id, due_date, status, closed_reason, note, closed_by_id, opened_at,
        closed_at)
    SELECT DISTINCT ON (w.student_id, w.kind, w.due, coalesce(w.enrolment_id, 0))
        w.student_id, w.kind, %(sync_source)s, w.assignee, w.org, w.enrolment_id, w.due,
        '{SignalStatus.OPEN}', '', '', NULL, %(sync_now)s, NULL
    FROM {{wanted}} w
    WHERE NOT EXISTS (SELECT 1 FROM {STORED_TABLE} g WHERE {SAME_IDENTITY})
    ORDER BY w.student_id, w.kind, w.due, coalesce(w.enrolment_id, 0)
    RETURNING id, assignee
)
INSERT INTO monitoring_signalevent {EVENT_COLUMNS}
SELECT id, '{SignalEvent.Action.OPENED}', NULL, %(sync_now)s, %(sync_day)s, '', '', assignee
FROM changed
"""  # noqa: S608  # nosec B608 - constants only; every value is a parameter

NO_SCOPE = "(SELECT NULL::bigint AS student_id, NULL::varchar AS end_reason WHERE false)"


def _plain_execute(name, sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


class SqlSync:
    """The set-based path, for an engine that computes its wanted identities in SQL.

    Inside the caller's transaction:

        sync = SqlSync(source, day, now=now)
        sync.snapshot()          # lock; the stored signals into sw_g (the engine may read it)
        ...                      # the engine fills a relation of wanted identities
        sync.apply("sw_w", scope="(SELECT id AS student_id, end_reason FROM sw_s)")

    The wanted relation has the columns (student_id, kind, due, enrolment_id, assignee,
    org), one row per identity. `execute(name, sql, params) -> rowcount` runs each
    statement (the sweep passes its own, which times the steps)."""

    def __init__(self, source: str, day: date, *, now=None, execute=None):
        self.source, self.day = source, day
        self.now = now or timezone.now()
        self.execute = execute or _plain_execute

    @property
    def params(self) -> dict:
        return {"sync_source": self.source, "sync_now": self.now, "sync_day": self.day}

    def snapshot(self):
        lock(self.source)
        self.execute("stored", STORED_SIGNALS, self.params)
        self.execute("analyze", f"ANALYZE {STORED_TABLE} {STORED_KEYS}", None)

    def apply(
        self,
        wanted: str,
        *,
        scope: str | None = None,
        reason_exempt_kinds: Iterable[str] = (),
    ) -> SyncResult:
        """Write the difference between `wanted` and the snapshot.

        scope: a relation (student_id, end_reason): only these students' signals close
            when no longer wanted, with their end_reason (when not NULL) except for
            `reason_exempt_kinds`; None: every signal of the source is in scope."""
        params = {**self.params, "sync_exempt_kinds": list(reason_exempt_kinds)}
        changes = SIGNAL_CHANGES.format(
            wanted=wanted,
            scope=scope or NO_SCOPE,
            in_scope="s.student_id IS NOT NULL" if scope else "true",
        )
        self.execute("diff", changes, params)
        self.execute("diff", "CREATE INDEX ON sw_x (id)", None)
        self.execute("analyze", "ANALYZE sw_x (id, action)", None)
        result = SyncResult()
        result.closed = self.execute("close", CLOSE, params)
        result.reopened = self.execute("reopen", REOPEN, params)
        result.reassigned = self.execute("reassign", REASSIGN, params)
        result.opened = self.execute("open", OPEN.format(wanted=wanted), params)
        result.events = result.closed + result.reopened + result.reassigned + result.opened
        self.execute("drop", f"DROP TABLE sw_x, {STORED_TABLE}", None)
        return result
