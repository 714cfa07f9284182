from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User

from .models import Meeting


class MeetingForm(forms.ModelForm):
    video_link = forms.URLField(label=_("Videolink"), required=False, assume_scheme="https")

    class Meta:
        model = Meeting
        fields = ["date", "start_time", "place", "video_link"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}),
        }

    def clean(self):
        data = super().clean()
        if not data.get("place") and not data.get("video_link"):
            raise forms.ValidationError(_("Vermeld een plaats of een videolink."))
        return data


class AddStudentForm(forms.Form):
    student_number = forms.CharField(label=_("Studentnummer"), max_length=20)
    reason = forms.CharField(label=_("Reden op de agenda"), max_length=300)


class CandidateForm(forms.Form):
    student = forms.CharField(max_length=16)  # the public id
    reason = forms.CharField(max_length=300)


class NoteForm(forms.Form):
    preparation_note = forms.CharField(
        label=_("Voorbereidingsnotitie"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Alleen wat de deelnemers nodig hebben; geen gezondheidsgegevens."),
    )


class ProposalForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Overleg"), queryset=Meeting.objects.none())
    reason = forms.CharField(label=_("Reden"), max_length=300)

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = (
            meetings if meetings is not None else Meeting.objects.none()
        )
        self.fields["meeting"].label_from_instance = lambda m: f"{m.table.name}, {m.date:%d-%m-%Y}"


class MinutesForm(forms.Form):
    discussion = forms.CharField(
        label=_("Besproken"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decision = forms.CharField(
        label=_("Besluit"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lead_organisation = forms.ModelChoiceField(
        label=_("Regie bij organisatie"), queryset=Organisation.objects.none(), required=False
    )
    lead_user = forms.ModelChoiceField(
        label=_("Regie bij persoon"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, organisations=None, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_organisation"].queryset = organisations
        self.fields["lead_user"].queryset = users


class ActionForm(forms.Form):
    what = forms.CharField(label=_("Wat"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Wie"), queryset=User.objects.none())
    due_date = forms.DateField(
        label=_("Uiterlijk op"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = users


class AddendumForm(forms.Form):
    item = forms.TypedChoiceField(
        label=_("Bij agendapunt"), required=False, coerce=int, empty_value=None
    )
    text = forms.CharField(
        label=_("Aanvulling of correctie"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("Het hele verslag"))] + [
            (item.pk, f"{item.position}. {item.student.full_name}") for item in items
        ]
