"""Background exports of the person-level list (issue 7): start from the dashboard, a
Celery task builds the file with progress, only the requester downloads it, everything
is in the access log, and the files expire."""

import io
import os
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Membership
from reports import services
from reports.models import ExportJob
from reports.tasks import build_export, expire_export_jobs
from students.append_only import install_triggers, remove_triggers
from students.models import AccessLog
from tests.factories import EnrolmentFactory, make_user, municipality
from tests.test_celery_worker import REDIS_URL, celery_worker  # noqa: F401 - fixture

from .conftest import TODAY


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "exports"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("reports.scope.timezone.localdate", lambda: TODAY)


@pytest.fixture
def run_tasks_at_once(monkeypatch):
    """A task sent after the commit runs at once, in this process (no broker)."""
    monkeypatch.setattr(build_export, "delay", lambda job_id: build_export(job_id))


def start(client, user, fmt="csv", query="jaar=2026"):
    """Press "Als achtergrondtaak maken" on the dashboard; the task is not run yet."""
    client.force_login(user)
    response = client.post(f"/rapportages/exports/nieuw/{fmt}/?{query}")
    assert response.status_code == 302, response
    job = ExportJob.objects.latest("pk")
    assert response["Location"] == f"/rapportages/exports/{job.public_id}/"
    return job


def streamed(client, fmt, query="jaar=2026"):
    response = client.get(f"/rapportages/export/studenten.{fmt}?{query}")
    return b"".join(response.streaming_content)


def download(client, job):
    return client.get(f"/rapportages/exports/{job.public_id}/download/")


def numbers_in_csv(content):
    lines = content.decode("utf-8-sig").splitlines()[1:]
    return {line.split(";")[0] for line in lines}


def test_job_life_cycle_through_the_views(
    known, coordinator, client, run_tasks_at_once, media, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/rapportages/exports/nieuw/csv/?jaar=2026&niveau=entree&x=1")
    assert len(callbacks) == 1
    job = ExportJob.objects.get()
    assert response["Location"] == f"/rapportages/exports/{job.public_id}/"
    assert job.params == {"jaar": "2026", "niveau": "entree"}  # only the report filters
    assert job.requested_by == coordinator
    assert job.membership.organisation.name == "Horizon College"

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.attempts == 1
    assert (job.rows_done, job.rows_total) == (
        25,
        25,
    )  # Horizon's Entree students, the Delft one too
    assert job.started_at <= job.finished_at
    assert job.expires_at > timezone.now() + timedelta(hours=23)
    # The file is private: under MEDIA_ROOT/exports, named by the job's random id only.
    assert job.file.name == f"{job.public_id}-1.csv"
    assert sorted(os.listdir(media)) == [job.file.name]
    assert oct(os.stat(media / job.file.name).st_mode & 0o777) == "0o600"
    with pytest.raises(ValueError, match="not accessible via a URL"):
        job.file.url  # noqa: B018

    page = client.get(f"/rapportages/exports/{job.public_id}/").content.decode()
    assert "klaar" in page
    assert 'value="25" max="25"' in page
    assert "25 van 25 rijen" in page
    assert 'hx-trigger="every' not in page  # done: no more polling (the bell loads once)
    assert f'href="/rapportages/exports/{job.public_id}/download/"' in page

    response = download(client, job)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="koers-studenten-2026-{job.public_id[:8]}.csv"'
    )
    content = b"".join(response.streaming_content)
    assert content == streamed(client, "csv", "jaar=2026&niveau=entree")


def test_the_file_holds_what_the_streamed_csv_holds(known, coordinator, client):
    job = start(client, coordinator, "csv")
    assert build_export(job.pk) == "done"
    job.refresh_from_db()
    content = job.file.open("rb").read()
    assert content == streamed(client, "csv")
    assert len(numbers_in_csv(content)) == 26


def test_xlsx_holds_the_regions_residents_like_the_streamed_xlsx(known, regio, client):
    job = start(client, regio, "xlsx")
    assert build_export(job.pk) == "done"
    response = download(client, ExportJob.objects.get(pk=job.pk))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    built = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["studenten"]
    expected = load_workbook(io.BytesIO(streamed(client, "xlsx")))["studenten"]
    rows = list(built.iter_rows(values_only=True))
    assert rows == list(expected.iter_rows(values_only=True))
    assert len(rows) == 1 + 25
    assert known.delft.student_number not in {row[0] for row in rows}


def test_every_export_and_download_is_in_the_access_log(known, coordinator, client):
    job = start(client, coordinator)
    assert not AccessLog.objects.filter(action="export").exists()  # nothing built yet
    build_export(job.pk)
    job.refresh_from_db()
    everyone = sorted(s.pk for s in [*known.students, known.delft, known.mbo4])
    export = AccessLog.objects.get(action="export")
    assert export == job.access_log
    assert (export.user, export.role) == (coordinator, "school_coordinator")
    assert export.organisation.name == "Horizon College"
    assert sorted(export.student_ids) == everyone
    assert export.detail.startswith(f"studentenlijst csv (achtergrond {job.public_id})")

    download(client, job)
    download(client, job)
    downloads = AccessLog.objects.filter(action="download", user=coordinator)
    assert downloads.count() == 2
    assert all(sorted(log.student_ids) == everyone for log in downloads)
    assert downloads.first().detail.startswith(f"studentenlijst csv download {job.public_id}")


def test_progress_is_reported_every_few_thousand_rows(known, coordinator, client, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 10)
    seen = []
    original = services.export_job_progress

    def spy(job_id, attempt, **values):
        original(job_id, attempt, **values)
        seen.append(ExportJob.objects.values_list("status", "rows_done", "rows_total").get())

    monkeypatch.setattr(services, "export_job_progress", spy)
    job = start(client, coordinator)
    build_export(job.pk)
    # The count first, then one UPDATE per 10 rows (not per row), then the last count.
    assert seen == [
        ("running", 0, 26),
        ("running", 10, 26),
        ("running", 20, 26),
        ("running", 26, 26),
    ]
    assert ExportJob.objects.values_list("status", "rows_done").get() == ("done", 26)


@pytest.fixture
def reference_data_back(django_db_blocker):
    """Set up before the transactional database and so torn down after its flush: put the
    reference data back, so the tests after this one find the database as migrate left
    it (tests that take `db` through getfixturevalue run after the transactional ones)."""
    yield
    from django.apps import apps

    from accounts import reference_data

    with django_db_blocker.unblock():
        reference_data.load(apps)


@pytest.fixture
def committed(transactional_db):
    """Committed data (another connection must see it), with the reference data that an
    earlier transactional test's flush removed."""
    from django.apps import apps

    from accounts import reference_data

    reference_data.load(apps)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second connection needs a server")
def test_progress_reaches_other_connections_while_the_rows_are_read(
    reference_data_back, committed, known, coordinator, client, monkeypatch
):
    """The worker reads outside a transaction (a WITH HOLD cursor), so each progress
    UPDATE is committed and the job page, on its own connection, sees it at once."""
    monkeypatch.setattr(services, "PROGRESS_EVERY", 10)
    other = connections.create_connection("default")
    seen = []
    original = services.export_job_progress

    def spy(job_id, attempt, **values):
        original(job_id, attempt, **values)
        with other.cursor() as cursor:
            cursor.execute("SELECT rows_done FROM reports_exportjob WHERE id = %s", [job_id])
            seen.append(cursor.fetchone()[0])

    monkeypatch.setattr(services, "export_job_progress", spy)
    monkeypatch.setattr(build_export, "delay", lambda job_id: None)  # run below instead
    job = start(client, coordinator)
    try:
        assert build_export(job.pk) == "done"
    finally:
        other.close()
    assert seen == [0, 10, 20, 26]


def test_progress_bar_and_polling_while_running(known, coordinator, client):
    job = start(client, coordinator)
    page = client.get(f"/rapportages/exports/{job.public_id}/").content.decode()
    assert "in de wachtrij" in page
    assert "<progress" in page
    assert 'hx-trigger="every 2s"' in page
    assert "/download/" not in page

    attempt = services.export_job_claim(job.pk)
    services.export_job_progress(job.pk, attempt, rows_done=12000, rows_total=48000)
    partial = client.get(f"/rapportages/exports/{job.public_id}/", headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert "<html" not in html  # only the status part
    assert "HX-Request" in partial["Vary"]
    assert '<progress id="export-job-progress" class="w-100" value="12000" max="48000"' in html
    assert 'aria-valuetext="12.000 van 48.000 rijen"' in html
    assert 'hx-get="/rapportages/exports/' in html
    assert "bezig" in html
    # No inline script or style on the pages (CSP).
    assert "<script>" not in html
    assert "style=" not in html


def test_scope_is_evaluated_again_when_the_worker_runs(known, regio, client):
    job = start(client, regio)
    moved = known.entree["enrolled"][0].student
    moved.municipality = municipality("Delft")  # moved out of the region after the click
    moved.save()
    build_export(job.pk)
    job.refresh_from_db()
    numbers = numbers_in_csv(job.file.open("rb").read())
    assert moved.student_number not in numbers
    assert len(numbers) == 24
    assert moved.pk not in AccessLog.objects.get(action="export").student_ids


def test_a_job_whose_membership_ended_fails_without_a_file(known, coordinator, client, media):
    job = start(client, coordinator)
    Membership.objects.filter(user=coordinator).update(is_active=False)
    assert build_export(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.error == "U mag deze lijst niet meer maken."
    assert not job.file
    assert not media.exists() or not os.listdir(media)
    assert not AccessLog.objects.filter(action="export").exists()


def test_an_error_while_building_fails_the_job_and_removes_the_file(
    known, coordinator, client, media, monkeypatch, caplog
):
    def broken(queryset, ids=None):
        yield ("1", "Jan")
        raise RuntimeError("row 123456782 broke")  # a message that must not be logged

    monkeypatch.setattr("reports.exports.student_rows", broken)
    job = start(client, coordinator)
    assert build_export(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert os.listdir(media) == []
    assert "123456782" not in caplog.text
    assert "RuntimeError" in caplog.text
    page = client.get(f"/rapportages/exports/{job.public_id}/").content.decode()
    assert "De export is mislukt" in page
    assert 'hx-trigger="every' not in page
    assert download(client, job).status_code == 404


def test_claim_is_exclusive_and_a_retry_of_a_done_job_does_nothing(
    known, coordinator, client, media
):
    job = start(client, coordinator)
    assert build_export(job.pk) == "done"
    assert build_export(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.attempts == 1
    assert os.listdir(media) == [job.file.name]
    assert AccessLog.objects.filter(action="export").count() == 1


def test_a_fresh_claim_keeps_a_second_worker_out(known, coordinator, client):
    job = start(client, coordinator)
    assert services.export_job_claim(job.pk) == 1
    assert services.export_job_claim(job.pk) is None  # the conditional UPDATE matched nothing
    assert build_export(job.pk) == "busy"
    assert ExportJob.objects.values_list("status", "attempts").get() == ("running", 1)


def test_a_stale_claim_is_taken_over_and_the_old_worker_stops(known, coordinator, client, media):
    job = start(client, coordinator)
    first = services.export_job_claim(job.pk)
    later = timezone.now() + services.STALE_AFTER + timedelta(seconds=1)
    assert services.export_job_claim(job.pk, now=later) == first + 1
    with pytest.raises(services.LostClaim):
        services.export_job_progress(job.pk, first, rows_done=5000)
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert build_export(job.pk) == "done"
    job.refresh_from_db()
    assert (job.attempts, job.file.name) == (3, f"{job.public_id}-3.csv")
    assert os.listdir(media) == [job.file.name]


def test_expiry_removes_files_and_marks_jobs_expired_once(known, coordinator, client, media):
    job = start(client, coordinator)
    build_export(job.pk)
    fresh = start(client, coordinator)
    build_export(fresh.pk)
    fresh.refresh_from_db()
    job.refresh_from_db()
    # A leftover of a killed worker: no job points to it.
    orphan = media / "leftover-1.csv"
    orphan.write_text("x")
    old = time.time() - 25 * 3600
    os.utime(orphan, (old, old))
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert expire_export_jobs() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED
    assert not job.file
    assert sorted(os.listdir(media)) == [fresh.file.name]
    assert expire_export_jobs() == 0  # idempotent
    assert download(client, job).status_code == 404
    assert (
        "Het bestand is verwijderd"
        in client.get(f"/rapportages/exports/{job.public_id}/").content.decode()
    )
    assert download(client, fresh).status_code == 200


def test_a_done_job_past_its_time_is_not_downloadable_before_the_sweep(known, coordinator, client):
    job = start(client, coordinator)
    build_export(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert download(client, job).status_code == 404
    assert not AccessLog.objects.filter(action="download").exists()


def test_only_the_requester_sees_the_job_and_its_file(
    known, coordinator, clusius_coordinator, regio, mentor, client
):
    job = start(client, coordinator)
    build_export(job.pk)
    colleague = make_user("coordinator2@horizon.test", "school_coordinator", "Horizon College")
    for other in (colleague, clusius_coordinator, regio, mentor):
        client.force_login(other)
        assert client.get(f"/rapportages/exports/{job.public_id}/").status_code == 404, other
        assert download(client, job).status_code == 404, other
        assert job.public_id not in client.get("/rapportages/exports/").content.decode()
    assert not AccessLog.objects.filter(action="download").exists()
    client.logout()
    assert download(client, job)["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["mentor", "wi", "functional_admin", "leerplicht"])
def test_other_roles_cannot_start_or_list_background_exports(persona, request, client, db):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.post("/rapportages/exports/nieuw/csv/").status_code == 404
    assert client.get("/rapportages/exports/").status_code == 404
    assert not ExportJob.objects.exists()


def test_start_takes_post_only_and_known_formats(coordinator, client):
    client.force_login(coordinator)
    assert client.get("/rapportages/exports/nieuw/csv/").status_code == 405
    assert client.post("/rapportages/exports/nieuw/pdf/").status_code == 404
    assert not ExportJob.objects.exists()


def test_dashboard_offers_the_background_export_per_format(coordinator, client):
    client.force_login(coordinator)
    page = client.get("/rapportages/", {"jaar": 2026, "niveau": "entree"}).content.decode()
    for fmt in ("csv", "xlsx"):
        assert f'action="/rapportages/exports/nieuw/{fmt}/?jaar=2026&amp;niveau=entree"' in page
    assert page.count("Als achtergrondtaak maken") == 2
    assert 'href="/rapportages/exports/"' in page


def _job_page_queries(client, job, django_assert_num_queries, count):
    with django_assert_num_queries(count):
        assert client.get(f"/rapportages/exports/{job.public_id}/").status_code == 200


def test_job_page_query_count_is_fixed(known, coordinator, client, django_assert_num_queries):
    job = start(client, coordinator)
    build_export(job.pk)
    # Session, the user with their memberships, the job, the list of recent jobs.
    _job_page_queries(client, job, django_assert_num_queries, 4)
    for _ in range(12):
        start(client, coordinator)
    _job_page_queries(client, job, django_assert_num_queries, 4)
    with django_assert_num_queries(3):
        client.get(f"/rapportages/exports/{job.public_id}/", headers={"HX-Request": "true"})


@pytest.fixture
def flushable_access_log(transactional_db):
    """The flush after a transactional test DELETEs on SQLite, which the access log's
    append-only trigger refuses: empty it with the trigger lifted, then put it back."""
    yield
    if connection.vendor == "sqlite":
        ExportJob.objects.all().delete()  # they point to access-log rows
        remove_triggers(connection)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM students_accesslog")
        install_triggers(connection)


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a real Redis broker); CI sets it")
@pytest.mark.usefixtures("reference_data_back", "celery_worker", "flushable_access_log")
def test_a_real_worker_builds_the_job_and_the_download_returns_it(client):
    coordinator = make_user("coordinator@horizon.test", "school_coordinator", "Horizon College")
    for _ in range(3):
        EnrolmentFactory()
    client.force_login(coordinator)
    response = client.post("/rapportages/exports/nieuw/csv/?jaar=2026")
    job = ExportJob.objects.get()
    assert response["Location"] == f"/rapportages/exports/{job.public_id}/"
    deadline = time.monotonic() + 60
    while job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
        assert time.monotonic() < deadline, f"the worker did not finish: {job.status}"
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.rows_done == 3
    content = b"".join(download(client, job).streaming_content)
    assert content == streamed(client, "csv")
    assert AccessLog.objects.filter(action="download", user=coordinator).count() == 1


def test_expiry_runs_hourly_from_the_beat_schedule():
    from config.celery import app

    tasks = [entry["task"] for entry in app.conf.beat_schedule.values()]
    assert "reports.tasks.expire_export_jobs" in tasks
    assert "reports.tasks.expire_export_jobs" in app.tasks


def test_the_access_log_names_exactly_the_students_in_the_file(
    known, coordinator, client, monkeypatch
):
    """A student who leaves the scope while the file is written is in the file, so in
    the log too (a second query after the build would miss them)."""
    job = start(client, coordinator)
    leaving = known.students[0]
    write_csv = services._write_csv

    def write_then_leave(path, rows):
        write_csv(path, rows)
        # No longer at the coordinator's school: out of their scope from now on.
        leaving.enrolments.all().delete()

    monkeypatch.setattr(services, "_write_csv", write_then_leave)
    build_export(job.pk)
    job.refresh_from_db()
    content = download(client, job).getvalue()
    assert leaving.student_number in numbers_in_csv(content)
    assert leaving.pk in job.access_log.student_ids


def test_a_failed_xlsx_build_leaves_no_temporary_file(tmp_path, monkeypatch, media):
    import tempfile

    system_temp = tmp_path / "system-tmp"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    seen = []

    def rows():
        yield ("1",) * 11
        seen.extend(os.listdir(media / "tmp"))
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        services._write_xlsx(str(tmp_path / "out.xlsx"), rows())
    # openpyxl's rows went to the private export folder, never to the system's /tmp ...
    assert len(seen) == 1
    assert seen[0].startswith("openpyxl.")
    assert list(system_temp.iterdir()) == []
    # ... and are gone with the failed build.
    assert os.listdir(media / "tmp") == []
    assert not (tmp_path / "out.xlsx").exists()


def test_a_file_gone_between_check_and_download_is_a_404(known, coordinator, client, media):
    job = start(client, coordinator)
    build_export(job.pk)
    job.refresh_from_db()
    os.remove(media / job.file.name)
    monkeypatch_may = services.may_download
    try:
        services.may_download = lambda job, now=None: True
        assert download(client, job).status_code == 404
    finally:
        services.may_download = monkeypatch_may
    assert not AccessLog.objects.filter(action="download").exists()
