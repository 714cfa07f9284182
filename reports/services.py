"""Background exports of the person-level list: create, build, expire.

The life of a job, each step a conditional UPDATE so a retried or duplicated Celery
message never builds a file twice:

    queued --claim--> running --finish--> done --expiry--> expired
                         \\--fail--> failed

A claim takes a queued job (or a running one whose worker stopped reporting for
STALE_AFTER) and counts `attempts` up; progress and the finish only apply while the job
still carries that attempt, so a worker that lost its claim stops and removes its file.
A job is tried at most MAX_ATTEMPTS times: a worker killed on every attempt (say, out of
memory) leaves a job the next delivery or the hourly sweep marks failed, never one that
stays "running". A database error gives the claim back (running -> queued) and the task
retries with backoff (reports.tasks).

The worker evaluates the scope again, for the requester in the membership the job was
asked in, with today's data: a student who left the scope since the click is not in the
file. The rows are those of the streamed export (reports.exports.student_rows), read
from a server-side cursor and written straight to the file.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from accounts.spreadsheets import safe_csv_writer
from students.models import AccessLog
from students.services import access_log

from . import exports
from .models import ExportJob, export_storage
from .scope import report_membership, scope_for

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

# The report filters a job keeps (reports.scope.scope_for reads these).
PARAM_KEYS = ("jaar", "subregio", "instelling", "locatie", "niveau", "peildatum")
# A cheap UPDATE of the progress every so many rows, not one per row.
PROGRESS_EVERY = 5000
# A running job whose worker has not reported for this long may be claimed again.
STALE_AFTER = timedelta(minutes=10)
# A job whose worker was killed this many times is failed, not tried again.
MAX_ATTEMPTS = 3
# Errors of the database connection (down, restarting, killed): worth a retry.
RETRYABLE_DB_ERRORS = (OperationalError, InterfaceError)


def export_hours() -> int:
    """How long a finished file stays downloadable (settings.KOERS_EXPORT_JOB_HOURS)."""
    return int(settings.KOERS_EXPORT_JOB_HOURS)


class LostClaim(Exception):
    """Another attempt (or the expiry) took the job over: stop and clean up."""


class ExportRefused(Exception):
    """The requester may no longer make this list (role, membership or account ended)."""


# --- Create ---------------------------------------------------------------------------


def _clean_params(params: Mapping[str, Any]) -> dict[str, str]:
    return {
        key: str(params.get(key))[:100] for key in PARAM_KEYS if params.get(key) not in (None, "")
    }


@transaction.atomic
def export_job_create(
    *, user: User, params: Mapping[str, Any], fmt: str, kind: str = ExportJob.Kind.STUDENTS
) -> ExportJob:
    """Queue a background export of the person-level list for the user's filters.

    The roles and filters are those of the streamed export (reports.scope): other roles
    get a 404. The task is sent after the commit, so the worker finds the job.
    """
    membership = report_membership(user)
    if fmt not in ExportJob.Format.values or kind not in ExportJob.Kind.values:
        raise ValueError(f"no background export {kind} as {fmt}")
    params = _clean_params(params)
    scope = scope_for(user, params)
    job = ExportJob.objects.create(
        requested_by=user,
        membership=membership,
        kind=kind,
        format=fmt,
        params=params,
        school_year=scope.school_year,
        description=scope.describe()[:200],
        expires_at=timezone.now() + timedelta(hours=export_hours()),
    )
    transaction.on_commit(lambda: _send(job))
    return job


def _send(job: ExportJob) -> None:
    """Queue the job's task. When the broker cannot take it (Redis down), the job fails
    at once with a message to try again, instead of a server error or a job that waits
    for ever; `job.status` tells the caller."""
    from .tasks import build_export

    try:
        build_export.delay(job.pk)
    except Exception as error:
        logger.warning("export job %s not queued: %s", job.pk, type(error).__name__)
        job.status = ExportJob.Status.FAILED
        job.error = _("De export kon niet starten. Probeer het zo opnieuw.")[:200]
        job.finished_at = timezone.now()
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(
            status=job.status, error=job.error, finished_at=job.finished_at
        )


# --- Build ----------------------------------------------------------------------------


def export_job_claim(job_id: int, *, now: datetime | None = None) -> int | None:
    """queued -> running (or a stale running job again) by one conditional UPDATE.
    Returns the attempt number that holds the claim, or None when the job is not free."""
    now = now or timezone.now()
    free = Q(status=ExportJob.Status.QUEUED) | Q(
        status=ExportJob.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    )
    _fail_exhausted(now, pk=job_id)
    claimed = ExportJob.objects.filter(
        free, pk=job_id, expires_at__gt=now, attempts__lt=MAX_ATTEMPTS
    ).update(
        status=ExportJob.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        rows_done=0,
        rows_total=None,
        error="",
    )
    if not claimed:
        return None
    # Nobody else can claim it now: the heartbeat is fresh.
    return ExportJob.objects.values_list("attempts", flat=True).get(pk=job_id)


def _held(job_id: int, attempt: int) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING, attempts=attempt)


def export_job_progress(
    job_id: int, attempt: int, *, rows_done: int, rows_total: int | None = None
) -> None:
    """The cheap progress UPDATE (and the claim's heartbeat); LostClaim if it is gone."""
    values = {"rows_done": rows_done, "heartbeat_at": timezone.now()}
    if rows_total is not None:
        values["rows_total"] = rows_total
    try:
        updated = _held(job_id, attempt).update(**values)
    except OperationalError:
        # SQLite (make run) only: this connection is stepping through the rows, and a
        # write from the web process since the read began makes the upgrade to a write
        # fail at once. Progress is advisory there; the finish comes after the read.
        if connection.vendor != "sqlite":
            raise
        return
    if not updated:
        raise LostClaim


@contextmanager
def _reads_without_jit() -> Iterator[None]:
    """The export's reads with PostgreSQL's JIT off (see reports.db), but outside a
    transaction: the progress UPDATEs must reach the job page while the rows are read
    (a server-side cursor outside a transaction is declared WITH HOLD by Django)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")


class _Progress:
    """Counts the rows on their way to the file, with a progress UPDATE every
    PROGRESS_EVERY rows."""

    def __init__(self, job_id: int, attempt: int) -> None:
        self.job_id, self.attempt, self.done = job_id, attempt, 0

    def rows(self, rows: Iterable[Any]) -> Iterator[Any]:
        for row in rows:
            yield row
            self.done += 1
            if self.done % PROGRESS_EVERY == 0:
                export_job_progress(self.job_id, self.attempt, rows_done=self.done)


def _write_csv(path: str, rows: Iterable[Any]) -> None:
    """The streamed CSV's exact bytes: BOM, header, ';' and CRLF (reports.exports)."""
    with _private_file(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")
        writer = safe_csv_writer(handle, delimiter=";")
        writer.writerow(exports.student_csv_header())
        writer.writerows(exports.student_csv_row(row) for row in rows)


def _write_xlsx(path: str, rows: Iterable[Any]) -> None:
    """openpyxl's write-only workbook: rows go to a temporary file, not to memory."""
    workbook = Workbook(write_only=True)
    sheet = exports.write_only_sheet(
        workbook, exports.STUDENT_SHEET, header_row=exports.STUDENT_HEADER_ROW
    )
    try:
        exports.write_student_sheet(sheet, rows)
        with _private_file(path, "wb") as handle:
            workbook.save(handle)  # removes openpyxl's temporary file
    except BaseException:
        # openpyxl keeps the rows in a temporary file of its own (names, dates of
        # birth): removed also when the build fails or loses its claim.
        exports.discard_sheet(sheet)
        raise


def _private_file(path: str, mode: str, **kwargs: Any) -> IO[Any]:
    """Opened for the owner only (0600), and never over an existing file."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(descriptor, mode, **kwargs)


def _file_name(job: ExportJob, attempt: int) -> str:
    # The job's random id only: no BSN, no name, no school in the file name.
    return f"{job.public_id}-{attempt}.{job.format}"


def _remove(name: str) -> None:
    if name and export_storage.exists(name):
        export_storage.delete(name)


def _user_for(job: ExportJob) -> User:
    """The requester, acting in the job's membership; refused if that ended."""
    user = job.requested_by
    user.set_active_membership(job.membership_id)
    membership = user.active_membership
    if not user.is_active or membership is None or membership.pk != job.membership_id:
        raise ExportRefused
    try:
        report_membership(user)
    except Http404 as error:
        raise ExportRefused from error
    return user


def export_job_build(*, job_id: int) -> str:
    """Build the job's file if this call can claim it. Returns what happened: "done",
    "failed", "busy" (another worker holds a fresh claim) or "skipped" (done, failed,
    expired or gone: nothing to do)."""
    attempt = export_job_claim(job_id)
    if attempt is None:
        running = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING)
        return "busy" if running.exists() else "skipped"
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    name = _file_name(job, attempt)
    try:
        user = _user_for(job)
        scope = scope_for(user, job.params)
        queryset = exports.export_students(user, scope)
        os.makedirs(export_storage.location, mode=0o700, exist_ok=True)
        write = _write_csv if job.format == ExportJob.Format.CSV else _write_xlsx
        progress = _Progress(job_id, attempt)
        with _reads_without_jit():
            export_job_progress(job_id, attempt, rows_done=0, rows_total=queryset.count())
            written_ids: list[int] = []
            rows = exports.student_rows(queryset, ids=written_ids)
            write(export_storage.path(name), progress.rows(rows))
        written = progress.done
        export_job_progress(job_id, attempt, rows_done=written)
        with transaction.atomic():
            # Every student in the file, exactly: the ids of the rows written (a second
            # query minutes later could see another list).
            log = access_log(
                user=user,
                action=AccessLog.Action.EXPORT,
                students=written_ids,
                detail=f"studentenlijst {job.format} (achtergrond {job.public_id}): "
                f"{job.description}",
            )
            now = timezone.now()
            finished = _held(job_id, attempt).update(
                status=ExportJob.Status.DONE,
                file=name,
                rows_done=written,
                rows_total=written,
                finished_at=now,
                heartbeat_at=now,
                expires_at=now + timedelta(hours=export_hours()),
                access_log=log,
            )
            if not finished:
                raise LostClaim
    except LostClaim:
        _remove(name)
        logger.info("export job %s: attempt %s lost its claim", job_id, attempt)
        return "skipped"
    except ExportRefused:
        _remove(name)
        _fail(job_id, attempt, _("U mag deze lijst niet meer maken."))
        return "failed"
    except RETRYABLE_DB_ERRORS as error:
        # The database went away: give the claim back if it can still be reached, and
        # let the task retry (reports.tasks); otherwise the claim goes stale and the
        # next delivery or the hourly sweep takes it over.
        _remove(name)
        logger.warning("export job %s: %s, retried", job_id, type(error).__name__)
        with contextlib.suppress(DatabaseError):
            _release(job_id, attempt)
        raise
    except Exception as error:
        _remove(name)
        # The class only: a database error's text may quote row values.
        logger.error("export job %s failed: %s", job_id, type(error).__name__)
        _fail(job_id, attempt, _("De export is mislukt. Probeer het opnieuw."))
        return "failed"
    logger.info("export job %s: %s rows", job_id, written)
    return "done"


def _stuck(now: datetime) -> Q:
    """Jobs no worker is building: running without a heartbeat for STALE_AFTER (the
    worker was killed), or queued that long (the message was lost)."""
    return Q(status=ExportJob.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER) | Q(
        status=ExportJob.Status.QUEUED, created_at__lt=now - STALE_AFTER
    )


def _fail_exhausted(now: datetime, **filters: Any) -> int:
    """Stuck jobs that used up their attempts: failed (one conditional UPDATE)."""
    failed = (
        ExportJob.objects.filter(_stuck(now), attempts__gte=MAX_ATTEMPTS, expires_at__gt=now)
        .filter(**filters)
        .update(
            status=ExportJob.Status.FAILED,
            error=_("De export is mislukt. Probeer het opnieuw.")[:200],
            finished_at=now,
        )
    )
    if failed:
        logger.warning("%s export job(s) failed after %s attempts", failed, MAX_ATTEMPTS)
    return failed


def _release(job_id: int, attempt: int) -> int:
    """running -> queued while this attempt holds the claim: the task's retry (after a
    database error) claims it again at once instead of waiting for STALE_AFTER."""
    return _held(job_id, attempt).update(status=ExportJob.Status.QUEUED)


def _fail(job_id: int, attempt: int, message: str) -> None:
    _held(job_id, attempt).update(
        status=ExportJob.Status.FAILED, error=message[:200], finished_at=timezone.now()
    )


# --- Expiry ---------------------------------------------------------------------------


def export_jobs_expire(*, now: datetime | None = None) -> int:
    """Delete the files of jobs past `expires_at` and mark them expired (hourly, beat).

    Set-based and idempotent: a second run finds nothing. Leftovers of killed workers (a
    file no job points to, older than the download period) go as well.
    """
    now = now or timezone.now()
    past = ExportJob.objects.filter(
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING, ExportJob.Status.DONE],
        expires_at__lte=now,
    )
    with transaction.atomic():
        names = list(past.select_for_update().exclude(file="").values_list("file", flat=True))
        expired = past.update(status=ExportJob.Status.EXPIRED, file="")
    for name in names:
        _remove(name)
    _remove_orphans(now)
    _remove_orphan_temp_files(now)
    _fail_exhausted(now)
    _send_again(now)
    return expired


def _send_again(now: datetime) -> None:
    """Stuck jobs with attempts left get a new message; the claim keeps a job that is
    still being built from being built twice."""
    from .tasks import build_export

    stuck = ExportJob.objects.filter(_stuck(now), expires_at__gt=now, attempts__lt=MAX_ATTEMPTS)
    for job_id in stuck.values_list("pk", flat=True):
        try:
            build_export.delay(job_id)
        except Exception as error:  # the broker is down: the next hour tries again
            logger.warning("export job %s not sent again: %s", job_id, type(error).__name__)
            return
        logger.info("export job %s was stuck: sent again", job_id)


def _remove_orphan_temp_files(now: datetime) -> None:
    """openpyxl's temporary files (names, dates of birth) left by a killed worker:
    older than the longest a task may run (settings.KOERS_TASK_TIME_LIMIT)."""
    folder = os.path.join(export_storage.location, exports.TEMP_FOLDER)
    if not os.path.isdir(folder):
        return
    cutoff = now.timestamp() - settings.KOERS_TASK_TIME_LIMIT
    for entry in os.scandir(folder):
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                os.remove(entry.path)
                logger.info("removed an orphaned temporary export file")
        except FileNotFoundError:  # removed meanwhile by its worker
            continue


def _remove_orphans(now: datetime) -> None:
    if not os.path.isdir(export_storage.location):
        return
    cutoff = (now - timedelta(hours=export_hours())).timestamp()
    current = set(
        ExportJob.objects.filter(status=ExportJob.Status.DONE).values_list("file", flat=True)
    )
    _dirs, files = export_storage.listdir("")
    for name in files:
        if name in current:
            continue
        try:
            old = os.path.getmtime(export_storage.path(name)) < cutoff
        except FileNotFoundError:  # removed meanwhile by a failing worker
            continue
        if old:
            _remove(name)


def may_download(job: ExportJob, *, now: datetime | None = None) -> bool:
    return (
        job.status == ExportJob.Status.DONE
        and job.expires_at > (now or timezone.now())
        and bool(job.file)
        and export_storage.exists(job.file.name)
    )
