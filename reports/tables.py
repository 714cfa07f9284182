"""A report as a table: what the page, the chart, CSV, XLSX and PDF all render.

Cells are text, a count of students (`Count`) or a share (`Ratio`). Small groups are
suppressed in one place (`display`), so no output can show them by accident: a count
of 1 to 4 students is "< 5"; a share whose denominator is below 5 is "< 5", and one
whose numerator is 1 to 4 shows "< 5" for it and no percentage.
"""

from dataclasses import dataclass, field

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
