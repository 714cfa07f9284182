"""The upload and removal forms. The file's type is decided by its content
(documents.filetypes); what the document belongs to is a choice among the student's own
steps, referrals and meeting items, so a forged value is a form error."""

import re

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import document_referrals_q, meetings_visible_q
from doorstroomtafel.documents import table_label
from doorstroomtafel.models import AgendaItem, Meeting
from referrals.models import Referral
from roadmap.models import STEP_RELATED_NAMES, StepKind
from roadmap.queries import route_enrolments
from students.bsn import is_valid_bsn

from .filetypes import KINDS, detect, extension_of, kind_for_extension
from .models import FileKind

ALLOWED_TEXT = gettext_lazy(
    "PDF, afbeeldingen (PNG, JPEG) en kantoordocumenten (Word, Excel, PowerPoint, OpenDocument)"
)


def _kind_label(kind):
    return str(FileKind(kind).label)


def attach_choices(*, student, user):
    """[(value, label)] of what a document of `student` may belong to for `user`, and
    {value: attach kwargs}: the student's own Entree steps (not ABA, special category),
    the referrals the user's organisation sent (sent or accepted) and the meeting items
    of meetings the user sees. A fixed number of queries (three)."""
    choices = [("", _("Alleen het dossier van de student"))]
    targets = {}
    for enrolment in route_enrolments(student):
        for kind, related in STEP_RELATED_NAMES.items():
            if kind == StepKind.ABA:
                continue
            step = getattr(enrolment, related, None)
            if step is None:
                continue
            value = f"stap-{kind}-{enrolment.pk}"
            label = _("%(step)s, %(school)s (%(date)s)") % {
                "step": StepKind(kind).label,
                "school": enrolment.institution.name,
                "date": date_format(step.date, "j F Y"),
            }
            choices.append((value, label))
            targets[value] = {"step_kind": kind, "step_enrolment": enrolment, "label": label}
    referrals = (
        Referral.objects.filter(student=student)
        .filter(document_referrals_q(user))
        .select_related("to_organisation")
        .order_by("-sent_at", "-id")
    )
    for referral in referrals:
        value = f"verwijzing-{referral.public_id}"
        label = _("Verwijzing aan %(organisation)s (verstuurd %(date)s)") % {
            "organisation": referral.to_organisation.name,
            "date": date_format(referral.sent_at, "j F Y") if referral.sent_at else "",
        }
        choices.append((value, label))
        targets[value] = {"referral": referral, "label": label}
    items = (
        AgendaItem.objects.filter(
            student=student, meeting__in=Meeting.objects.filter(meetings_visible_q(user))
        )
        .select_related("meeting__table")
        .order_by("-meeting__date", "-id")
    )
    for item in items:
        value = f"bespreking-{item.pk}"
        label = _("Bespreking op %(table)s, %(date)s") % {
            "table": table_label(item.meeting.table),
            "date": date_format(item.meeting.date, "j F Y"),
        }
        choices.append((value, label))
        targets[value] = {"agenda_item": item, "label": label}
    return choices, targets


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bestand"),
        error_messages={
            "required": gettext_lazy("Kies een bestand."),
            "empty": gettext_lazy("Het bestand is leeg."),
            "invalid": gettext_lazy("Kies een bestand."),
        },
    )
    title = forms.CharField(
        label=gettext_lazy("Titel"),
        max_length=120,
        help_text=gettext_lazy(
            "Zo heet het document in de lijst en bij het downloaden. Zet er geen BSN in."
        ),
        error_messages={"required": gettext_lazy("Geef het document een titel.")},
    )
    belongs_to = forms.ChoiceField(label=gettext_lazy("Hoort bij"), required=False)

    def __init__(self, *args, student, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices, self.targets = attach_choices(student=student, user=user)
        self.fields["belongs_to"].choices = choices
        self.fields["belongs_to"].error_messages["invalid_choice"] = _(
            "Kies iets van deze student uit de lijst."
        )
        self.max_bytes = settings.KOERS_DOCUMENT_MAX_BYTES
        self.fields["file"].help_text = _("Toegestaan: %(allowed)s; hoogstens %(max)s.") % {
            "allowed": ALLOWED_TEXT,
            "max": filesizeformat(self.max_bytes),
        }
        accept = sorted({ext for _mime, exts in KINDS.values() for ext in exts})
        self.fields["file"].widget.attrs["accept"] = ",".join(accept)
        self.detected = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("Dit bestand is %(size)s; het grootste toegestane bestand is %(max)s.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(self.max_bytes)}
            )
        claimed = kind_for_extension(extension_of(upload.name))
        detected = detect(upload)
        if detected is None:
            if claimed is not None:
                raise forms.ValidationError(
                    _(
                        "Dit bestand is geen echt %(kind)s: de inhoud past niet bij de naam. "
                        "Het wordt niet toegevoegd."
                    )
                    % {"kind": _kind_label(claimed)}
                )
            raise forms.ValidationError(
                _("Dit soort bestand kan niet worden toegevoegd. Toegestaan: %(allowed)s.")
                % {"allowed": ALLOWED_TEXT}
            )
        if claimed != detected.kind:
            raise forms.ValidationError(
                _(
                    "De inhoud van dit bestand past niet bij de naam: het is een %(actual)s, "
                    "maar de naam eindigt niet op %(extensions)s. Het wordt niet toegevoegd."
                )
                % {
                    "actual": _kind_label(detected.kind),
                    "extensions": " / ".join(KINDS[detected.kind][1]),
                }
            )
        self.detected = detected
        return upload

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if _has_long_number(title):
            raise forms.ValidationError(
                _("Zet geen BSN of ander nummer van 8 of meer cijfers in de titel.")
            )
        return title

    def attach(self):
        value = self.cleaned_data.get("belongs_to") or ""
        return self.targets.get(value)


# Eight or more digits in a row, or nine digits written in groups ("123 45 678 9").
_LONG_NUMBER = re.compile(r"\d{8,}")
_GROUPED_NINE = re.compile(r"(?<![\d])\d(?:[ .-]?\d){8}(?![\d])")


def _has_long_number(text):
    """A number that may be a BSN: eight or more digits in a row, or nine digits in groups
    that pass the 11-proef (a date like 03-12-2026 has eight and passes)."""
    if _LONG_NUMBER.search(text):
        return True
    return any(
        is_valid_bsn(re.sub(r"\D", "", match.group())) for match in _GROUPED_NINE.finditer(text)
    )


class DocumentRemoveForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reden van verwijderen"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Geef de reden van het verwijderen.")},
    )
