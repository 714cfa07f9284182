from django import template

register = template.Library()


@register.filter
def lookup(mapping, key):
    """`{{ labels|lookup:key }}`: a dict value by a variable key (None when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
