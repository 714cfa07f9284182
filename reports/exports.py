"""Files of the reports: every table as CSV or XLSX, and the person-level list.

Aggregate files hold the same text as the page (`tables.display`), so small groups are
suppressed in files as on screen. The person-level list streams: CSV row by row from a
server-side cursor, XLSX through openpyxl's write-only workbook into a temporary file.
"""

import contextlib
import io
import os
import tempfile

from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet import _writer as openpyxl_writer

from accounts.models import Role
from accounts.spreadsheets import safe_csv_writer, xlsx_row
from monitoring.models import Signal, SignalStatus
from students.models import AccessLog, Enrolment, Student
from students.services import access_log

from .db import report_transaction

CHUNK = 2000
# Temporary files of the person-level XLSX (openpyxl's rows, the file being sent) live
# in the private export folder, not in /tmp; the hourly sweep removes orphans
# (reports.services.export_jobs_expire).
TEMP_FOLDER = "tmp"
TEMP_PREFIX = "openpyxl."


def private_temp_dir():
    """MEDIA_ROOT/exports/tmp, for the owner only (0700)."""
    from .models import export_storage

    path = os.path.join(export_storage.location, TEMP_FOLDER)
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def write_only_sheet(workbook, title):
    """A write-only sheet whose rows go to a temporary file in `private_temp_dir`
    (openpyxl's default is the system's /tmp). Removed by `workbook.save`, or by
    `sheet._writer.cleanup()` when the build stops early."""
    sheet = workbook.create_sheet(title=title)
    descriptor, path = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=private_temp_dir())
    os.close(descriptor)
    openpyxl_writer.ALL_TEMP_FILES.append(path)  # removed at exit at the latest
    sheet._writer = openpyxl_writer.WorksheetWriter(sheet, out=path)
    sheet._writer.write_top()
    return sheet


def discard_sheet(sheet):
    """A build that stops early: close the sheet's row stream and remove its temporary
    file (names, dates of birth) at once."""
    rows = getattr(sheet, "_rows", None)
    if rows is not None:
        with contextlib.suppress(Exception):
            rows.close()
    writer = getattr(sheet, "_writer", None)
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.close()
        with contextlib.suppress(FileNotFoundError, ValueError):
            writer.cleanup()


class _Echo:
    def write(self, value):
        return value


def tables_csv_lines(tables, *, heading):
    """CSV lines (strings) for a list of tables, one block per table."""
    writer = safe_csv_writer(_Echo(), delimiter=";")
    yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
    yield writer.writerow([heading])
    for table in tables:
        yield writer.writerow([])
        yield writer.writerow([str(table.title)])
        yield writer.writerow([str(c) for c in table.columns])
        for row in table.display_rows():
            yield writer.writerow(row)
        if table.note:
            yield writer.writerow([str(table.note)])


def tables_xlsx(tables, *, heading) -> bytes:
    """One sheet per table: a title row, the header and the rows as shown on the page."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(title=table.key[:31])
        sheet.append(xlsx_row(sheet, [str(table.title)]))
        sheet.append(xlsx_row(sheet, [heading]))
        sheet.append(xlsx_row(sheet, [str(c) for c in table.columns]))
        for row in table.display_rows():
            sheet.append(xlsx_row(sheet, row))
        if table.note:
            sheet.append([])
            sheet.append(xlsx_row(sheet, [str(table.note)]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- The person-level list ------------------------------------------------------------


def export_students(user, scope):
    """Students the user may have on a person-level list, within the report's filters.

    School coordinators: the students they see anyway (`visible_to`). Regional
    coordinators see no student files, but ACCESS.md gives them person-level lists of
    their region in logged exports: the region's residents, here and nowhere else.
    """
    membership = user.active_membership
    queryset = scope.students()
    if membership.role == Role.REGIONAL_COORDINATOR:
        return queryset.filter(municipality__region_id=membership.organisation.region_id)
    return queryset.filter(pk__in=Student.objects.visible_to(user).values("pk"))


STUDENT_COLUMNS = (
    "Studentnummer",
    "Voornaam",
    "Achternaam",
    "Geboortedatum",
    "Woongemeente",
    "Instelling",
    "Niveau",
    "Ingeschreven tot",
    "VSV (laatste controle)",
    "Monitoring beëindigd",
    "Open signalen",
)


def students_queryset(queryset, *, with_id=False):
    """The list's SELECT: one row per student with their latest enrolment and status
    (and, `with_id`, the student's id last, for the access log)."""
    latest = Enrolment.objects.filter(student=OuterRef("pk")).order_by("-start_date", "-pk")
    open_signals = (
        Signal.objects.filter(student=OuterRef("pk"), status=SignalStatus.OPEN)
        .values("student")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        queryset.order_by("student_number")
        .annotate(
            institution_name=Subquery(latest.values("institution__name")[:1]),
            level=Subquery(latest.values("level")[:1]),
            until=Subquery(latest.values("end_date")[:1]),
            open_signals=Subquery(open_signals[:1]),
        )
        .values_list(
            "student_number",
            "first_name",
            "last_name",
            "date_of_birth",
            "municipality__name",
            "institution_name",
            "level",
            "until",
            "monitoring_status__vsv",
            "monitoring_status__monitoring_ended",
            "open_signals",
            *(["pk"] if with_id else []),
        )
    )


def student_rows(queryset, *, ids=None):
    """Tuples of the list, read in chunks from a server-side cursor. `ids`, a list,
    receives the id of every student written, so an access log can name exactly them."""
    yes, no = _("ja"), _("nee")
    for row in students_queryset(queryset, with_id=ids is not None).iterator(chunk_size=CHUNK):
        if ids is not None:
            ids.append(row[-1])
            row = row[:-1]
        (number, first, last, born, municipality, institution, level, until, vsv, ended, n) = row
        yield (
            number,
            first,
            last,
            born.isoformat(),
            municipality,
            institution or "",
            level or "",
            until.isoformat() if until else "",
            yes if vsv else no,
            yes if ended else no,
            n or 0,
        )


def log_student_export(*, user, queryset, detail):
    """The access-log row of a person-level export: every student on it, by id."""
    ids = list(queryset.order_by().values_list("pk", flat=True))
    return access_log(user=user, action=AccessLog.Action.EXPORT, students=ids, detail=detail)


def students_csv_lines(queryset):
    writer = safe_csv_writer(_Echo(), delimiter=";")
    yield "\ufeff"
    yield writer.writerow(STUDENT_COLUMNS)
    # Closed with the generator, also when the client goes away mid-download.
    with report_transaction():
        for row in student_rows(queryset):
            yield writer.writerow(row)


def students_xlsx_file(queryset):
    """A temporary file with the list as XLSX (write-only: rows are not kept in memory)."""
    workbook = Workbook(write_only=True)
    sheet = write_only_sheet(workbook, "studenten")
    try:
        sheet.append(xlsx_row(sheet, STUDENT_COLUMNS))
        with report_transaction():
            for row in student_rows(queryset):
                sheet.append(xlsx_row(sheet, row))
    except BaseException:
        discard_sheet(sheet)
        raise
    # In the private export folder, not /tmp: the file holds names and dates of birth.
    handle = tempfile.TemporaryFile(dir=private_temp_dir())  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    return handle
