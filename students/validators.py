"""Checks on values that people type, shared by every form and service that takes them.

- A date of birth makes the person 12 to 30 years old on the day it is entered (or on
  the day it matters, such as a programme's start): the intake desk, placements and
  every student form refuse anything else, with the reason on the field.
- A `version` that a form carries for optimistic locking is a bounded whole number: a
  tampered value is a form error, never a database error (a 500).
"""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .dates import age_on

# The youngest and oldest age a young person in Koers can have (the Flexservice's
# target group starts at 16 and monitoring ends at 27; the margin allows for the intake
# of younger vo pupils and for late corrections).
MIN_AGE = 12
MAX_AGE = 30
# The largest value an integer column holds on every database we run (PostgreSQL
# integer); a version beyond it can only be a tampered form.
MAX_VERSION = 2**31 - 1


def date_of_birth_error(value: date | None, *, on: date | None = None) -> str | None:
    """Why `value` is not a plausible date of birth on `on` (default today), or None."""
    if value is None:
        return None
    on = on or timezone.localdate()
    if value > on:
        return _("De geboortedatum ligt in de toekomst.")
    age = age_on(value, on)
    if age < MIN_AGE:
        return _(
            "Met deze geboortedatum is de jongere op %(day)s %(age)s jaar; de jongste "
            "leeftijd is %(min)s jaar. Controleer de geboortedatum."
        ) % {"day": on.strftime("%d-%m-%Y"), "age": age, "min": MIN_AGE}
    if age > MAX_AGE:
        return _(
            "Met deze geboortedatum is de jongere op %(day)s %(age)s jaar; de oudste "
            "leeftijd is %(max)s jaar. Controleer de geboortedatum."
        ) % {"day": on.strftime("%d-%m-%Y"), "age": age, "max": MAX_AGE}
    return None


def validate_date_of_birth(value: date | None, *, on: date | None = None) -> None:
    """The form-field validator: raises ValidationError with the reason."""
    message = date_of_birth_error(value, on=on)
    if message:
        raise ValidationError(message, code="date_of_birth")


class VersionField(forms.IntegerField):
    """The hidden version an edit form carries (optimistic locking), bounded."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_VERSION)
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": gettext_lazy("Het formulier is ongeldig; laad de pagina opnieuw."),
                "required": gettext_lazy("Het formulier is ongeldig; laad de pagina opnieuw."),
                "min_value": gettext_lazy("Het formulier is ongeldig; laad de pagina opnieuw."),
                "max_value": gettext_lazy("Het formulier is ongeldig; laad de pagina opnieuw."),
            },
        )
        super().__init__(**kwargs)


class VersionedFormMixin:
    """A form with a hidden `version`: its errors are shown at the top of the form (a
    hidden field has no place of its own to show them)."""

    def clean(self):
        cleaned = super().clean()
        errors = self.errors.pop("version", None)
        if errors:
            for error in errors:
                self.add_error(None, error)
        return cleaned
