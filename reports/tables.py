"""A report as a table: what the page, the chart, CSV, XLSX and PDF all render.

Cells are text, a count of students (`Count`) or a share (`Ratio`). Small groups are
suppressed in one place (`display`), so no output can show them by accident: a count
of 1 to 4 students is "< 5"; a share whose denominator is below 5 is "< 5", and one
whose numerator is 1 to 4 shows "< 5" for it and no percentage.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

SMALL = 5
SUPPRESSED = "< 5"


@dataclass(frozen=True)
class Count:
    value: int


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int


def _small(value):
    return 0 < value < SMALL


def display(cell):
    """The text of a cell as every output shows it."""
    if isinstance(cell, Count):
        return SUPPRESSED if _small(cell.value) else str(cell.value)
    if isinstance(cell, Ratio):
        if cell.denominator == 0:
            return "0 / 0"
        if cell.denominator < SMALL:
            return SUPPRESSED
        if _small(cell.numerator):
            return f"{SUPPRESSED} / {cell.denominator}"
        percent = round(100 * cell.numerator / cell.denominator, 1)
        return f"{cell.numerator} / {cell.denominator} ({percent:.1f}%)".replace(".", ",")
    if cell is None:
        return ""
    return str(cell)


# How a spreadsheet formats a typed cell (accounts.spreadsheets' number formats).
INTEGER = "0"
PERCENT = "0.0%"


def sheet_cells(cell):
    """A cell as typed spreadsheet cells, (value, number format) pairs: a count is one
    number; a share is three: numerator, denominator and the fraction (formatted as a
    percentage). What `display` suppresses is the text "< 5" here too, and nothing
    else in a numeric column is text."""
    if isinstance(cell, Count):
        return [(SUPPRESSED, None)] if _small(cell.value) else [(cell.value, INTEGER)]
    if isinstance(cell, Ratio):
        if cell.denominator == 0:
            return [(cell.numerator, INTEGER), (0, INTEGER), (None, None)]
        if cell.denominator < SMALL:
            return [(SUPPRESSED, None)] * 3
        if _small(cell.numerator):
            return [(SUPPRESSED, None), (cell.denominator, INTEGER), (SUPPRESSED, None)]
        return [
            (cell.numerator, INTEGER),
            (cell.denominator, INTEGER),
            (cell.numerator / cell.denominator, PERCENT),
        ]
    return [(display(cell), None)]


def share_headers(column):
    """The three headers of a share's columns: "Op tijd / van wie de datum voorbij is"
    becomes "Op tijd", "Van wie de datum voorbij is" and the share in %."""
    text = str(column)
    if " / " in text:
        part, whole = text.split(" / ", 1)
        whole = whole[:1].upper() + whole[1:]
    else:
        part = _("%(column)s (aantal)") % {"column": text}
        whole = _("%(column)s (totaal)") % {"column": text}
    return [part, whole, _("%(column)s (%%)") % {"column": text}]


def chart_value(cell):
    """The number a chart may draw, or None where the table suppresses it."""
    if isinstance(cell, Count):
        return None if _small(cell.value) else cell.value
    if isinstance(cell, Ratio):
        if cell.denominator < SMALL or _small(cell.numerator):
            return None
        return round(100 * cell.numerator / cell.denominator, 1)
    return None


@dataclass
class Table:
    key: str
    title: str
    columns: list
    rows: list = field(default_factory=list)
    note: str = ""
    # Which columns the chart draws (indexes), against the first column as labels.
    chart_columns: list = field(default_factory=list)
    chart_kind: str = "bar"
    chart_unit: str = ""

    def display_rows(self):
        return [[display(cell) for cell in row] for row in self.rows]

    def sheet(self):
        """The table for a spreadsheet: its headers, and rows of (value, number format)
        pairs, each share spread over numerator, denominator and percentage columns."""
        shares = {i for row in self.rows for i, cell in enumerate(row) if isinstance(cell, Ratio)}
        headers = []
        for index, column in enumerate(self.columns):
            headers += share_headers(column) if index in shares else [str(column)]
        rows = []
        for row in self.rows:
            cells = []
            for index, cell in enumerate(row):
                typed = sheet_cells(cell)
                if index in shares and len(typed) == 1:  # text in a share's column
                    typed = typed + [("", None), ("", None)]
                cells += typed
            rows.append(cells)
        return headers, rows

    def chart(self):
        if not self.chart_columns or not self.rows:
            return None
        return {
            "kind": self.chart_kind,
            "unit": self.chart_unit,
            "title": str(self.title),
            "labels": [display(row[0]) for row in self.rows],
            "datasets": [
                {
                    "label": str(self.columns[index]),
                    "data": [chart_value(row[index]) for row in self.rows],
                }
                for index in self.chart_columns
            ],
        }
