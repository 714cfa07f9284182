"""Every CSV and XLSX cell Koers writes goes through here (OWASP "CSV injection").

A spreadsheet program runs a cell that starts with `=`, `+`, `-` or `@` (and, in some,
a tab or a carriage return) as a formula: a student named `=HYPERLINK("http://x","y")`
would become a live link, `+cmd|' /C calc'!A0` a command. Such text gets a single quote
in front, which spreadsheets show as text; in XLSX the cell is written as a string cell,
never a formula. Numbers stay numbers (-3 is a number, not text), and text that is
nothing but a number ("-3", "12,5") cannot be a formula either, so it stays as it is.

The lowest layer (accounts), so every app's writers can import it: `safe_csv_writer`
for CSV, `xlsx_row` for openpyxl (normal and write-only worksheets).
"""

import csv
import re
from datetime import date, datetime, time
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")


def safe_cell(value):
    """The value as a spreadsheet must receive it: text that a spreadsheet would run as
    a formula gets a leading single quote; anything else is returned unchanged."""
    if isinstance(value, str):
        if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(value):
            return "'" + value
        return value
    if isinstance(value, bool | int | float | Decimal | date | datetime | time) or value is None:
        return value
    # Lazy translations and other objects are written as their text.
    return safe_cell(str(value))


def safe_row(row):
    return [safe_cell(value) for value in row]


class SafeCsvWriter:
    """csv.writer whose every row passes `safe_row` first."""

    def __init__(self, handle, **kwargs):
        self._writer = csv.writer(handle, **kwargs)

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self._writer.writerow(safe_row(row))


def safe_csv_writer(handle, **kwargs):
    return SafeCsvWriter(handle, **kwargs)


# Number formats of XLSX cells (Excel's codes; shown as dd-mm-jjjj and 11,7% in Dutch).
DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"
INTEGER_FORMAT = "0"
PERCENT_FORMAT = "0.0%"


def xlsx_row(sheet, row, *, number_formats=None, bold=False):
    """The row as openpyxl cells for `sheet.append`: text always a string cell (never a
    formula, also for a quoted value), numbers and dates as they are. Dates get the
    date format; `number_formats` (one per column, None for the default) formats
    numbers, never text (a suppressed "< 5" stays text)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cells = []
    for index, value in enumerate(safe_row(row)):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        else:
            wanted = (
                number_formats[index] if number_formats and index < len(number_formats) else None
            )
            if wanted is None and isinstance(value, datetime):
                wanted = DATETIME_FORMAT
            elif wanted is None and isinstance(value, date):
                wanted = DATE_FORMAT
            if wanted is not None and value is not None:
                cell.number_format = wanted
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def xlsx_freeze_row(sheet, row):
    """Rows up to and including `row` (the header) stay in view when scrolling. On a
    write-only sheet, set before its first row is written."""
    sheet.freeze_panes = f"A{row + 1}"


def xlsx_filter(sheet, *, row, columns, last_row):
    """A filter on the header at `row` over the rows below it, up to `last_row`."""
    from openpyxl.utils import get_column_letter

    sheet.auto_filter.ref = f"A{row}:{get_column_letter(max(columns, 1))}{max(last_row, row)}"


_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def xlsx_sheet_title(text, taken=()):
    """A sheet name Excel accepts: at most 31 characters, none of \\ / * ? : [ ], not
    starting with a quote, and not one of `taken`."""
    title = _SHEET_TITLE_FORBIDDEN.sub(" ", str(text)).strip().strip("'")[:31].strip() or "Blad"
    candidate, n = title, 2
    lowered = {name.lower() for name in taken}
    while candidate.lower() in lowered:
        suffix = f" ({n})"
        candidate = title[: 31 - len(suffix)] + suffix
        n += 1
    return candidate
