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


def xlsx_row(sheet, row):
    """The row as openpyxl cells for `sheet.append`: text always a string cell (never a
    formula, also for a quoted value), numbers and dates as they are."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in safe_row(row):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        cells.append(cell)
    return cells
