"""The form for a student's parent, guardian or other contact (issue 19, part 1)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .guardians import GUARDIAN_FIELDS
from .models import Guardian, StudentAgreement
from .validators import VersionedFormMixin, VersionField


class GuardianForm(VersionedFormMixin, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = Guardian
        fields = list(GUARDIAN_FIELDS)
        widgets = {
            "relation": forms.RadioSelect,
            "parental_authority": forms.RadioSelect,
            "student_agreed": forms.RadioSelect,
        }

    def __init__(self, *args, student, agreement_asked, **kwargs):
        super().__init__(*args, **kwargs)
        self.student = student
        self.fields["relation"].choices = [c for c in self.fields["relation"].choices if c[0]]
        self.fields["parental_authority"].choices = [
            c for c in self.fields["parental_authority"].choices if c[0]
        ]
        self.fields["parental_authority"].help_text = _(
            "Heeft deze persoon het ouderlijk gezag (of voogdij)?"
        )
        if agreement_asked:
            self.fields["student_agreed"].choices = list(StudentAgreement.choices)
            self.fields["student_agreed"].required = False
            self.fields["student_agreed"].help_text = _(
                "Vanaf 16 jaar vraagt u de student of deze persoon betrokken mag worden."
            )
        else:
            # Asked from 16 only: for a younger student the question is left out.
            self.fields.pop("student_agreed")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        name, relation = cleaned.get("name"), cleaned.get("relation")
        if name and relation:
            others = Guardian.objects.filter(student=self.student, name=name, relation=relation)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error(
                    "name", _("Deze student heeft al een contactpersoon met deze naam en relatie.")
                )
        return cleaned

    def _post_clean(self):
        # The service writes; the model's unique check is the clean() above.
        pass

    def values(self) -> dict:
        data = {name: self.cleaned_data[name] for name in GUARDIAN_FIELDS if name in self.fields}
        if "student_agreed" not in self.fields:
            data["student_agreed"] = ""
        return data


class GuardianDeleteForm(VersionedFormMixin, forms.Form):
    version = VersionField()
