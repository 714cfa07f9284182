"""The case table's forms. Every form that changes a record carries the version the
user read (`version`, hidden and bounded, so a tampered value is a form error, never a
500); the service refuses a stale one. Dates are checked here and again in the service,
each error on its field with the reason."""

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.models import Organisation, User
from students.validators import VersionField

from .models import CaseTable, Meeting


def _day(value):
    return formats.date_format(value, "j F Y")


def meeting_date_error(date, today):
    """The reason a meeting cannot be planned on `date`, or None."""
    if date is not None and date < today:
        return _("Een overleg plant u vandaag of later, niet op %(date)s.") % {"date": _day(date)}
    return None


def held_date_error(meeting_date, today):
    if today < meeting_date:
        return _(
            "Het overleg is op %(date)s: u kunt het pas vanaf die dag als gehouden markeren."
        ) % {"date": _day(meeting_date)}
    return None


def due_date_error(due_date, meeting_date):
    if due_date is not None and due_date < meeting_date:
        return _("De uiterste datum ligt vóór het overleg (%(date)s): kies die dag of later.") % {
            "date": _day(meeting_date)
        }
    return None


class MeetingForm(forms.ModelForm):
    video_link = forms.URLField(label=_("Videolink"), required=False, assume_scheme="https")

    class Meta:
        model = Meeting
        fields = ["date", "start_time", "place", "video_link"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean_date(self):
        date = self.cleaned_data.get("date")
        error = meeting_date_error(date, self.today)
        if error:
            raise forms.ValidationError(error)
        return date

    def clean(self):
        data = super().clean()
        if not data.get("place") and not data.get("video_link"):
            self.add_error("place", _("Vermeld een plaats of een videolink."))
        return data


class MeetingDetailsForm(MeetingForm):
    """The details of a meeting already planned: the version the user read."""

    version = VersionField()

    def clean_date(self):
        date = self.cleaned_data.get("date")
        # An unchanged date of a meeting in the past is no new plan.
        if date is not None and self.instance.pk and date == self.instance.date:
            return date
        return super().clean_date()


class TransitionForm(forms.Form):
    """A status step of a meeting; finalising minutes with empty items needs
    `confirm_empty` (the second, explicit confirmation)."""

    version = VersionField()
    confirm_empty = forms.BooleanField(required=False)


class AddStudentForm(forms.Form):
    # A student number, or (part of) a name: the view looks it up among the students the
    # preparer may see within the table's scope, as before.
    student_number = forms.CharField(label=_("Naam of studentnummer"), max_length=100)
    reason = forms.CharField(label=_("Reden op de agenda"), max_length=300)


class CandidateForm(forms.Form):
    student = forms.CharField(max_length=16)  # the public id
    reason = forms.CharField(max_length=300)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Omhoog")), ("down", _("Omlaag"))])
    version = VersionField()  # the meeting's: the order is the agenda's


class NoteForm(forms.Form):
    version = VersionField()
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
    version = VersionField()
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
    owner = forms.ModelChoiceField(
        label=_("Wie"),
        queryset=User.objects.none(),
        error_messages={
            "invalid_choice": _("Deze persoon neemt niet deel aan dit overleg: kies een deelnemer.")
        },
    )
    due_date = forms.DateField(
        label=_("Uiterlijk op"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, users=None, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = users
        self.meeting = meeting

    def clean_due_date(self):
        due_date = self.cleaned_data.get("due_date")
        if self.meeting is not None:
            error = due_date_error(due_date, self.meeting.date)
            if error:
                raise forms.ValidationError(error)
        return due_date


class ActionDoneForm(forms.Form):
    version = VersionField()


class CaseTableForm(forms.ModelForm):
    """The table's settings (functional administrators, in the admin): standing member
    users belong to the table's member organisations; a stale save is refused."""

    version = VersionField()

    class Meta:
        model = CaseTable
        fields = [
            "name",
            "scope_kind",
            "region",
            "subregion",
            "school",
            "locations",
            "member_organisations",
            "member_users",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0

    def clean(self):
        data = super().clean()
        organisations = data.get("member_organisations")
        users = data.get("member_users")
        if organisations is not None and users:
            ids = [o.pk for o in organisations]
            outside = [u for u in users if not policy.may_be_standing_member(u, ids)]
            if outside:
                self.add_error(
                    "member_users",
                    _(
                        "Een vaste deelnemer hoort bij een van de deelnemende organisaties; "
                        "dat geldt niet voor: %(names)s."
                    )
                    % {"names": ", ".join(str(u) for u in outside)},
                )
        if self.instance.pk and data.get("version") is not None:
            saved = CaseTable.objects.select_for_update().get(pk=self.instance.pk)
            if saved.version != data["version"]:
                self.add_error(None, _stale_table_message(saved, data))
        return data


def _stale_table_message(saved, data):
    def names(values):
        return ", ".join(sorted(str(v) for v in values)) or "—"

    return _(
        "Iemand anders heeft deze tafel intussen opgeslagen; uw wijziging is niet opgeslagen "
        "en er is niets overschreven. Opgeslagen versie: organisaties %(saved_orgs)s; "
        "deelnemers %(saved_users)s. Uw versie: organisaties %(your_orgs)s; deelnemers "
        "%(your_users)s. Laad de pagina opnieuw en breng uw wijziging opnieuw aan."
    ) % {
        "saved_orgs": names(saved.member_organisations.all()),
        "saved_users": names(saved.member_users.all()),
        "your_orgs": names(data.get("member_organisations") or []),
        "your_users": names(data.get("member_users") or []),
    }


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
