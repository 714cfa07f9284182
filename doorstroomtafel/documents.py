"""The case table's documents: the agenda and the minutes as PDF (accounts.pdf), and
their titles, which the agenda e-mail's subject shares."""

from django.utils.translation import gettext as _


def table_label(table):
    """The table as a title names it: "Doorstroomtafel X", never "Doorstroomtafel
    Doorstroomtafel X" when the table's name already says it."""
    if "doorstroomtafel" in table.name.lower():
        return table.name
    return _("Doorstroomtafel %(name)s") % {"name": table.name}


def agenda_title(meeting):
    return _("Agenda %(table)s, %(date)s") % {
        "table": table_label(meeting.table),
        "date": meeting.date.strftime("%d-%m-%Y"),
    }


def minutes_title(meeting):
    return _("Verslag %(table)s, %(date)s") % {
        "table": table_label(meeting.table),
        "date": meeting.date.strftime("%d-%m-%Y"),
    }
