from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from .services import correctable_fields


class PasswordChoiceForm(forms.Form):
    password1 = forms.CharField(
        label=_("Kies een wachtwoord"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Typ het wachtwoord nog een keer"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("De wachtwoorden zijn niet gelijk."))
        elif first:
            try:
                validate_password(first)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignInForm(forms.Form):
    username = forms.EmailField(
        label=_("E-mailadres"), widget=forms.EmailInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Wachtwoord"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=_("Wat klopt er niet?"), choices=())
    note = forms.CharField(
        label=_("Wat moet het zijn? Leg kort uit."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("Kies…")), *correctable_fields()]


class ObjectionForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Tegen welke organisatie?"), choices=())
    note = forms.CharField(
        label=_("Waarom maak je bezwaar?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Kies…"))] + [
            (str(o.pk), o.name) for o in organisations
        ]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Antwoord aan de student"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
