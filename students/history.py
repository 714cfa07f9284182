"""History entries as people read them: the one place that renders every history table.

Every history table of the project (the student's `RecordChange` and the tables other
apps keep: a referral's events, the intake desk's, a signal's, the ABA steps') is shown
through `history_row`: the record's Dutch name and each field's label come from the
models' `_meta` (`verbose_name`, choices), values as their label ("Ja"/"Nee", dates as
"3 december 2026", a choice by its label, a foreign key by its name). Nothing is copied
by hand, so a new field or record type is named the moment its model is.

Apps above `students` register their history tables with `register_history` in their
AppConfig.ready(), saying which record an entry is about; `students` imports none of
them. A RecordChange names its record by `record_type` (the model's `model_name`),
looked up over every installed model.
"""

from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import dateformat
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext as _

EMPTY = "—"
# Apps whose models may be the record of a history entry (not Django's own).
_PROJECT_APPS = (
    "accounts",
    "students",
    "roadmap",
    "monitoring",
    "referrals",
    "doorstroomtafel",
    "reports",
    "documents",
)

_sources = {}


def register_history(history_model, *, record_model, queryset=None, fields=None):
    """Show entries of `history_model` through `history_row`.

    `record_model(entry)` returns the model the entry is about (its fields name the
    changes); `fields(entry)` optionally returns extra {field name of the record model:
    value} the entry carries (e.g. a signal event's reason, as the signal's
    closed_reason), shown when not empty; `queryset()` returns every entry (for
    checks that walk them all)."""
    _sources[history_model] = {
        "record_model": record_model,
        "queryset": queryset or (lambda: history_model._default_manager.all()),
        "fields": fields,
    }


def history_sources():
    """(history model, queryset of its entries) for every registered history table."""
    return [(model, source["queryset"]()) for model, source in _sources.items()]


def record_model_named(record_type):
    """The model whose `model_name` is `record_type` (a RecordChange's record), or None."""
    for app_label in _PROJECT_APPS:
        try:
            return apps.get_model(app_label, record_type)
        except LookupError:
            continue
    return None


def field_of(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(model, name):
    """The field's verbose_name; for a name no model knows, a readable fallback."""
    field = field_of(model, name)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    if field is not None:  # a reverse relation
        return str(field.related_model._meta.verbose_name)
    return name.replace("_", " ")


def _as_date(value):
    if isinstance(value, datetime):
        return localtime(value) if is_aware(value) else value
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            parsed = parse_datetime(value)
            if parsed is not None:
                return localtime(parsed) if is_aware(parsed) else parsed
    return None


def display_value(model, name, value):
    """A value (as stored, or as a history entry keeps it: dates ISO) as people read it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("Ja") if value else _("Nee")
    field = field_of(model, name)
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField) and value in ("True", "False", "true", "false"):
        return _("Ja") if value in ("True", "true") else _("Nee")
    if isinstance(field, models.ForeignKey):
        # History keeps a related record by its name (students.services.history_value);
        # an id (older rows, other tables) is looked up.
        if not isinstance(value, int) or isinstance(value, bool):
            return str(value)
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else EMPTY
    if isinstance(value, list):
        return ", ".join(display_value(model, name, item) for item in value) or EMPTY
    is_date_field = isinstance(field, models.DateField)
    if is_date_field or isinstance(value, date):
        when = _as_date(value)
        if isinstance(when, datetime):
            return date_format(when, "j F Y H:i")
        if when is not None:
            return date_format(when, "j F Y")
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral() else str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _actor(entry):
    actor = getattr(entry, "actor", None)
    if actor is not None:
        return actor.get_full_name() or actor.email
    if getattr(entry, "source", "") == "import":
        return _("Import uit de administratie")
    return _("Systeem")


def _action(entry):
    getter = getattr(entry, "get_action_display", None)
    return str(getter()) if getter else str(entry.action)


def history_row(entry):
    """One history entry as {at, actor, record, action, fields: [{label, old, new}]}."""
    source = _sources.get(type(entry))
    if source is None:  # a RecordChange before any app registered (or an unknown table)
        model = record_model_named(getattr(entry, "record_type", ""))
        extra = None
    else:
        model = source["record_model"](entry)
        extra = source["fields"]
    fields = []
    for name, values in (getattr(entry, "changes", None) or {}).items():
        values = values if isinstance(values, dict) else {"new": values}
        fields.append(
            {
                "name": name,
                "label": field_label(model, name),
                "old": display_value(model, name, values.get("old")),
                "new": display_value(model, name, values.get("new")),
            }
        )
    if extra is not None:
        # `extra` is the record type's own callable, not QuerySet.extra().
        for name, value in extra(entry).items():  # nosec B610
            if value in (None, ""):
                continue
            fields.append(
                {
                    "name": name,
                    "label": field_label(model, name),
                    "old": None,
                    "new": display_value(model, name, value),
                }
            )
    return {
        "entry": entry,
        "at": entry.at,
        "actor": _actor(entry),
        "record": str(model._meta.verbose_name) if model is not None else _("gegevens"),
        "action": _action(entry),
        "fields": fields,
    }


def history_rows(entries):
    return [history_row(entry) for entry in entries]


def with_row_html(rows):
    """Each row's table row as HTML (`row["html"]`), built here rather than by the
    template engine, as the attention list's (issue 16): a student page's history was a
    quarter of its template time. The same markup as a template would write, escaped."""
    becomes = _("wordt")
    for row in rows:
        if row["fields"]:
            items = format_html_join(
                "",
                '<li>{}: {} <span aria-hidden="true">→</span><span class="visually-hidden">'
                "{}</span> {}</li>",
                (
                    (capfirst(field["label"]), field["old"], becomes, field["new"])
                    for field in row["fields"]
                ),
            )
            changes = format_html('<ul class="list-unstyled mb-0">{}</ul>', items)
        else:
            changes = "—"
        row["html"] = format_html(
            "<tr><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td></tr>",
            dateformat.format(localtime(row["at"]) if is_aware(row["at"]) else row["at"],
                              "d-m-Y H:i"),
            row["actor"], capfirst(row["record"]), row["action"], changes,
        )  # fmt: skip
    return rows


def _record_change_model(entry):
    return record_model_named(entry.record_type)


def register_record_changes():
    """The student's own history table (called from StudentsConfig.ready)."""
    from .models import RecordChange

    register_history(RecordChange, record_model=_record_change_model)
