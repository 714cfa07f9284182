"""The coordinators' upload form for administration files (INTERFACES.md section 1)."""

import csv
import io

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from .importing import KINDS

# A school's full export of 100,000 rows is about 15 MB; more is not an export.
MAX_FILE_SIZE = 50 * 1024 * 1024

LABELS = {
    "students": _("Studenten (students.csv)"),
    "enrolments": _("Inschrijvingen (enrolments.csv)"),
    "qualifications": _("Diploma's en certificaten (qualifications.csv)"),
    "employment": _("Dienstverbanden (employment.csv)"),
    "guardians": _("Ouders en contactpersonen (guardians.csv)"),
}


class ImportUploadForm(forms.Form):
    students = forms.FileField(label=LABELS["students"], required=False)
    enrolments = forms.FileField(label=LABELS["enrolments"], required=False)
    qualifications = forms.FileField(label=LABELS["qualifications"], required=False)
    employment = forms.FileField(label=LABELS["employment"], required=False)
    guardians = forms.FileField(label=LABELS["guardians"], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in KINDS:
            self.fields[kind].widget.attrs["accept"] = ".csv,text/csv"

    def clean(self):
        cleaned = super().clean()
        given = [kind for kind in KINDS if cleaned.get(kind)]
        if not given and not self.errors:
            raise forms.ValidationError(_("Kies minstens één bestand."))
        limit = settings.KOERS_IMPORT_MAX_ROWS
        for kind in given:
            if cleaned[kind].size > MAX_FILE_SIZE:
                self.add_error(
                    kind,
                    _("Dit bestand is groter dan %(size)s.")
                    % {"size": filesizeformat(MAX_FILE_SIZE)},
                )
            elif more_rows_than(cleaned[kind], limit):
                self.add_error(
                    kind,
                    _(
                        "Dit bestand heeft meer dan %(max)s rijen. Upload hoogstens %(max)s "
                        "rijen per bestand, of laat de functioneel beheerder het met "
                        "import_admin inlezen."
                    )
                    % {"max": number_format(limit, force_grouping=True)},
                )
        return cleaned

    def files_by_kind(self) -> dict:
        """kind -> bytes of every uploaded file."""
        return {
            kind: self.cleaned_data[kind].read() for kind in KINDS if self.cleaned_data.get(kind)
        }


def more_rows_than(upload, limit: int) -> bool:
    """The file holds more than `limit` data rows (the header and blank rows not
    counted); reads only until it knows. A file that cannot be read as CSV is left to
    the validation, which names the error."""
    upload.seek(0)
    text = io.TextIOWrapper(upload, encoding="utf-8-sig", errors="replace", newline="")
    rows = -1  # the header
    try:
        for record in csv.reader(text):
            if any(cell.strip() for cell in record):
                rows += 1
                if rows > limit:
                    return True
    except csv.Error:
        return False
    finally:
        text.detach()
        upload.seek(0)
    return False
