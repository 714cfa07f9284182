"""Files of the reports: every table as CSV or XLSX, and the person-level list.

Aggregate CSV holds the same text as the page (`tables.display`); aggregate XLSX holds
typed cells (`Table.sheet`): counts as numbers, each share as numerator, denominator
and a percentage, with small groups suppressed ("< 5") as on screen. Sheets and headers
are Dutch, the header row is frozen and has a filter. The person-level list streams:
CSV row by row from a server-side cursor, XLSX through openpyxl's write-only workbook
into a temporary file; its dates are dates (CSV: dd-mm-jjjj, said in the header), its
levels and yes/no values are labels. CSV files start with a BOM (UTF-8 for Excel).
"""

import contextlib
import io
import os
import tempfile

from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.worksheet import _writer as openpyxl_writer

from accounts.models import Role
from accounts.spreadsheets import (
    DATE_FORMAT,
    INTEGER_FORMAT,
    safe_csv_writer,
    xlsx_filter,
    xlsx_freeze_row,
    xlsx_row,
    xlsx_sheet_title,
)
from monitoring.models import Signal, SignalStatus
from students.models import AccessLog, Enrolment, Level, Student
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


def write_only_sheet(workbook, title, *, header_row=None):
    """A write-only sheet whose rows go to a temporary file in `private_temp_dir`
    (openpyxl's default is the system's /tmp). Removed by `workbook.save`, or by
    `sheet._writer.cleanup()` when the build stops early. `header_row` stays in view
    (set here: a write-only sheet writes its view before the first row)."""
    sheet = workbook.create_sheet(title=title)
    if header_row:
        xlsx_freeze_row(sheet, header_row)
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


DATES_NOTE = gettext_lazy("Datums als dd-mm-jjjj.")


def tables_csv_lines(tables, *, heading):
    """CSV lines (strings) for a list of tables, one block per table."""
    writer = safe_csv_writer(_Echo(), delimiter=";")
    yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
    yield writer.writerow([heading])
    yield writer.writerow([str(DATES_NOTE)])
    for table in tables:
        yield writer.writerow([])
        yield writer.writerow([str(table.title)])
        yield writer.writerow([str(c) for c in table.columns])
        for row in table.display_rows():
            yield writer.writerow(row)
        if table.note:
            yield writer.writerow([str(table.note)])


# The sheets of the report tables, by the table's key: Dutch, within Excel's 31 letters.
SHEET_NAMES = {
    "entree_outflow": gettext_lazy("Uitstroom Entree"),
    "roadmap_timeliness": gettext_lazy("Tijdigheid route"),
    "vsv_operational": gettext_lazy("VSV op peildatum"),
    "vsv_snapshot": gettext_lazy("VSV-peiling 1 oktober"),
    "signals_kind": gettext_lazy("Signalen per soort"),
    "signals_assignee": gettext_lazy("Signalen per behandelaar"),
    "doorstroomtafel": gettext_lazy("Doorstroomtafel"),
    "flexservice": gettext_lazy("Flexservice"),
}
TABLE_HEADER_ROW = 3  # the title, the filters, then the header


def tables_xlsx(tables, *, heading) -> bytes:
    """One sheet per table: a title row, the filters, the header (frozen, with a filter)
    and the rows as typed cells (`Table.sheet`)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        name = SHEET_NAMES.get(table.key, table.key)
        sheet = workbook.create_sheet(title=xlsx_sheet_title(name, workbook.sheetnames))
        headers, rows = table.sheet()
        sheet.append(xlsx_row(sheet, [str(table.title)], bold=True))
        sheet.append(xlsx_row(sheet, [heading]))
        sheet.append(xlsx_row(sheet, headers, bold=True))
        for row in rows:
            values = [value for value, _format in row]
            sheet.append(xlsx_row(sheet, values, number_formats=[f for _v, f in row]))
        xlsx_freeze_row(sheet, TABLE_HEADER_ROW)
        xlsx_filter(
            sheet,
            row=TABLE_HEADER_ROW,
            columns=len(headers),
            last_row=TABLE_HEADER_ROW + len(rows),
        )
        for index, header in enumerate(headers, start=1):
            width = min(max(len(header) * 0.9, 10), 40)
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
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


STUDENT_SHEET = "studenten"
STUDENT_HEADER_ROW = 1
STUDENT_DATE_COLUMNS = (3, 7)
STUDENT_FORMATS = (
    None,
    None,
    None,
    DATE_FORMAT,
    None,
    None,
    None,
    DATE_FORMAT,
    None,
    None,
    INTEGER_FORMAT,
)


def student_columns(*, csv=False):
    """The list's headers, in Dutch; in CSV the date columns say how dates are written."""
    columns = [
        _("Studentnummer"),
        _("Voornaam"),
        _("Achternaam"),
        _("Geboortedatum"),
        _("Woongemeente"),
        _("Instelling"),
        _("Niveau"),
        _("Ingeschreven tot"),
        _("VSV (laatste controle)"),
        _("Monitoring beëindigd"),
        _("Open signalen"),
    ]
    if csv:
        for index in STUDENT_DATE_COLUMNS:
            columns[index] = _("%(column)s (dd-mm-jjjj)") % {"column": columns[index]}
    return columns


def student_csv_row(row):
    """A row of `student_rows` as CSV writes it: dates as dd-mm-jjjj."""
    return [
        value.strftime("%d-%m-%Y") if index in STUDENT_DATE_COLUMNS and value else value
        for index, value in enumerate(row)
    ]


def student_csv_header():
    return student_columns(csv=True)


def write_student_sheet(sheet, rows):
    """The list onto a write-only sheet made with `header_row=STUDENT_HEADER_ROW`: the
    header, the rows as typed cells, and a filter over them. Returns the rows written."""
    columns = student_columns()
    sheet.append(xlsx_row(sheet, columns, bold=True))
    written = 0
    for row in rows:
        sheet.append(xlsx_row(sheet, row, number_formats=STUDENT_FORMATS))
        written += 1
    xlsx_filter(
        sheet, row=STUDENT_HEADER_ROW, columns=len(columns), last_row=STUDENT_HEADER_ROW + written
    )
    return written


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
    yes, no = _("Ja"), _("Nee")
    levels = dict(Level.choices)
    for row in students_queryset(queryset, with_id=ids is not None).iterator(chunk_size=CHUNK):
        if ids is not None:
            ids.append(row[-1])
            row = row[:-1]
        (number, first, last, born, municipality, institution, level, until, vsv, ended, n) = row
        yield (
            number,
            first,
            last,
            born,
            municipality,
            institution or "",
            str(levels.get(level, level or "")),
            until,
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
    yield writer.writerow(student_csv_header())
    # Closed with the generator, also when the client goes away mid-download.
    with report_transaction():
        for row in student_rows(queryset):
            yield writer.writerow(student_csv_row(row))


def students_xlsx_file(queryset):
    """A temporary file with the list as XLSX (write-only: rows are not kept in memory)."""
    workbook = Workbook(write_only=True)
    sheet = write_only_sheet(workbook, STUDENT_SHEET, header_row=STUDENT_HEADER_ROW)
    try:
        with report_transaction():
            write_student_sheet(sheet, student_rows(queryset))
    except BaseException:
        discard_sheet(sheet)
        raise
    # In the private export folder, not /tmp: the file holds names and dates of birth.
    handle = tempfile.TemporaryFile(dir=private_temp_dir())  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    return handle
