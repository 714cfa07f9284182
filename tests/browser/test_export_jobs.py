"""A background export in real Chromium: the regional coordinator starts the student list
as a background job, the page follows the job with htmx until it is done, and the
download holds the list."""

import csv
import io
import threading
from pathlib import Path

from django.db import connection

from reports.models import ExportJob
from reports.tasks import build_export
from students.models import AccessLog

from .conftest import assert_accessible, login


def _worker_soon(monkeypatch):
    """Instead of a broker: the task runs a moment later in another thread, so the page
    first shows the queued job and then has to follow it."""

    def run(job_id):
        try:
            build_export(job_id)
        finally:
            connection.close()

    def delay(job_id):
        threading.Timer(1.0, run, [job_id]).start()

    monkeypatch.setattr(build_export, "delay", delay)


def test_regional_coordinator_follows_a_background_export_to_the_download(
    page, live_server, demo_data, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    _worker_soon(monkeypatch)
    login(page, live_server, "regio@nhn.demo")
    page.get_by_role("link", name="Rapportages", exact=True).click()
    page.wait_for_url(f"{live_server.url}/rapportages/")
    page.get_by_role("button", name="Als achtergrondtaak maken (CSV)").click()
    page.wait_for_url("**/rapportages/exports/*/")
    job = ExportJob.objects.get()
    assert page.url == f"{live_server.url}/rapportages/exports/{job.public_id}/"
    assert page.get_by_text("De export is gestart").is_visible()

    # htmx polls every 2 s until the job is done; the progress bar is then full.
    download_link = page.get_by_role("link", name="Download (CSV)")
    download_link.wait_for(timeout=30_000)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    progress = page.locator("progress#export-job-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == str(job.rows_total)
    total = f"{job.rows_total:,}".replace(",", ".")  # Dutch thousands
    assert page.get_by_text(f"{total} van {total} rijen").first.is_visible()
    assert_accessible(page)

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert (
        download.suggested_filename == f"koers-studenten-{job.school_year}-{job.public_id[:8]}.csv"
    )
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Studentnummer"
    assert len(rows) - 1 == job.rows_total > 0
    assert AccessLog.objects.filter(action="export", user=job.requested_by).count() == 1
    assert AccessLog.objects.filter(action="download", user=job.requested_by).count() == 1

    page.get_by_role("link", name="Mijn exports").click()
    assert page.get_by_role("cell", name="klaar").is_visible()
