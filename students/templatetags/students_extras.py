from django import template

from students.names import display_sort_name

register = template.Library()


@register.filter
def lookup(mapping, key):
    """`{{ labels|lookup:key }}`: a dict value by a variable key (None when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def history_entry(entry):
    """Any history table's entry as people read it (students.history.history_row)."""
    from students.history import history_row

    return history_row(entry)


@register.filter
def iso_date(value):
    """A date kept as an ISO string (a snapshot, a history value) as "3 december 2026"."""
    from datetime import date

    from students.history import display_value

    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return display_value(None, "", value)


@register.filter
def sorted_name(student):
    """'Boer, Jan de': the name as a list sorted on surname shows it."""
    return display_sort_name(student.first_name, student.last_name)
