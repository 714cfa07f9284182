"""What the API shows and takes. Field descriptions are Dutch (they are the OpenAPI
document's). The BSN is never in an answer; only a search body may carry it."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from students.importing import KINDS


class _Strict:
    """No coercion of another JSON type (0 is no text, no boolean): a 400 instead."""

    json_type: type = str

    def to_internal_value(self, data):
        if not isinstance(data, self.json_type):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(_Strict, serializers.CharField):
    default_error_messages = {"invalid": _("Geef tekst.")}


class StrictRegexField(_Strict, serializers.RegexField):
    pass


class StrictBooleanField(_Strict, serializers.BooleanField):
    json_type = bool


class EnrolmentSerializer(serializers.Serializer):
    institution = serializers.CharField(source="institution.name", help_text=_("Instelling."))
    location = serializers.CharField(help_text=_("Locatie (vrije tekst)."))
    programme = serializers.CharField(help_text=_("Opleiding."))
    level = serializers.CharField(help_text=_("Niveau: entree, 2, 3, 4 of vavo."))
    start_date = serializers.DateField(help_text=_("Startdatum (ISO 8601)."))
    planned_end_date = serializers.DateField(
        allow_null=True, help_text=_("Geplande einddatum (ISO 8601).")
    )
    end_date = serializers.DateField(allow_null=True, help_text=_("Einddatum (ISO 8601)."))
    end_reason = serializers.CharField(
        help_text=_("Reden van het einde: diploma, dropout, switch, other of leeg.")
    )


class QualificationSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("Soort diploma."))
    level = serializers.IntegerField(allow_null=True, help_text=_("Niveau (alleen bij mbo)."))
    date = serializers.DateField(help_text=_("Datum (ISO 8601)."))


class EmploymentSerializer(serializers.Serializer):
    employer = serializers.CharField(help_text=_("Werkgever."))
    hours_per_week = serializers.DecimalField(
        max_digits=3, decimal_places=1, coerce_to_string=False, help_text=_("Uren per week.")
    )
    start_date = serializers.DateField(help_text=_("Startdatum (ISO 8601)."))
    end_date = serializers.DateField(allow_null=True, help_text=_("Einddatum (ISO 8601)."))


class StudentSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id", help_text=_("Willekeurige, vaste id."))
    student_number = serializers.CharField(help_text=_("Studentnummer van de administratie."))
    first_name = serializers.CharField(help_text=_("Voornaam."))
    last_name = serializers.CharField(help_text=_("Achternaam."))
    date_of_birth = serializers.DateField(help_text=_("Geboortedatum (ISO 8601)."))
    municipality = serializers.CharField(source="municipality.name", help_text=_("Woongemeente."))
    email = serializers.CharField(help_text=_("E-mailadres."))
    phone = serializers.CharField(help_text=_("Telefoonnummer."))
    prior_education = serializers.CharField(help_text=_("Vooropleiding."))
    enrolments = EnrolmentSerializer(many=True, help_text=_("Inschrijvingen."))
    qualifications = QualificationSerializer(many=True, help_text=_("Diploma's."))
    employment = EmploymentSerializer(
        source="employments", many=True, help_text=_("Dienstverbanden.")
    )


class StudentSearchSerializer(serializers.Serializer):
    bsn = StrictRegexField(
        r"^[0-9]{9}$",
        required=False,
        help_text=_("BSN (9 cijfers): alleen hier, in de body, nooit in een URL."),
    )
    student_number = StrictCharField(required=False, max_length=20, help_text=_("Studentnummer."))
    name = StrictCharField(
        required=False, max_length=200, help_text=_("Woorden uit voor- of achternaam.")
    )


_SCALAR = (str, int, float, bool, type(None))


class RowsField(serializers.ListField):
    """An array of objects with text, number or null values (the CSV file's rows)."""

    child = serializers.DictField(child=serializers.JSONField())

    def to_internal_value(self, data):
        rows = super().to_internal_value(data)
        for index, row in enumerate(rows):
            for key, value in row.items():
                if not isinstance(value, _SCALAR):
                    raise serializers.ValidationError(
                        {index: {key: [_("Geef tekst, een getal of null.")]}}
                    )
        return rows


class AdministrationImportSerializer(serializers.Serializer):
    students = RowsField(
        required=False,
        help_text=_(
            "Studenten: student_number*, first_name*, last_name*, date_of_birth*, "
            "municipality*, bsn, email, phone, prior_education, mentor_email."
        ),
    )
    enrolments = RowsField(
        required=False,
        help_text=_(
            "Inschrijvingen: student_number*, institution*, location, programme*, level*, "
            "start_date*, planned_end_date, end_date, end_reason, group."
        ),
    )
    qualifications = RowsField(
        required=False, help_text=_("Diploma's: student_number*, type*, level, date*.")
    )
    employment = RowsField(
        required=False,
        help_text=_(
            "Dienstverbanden: student_number*, employer*, hours_per_week*, start_date*, end_date."
        ),
    )
    guardians = RowsField(
        required=False,
        help_text=_(
            "Ouders, verzorgers en contactpersonen: student_number*, name*, relation* "
            "(parent, guardian, other), parental_authority (yes/no, leeg = onbekend), "
            "email, phone. Sleutel: student, naam en relatie."
        ),
    )
    dry_run = StrictBooleanField(
        required=False, default=False, help_text=_("Alleen controleren, niets schrijven.")
    )

    def validate(self, attrs):
        total = sum(len(attrs.get(kind) or []) for kind in KINDS)
        if total > settings.KOERS_API_IMPORT_MAX_ROWS:
            raise serializers.ValidationError(
                _("Te veel rijen: ten hoogste %(max)s per aanvraag.")
                % {"max": settings.KOERS_API_IMPORT_MAX_ROWS}
            )
        return attrs


class CountsSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=_("Aangemaakt."))
    updated = serializers.IntegerField(help_text=_("Gewijzigd."))
    unchanged = serializers.IntegerField(help_text=_("Ongewijzigd."))


class InvalidParamSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("Het veld: students[3].bsn."))
    reason = serializers.CharField(help_text=_("Waarom."))
    code = serializers.CharField(help_text=_("Code van de reden."))


class AdministrationResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(help_text=_("Alleen gecontroleerd."))
    students = CountsSerializer(required=False, help_text=_("Studenten."))
    enrolments = CountsSerializer(required=False, help_text=_("Inschrijvingen."))
    qualifications = CountsSerializer(required=False, help_text=_("Diploma's."))
    employment = CountsSerializer(required=False, help_text=_("Dienstverbanden."))
    guardians = CountsSerializer(
        required=False, help_text=_("Ouders, verzorgers en contactpersonen.")
    )
    notices = InvalidParamSerializer(many=True, help_text=_("Meldingen die geen fout zijn."))


class StepSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("Stap: start, study-advice, aba, ..."))
    label = serializers.CharField(help_text=_("Naam van de stap."))
    date = serializers.DateField(allow_null=True, help_text=_("Datum, of null als nog open."))
    logged = serializers.BooleanField(help_text=_("Vastgelegd."))


class RouteSerializer(serializers.Serializer):
    institution = serializers.CharField(help_text=_("Instelling."))
    programme = serializers.CharField(help_text=_("Opleiding."))
    start_date = serializers.DateField(help_text=_("Startdatum van de inschrijving."))
    steps = StepSerializer(many=True, help_text=_("De stappen van de route."))


class SignalSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", help_text=_("Id van het signaal."))
    student = serializers.CharField(source="student.public_id", help_text=_("Id van de student."))
    kind = serializers.CharField(help_text=_("Soort signaal."))
    label = serializers.CharField(source="get_kind_display", help_text=_("Naam van de soort."))
    status = serializers.CharField(help_text=_("open, resolved, dismissed of closed."))
    due_date = serializers.DateField(help_text=_("Uiterlijk op (ISO 8601)."))
    opened_at = serializers.DateTimeField(help_text=_("Geopend op (ISO 8601)."))
    closed_at = serializers.DateTimeField(allow_null=True, help_text=_("Gesloten op."))


class ResolveSerializer(serializers.Serializer):
    note = StrictCharField(
        required=False, allow_blank=True, max_length=2000, help_text=_("Toelichting.")
    )


class DismissSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=2000, help_text=_("Reden (verplicht)."))


class ReferralSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id", help_text=_("Id van de verwijzing."))
    kind = serializers.CharField(help_text=_("Soort verwijzing."))
    status = serializers.CharField(help_text=_("sent, accepted, rejected, completed, ..."))
    from_organisation = serializers.CharField(
        source="from_organisation.name", help_text=_("Verwijzende organisatie.")
    )
    question = serializers.CharField(help_text=_("Vraag aan de ontvanger."))
    sections = serializers.ListField(
        child=serializers.CharField(), help_text=_("Gedeelde onderdelen.")
    )
    sent_at = serializers.DateTimeField(allow_null=True, help_text=_("Verstuurd op."))
    decided_at = serializers.DateTimeField(allow_null=True, help_text=_("Besloten op."))
    outcome = serializers.CharField(help_text=_("Uitkomst."))


class ReferralDetailSerializer(ReferralSerializer):
    shared_data = serializers.JSONField(
        help_text=_("De gedeelde onderdelen; leeg tot de verwijzing is geaccepteerd.")
    )


class RejectSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=2000, help_text=_("Reden van afwijzing."))


class CompleteSerializer(serializers.Serializer):
    outcome = StrictCharField(help_text=_("Uitkomst: work, education, support, ..."))
    note = StrictCharField(
        required=False, allow_blank=True, max_length=2000, help_text=_("Toelichting.")
    )


class InstrumentsSerializer(serializers.Serializer):
    loonkostensubsidie = StrictBooleanField(default=False, help_text=_("Loonkostensubsidie."))
    jobcoach = StrictBooleanField(default=False, help_text=_("Jobcoach."))
    no_risk_polis = StrictBooleanField(default=False, help_text=_("No-riskpolis."))
    lkv = StrictBooleanField(default=False, help_text=_("Loonkostenvoordeel."))
    job_start_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("Startdatum baan.")
    )
    doelgroepverklaring_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("Datum doelgroepverklaring.")
    )
    note = StrictCharField(
        required=False, allow_blank=True, max_length=2000, help_text=_("Toelichting.")
    )


class ActionSerializer(serializers.Serializer):
    what = serializers.CharField(help_text=_("Wat."))
    owner_organisation = serializers.CharField(
        source="owner_organisation.name", allow_null=True, help_text=_("Organisatie.")
    )
    due_date = serializers.DateField(help_text=_("Uiterlijk op."))
    status = serializers.CharField(help_text=_("Status."))


class AgendaItemSerializer(serializers.Serializer):
    student = serializers.CharField(source="student.public_id", help_text=_("Id van de student."))
    reason = serializers.CharField(help_text=_("Reden op de agenda."))
    decision = serializers.CharField(help_text=_("Besluit."))
    actions = ActionSerializer(many=True, help_text=_("Acties."))


class MeetingSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id", help_text=_("Id van het overleg."))
    table = serializers.CharField(source="table.name", help_text=_("Doorstroomtafel."))
    date = serializers.DateField(help_text=_("Datum."))
    status = serializers.CharField(help_text=_("Status."))


class MeetingDetailSerializer(MeetingSerializer):
    items = AgendaItemSerializer(many=True, help_text=_("Agenda met besluiten en acties."))


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id", read_only=True, help_text=_("Id."))
    callback_url = serializers.URLField(
        max_length=500, help_text=_("HTTPS-adres dat de meldingen ontvangt.")
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(
            choices=["referral.received", "signal.assigned", "action.due"]
        ),
        min_length=1,
        help_text=_("Gebeurtenissen: referral.received, signal.assigned, action.due."),
    )
    created_at = serializers.DateTimeField(read_only=True, help_text=_("Aangemaakt op."))


class SubscriptionCreatedSerializer(SubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True, help_text=_("Sleutel van de HMAC-handtekening; alleen nu getoond.")
    )
