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


def colleagues(organisation_id):
    """The active people of an organisation a signal can be handed to, by name."""
    from accounts.models import Role
    from accounts.notifications import organisation_users

    return organisation_users(organisation_id, Role.values).order_by(
        "last_name", "first_name", "pk"
    )


class HandlerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class AssignForm(VersionedFormMixin, forms.Form):
    version = VersionField()
    handler = HandlerChoiceField(
        label=_("Toewijzen aan"),
        queryset=None,
        error_messages={"invalid_choice": _("Kies een collega van de eigen organisatie.")},
    )

    def __init__(self, *args, organisation_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = colleagues(organisation_id)
