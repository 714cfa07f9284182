"""The journal's forms: a note (with the warning about special-category data) and an addendum."""

from django import forms
from django.utils.translation import gettext_lazy as _

from students.validators import VersionedFormMixin, VersionField

from .models import Confidentiality, Note

SPECIAL_CATEGORY_WARNING = _(
    "Let op: gegevens over gezondheid, godsdienst, afkomst, seksuele geaardheid of "
    "strafrechtelijke zaken zijn bijzondere persoonsgegevens. U bent er zelf verantwoordelijk "
    "voor die weg te laten of tot het hoogst noodzakelijke te beperken."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class NoteForm(VersionedFormMixin, forms.ModelForm):
    version = VersionField(required=False)
    guardians = forms.ModelMultipleChoiceField(
        label=_("Ouders of contactpersonen"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Kies alleen contactpersonen van deze student."),
            "invalid_pk_value": _("Kies alleen contactpersonen van deze student."),
        },
    )

    class Meta:
        model = Note
        fields = ["date", "kind", "level", "with_whom", "guardians", "text"]
        widgets = {
            "date": DateInput(),
            "kind": forms.RadioSelect,
            "level": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "with_whom": _("Bijvoorbeeld de student, een hulpverlener of de werkgever."),
            "level": _("Wie deze notitie mag lezen. Partners zien notities nooit."),
        }

    def __init__(self, *args, student, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardians"].queryset = student.guardians.order_by("name", "id")
        if not self.fields["guardians"].queryset.exists():
            self.fields.pop("guardians")
        self.fields["text"].help_text = SPECIAL_CATEGORY_WARNING
        self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0]]
        self.fields["level"].choices = list(Confidentiality.choices)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def _post_clean(self):
        # The service validates and writes.
        pass

    def chosen_guardians(self):
        return list(self.cleaned_data.get("guardians") or [])


class AddendumForm(forms.Form):
    text = forms.CharField(
        label=_("Aanvulling"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=SPECIAL_CATEGORY_WARNING,
        max_length=10000,
    )


class NoteShareForm(forms.Form):
    """Which referral of the note's student to share the note with (by its public id)."""

    referral = forms.ModelChoiceField(
        label=_("Delen met de verwijzing"),
        queryset=None,
        to_field_name="public_id",
        empty_label=None,
        error_messages={
            "invalid_choice": _("Kies een verstuurde verwijzing van deze student uit de lijst."),
            "required": _("Kies een verwijzing."),
        },
        help_text=_(
            "De ontvangende organisatie leest deze notitie en haar aanvullingen zodra zij de "
            "verwijzing heeft geaccepteerd, tot de verwijzing is afgerond of de toestemming "
            "is ingetrokken. Het delen komt in het overzicht van verstrekkingen, op de "
            "grondslag van de verwijzing."
        ),
    )

    def __init__(self, *args, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["referral"]
        field.queryset = referrals
        field.label_from_instance = lambda referral: (
            _("Verwijzing aan %(organisation)s (%(status)s)")
            % {"organisation": referral.to_organisation, "status": referral.get_status_display()}
        )
