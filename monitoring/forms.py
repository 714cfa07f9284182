from django import forms
from django.utils.translation import gettext_lazy as _

from students.validators import VersionedFormMixin, VersionField


class ResolveForm(VersionedFormMixin, forms.Form):
    version = VersionField()
    note = forms.CharField(
        label=_("Notitie"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DismissForm(VersionedFormMixin, forms.Form):
    version = VersionField()
    reason = forms.CharField(
        label=_("Reden"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
