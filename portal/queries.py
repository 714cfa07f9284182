"""Every read of the portal: the student's own file, and nothing else.

All functions take the student of the signed-in account (portal.views loads it from
the account, never from the URL), so a student can only ever read their own file.
"""

from collections import OrderedDict
from datetime import date

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, OrganisationKind, Role
from students.dates import age_on
from students.models import AccessLog, Disclosure, Enrolment, LegalBasis

from .models import OrganisationPortalPolicy, RightsRequest

ACCESS_LOG_LIMIT = 500
# The student's own pages are logged too (a download of their copy), but "who looked at
# my file" is about others.
WHAT_LABELS = {
    AccessLog.Action.VIEW_STUDENT: gettext_lazy("je dossier bekeken"),
    AccessLog.Action.LIST_STUDENTS: gettext_lazy("je naam in een lijst of zoekresultaat gezien"),
    AccessLog.Action.IMPORT_PREVIEW: gettext_lazy(
        "gegevens van de schooladministratie gecontroleerd"
    ),
    AccessLog.Action.IMPORT_APPLY: gettext_lazy("gegevens van de schooladministratie bijgewerkt"),
    AccessLog.Action.EXPORT: gettext_lazy("een overzicht gemaakt waar jij in stond"),
    AccessLog.Action.DOWNLOAD: gettext_lazy("een bestand gedownload waar jij in stond"),
    AccessLog.Action.VIEW_SPECIAL: gettext_lazy(
        "bijzondere gegevens bekeken (zoals ondersteuning)"
    ),
}


def current_enrolments(student, today):
    return list(
        Enrolment.objects.filter(student=student, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("institution")
        .order_by("-start_date", "-id")
    )


def regional_organisation(student, kind):
    region_id = student.municipality.region_id
    if region_id is None:
        return None
    return (
        Organisation.objects.filter(kind=kind, region_id=region_id, is_active=True)
        .order_by("pk")
        .first()
    )


def contact_organisations(student, today):
    """The school(s), and Leerplicht (under 18) or the Doorstroompunt (18 and older)."""
    contacts = [
        {"organisation": e.institution, "what": _("je school")}
        for e in current_enrolments(student, today)
    ]
    if age_on(student.date_of_birth, today) < 18:
        leerplicht = regional_organisation(student, OrganisationKind.LEERPLICHT)
        if leerplicht:
            contacts.append({"organisation": leerplicht, "what": _("Leerplicht")})
    else:
        dsp = regional_organisation(student, OrganisationKind.DOORSTROOMPUNT)
        if dsp:
            contacts.append({"organisation": dsp, "what": _("het Doorstroompunt")})
    return contacts


def route_context(student, today):
    from doorstroomtafel.models import AgendaItem
    from referrals.models import Referral, ReferralStatus
    from roadmap.queries import route_enrolments
    from roadmap.route import build_route

    routes = [
        build_route(enrolment, today=today, include_aba=False)
        for enrolment in route_enrolments(student)
    ]
    discussions = []
    for item in (
        AgendaItem.objects.filter(student=student, meeting__date__gte=today)
        .filter(meeting__status__in=["planned", "agenda_final"])
        .select_related("meeting__table")
        .prefetch_related("meeting__table__member_organisations")
        .order_by("meeting__date")
    ):
        table = item.meeting.table
        discussions.append(
            {
                "date": item.meeting.date,
                "with": sorted(o.name for o in table.member_organisations.all()),
            }
        )
    referrals = list(
        Referral.objects.filter(
            student=student, status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED]
        )
        .select_related("to_organisation")
        .order_by("-created_at")
    )
    return {
        "routes": routes,
        "mentor": student.mentor,
        "contacts": contact_organisations(student, today),
        "discussions": discussions,
        "referrals": referrals,
        "today": today,
    }


def _access_rows(student, *, exclude_user_id):
    own = Q(student=student)
    if connection.vendor == "postgresql":
        own |= Q(student_ids__contains=[student.pk])
    rows = list(
        AccessLog.objects.filter(own)
        .exclude(user_id=exclude_user_id)
        .exclude(user__isnull=True)
        .select_related("organisation", "user")
        .order_by("-at", "-id")[:ACCESS_LOG_LIMIT]
    )
    if connection.vendor != "postgresql":
        # SQLite has no JSON containment: look through the recent list rows in Python.
        listed = (
            AccessLog.objects.filter(student__isnull=True)
            .exclude(student_ids=[])
            .exclude(user_id=exclude_user_id)
            .select_related("organisation", "user")
            .order_by("-at", "-id")[:ACCESS_LOG_LIMIT]
        )
        rows += [row for row in listed if student.pk in (row.student_ids or [])]
        rows.sort(key=lambda row: (row.at, row.pk), reverse=True)
    return rows[:ACCESS_LOG_LIMIT]


def access_overview(student, *, exclude_user_id):
    """Who looked at the file: per month, per organisation, each view with when, role
    (a person's name only where their organisation chose so) and what. No BSN, no
    free text from the log: the "what" comes from the action."""
    rows = _access_rows(student, exclude_user_id=exclude_user_id)
    names_allowed = set(
        OrganisationPortalPolicy.objects.filter(
            organisation_id__in={row.organisation_id for row in rows}, show_person_names=True
        ).values_list("organisation_id", flat=True)
    )
    months = OrderedDict()
    for row in rows:
        month = date(row.at.year, row.at.month, 1)
        organisations = months.setdefault(month, OrderedDict())
        key = row.organisation.name if row.organisation else _("onbekende organisatie")
        role = Role(row.role).label if row.role in Role.values else _("medewerker")
        person = (
            row.user.get_full_name()
            if row.organisation_id in names_allowed and row.user is not None
            else ""
        )
        organisations.setdefault(key, []).append(
            {
                "at": row.at,
                "role": role,
                "person": person,
                "what": WHAT_LABELS.get(row.action, _("je gegevens gebruikt")),
            }
        )
    return [{"month": month, "organisations": list(orgs.items())} for month, orgs in months.items()]


def disclosures(student):
    from students.panels import disclosure_section_labels

    labels = disclosure_section_labels()
    rows = []
    for disclosure in (
        Disclosure.objects.filter(student=student)
        .select_related("from_organisation", "to_organisation")
        .order_by("-at", "-id")
    ):
        rows.append(
            {
                "disclosure": disclosure,
                "sections": [
                    str(labels.get(key, _("overige gegevens"))) for key in disclosure.sections
                ],
                "basis": LegalBasis(disclosure.legal_basis).label
                if disclosure.legal_basis in LegalBasis.values
                else "",
                "may_withdraw": may_withdraw(disclosure),
            }
        )
    return rows


def may_withdraw(disclosure):
    """A consent that is still in force, given for a referral (REFERRALS.md)."""
    return (
        disclosure.legal_basis == LegalBasis.CONSENT
        and disclosure.consent_withdrawn_at is None
        and disclosure.source == "referral"
        and disclosure.source_id is not None
    )


def organisations_concerned(student, today):
    """The organisations that process the student's data: an objection goes to one."""
    ids = set(Enrolment.objects.filter(student=student).values_list("institution_id", flat=True))
    ids |= set(
        Disclosure.objects.filter(student=student).values_list("to_organisation_id", flat=True)
    )
    for contact in contact_organisations(student, today):
        ids.add(contact["organisation"].pk)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def rights_requests(student):
    return list(
        RightsRequest.objects.filter(student=student)
        .select_related("organisation")
        .order_by("-created_at", "-id")
    )
