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
def sorted_name(student):
    """'Boer, Jan de': the name as a list sorted on surname shows it."""
    return display_sort_name(student.first_name, student.last_name)
