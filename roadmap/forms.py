"""One form per step and one for contact moments.

The forms only parse input: the rules (required fields, dates, the LKV term) live in
roadmap.services, so the browser, the demo data and the tests meet the same messages.
That is why most fields are not `required` here.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from students.models import Guardian
from students.validators import VersionedFormMixin, VersionField

from .models import (
    HEALTH_WARNING,
    AbaStep,
    Channel,
    ContactKind,
    FurtherEducationStep,
    LeavingStep,
    PerspectiveStep,
    StartStep,
    StepKind,
    StudyAdviceStep,
    WorkStep,
)
from .services import STEP_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StepForm(VersionedFormMixin, forms.ModelForm):
    """Base: a hidden version for optimistic locking (bounded: a tampered value is a
    form error, not a 500), dates as date pickers."""

    version = VersionField(required=False)

    # The region's own parts (ROADMAP.md top): left out where the institution's region
    # does not have them, rather than shown as missing.
    REGIONAL_FIELDS = ("startpunt_involved", "transfer_system_loaded", "transfer_system_reference")

    def __init__(self, *args, startpunt_name="", regional=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not regional:
            for name in self.REGIONAL_FIELDS:
                self.fields.pop(name, None)
        for name, field in self.fields.items():
            if name == "version":
                continue
            field.required = False
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3
            if isinstance(field, forms.ChoiceField):
                # "Not chosen" is allowed here: the service names what is missing.
                choices = [c for c in field.choices if c[0] != ""]
                if not isinstance(field.widget, forms.RadioSelect):
                    choices = [("", "---------"), *choices]
                field.choices = choices
        self.fields["date"].label = self.date_label
        if "startpunt_involved" in self.fields and startpunt_name:
            self.fields["startpunt_involved"].label = _("%(name)s betrokken") % {
                "name": startpunt_name
            }
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    date_label = _("Datum")

    def _post_clean(self):
        # The form only parses: the service validates and writes. Skipping the model
        # validation also keeps the instance untouched, so the service can compare the
        # saved values with the new ones for the history.
        pass

    def service_data(self):
        # A field the form left out (a regional part) keeps its saved value.
        return {
            name: self.cleaned_data[name] if name in self.fields else getattr(self.instance, name)
            for name in STEP_FIELDS[self.kind]
        }


class StartStepForm(StepForm):
    kind = StepKind.START
    date_label = _("Startdatum (stap vastgelegd op)")

    class Meta:
        model = StartStep
        fields = STEP_FIELDS[StepKind.START]

    def __init__(self, *args, student=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Who of the parents and network was at the warm handover (issue 19): the
        # student's own contacts only, so a forged id is a form error. Added after the
        # base class has adjusted the model's choice fields.
        self.fields["present_guardians"] = forms.ModelMultipleChoiceField(
            label=_("Wie van de ouders of het netwerk was erbij"),
            queryset=(
                student.guardians.order_by("name", "id")
                if student is not None
                else Guardian.objects.none()
            ),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "invalid_choice": _("Kies alleen contactpersonen van deze student."),
                "invalid_pk_value": _("Kies alleen contactpersonen van deze student."),
            },
        )
        if not self.fields["present_guardians"].queryset.exists():
            self.fields["present_guardians"].help_text = _(
                "Nog geen ouders of contactpersonen vastgelegd; voeg ze toe op de pagina van "
                "de student."
            )
        names = [name for name in self.fields if name != "present_guardians"]
        after = names.index("parents_present") + 1 if "parents_present" in names else len(names)
        self.order_fields([*names[:after], "present_guardians", *names[after:]])
        if self.instance.pk and not self.is_bound:
            self.fields["present_guardians"].initial = list(
                self.instance.present_guardians.values_list("pk", flat=True)
            )

    def service_data(self):
        data = super().service_data()
        data["present_guardians"] = list(self.cleaned_data.get("present_guardians") or [])
        return data


class StudyAdviceStepForm(StepForm):
    kind = StepKind.STUDY_ADVICE
    date_label = _("Datum van het studieadviesgesprek")

    class Meta:
        model = StudyAdviceStep
        fields = STEP_FIELDS[StepKind.STUDY_ADVICE]
        widgets = {"advice": forms.RadioSelect}


class AbaStepForm(StepForm):
    kind = StepKind.ABA
    date_label = _("Besproken met de student (en ouders) op")

    class Meta:
        model = AbaStep
        fields = STEP_FIELDS[StepKind.ABA]


class PerspectiveStepForm(StepForm):
    kind = StepKind.PERSPECTIVE
    date_label = _("Besproken met Leerplicht en Doorstroompunt op")

    class Meta:
        model = PerspectiveStep
        fields = STEP_FIELDS[StepKind.PERSPECTIVE]
        widgets = {"perspective": forms.RadioSelect}


class WorkStepForm(StepForm):
    kind = StepKind.WORK
    date_label = _("Werkbemiddeling light (fase 2) gestart op")

    employer = forms.CharField(label=_("Werkgever"), max_length=200, required=False)
    hours_per_week = forms.DecimalField(
        label=_("Uren per week"), max_digits=3, decimal_places=1, required=False, min_value=0
    )
    employment_start = forms.DateField(label=_("Start van het werk"), required=False)
    employment_end = forms.DateField(
        label=_("Einde van het contract"),
        required=False,
        help_text=_("Leeg bij een vast contract."),
    )

    field_order = [
        "date",
        "employer",
        "hours_per_week",
        "contract_type",
        "employment_start",
        "employment_end",
    ]

    class Meta:
        model = WorkStep
        fields = STEP_FIELDS[StepKind.WORK]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        employment = self.instance.employment if self.instance.employment_id else None
        if employment is not None and not self.is_bound:
            self.initial.update(
                employer=employment.employer,
                hours_per_week=employment.hours_per_week,
                employment_start=employment.start_date,
                employment_end=employment.end_date,
            )

    def service_data(self):
        data = super().service_data()
        for name in ("employer", "hours_per_week", "employment_start", "employment_end"):
            data[name] = self.cleaned_data.get(name)
        return data


class FurtherEducationStepForm(StepForm):
    kind = StepKind.FURTHER_EDUCATION
    date_label = _("Keuze besproken op")

    class Meta:
        model = FurtherEducationStep
        fields = STEP_FIELDS[StepKind.FURTHER_EDUCATION]


class LeavingStepForm(StepForm):
    kind = StepKind.LEAVING
    date_label = _("Einddatum (laatste dag van inschrijving)")

    class Meta:
        model = LeavingStep
        fields = STEP_FIELDS[StepKind.LEAVING]


STEP_FORMS = {
    StepKind.START: StartStepForm,
    StepKind.STUDY_ADVICE: StudyAdviceStepForm,
    StepKind.ABA: AbaStepForm,
    StepKind.PERSPECTIVE: PerspectiveStepForm,
    StepKind.WORK: WorkStepForm,
    StepKind.FURTHER_EDUCATION: FurtherEducationStepForm,
    StepKind.LEAVING: LeavingStepForm,
}


class ContactMomentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort"), choices=ContactKind.choices)
    date = forms.DateField(label=_("Datum"), widget=DateInput(), required=False)
    channel = forms.ChoiceField(
        label=_("Kanaal"), choices=[("", "---------"), *Channel.choices], required=False
    )
    still_working = forms.NullBooleanField(
        label=_("Werkt de student nog? (werkcheck)"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", "---------"), ("true", _("Ja")), ("false", _("Nee"))]
        ),
    )
    hours_per_week = forms.DecimalField(
        label=_("Uren per week (werkcheck)"),
        max_digits=3,
        decimal_places=1,
        required=False,
        min_value=0,
    )
    note = forms.CharField(
        label=_("Notitie"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=HEALTH_WARNING,
    )

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, ContactKind(k).label) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        if ContactKind.WORK_CHECKIN not in kinds:
            del self.fields["still_working"]
            del self.fields["hours_per_week"]
