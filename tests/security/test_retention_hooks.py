"""Retention reaches every app: no free text about a due student survives a run."""

from datetime import UTC, date, datetime

from django.apps import apps
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation, Region
from doorstroomtafel.models import ActionItem, AgendaItem, CaseTable, Meeting
from monitoring.models import Signal, SignalEvent
from referrals.models import IntakeRegistration, Overgangsdocument, Referral, ReferralEvent
from roadmap.models import (
    AbaStep,
    AbaStepChange,
    ContactMoment,
    LeavingStep,
    PerspectiveStep,
    StudyAdviceStep,
)
from students.models import Disclosure
from students.retention import apply_retention, retention_registry
from tests.factories import EnrolmentFactory, StudentFactory

TODAY = date(2029, 6, 1)  # upper age 27 on the cutoff: born by 2000-06-01 is due
APPS = ("roadmap", "referrals", "doorstroomtafel", "monitoring", "students")
NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)


def seed(student, marker, *, mentor, leerplicht, meeting):
    """Every kind of free text the apps hold, each containing `marker`."""
    school = Organisation.objects.get(name="Horizon College")
    to = Organisation.objects.get(name="Doorstroompunt Noord-Holland Noord")
    enrolment = EnrolmentFactory(student=student)
    StudyAdviceStep.objects.create(
        enrolment=enrolment,
        date=date(2026, 12, 1),
        author=mentor,
        advice="stop",
        note=f"{marker} stap-notitie",
        perspective_note=f"{marker} perspectief",
    )
    PerspectiveStep.objects.create(
        enrolment=enrolment,
        date=date(2027, 3, 1),
        author=mentor,
        perspective="dagbesteding",
        destination_place=f"{marker} Zorgboerderij",
    )
    LeavingStep.objects.create(
        enrolment=enrolment, date=date(2027, 4, 1), author=mentor, reason=f"{marker} reden"
    )
    aba = AbaStep.objects.create(
        enrolment=enrolment, date=date(2027, 1, 5), author=mentor, decision="not_now"
    )
    AbaStepChange.objects.create(aba_step=aba, action="create", changes={"note": marker})
    ContactMoment.objects.create(
        student=student,
        enrolment=enrolment,
        kind="dsp_contact",
        date=date(2027, 5, 1),
        channel="phone",
        note=f"{marker} contact",
        author=mentor,
        author_organisation=school,
    )
    referral = Referral.objects.create(
        student=student,
        kind="overgangsdocument",
        from_organisation=school,
        to_organisation=to,
        created_by=mentor,
        status="rejected",
        question=f"{marker} vraag",
        support_needs=f"{marker} ondersteuning",
        sections=["contact"],
        legal_basis="consent",
        consent_given_by=f"{marker} moeder",
        consent_given_on=date(2026, 3, 1),
        shared_data={"contact": {"phone": f"{marker} 0612345678"}},
        rejection_reason=f"{marker} afwijzing",
    )
    ReferralEvent.objects.create(referral=referral, action="rejected", note=f"{marker} event")
    Overgangsdocument.objects.create(
        referral=referral, situation=f"{marker} situatie", wishes=f"{marker} wensen"
    )
    IntakeRegistration.objects.create(
        desk=school,
        first_name=f"{marker} Voornaam",
        last_name=f"{marker} Achternaam",
        date_of_birth=student.date_of_birth,
        municipality=student.municipality,
        referred_by="other",
        question=f"{marker} loketvraag",
        intake_notes=f"{marker} intake",
        registered_on=date(2026, 3, 1),
        student=student,
        created_by=mentor,
    )
    item = AgendaItem.objects.create(
        meeting=meeting,
        student=student,
        position=AgendaItem.objects.count() + 1,
        origin="manual",
        reason=f"{marker} agendareden",
        preparation_note=f"{marker} voorbereiding",
        discussion=f"{marker} besproken",
        decision=f"{marker} besluit",
    )
    ActionItem.objects.create(
        item=item,
        what=f"{marker} actie",
        owner=leerplicht,
        owner_organisation=to,
        due_date=date(2026, 4, 1),
        created_by=leerplicht,
    )
    signal = Signal.objects.create(
        student=student,
        kind="dropout",
        assignee="leerplicht",
        due_date=date(2026, 4, 1),
        note=f"{marker} signaal",
        opened_at=NOON,
    )
    SignalEvent.objects.create(signal=signal, action="opened", at=NOON, note=f"{marker} sig-ev")
    Disclosure.objects.create(
        student=student,
        from_organisation=school,
        to_organisation=to,
        legal_basis="consent",
        consent_given_by=f"{marker} vader",
        consent_given_on=date(2026, 3, 1),
        source="referral",
        description=f"{marker} omschrijving",
    )


def make_meeting(leerplicht):
    table = CaseTable.objects.create(
        name="Tafel", scope_kind="region", region=Region.objects.get(name="Noord-Holland Noord")
    )
    return Meeting.objects.create(table=table, date=date(2026, 3, 10), created_by=leerplicht)


def dump():
    """Every stored value of the apps' tables, to see that a run changed nothing."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for label in APPS
        for model in apps.get_app_config(label).get_models()
    }


def rows_mentioning(marker):
    """(model, field) of every stored value, in every text or JSON column, naming marker."""
    found = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField | models.JSONField)
            ]
            for row in model.objects.values(*fields):
                found += [(model.__name__, k) for k, v in row.items() if marker in str(v)]
    return found


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            StudyAdviceStep,
            PerspectiveStep,
            LeavingStep,
            ContactMoment,
            Referral,
            IntakeRegistration,
            AgendaItem,
            ActionItem,
            Signal,
            Disclosure,
        )
    }


def test_retention_hooks_remove_every_text_of_the_due_student_only(db, mentor, leerplicht):
    meeting = make_meeting(leerplicht)
    due = StudentFactory(date_of_birth=date(1995, 1, 1))
    kept = StudentFactory(date_of_birth=date(2010, 1, 1))
    seed(due, "GEHEIM-DUE", mentor=mentor, leerplicht=leerplicht, meeting=meeting)
    seed(kept, "BEWAARD", mentor=mentor, leerplicht=leerplicht, meeting=meeting)
    assert len(rows_mentioning("GEHEIM-DUE")) > 20
    before = counts()
    kept_texts = sorted(rows_mentioning("BEWAARD"))

    done = apply_retention(today=TODAY)

    assert [item.student_id for item in done] == [due.pk]
    assert rows_mentioning("GEHEIM-DUE") == []
    assert sorted(rows_mentioning("BEWAARD")) == kept_texts
    # The figures keep their rows, dates and kinds; ABA (special category) goes entirely.
    assert counts() == before
    assert not AbaStep.objects.filter(enrolment__student=due).exists()
    assert not AbaStepChange.objects.filter(aba_step__enrolment__student=due).exists()
    assert AbaStep.objects.filter(enrolment__student=kept).exists()
    step = StudyAdviceStep.objects.get(enrolment__student=due)
    assert (step.date, step.advice) == (date(2026, 12, 1), "stop")
    referral = Referral.objects.get(student=due)
    assert (referral.status, referral.kind, referral.shared_data) == (
        "rejected",
        "overgangsdocument",
        {},
    )
    disclosure = Disclosure.objects.get(student=due)
    assert (disclosure.legal_basis, disclosure.to_organisation.name) == (
        "consent",
        "Doorstroompunt Noord-Holland Noord",
    )
    assert disclosure.description == ""
    assert IntakeRegistration.objects.get(student=due).date_of_birth == date(1995, 1, 1)

    # A second run finds no one due and changes nothing.
    snapshot = dump()
    assert apply_retention(today=TODAY) == []
    assert dump() == snapshot


def test_the_hooks_are_set_based_and_a_rerun_changes_nothing(db, mentor, leerplicht):
    meeting = make_meeting(leerplicht)
    students = [StudentFactory(date_of_birth=date(1995, 1, 1)) for _ in range(3)]
    for index, student in enumerate(students):
        seed(student, f"GEHEIM-{index}", mentor=mentor, leerplicht=leerplicht, meeting=meeting)
    ids = [student.pk for student in students]

    def run_hooks(student_ids):
        with CaptureQueriesContext(connection) as captured:
            for hook in retention_registry:
                hook(student_ids)
        return len(captured.captured_queries)

    assert len(retention_registry) >= 5  # students, roadmap, referrals, doorstroomtafel, monitoring
    # The same number of statements for one student as for three: none per student.
    assert run_hooks(ids[:1]) == run_hooks(ids)
    assert rows_mentioning("GEHEIM-") == []
    snapshot = dump()
    run_hooks(ids)
    assert dump() == snapshot
