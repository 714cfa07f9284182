"""Showing step values the way people read them: labels, Ja/Nee, Dutch dates."""

from datetime import date
from decimal import Decimal

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()

EMPTY = "—"


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def display_value(model, name, value):
    """A value of a step (or a history value, where dates are ISO strings) as text."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("Ja") if value else _("Nee")
    field = _field(model, name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and (
        (field is not None and field.get_internal_type() == "DateField")
        or name in ("employment_start", "employment_end")
    ):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, date):
        return date_format(value, "j F Y")
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral() else str(value)
    return str(value)


@register.simple_tag
def step_value(model, name, value):
    return display_value(model, name, value)


@register.filter
def field_label(labels, name):
    return labels.get(name, name)


@register.filter
def hours(value):
    if value is None:
        return EMPTY
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral() else str(value)


@register.filter
def route_status(status):
    """A route step's status (roadmap.route.Status) in words, e.g. in a referral's copy."""
    from roadmap.route import Status

    labels = {
        Status.DONE: _("gedaan"),
        Status.DUE: _("volgende stap"),
        Status.OPEN: _("nog niet aan de beurt"),
        Status.OPTIONAL: _("alleen als het helpt"),
        Status.NOT_APPLICABLE: _("niet van toepassing"),
    }
    return labels.get(status, status)
