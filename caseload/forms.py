"""The forms of the caseload pages: the group filter and each bulk action's question."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .queries import school_mentors

NO_MENTOR = "geen"

STUDENT_ACTION_LABELS = {
    "mentor": _("Mentor toewijzen"),
    "group": _("In een groep plaatsen"),
    "case_table": _("Voordragen voor de Doorstroomtafel"),
}
SIGNAL_ACTION_LABELS = {
    "resolve": _("Afhandelen"),
    "dismiss": _("Afwijzen"),
}


class MentorChoiceForm(forms.Form):
    mentor = forms.ChoiceField(label=_("Nieuwe mentor"))

    def __init__(self, *args, school_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.mentors = {str(user.pk): user for user in school_mentors(school_id)}
        self.fields["mentor"].choices = [("", _("Kies een mentor")), (NO_MENTOR, _("Geen mentor"))]
        self.fields["mentor"].choices += [
            (key, user.get_full_name() or user.email) for key, user in self.mentors.items()
        ]

    def chosen(self):
        key = self.cleaned_data["mentor"]
        return None if key == NO_MENTOR else self.mentors[key]


class GroupForm(forms.Form):
    group = forms.CharField(
        label=_("Klas of groep"),
        max_length=40,
        required=False,
        help_text=_("Leeg laten haalt de studenten uit hun groep."),
    )


class CaseTableForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Overleg"), queryset=None, empty_label=None)
    reason = forms.CharField(
        label=_("Reden van de voordracht"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


class SignalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden (voor alle gekozen signalen)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
