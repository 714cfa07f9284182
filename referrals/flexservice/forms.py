"""Flexservice forms only parse input; the rules live in referrals.flexservice.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality, Organisation, OrganisationKind
from students.models import Level
from students.validators import validate_date_of_birth

from ..forms import DateInput
from ..models import (
    IntakeOutcome,
    IntakeRegistration,
    MaatwerkTrajectory,
    OutsideRoute,
)


class RegistrationForm(forms.ModelForm):
    municipality = forms.ModelChoiceField(
        label=_("Woongemeente"), queryset=Municipality.objects.order_by("name")
    )

    class Meta:
        model = IntakeRegistration
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "municipality",
            "referred_by",
            "referred_by_name",
            "question",
            "situation",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "question": forms.Textarea(attrs={"rows": 2}),
            "situation": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_date_of_birth(self):
        value = self.cleaned_data.get("date_of_birth")
        validate_date_of_birth(value)
        return value


class IntakeForm(forms.Form):
    intake_date = forms.DateField(label=_("Intakedatum"), widget=DateInput())
    intake_notes = forms.CharField(
        label=_("Verslag intake"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ConsultForm(forms.Form):
    partners = forms.CharField(label=_("Afstemmen met (partners)"), max_length=300)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Uitkomst"), choices=IntakeOutcome.choices, widget=forms.RadioSelect
    )
    outcome_date = forms.DateField(label=_("Datum"), widget=DateInput(), required=False)
    institution = forms.ModelChoiceField(
        label=_("Instelling"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.SCHOOL).order_by("name"),
        required=False,
    )
    programme = forms.CharField(label=_("Opleiding"), max_length=200, required=False)
    level = forms.ChoiceField(
        label=_("Niveau"), choices=[("", "---------"), *Level.choices], required=False
    )
    start_date = forms.DateField(label=_("Startdatum"), widget=DateInput(), required=False)
    location = forms.CharField(label=_("Locatie"), max_length=100, required=False)
    student_number = forms.CharField(
        label=_("Studentnummer (als bekend)"), max_length=20, required=False
    )
    outside_route = forms.ChoiceField(
        label=_("Soort route buiten het onderwijs"),
        choices=[("", "---------"), *OutsideRoute.choices],
        required=False,
    )
    place = forms.CharField(label=_("Plek"), max_length=200, required=False)
    referred_to = forms.CharField(label=_("Doorverwezen naar"), max_length=200, required=False)
    outcome_note = forms.CharField(
        label=_("Toelichting"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class TrajectoryForm(forms.ModelForm):
    class Meta:
        model = MaatwerkTrajectory
        fields = ["location", "level", "start_date", "reason", "expert", "goals"]
        widgets = {
            "start_date": DateInput(),
            "reason": forms.Textarea(attrs={"rows": 2}),
            "goals": forms.Textarea(attrs={"rows": 3}),
        }


class TrajectoryContactForm(forms.Form):
    date = forms.DateField(label=_("Datum"), widget=DateInput())
    note = forms.CharField(label=_("Notitie"), widget=forms.Textarea(attrs={"rows": 2}))


class TrajectoryEndForm(forms.Form):
    end_date = forms.DateField(label=_("Einddatum"), widget=DateInput())
    outcome = forms.ChoiceField(
        label=_("Uitkomst"),
        choices=[(v, label) for v, label in MaatwerkTrajectory._meta.get_field("outcome").choices],
        widget=forms.RadioSelect,
    )
    routed_to = forms.CharField(label=_("Route naar"), max_length=200, required=False)
