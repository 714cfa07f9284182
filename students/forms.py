"""Forms of the student pages: the list filter and the small edits a school makes.

The filter offers only choices that fit the user's scope (a coordinator sees the
locations and mentors of their own school), so nobody is shown organisations or
colleagues that have nothing to do with the students they may see.
"""

from datetime import date

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.models import Location, Membership, Organisation, OrganisationKind, Role, User

from .models import Enrolment, Level
from .validators import VersionField

NO_MENTOR = "none"


def enrolled_on_q(day: date, prefix: str = "") -> Q:
    """Enrolments that are running on `day` (MONITORING.md, "enrolled on D")."""
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})
    )


def scope_schools(membership):
    """The schools whose students this membership may meet in the list."""
    if membership is None:
        return Organisation.objects.none()
    if policy.is_school_staff(membership):
        return Organisation.objects.filter(pk=membership.organisation_id)
    if policy.is_regional_office(membership) and membership.organisation.region_id:
        return Organisation.objects.filter(
            kind=OrganisationKind.SCHOOL, region_id=membership.organisation.region_id
        )
    return Organisation.objects.none()


def school_mentors(school_id):
    """Users with an active mentor membership at the school, by name."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"),
                    organisation_id=school_id,
                    role=Role.MENTOR,
                    is_active=True,
                )
            )
        )
        .order_by("last_name", "first_name", "email")
    )


def user_label(user):
    return user.get_full_name() or user.email


class StudentFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Zoeken"),
        required=False,
        max_length=100,
        help_text=_("Naam of studentnummer (niet op BSN)."),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                # Search as you type; the form's own submit covers the no-JavaScript case.
                "hx-get": reverse_lazy("students:list"),
                "hx-trigger": "input changed delay:400ms, search",
                "hx-target": "#student-results",
                "hx-push-url": "true",
                "hx-include": "closest form",
            }
        ),
    )
    institution = forms.ChoiceField(label=_("Instelling"), required=False)
    location = forms.ChoiceField(label=_("Locatie"), required=False)
    level = forms.ChoiceField(
        label=_("Niveau"), required=False, choices=[("", _("Alle niveaus")), *Level.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Alle")),
            ("enrolled", _("Nu ingeschreven")),
            ("not_enrolled", _("Niet ingeschreven")),
        ],
    )
    mentor = forms.ChoiceField(label=_("Mentor"), required=False)

    def __init__(self, *args, membership, all_mentors=False, **kwargs):
        super().__init__(*args, **kwargs)
        if membership is not None and policy.is_school_staff(membership):
            schools = [membership.organisation]  # loaded with the membership already
        else:
            schools = list(scope_schools(membership).only("pk", "name"))
        self.schools = {str(school.pk): school for school in schools}
        if len(schools) > 1:
            self.fields["institution"].choices = [("", _("Alle instellingen"))] + [
                (str(school.pk), school.name) for school in schools
            ]
        else:
            # One school (or none): a choice that cannot change anything is noise.
            del self.fields["institution"]

        self.locations = {}
        if schools:
            locations = Location.objects.filter(school__in=schools).select_related("school")
            self.locations = {str(location.pk): location for location in locations}
        if self.locations:
            many = len(schools) > 1
            self.fields["location"].choices = [("", _("Alle locaties"))] + [
                (key, f"{loc.school.name} · {loc.name}" if many else loc.name)
                for key, loc in self.locations.items()
            ]
        else:
            del self.fields["location"]

        # Only the school's coordinator works across mentors; a mentor's list is their own.
        if membership is not None and policy.works_across_mentors(membership):
            # A large school has thousands of mentors: the list offers them when the
            # filter is opened (?deel=mentoren, `all_mentors`), not with every page; a
            # mentor asked for is checked on its own (issue 16).
            mentors = school_mentors(membership.organisation_id)
            if not all_mentors:
                asked = self.data.get("mentor", "") if self.is_bound else ""
                mentors = mentors.filter(pk=int(asked)) if asked.isdigit() else mentors.none()
            self.mentors = {str(u.pk): u for u in mentors}
            self.fields["mentor"].choices = [
                ("", _("Alle mentoren")),
                (NO_MENTOR, _("Zonder mentor")),
            ] + [(key, user_label(user)) for key, user in self.mentors.items()]
            if not all_mentors:
                self.fields["mentor"].widget.attrs.update(
                    {
                        "hx-get": reverse_lazy("students:list"),
                        "hx-vals": '{"deel": "mentoren"}',
                        "hx-include": "this",
                        "hx-trigger": "focus once, mouseenter once",
                        "hx-swap": "innerHTML",
                        "hx-target": "this",
                        "hx-push-url": "false",
                    }
                )
        else:
            self.mentors = {}
            del self.fields["mentor"]
        # Bootstrap's classes, as crispy-forms set them (the list renders the fields
        # itself: students/student_list.html).
        for name, field in self.fields.items():
            select = isinstance(field.widget, forms.Select)
            css = "select form-select" if select else "textinput form-control"
            if self.is_bound and self.errors.get(name):
                css += " is-invalid"
            field.widget.attrs["class"] = css

    def filter(self, queryset, *, today: date):
        """Narrow `queryset` (already scoped by visible_to) by the valid filters given."""
        if not self.is_bound:
            return queryset
        self.is_valid()
        data = self.cleaned_data
        text = (data.get("q") or "").strip()
        if text:
            queryset = queryset.search(text)

        # Institution, location, level and "enrolled now" describe one and the same
        # enrolment: "level 2 at Horizon" is not "level 2 somewhere and Horizon once".
        enrolment = Q()
        if data.get("institution"):
            enrolment &= Q(institution_id=int(data["institution"]))
        if data.get("location"):
            location = self.locations[data["location"]]
            enrolment &= Q(institution_id=location.school_id, location__iexact=location.name)
        if data.get("level"):
            enrolment &= Q(level=data["level"])
        status = data.get("status")
        if status == "enrolled":
            enrolment &= enrolled_on_q(today)
        if enrolment:
            queryset = queryset.filter(
                Exists(Enrolment.objects.filter(enrolment, student=OuterRef("pk")))
            )
        if status == "not_enrolled":
            queryset = queryset.exclude(
                Exists(Enrolment.objects.filter(enrolled_on_q(today), student=OuterRef("pk")))
            )

        mentor = data.get("mentor")
        if mentor == NO_MENTOR:
            queryset = queryset.filter(mentor__isnull=True)
        elif mentor:
            queryset = queryset.filter(mentor_id=int(mentor))
        return queryset

    def active_filters(self):
        """The filter parameters in use, to carry over into paging links."""
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


_phone_validator = RegexValidator(
    r"^\+?[0-9 ()\-]{6,30}$",
    _("Vul een telefoonnummer in met alleen cijfers, spaties, haakjes, + of -."),
)


class StudentContactForm(forms.Form):
    """A student's contact details; `version` is the version the user read."""

    email = forms.EmailField(label=_("E-mailadres"), required=False, max_length=254)
    phone = forms.CharField(
        label=_("Telefoonnummer"), required=False, max_length=30, validators=[_phone_validator]
    )
    version = VersionField(min_value=1)

    FIELDS = ("email", "phone")

    def __init__(self, *args, student, **kwargs):
        kwargs.setdefault("prefix", "contact")
        kwargs.setdefault(
            "initial",
            {"email": student.email, "phone": student.phone, "version": student.version},
        )
        super().__init__(*args, **kwargs)

    def clean_phone(self):
        return " ".join(self.cleaned_data["phone"].split())

    def values(self):
        return {field: self.cleaned_data[field] for field in self.FIELDS}


class StudentMentorForm(forms.Form):
    """Assigning a mentor of the coordinator's own school."""

    mentor = forms.ChoiceField(label=_("Mentor"), required=False)
    version = VersionField(min_value=1)

    def __init__(self, *args, student, school_id, **kwargs):
        kwargs.setdefault("prefix", "mentor")
        kwargs.setdefault(
            "initial",
            {"mentor": str(student.mentor_id or ""), "version": student.version},
        )
        super().__init__(*args, **kwargs)
        self.mentors = {str(u.pk): u for u in school_mentors(school_id)}
        choices = [("", _("Geen mentor"))]
        choices += [(key, user_label(user)) for key, user in self.mentors.items()]
        if student.mentor_id and str(student.mentor_id) not in self.mentors:
            # The current mentor left the school: keep them visible, not silently lost.
            choices.append((str(student.mentor_id), user_label(student.mentor)))
            self.mentors[str(student.mentor_id)] = student.mentor
        self.fields["mentor"].choices = choices

    def chosen_mentor(self):
        key = self.cleaned_data.get("mentor")
        return self.mentors.get(key) if key else None
