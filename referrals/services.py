"""Every write of referrals (the Flexservice's: referrals.flexservice.services):
keyword-only, atomic, with history.

A transition is one conditional UPDATE on the status the caller expects: when the row
is no longer in that status (accepted twice, accepted after a withdrawal, two people at
once) nothing matches, nothing changes, and `ReferralRefused` says why in Dutch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import Organisation, OrganisationKind, Role
from accounts.notifications import NotificationKind, notify_organisation
from students.dates import add_months
from students.models import AccessLog, LegalBasis
from students.services import (
    ConcurrentEditError,
    access_log,
    disclosure_consent_withdraw,
    disclosure_record,
    field_changes,
    history_value,
)

from .models import (
    Overgangsdocument,
    Referral,
    ReferralEvent,
    ReferralKind,
    ReferralOutcome,
    ReferralStatus,
    Section,
    WorkInstruments,
)
from .queries import RECEIVER_KINDS, is_receiver, is_sender

if TYPE_CHECKING:
    from accounts.models import User
    from roadmap.models import StepKind
    from students.models import Disclosure, Student

    from .models import IntakeRegistration, MaatwerkTrajectory

DISCLOSURE_SOURCE = "referral"


class StudentOutOfScope(Exception):
    """The student is not in the actor's scope: the caller answers 404."""


class ReferralRefused(Exception):
    """A transition that is not allowed now; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _event(
    referral: Referral,
    *,
    action: str,
    actor: User,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    changes: Mapping[str, Any] | None = None,
) -> ReferralEvent:
    membership = getattr(actor, "active_membership", None)
    return ReferralEvent.objects.create(
        referral=referral,
        action=action,
        actor=actor,
        organisation=membership.organisation if membership else None,
        from_status=from_status,
        to_status=to_status,
        note=note,
        changes=changes or {},
    )


def _check_version(
    model: type[Referral] | type[IntakeRegistration] | type[MaatwerkTrajectory],
    pk: int,
    expected_version: int | None,
) -> None:
    """Raise ConcurrentEditError with the saved row when it is not at `expected_version`
    any more (someone else changed it since the page was read)."""
    if expected_version is None:
        return
    current = model.objects.filter(pk=pk).first()
    if current is not None and current.version != expected_version:
        raise ConcurrentEditError(current)


def _transition(
    referral: Referral,
    *,
    expected: str | Sequence[str],
    to: str,
    actor: User,
    action: str,
    values: Mapping[str, Any] | None = None,
    note: str = "",
    refusal: str,
    expected_version: int | None = None,
) -> datetime:
    """UPDATE ... WHERE status IN expected (AND version = the version read); refuse when
    no row matched: a stale page with ConcurrentEditError, a wrong status with why."""
    expected = [expected] if isinstance(expected, str) else list(expected)
    now = timezone.now()
    values = dict(values or {})
    rows = Referral.objects.filter(pk=referral.pk, status__in=expected)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    updated = rows.update(status=to, version=F("version") + 1, **values)
    if not updated:
        current = Referral.objects.filter(pk=referral.pk).values_list("status", flat=True).first()
        if current in expected:
            # The status still allows it: someone else changed the referral meanwhile.
            _check_version(Referral, referral.pk, expected_version)
        label = ReferralStatus(current).label if current else "?"
        raise ReferralRefused(refusal % {"status": label})
    from_status = referral.status if referral.status in expected else expected[0]
    _event(referral, action=action, actor=actor, from_status=from_status, to_status=to, note=note)
    referral.refresh_from_db()
    return now


# --- Creating and sending ----------------------------------------------------------


def allowed_sections(*, actor: User, to_organisation: Organisation | None) -> list[Section]:
    """The sections this sender may share with this receiver."""
    membership = actor.active_membership
    sections = [
        Section.CONTACT,
        Section.ROADMAP_SUMMARY,
        Section.STUDY_ADVICE,
        Section.PERSPECTIVE,
        Section.SUPPORT_NEEDS,
    ]
    # Special-category data: only the school shares it, and only with W&I.
    if (
        policy.is_school_writer(membership)
        and to_organisation is not None
        and to_organisation.kind == OrganisationKind.WI
    ):
        sections.append(Section.ABA)
    return sections


def _validate_referral(
    *,
    actor: User,
    student: Student,
    to_organisation: Organisation,
    kind: str,
    question: str,
    sections: Iterable[str],
    legal_basis: str,
    legal_reference: str,
    consent_given_by: str,
    consent_given_on: date | None,
) -> None:
    membership = actor.active_membership
    errors: dict[str, str] = {}
    if membership is None or not policy.can_send_referral(membership):
        raise ValidationError(_("Alleen school, Leerplicht en Doorstroompunt verwijzen door."))
    if not policy.may_send_referral_for(actor, student):
        # The views load the student through the scope (404); this guards every caller.
        raise StudentOutOfScope
    if to_organisation.pk == membership.organisation_id:
        errors["to_organisation"] = _("Verwijs naar een andere organisatie.")
    elif to_organisation.kind not in RECEIVER_KINDS or not to_organisation.is_active:
        errors["to_organisation"] = _("Deze organisatie ontvangt geen verwijzingen.")
    elif not Organisation.objects.filter(
        policy.referral_receivers_q(actor, student), pk=to_organisation.pk
    ).exists():
        errors["to_organisation"] = _(
            "Deze organisatie hoort niet bij de regio van de student: verwijs naar een "
            "partner in de regio waar de student woont."
        )
    if kind == ReferralKind.OVERGANGSDOCUMENT and (
        to_organisation.kind != OrganisationKind.WI
        or membership.role not in (Role.MENTOR, Role.SCHOOL_COORDINATOR)
    ):
        errors["to_organisation"] = _("Een overgangsdocument gaat van de school naar W&I.")
    if not (question or "").strip():
        errors["question"] = _("Schrijf de vraag aan de ontvanger.")
    allowed = set(allowed_sections(actor=actor, to_organisation=to_organisation))
    if kind == ReferralKind.OVERGANGSDOCUMENT:
        allowed.add(Section.OVERGANGSDOCUMENT)
    chosen = list(sections)
    if not chosen:
        errors["sections"] = _("Kies ten minste één onderdeel om te delen.")
    elif any(s not in allowed for s in chosen):
        errors["sections"] = _("ABA en instrumenten deelt alleen de school, en alleen met W&I.")
    if legal_basis not in LegalBasis.values:
        errors["legal_basis"] = _("Kies een grondslag.")
    elif legal_basis == LegalBasis.WVO_103B:
        # ACCESS.md: WVO 103b covers the vo -> mbo transfer file only, not a handover.
        errors["legal_basis"] = _(
            "WVO artikel 103b geldt alleen voor het overdrachtsdossier van het vo naar het "
            "mbo; kies een wettelijke taak of toestemming."
        )
    elif legal_basis == LegalBasis.WETTELIJKE_TAAK and not legal_reference.strip():
        errors["legal_reference"] = _("Noem de wet en het artikel van de wettelijke taak.")
    elif legal_basis == LegalBasis.CONSENT:
        if not consent_given_by.strip():
            errors["consent_given_by"] = _("Vermeld wie toestemming gaf en wanneer.")
        if not consent_given_on:
            errors["consent_given_on"] = _("Vermeld wanneer de toestemming is gegeven.")
        elif consent_given_on > timezone.localdate():
            errors["consent_given_on"] = _("De toestemming kan niet in de toekomst gegeven zijn.")
        elif consent_given_on < student.date_of_birth:
            errors["consent_given_on"] = _(
                "De toestemming kan niet vóór de geboortedatum van de student gegeven zijn."
            )
    if errors:
        raise ValidationError(errors)


class OvergangsdocumentExists(Exception):
    """The student already has an overgangsdocument (not withdrawn or rejected)."""

    def __init__(self, existing: Referral) -> None:
        super().__init__("overgangsdocument exists")
        self.existing = existing


# A withdrawn or rejected overgangsdocument leaves room for a new one.
OVERGANGSDOCUMENT_ENDED = (ReferralStatus.WITHDRAWN, ReferralStatus.REJECTED)


def existing_overgangsdocument(student: Student) -> Referral | None:
    """The student's overgangsdocument that still counts, or None."""
    return (
        Referral.objects.filter(student=student, kind=ReferralKind.OVERGANGSDOCUMENT)
        .exclude(status__in=OVERGANGSDOCUMENT_ENDED)
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def referral_create(
    *,
    actor: User,
    student: Student,
    to_organisation: Organisation,
    question: str,
    sections: Iterable[str],
    legal_basis: str,
    kind: str = ReferralKind.GENERAL,
    support_needs: str = "",
    legal_reference: str = "",
    consent_given_by: str = "",
    consent_given_on: date | None = None,
    overgangsdocument: Mapping[str, Any] | None = None,
) -> Referral:
    """A draft referral; nothing crosses the boundary until it is sent."""
    sections = list(dict.fromkeys(sections))
    if kind == ReferralKind.OVERGANGSDOCUMENT and Section.OVERGANGSDOCUMENT not in sections:
        sections.append(Section.OVERGANGSDOCUMENT)
    _validate_referral(
        actor=actor,
        student=student,
        to_organisation=to_organisation,
        kind=kind,
        question=question,
        sections=sections,
        legal_basis=legal_basis,
        legal_reference=legal_reference,
        consent_given_by=consent_given_by,
        consent_given_on=consent_given_on,
    )
    if (
        kind == ReferralKind.OVERGANGSDOCUMENT
        and not (overgangsdocument or {}).get("situation", "").strip()
    ):
        raise ValidationError({"situation": _("Beschrijf de huidige situatie.")})
    if kind == ReferralKind.OVERGANGSDOCUMENT:
        # Serialise on the student: two sends at once cannot both pass the check (the
        # constraint referral_one_overgangsdocument keeps it as well).
        type(student).objects.select_for_update().filter(pk=student.pk).exists()
        existing = existing_overgangsdocument(student)
        if existing is not None:
            raise OvergangsdocumentExists(existing)
    referral = Referral.objects.create(
        student=student,
        kind=kind,
        from_organisation=actor.active_membership.organisation,
        to_organisation=to_organisation,
        created_by=actor,
        question=question.strip(),
        support_needs=support_needs.strip(),
        sections=sections,
        legal_basis=legal_basis,
        legal_reference=legal_reference.strip() if legal_basis != LegalBasis.CONSENT else "",
        consent_given_by=consent_given_by.strip() if legal_basis == LegalBasis.CONSENT else "",
        consent_given_on=consent_given_on if legal_basis == LegalBasis.CONSENT else None,
    )
    if kind == ReferralKind.OVERGANGSDOCUMENT:
        # Not empty here: the situation was checked above.
        Overgangsdocument.objects.create(referral=referral, **(overgangsdocument or {}))
    _event(referral, action="created", actor=actor, to_status=ReferralStatus.DRAFT)
    return referral


def _steps(student: Student, kind: StepKind, *, institution_id: int | None = None) -> list[Any]:
    from roadmap.models import STEP_MODELS

    # One of the step models; their common base declares no manager.
    model: Any = STEP_MODELS[kind]
    rows = model.objects.filter(enrolment__student=student).select_related("enrolment__institution")
    if institution_id is not None:
        rows = rows.filter(enrolment__institution_id=institution_id)
    return list(rows.order_by("date", "pk"))


def build_snapshot(*, referral: Referral, actor: User) -> dict[str, Any]:
    """The shared sections as plain data, read with the sender's rights at sending."""
    from roadmap.models import StepKind
    from roadmap.panels import route_summary

    student = referral.student
    sections = set(referral.sections)
    data: dict[str, Any] = {
        "name": student.full_name,
        "sections": list(referral.sections),
    }
    if Section.CONTACT in sections:
        data["contact"] = {
            "date_of_birth": student.date_of_birth.isoformat(),
            "municipality": str(student.municipality),
            "email": student.email,
            "phone": student.phone,
        }
    if Section.ROADMAP_SUMMARY in sections:
        summary = route_summary(actor, student)
        for route in summary:
            route["steps"] = [
                {**s, "date": history_value(s["date"]), "due_date": history_value(s["due_date"])}
                for s in route["steps"]
                if s["step"] != StepKind.ABA or Section.ABA in sections
            ]
            route["start_date"] = history_value(route["start_date"])
        data["roadmap_summary"] = summary
    if Section.STUDY_ADVICE in sections:
        data["study_advice"] = [
            {
                "date": s.date.isoformat(),
                "programme": s.enrolment.programme,
                "advice": str(s.get_advice_display()),
                "perspective_discussed": s.perspective_discussed,
            }
            for s in _steps(student, StepKind.STUDY_ADVICE)
        ]
    if Section.PERSPECTIVE in sections:
        data["perspective"] = [
            {
                "date": s.date.isoformat(),
                "programme": s.enrolment.programme,
                "perspective": str(s.get_perspective_display()),
                "place": s.destination_place,
            }
            for s in _steps(student, StepKind.PERSPECTIVE)
        ]
    if Section.SUPPORT_NEEDS in sections:
        data["support_needs"] = referral.support_needs
    if Section.ABA in sections:
        institution_id = referral.from_organisation_id
        data["aba"] = {
            "aba": [
                {
                    "date": s.date.isoformat(),
                    "decision": str(s.get_decision_display()),
                    "applied_date": history_value(s.applied_date),
                    "uwv_outcome": str(s.get_uwv_outcome_display()),
                    "doelgroepregister": s.doelgroepregister,
                }
                for s in _steps(student, StepKind.ABA, institution_id=institution_id)
            ],
            "instruments": [
                {
                    "date": s.date.isoformat(),
                    "loonkostensubsidie": s.instrument_loonkostensubsidie,
                    "jobcoach": s.instrument_jobcoach,
                    "no_risk_polis": s.instrument_no_risk_polis,
                    "lkv": s.instrument_lkv,
                    "doelgroepverklaring_date": history_value(s.doelgroepverklaring_date),
                }
                for s in _steps(student, StepKind.WORK, institution_id=institution_id)
            ],
        }
        access_log(
            user=actor,
            action=AccessLog.Action.VIEW_SPECIAL,
            student=student,
            detail=f"referral {referral.public_id}: ABA shared",
        )
    if Section.OVERGANGSDOCUMENT in sections and hasattr(referral, "overgangsdocument"):
        doc = referral.overgangsdocument
        data["overgangsdocument"] = {
            field: getattr(doc, field) for field in OVERGANGSDOCUMENT_FIELDS
        }
    return data


OVERGANGSDOCUMENT_FIELDS = [
    "situation",
    "work_capacity",
    "hour_limits",
    "wishes",
    "support_needed",
    "agreements",
    "contacts",
]


@transaction.atomic
def referral_send(
    *, referral: Referral, actor: User, expected_version: int | None = None
) -> Referral:
    if not is_sender(actor, referral):
        raise ReferralRefused(_("Alleen de verwijzende organisatie verstuurt deze verwijzing."))
    if not policy.may_send_referral_for(actor, referral.student):
        raise StudentOutOfScope
    if not Organisation.objects.filter(
        policy.referral_receivers_q(actor, referral.student), pk=referral.to_organisation_id
    ).exists():
        raise ReferralRefused(
            _(
                "De ontvanger hoort niet (meer) bij de regio van de student; maak een nieuwe verwijzing."
            )
        )
    referral.shared_data = build_snapshot(referral=referral, actor=actor)
    now = timezone.now()
    _transition(
        referral,
        expected=ReferralStatus.DRAFT,
        to=ReferralStatus.SENT,
        actor=actor,
        action="sent",
        values={"sent_at": now, "shared_data": referral.shared_data},
        refusal=_("Deze verwijzing is al %(status)s: alleen een concept kan verstuurd worden."),
        expected_version=expected_version,
    )
    disclosure_record(
        student=referral.student,
        actor=actor,
        from_organisation=referral.from_organisation,
        to_organisation=referral.to_organisation,
        sections=referral.sections,
        legal_basis=referral.legal_basis,
        legal_reference=referral.legal_reference,
        consent_given_by=referral.consent_given_by,
        consent_given_on=referral.consent_given_on,
        source=DISCLOSURE_SOURCE,
        source_id=referral.pk,
        description=str(referral.get_kind_display()),
    )
    notify_organisation(
        referral.to_organisation_id,
        NotificationKind.REFERRAL_RECEIVED,
        _("Nieuwe verwijzing van %(organisation)s")
        % {"organisation": referral.from_organisation.name},
        reverse("referrals:detail", args=[referral.public_id]),
        roles=policy.REFERRAL_NOTIFIED_ROLES,
        student_id=referral.student_id,
    )
    return referral


@transaction.atomic
def referral_withdraw(
    *, referral: Referral, actor: User, note: str = "", expected_version: int | None = None
) -> Referral:
    if not is_sender(actor, referral):
        raise ReferralRefused(_("Alleen de verwijzende organisatie kan de verwijzing intrekken."))
    _transition(
        referral,
        expected=[ReferralStatus.DRAFT, ReferralStatus.SENT],
        to=ReferralStatus.WITHDRAWN,
        actor=actor,
        action="withdrawn",
        values={"withdrawn_at": timezone.now()},
        note=note,
        refusal=_("Deze verwijzing is %(status)s: intrekken kan alleen vóór de acceptatie."),
        expected_version=expected_version,
    )
    return referral


@transaction.atomic
def referral_accept(
    *, referral: Referral, actor: User, expected_version: int | None = None
) -> Referral:
    if not is_receiver(actor, referral):
        raise ReferralRefused(_("Alleen de ontvangende organisatie kan accepteren."))
    _transition(
        referral,
        expected=ReferralStatus.SENT,
        to=ReferralStatus.ACCEPTED,
        actor=actor,
        action="accepted",
        values={"decided_at": timezone.now(), "decided_by": actor},
        refusal=_("Deze verwijzing is %(status)s en kan niet (meer) geaccepteerd worden."),
        expected_version=expected_version,
    )
    return referral


@transaction.atomic
def referral_reject(
    *, referral: Referral, actor: User, reason: str, expected_version: int | None = None
) -> Referral:
    if not is_receiver(actor, referral):
        raise ReferralRefused(_("Alleen de ontvangende organisatie kan afwijzen."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Geef de reden van de afwijzing.")})
    _transition(
        referral,
        expected=ReferralStatus.SENT,
        to=ReferralStatus.REJECTED,
        actor=actor,
        action="rejected",
        values={
            "decided_at": timezone.now(),
            "decided_by": actor,
            "rejection_reason": reason.strip(),
        },
        note=reason.strip(),
        refusal=_("Deze verwijzing is %(status)s en kan niet (meer) afgewezen worden."),
        expected_version=expected_version,
    )
    return referral


@transaction.atomic
def referral_complete(
    *,
    referral: Referral,
    actor: User,
    outcome: str,
    note: str = "",
    expected_version: int | None = None,
) -> Referral:
    if not is_receiver(actor, referral):
        raise ReferralRefused(_("Alleen de ontvangende organisatie rondt de verwijzing af."))
    if outcome not in ReferralOutcome.values:
        raise ValidationError({"outcome": _("Kies de uitkomst.")})
    _transition(
        referral,
        expected=ReferralStatus.ACCEPTED,
        to=ReferralStatus.COMPLETED,
        actor=actor,
        action="completed",
        values={"completed_at": timezone.now(), "outcome": outcome, "outcome_note": note.strip()},
        note=note.strip(),
        refusal=_(
            "Deze verwijzing is %(status)s: alleen een geaccepteerde verwijzing wordt afgerond."
        ),
        expected_version=expected_version,
    )
    return referral


@transaction.atomic
def referral_consent_withdraw(
    *, referral: Referral, actor: User, note: str = "", expected_version: int | None = None
) -> Referral:
    """The student (or parent) withdrew consent: the receiver loses access from now on.
    The sending organisation records it, or the young person in their own portal."""
    if not (is_sender(actor, referral) or policy.student_may_withdraw_consent(actor, referral)):
        raise ReferralRefused(_("Alleen de verwijzende organisatie legt het intrekken vast."))
    if referral.legal_basis != LegalBasis.CONSENT:
        raise ReferralRefused(
            _("Deze verwijzing rust niet op toestemming; er is geen toestemming om in te trekken.")
        )
    now = timezone.now()
    rows = Referral.objects.filter(
        pk=referral.pk, legal_basis=LegalBasis.CONSENT, consent_withdrawn_at__isnull=True
    )
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    updated = rows.update(consent_withdrawn_at=now, version=F("version") + 1)
    if not updated:
        if Referral.objects.filter(pk=referral.pk, consent_withdrawn_at__isnull=True).exists():
            _check_version(Referral, referral.pk, expected_version)
        raise ReferralRefused(_("De toestemming is al ingetrokken."))
    disclosure_consent_withdraw(
        source=DISCLOSURE_SOURCE, source_id=referral.pk, actor=actor, at=now
    )
    _event(referral, action="consent_withdrawn", actor=actor, note=note)
    referral.refresh_from_db()
    return referral


INSTRUMENT_FIELDS = [
    "loonkostensubsidie",
    "jobcoach",
    "no_risk_polis",
    "lkv",
    "job_start_date",
    "doelgroepverklaring_date",
    "note",
]


@transaction.atomic
def instruments_record(
    *,
    referral: Referral,
    actor: User,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> WorkInstruments:
    """W&I records the instruments on an accepted referral."""
    membership = actor.active_membership
    if not is_receiver(actor, referral) or membership.role != Role.WI:
        raise ReferralRefused(_("Alleen W&I legt instrumenten vast."))
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked)
    if locked.status not in (ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED):
        raise ReferralRefused(_("Instrumenten worden vastgelegd na acceptatie."))
    values = {field: data.get(field) for field in INSTRUMENT_FIELDS}
    values["note"] = (values["note"] or "").strip()
    for flag in ("loonkostensubsidie", "jobcoach", "no_risk_polis", "lkv"):
        values[flag] = bool(values[flag])
    if values["lkv"] and not values["job_start_date"]:
        raise ValidationError(
            {"job_start_date": _("Voor het LKV is de startdatum van de baan nodig.")}
        )
    if values["doelgroepverklaring_date"] and not values["lkv"]:
        raise ValidationError(
            {"doelgroepverklaring_date": _("Een doelgroepverklaring hoort bij het LKV.")}
        )
    requested = values["doelgroepverklaring_date"]
    if requested and requested > timezone.localdate():
        raise ValidationError(
            {"doelgroepverklaring_date": _("De aanvraagdatum ligt in de toekomst.")}
        )
    if requested and values["job_start_date"]:
        last = add_months(values["job_start_date"], 3)
        if requested > last:
            raise ValidationError(
                {
                    "doelgroepverklaring_date": _(
                        "Voor het LKV is de doelgroepverklaring binnen 3 maanden na de start "
                        "van de baan aangevraagd, dus uiterlijk op %(last)s."
                    )
                    % {"last": last.strftime("%d-%m-%Y")}
                }
            )
    instruments, created = WorkInstruments.objects.get_or_create(
        referral=locked, defaults={**values, "updated_by": actor}
    )
    if created:
        changes = {k: {"old": None, "new": history_value(v)} for k, v in values.items()}
    else:
        changes = field_changes(instruments, values)
        for field, value in values.items():
            setattr(instruments, field, value)
        instruments.updated_by = actor
        instruments.save()
    if changes:
        Referral.objects.filter(pk=locked.pk).update(version=F("version") + 1)
        _event(locked, action="instruments", actor=actor, changes=changes)
    return instruments


# --- More shared with a sent referral (the documents app, issue 19) ----------------------


def referral_disclosure_add(
    *, referral: Referral, actor: User, sections: Iterable[str], description: str = ""
) -> Disclosure:
    """Record that more went with this sent referral (a document attached to it): a
    disclosure between the referral's organisations on the referral's own legal basis,
    under the referral as its source, so withdrawing the consent marks it as well."""
    if referral.status not in (ReferralStatus.SENT, ReferralStatus.ACCEPTED):
        raise ReferralRefused(_("Alleen met een verstuurde verwijzing kan iets worden gedeeld."))
    return disclosure_record(
        student=referral.student,
        actor=actor,
        from_organisation=referral.from_organisation,
        to_organisation=referral.to_organisation,
        sections=sections,
        legal_basis=referral.legal_basis,
        legal_reference=referral.legal_reference,
        consent_given_by=referral.consent_given_by,
        consent_given_on=referral.consent_given_on,
        source=DISCLOSURE_SOURCE,
        source_id=referral.pk,
        description=description,
    )
