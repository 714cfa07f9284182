"""Forms only parse input; the rules live in referrals.services (ValidationError there
is put back on the form's fields by the views)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, OrganisationKind
from students.models import LegalBasis
from students.validators import VersionedFormMixin, VersionField

from .models import (
    ReferralOutcome,
    Section,
)
from .queries import RECEIVER_KINDS

NO_PERSONAL_DATA = _(
    "Noem hier geen naam of andere gegevens van de student: de ontvanger leest dit vóór het accepteren."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


REFERRAL_LEGAL_BASES = [
    (basis.value, basis.label) for basis in (LegalBasis.WETTELIJKE_TAAK, LegalBasis.CONSENT)
]


class ReferralForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        label=_("Aan organisatie"),
        queryset=Organisation.objects.none(),
        error_messages={
            "invalid_choice": _(
                "Kies een organisatie uit de lijst: alleen partners in de regio van de "
                "student ontvangen deze verwijzing."
            )
        },
    )
    question = forms.CharField(
        label=_("Vraag aan de ontvanger"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_PERSONAL_DATA,
    )
    sections = forms.MultipleChoiceField(
        label=_("Te delen onderdelen"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "De ontvanger ziet na het accepteren precies deze onderdelen, en niets anders."
        ),
    )
    support_needs = forms.CharField(
        label=_("Ondersteuningsbehoefte"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Alleen gedeeld als u het onderdeel Ondersteuningsbehoefte kiest."),
    )
    # A referral is a handover to a partner: a legal task (with its law) or consent.
    # WVO 103b covers only the vo -> mbo transfer file (ACCESS.md), never a referral.
    legal_basis = forms.ChoiceField(
        label=_("Grondslag"), choices=REFERRAL_LEGAL_BASES, widget=forms.RadioSelect
    )
    legal_reference = forms.CharField(
        label=_("Wet en artikel (bij wettelijke taak)"),
        required=False,
        max_length=200,
        help_text=_("Bijvoorbeeld: Participatiewet artikel 7, of Leerplichtwet artikel 16."),
    )
    consent_given_by = forms.CharField(
        label=_("Toestemming gegeven door"), required=False, max_length=200
    )
    consent_given_on = forms.DateField(
        label=_("Toestemming gegeven op"), required=False, widget=DateInput()
    )

    def __init__(
        self,
        *args,
        sender_organisation=None,
        section_choices=None,
        wi_only=False,
        receivers_q=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        receivers = Organisation.objects.filter(kind__in=RECEIVER_KINDS, is_active=True)
        if receivers_q is not None:
            # Only the organisations the rules allow for this student (accounts.policy).
            receivers = receivers.filter(receivers_q)
        if wi_only:
            receivers = receivers.filter(kind=OrganisationKind.WI)
        if sender_organisation is not None:
            receivers = receivers.exclude(pk=sender_organisation.pk)
        self.fields["to_organisation"].queryset = receivers.order_by("kind", "name")
        self.fields["sections"].choices = section_choices or [
            (s.value, s.label) for s in Section if s != Section.OVERGANGSDOCUMENT
        ]

    def clean(self):
        data = super().clean()
        basis = data.get("legal_basis")
        if basis == LegalBasis.WETTELIJKE_TAAK and not (data.get("legal_reference") or "").strip():
            self.add_error(
                "legal_reference", _("Noem de wet en het artikel van de wettelijke taak.")
            )
        if basis == LegalBasis.CONSENT:
            if not (data.get("consent_given_by") or "").strip():
                self.add_error("consent_given_by", _("Vermeld wie toestemming gaf."))
            if not data.get("consent_given_on"):
                self.add_error("consent_given_on", _("Vermeld wanneer de toestemming is gegeven."))
        return data


class OvergangsdocumentForm(ReferralForm):
    situation = forms.CharField(
        label=_("Huidige situatie"), widget=forms.Textarea(attrs={"rows": 3})
    )
    work_capacity = forms.CharField(
        label=_("Arbeidsvermogen"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    hour_limits = forms.CharField(
        label=_("Urenbeperking"),
        required=False,
        max_length=200,
        help_text=_("Bijzonder persoonsgegeven: alleen W&I ziet dit, en elke inzage wordt gelogd."),
    )
    wishes = forms.CharField(
        label=_("Wensen van de jongere"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    support_needed = forms.CharField(
        label=_("Benodigde ondersteuning"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    agreements = forms.CharField(
        label=_("Afspraken"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    contacts = forms.CharField(
        label=_("Contactpersonen"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van afwijzing"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Uitkomst"), choices=ReferralOutcome.choices)
    note = forms.CharField(
        label=_("Toelichting"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class InstrumentsForm(forms.Form):
    loonkostensubsidie = forms.BooleanField(label=_("Loonkostensubsidie"), required=False)
    jobcoach = forms.BooleanField(label=_("Jobcoach"), required=False)
    no_risk_polis = forms.BooleanField(label=_("No-risk polis"), required=False)
    lkv = forms.BooleanField(label=_("LKV (loonkostenvoordeel)"), required=False)
    job_start_date = forms.DateField(label=_("Startdatum baan"), required=False, widget=DateInput())
    doelgroepverklaring_date = forms.DateField(
        label=_("Doelgroepverklaring aangevraagd op"),
        required=False,
        widget=DateInput(),
        help_text=_("Voor het LKV: uiterlijk 3 maanden na de start van de baan."),
    )
    note = forms.CharField(
        label=_("Toelichting"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class VersionForm(VersionedFormMixin, forms.Form):
    """The version every edit form on these pages carries (optimistic locking)."""

    version = VersionField()
