"""Logging and correcting steps through the services: the rules of ROADMAP.md."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from roadmap.models import (
    AbaStep,
    AbaStepChange,
    ContactMoment,
    StepConflict,
    StepKind,
    StudyAdviceStep,
)
from roadmap.services import contact_moment_log, step_conflict_record, step_log
from students.dates import add_months
from students.models import Employment, RecordChange
from students.services import ConcurrentEditError
from tests.factories import EnrolmentFactory

from .helpers import valid_data


def refused(enrolment, kind, data, actor, today, **kwargs):
    with pytest.raises(ValidationError) as caught:
        step_log(enrolment=enrolment, kind=kind, data=data, actor=actor, today=today, **kwargs)
    return caught.value.message_dict


@pytest.mark.parametrize("kind", list(StepKind))
def test_every_step_can_be_logged_with_valid_data(kind, enrolment, mentor, today):
    step = step_log(
        enrolment=enrolment,
        kind=kind,
        data=valid_data(kind, enrolment, today),
        actor=mentor,
        today=today,
    )
    assert step.pk
    assert step.version == 1
    assert step.author == mentor


@pytest.mark.parametrize("kind", list(StepKind))
def test_step_dated_before_the_enrolment_start_is_refused(kind, enrolment, mentor, today):
    data = valid_data(kind, enrolment, today) | {"date": enrolment.start_date - timedelta(days=1)}
    errors = refused(enrolment, kind, data, mentor, today)
    assert "vóór de start van de inschrijving" in errors["date"][0]


@pytest.mark.parametrize("kind", list(StepKind))
def test_step_dated_in_the_future_is_refused(kind, enrolment, mentor, today):
    data = valid_data(kind, enrolment, today) | {"date": today + timedelta(days=1)}
    errors = refused(enrolment, kind, data, mentor, today)
    assert "in de toekomst" in errors["date"][0]


def test_step_dated_today_is_accepted(enrolment, mentor, today):
    data = valid_data(StepKind.STUDY_ADVICE, enrolment, today) | {"date": today}
    assert step_log(enrolment=enrolment, kind="study-advice", data=data, actor=mentor, today=today)


def test_step_without_a_date_is_refused(enrolment, mentor, today):
    data = valid_data(StepKind.START, enrolment, today) | {"date": None}
    assert refused(enrolment, "start", data, mentor, today)["date"] == ["Vul een datum in."]


def test_study_advice_without_an_advice_is_refused(enrolment, mentor, today):
    data = valid_data(StepKind.STUDY_ADVICE, enrolment, today) | {"advice": ""}
    errors = refused(enrolment, "study-advice", data, mentor, today)
    assert "zonder advies" in errors["advice"][0]
    assert not StudyAdviceStep.objects.exists()


def test_perspective_without_a_perspective_is_refused(enrolment, mentor, today):
    data = valid_data(StepKind.PERSPECTIVE, enrolment, today) | {"perspective": None}
    errors = refused(enrolment, "perspective", data, mentor, today)
    assert "zonder perspectief" in errors["perspective"][0]


def test_work_without_an_employer_is_refused(enrolment, mentor, today):
    data = valid_data(StepKind.WORK, enrolment, today) | {"employer": "  "}
    errors = refused(enrolment, "work", data, mentor, today)
    assert "zonder werkgever" in errors["employer"][0]
    assert not Employment.objects.exists()


def test_further_education_without_a_programme_is_refused(enrolment, mentor, today):
    data = valid_data(StepKind.FURTHER_EDUCATION, enrolment, today) | {"programme": ""}
    errors = refused(enrolment, "further-education", data, mentor, today)
    assert "zonder opleiding" in errors["programme"][0]


def test_doelgroepverklaring_more_than_three_months_after_the_job_start_is_refused(
    enrolment, mentor, today
):
    start = enrolment.start_date
    data = valid_data(StepKind.WORK, enrolment, today) | {
        "employment_start": start,
        "instrument_lkv": True,
        "doelgroepverklaring_date": add_months(start, 3) + timedelta(days=1),
    }
    errors = refused(enrolment, "work", data, mentor, today)
    assert "binnen 3 maanden" in errors["doelgroepverklaring_date"][0]


def test_doelgroepverklaring_on_the_last_day_of_the_three_months_is_accepted(
    enrolment, mentor, today
):
    start = today - timedelta(days=120)
    data = valid_data(StepKind.WORK, enrolment, today) | {
        "employment_start": start,
        "instrument_lkv": True,
        "doelgroepverklaring_date": add_months(start, 3),
    }
    step = step_log(enrolment=enrolment, kind="work", data=data, actor=mentor, today=today)
    assert step.doelgroepverklaring_date == add_months(start, 3)


def test_doelgroepverklaring_without_lkv_is_refused(enrolment, mentor, today):
    data = valid_data(StepKind.WORK, enrolment, today) | {"doelgroepverklaring_date": today}
    errors = refused(enrolment, "work", data, mentor, today)
    assert "LKV" in errors["doelgroepverklaring_date"][0]


def test_steps_only_belong_to_an_entree_enrolment(mentee, mentor, today):
    level2 = EnrolmentFactory(
        student=mentee, level="2", programme="Logistiek", start_date=today - timedelta(days=10)
    )
    with pytest.raises(ValidationError):
        step_log(
            enrolment=level2,
            kind="start",
            data=valid_data("start", level2, today),
            actor=mentor,
            today=today,
        )


def test_logging_a_step_records_its_history_with_the_values(enrolment, mentor, today):
    step = step_log(
        enrolment=enrolment,
        kind="study-advice",
        data=valid_data("study-advice", enrolment, today),
        actor=mentor,
        today=today,
    )
    change = RecordChange.objects.get(record_type="studyadvicestep", record_id=step.pk)
    assert change.action == "create"
    assert change.actor == mentor
    assert change.student_id == enrolment.student_id
    assert change.changes["advice"] == {"old": None, "new": "continue"}


def test_a_correction_updates_in_place_and_keeps_the_earlier_version(
    enrolment, mentor, coordinator, today
):
    step = step_log(
        enrolment=enrolment,
        kind="study-advice",
        data=valid_data("study-advice", enrolment, today),
        actor=mentor,
        today=today,
    )
    data = valid_data("study-advice", enrolment, today) | {"advice": "stop"}
    corrected = step_log(
        enrolment=enrolment,
        kind="study-advice",
        data=data,
        actor=coordinator,
        expected_version=1,
        today=today,
    )
    assert corrected.pk == step.pk
    assert corrected.version == 2
    assert StudyAdviceStep.objects.get().advice == "stop"
    change = RecordChange.objects.get(record_type="studyadvicestep", action="update")
    assert change.actor == coordinator
    assert change.changes == {"advice": {"old": "continue", "new": "stop"}}


def test_second_of_two_concurrent_corrections_is_refused_and_the_first_is_kept(
    enrolment, mentor, coordinator, today
):
    step_log(
        enrolment=enrolment,
        kind="study-advice",
        data=valid_data("study-advice", enrolment, today),
        actor=mentor,
        today=today,
    )
    # Both read version 1.
    first = valid_data("study-advice", enrolment, today) | {"advice": "stop"}
    second = valid_data("study-advice", enrolment, today) | {"perspective_note": "Wil de zorg in"}
    step_log(
        enrolment=enrolment,
        kind="study-advice",
        data=first,
        actor=mentor,
        expected_version=1,
        today=today,
    )
    fresh = type(enrolment).objects.get(pk=enrolment.pk)
    with pytest.raises(ConcurrentEditError) as caught:
        step_log(
            enrolment=fresh,
            kind="study-advice",
            data=second,
            actor=coordinator,
            expected_version=1,
            today=today,
        )
    assert caught.value.current.advice == "stop"
    saved = StudyAdviceStep.objects.get()
    assert saved.advice == "stop"
    assert saved.perspective_note == ""
    assert saved.version == 2
    assert RecordChange.objects.filter(record_type="studyadvicestep", action="update").count() == 1


def test_a_stale_read_loses_even_when_the_row_changed_after_loading(enrolment, mentor, today):
    """The conditional UPDATE catches a save that lands between loading and writing."""
    step = step_log(
        enrolment=enrolment,
        kind="start",
        data=valid_data("start", enrolment, today),
        actor=mentor,
        today=today,
    )
    # Someone else saves after this request loaded the step at version 1.
    type(step).objects.filter(pk=step.pk).update(version=2, intake_origin="pro")
    with pytest.raises(ConcurrentEditError):
        step_log(
            enrolment=enrolment,
            kind="start",
            data=valid_data("start", enrolment, today) | {"intake_origin": "vo"},
            actor=mentor,
            expected_version=1,
            today=today,
        )
    assert type(step).objects.get().intake_origin == "pro"


def test_two_people_logging_the_same_new_step_the_second_is_refused(
    enrolment, mentor, coordinator, today
):
    stale = type(enrolment).objects.get(pk=enrolment.pk)
    _ = stale.start_date  # loaded before the first save: it saw no step
    step_log(
        enrolment=enrolment,
        kind="start",
        data=valid_data("start", enrolment, today),
        actor=mentor,
        today=today,
    )
    with pytest.raises(ConcurrentEditError):
        step_log(
            enrolment=stale,
            kind="start",
            data=valid_data("start", enrolment, today) | {"intake_origin": "vo"},
            actor=coordinator,
            expected_version=None,
            today=today,
        )
    assert type(enrolment.start_step).objects.get().intake_origin == "vso"


def test_a_refused_save_is_kept_as_a_conflict_with_both_versions(
    enrolment, mentor, coordinator, today
):
    step = step_log(
        enrolment=enrolment,
        kind="study-advice",
        data=valid_data("study-advice", enrolment, today),
        actor=mentor,
        today=today,
    )
    conflict = step_conflict_record(
        enrolment=enrolment,
        kind="study-advice",
        actor=coordinator,
        expected_version=0,
        current=step,
        refused_data=valid_data("study-advice", enrolment, today) | {"advice": "stop"},
    )
    assert StepConflict.objects.get() == conflict
    assert conflict.values == {"advice": {"saved": "continue", "refused": "stop"}}


def test_work_step_creates_the_employment_that_monitoring_reads(enrolment, mentor, today):
    step = step_log(
        enrolment=enrolment,
        kind="work",
        data=valid_data("work", enrolment, today),
        actor=mentor,
        today=today,
    )
    employment = Employment.objects.get()
    assert step.employment == employment
    assert employment.student_id == enrolment.student_id
    assert employment.hours_per_week == Decimal(16)
    assert employment.end_date is None
    assert RecordChange.objects.filter(record_type="employment", action="create").exists()


def test_work_step_links_an_employment_that_already_exists(enrolment, mentor, today):
    data = valid_data("work", enrolment, today)
    existing = Employment.objects.create(
        student=enrolment.student,
        employer="bakkerij ooms",
        hours_per_week=12,
        start_date=data["employment_start"],
    )
    step = step_log(enrolment=enrolment, kind="work", data=data, actor=mentor, today=today)
    assert step.employment == existing
    assert Employment.objects.count() == 1
    existing.refresh_from_db()
    assert existing.hours_per_week == 16
    change = RecordChange.objects.get(record_type="employment")
    assert change.changes["hours_per_week"]["old"] == "12"


def test_losing_the_job_ends_the_employment(enrolment, mentor, today):
    data = valid_data("work", enrolment, today)
    step_log(enrolment=enrolment, kind="work", data=data, actor=mentor, today=today)
    lost = today - timedelta(days=1)
    step_log(
        enrolment=enrolment,
        kind="work",
        data=data | {"job_lost_date": lost},
        actor=mentor,
        expected_version=1,
        today=today,
    )
    assert Employment.objects.get().end_date == lost


def test_leaving_without_a_diploma_ends_the_enrolment_as_dropout(enrolment, mentor, today):
    data = valid_data("leaving", enrolment, today)
    step_log(enrolment=enrolment, kind="leaving", data=data, actor=mentor, today=today)
    enrolment.refresh_from_db()
    assert enrolment.end_date == data["date"]
    assert enrolment.end_reason == "dropout"
    assert RecordChange.objects.filter(record_type="enrolment", action="update").exists()
    # A corrected date moves the end it set.
    later = data["date"] + timedelta(days=3)
    step_log(
        enrolment=enrolment,
        kind="leaving",
        data=data | {"date": later},
        actor=mentor,
        expected_version=1,
        today=today,
    )
    enrolment.refresh_from_db()
    assert enrolment.end_date == later


def test_leaving_is_refused_on_an_enrolment_that_ended_with_a_diploma(enrolment, mentor, today):
    type(enrolment).objects.filter(pk=enrolment.pk).update(end_date=today, end_reason="diploma")
    enrolment.refresh_from_db()
    errors = refused(enrolment, "leaving", valid_data("leaving", enrolment, today), mentor, today)
    assert "diploma" in errors["date"][0]


def test_aba_history_stays_out_of_the_general_history(enrolment, mentor, today):
    step = step_log(
        enrolment=enrolment,
        kind="aba",
        data=valid_data("aba", enrolment, today),
        actor=mentor,
        today=today,
    )
    step_log(
        enrolment=enrolment,
        kind="aba",
        data=valid_data("aba", enrolment, today) | {"doelgroepregister": True},
        actor=mentor,
        expected_version=1,
        today=today,
    )
    assert not RecordChange.objects.filter(record_type__in=["abastep", "abastepchange"]).exists()
    assert list(
        AbaStepChange.objects.filter(aba_step=step).values_list("action", flat=True).order_by("id")
    ) == [
        "create",
        "update",
    ]
    assert AbaStep.objects.get().doelgroepregister is True


def test_aba_outcome_needs_an_application(enrolment, mentor, today):
    data = valid_data("aba", enrolment, today) | {"decision": "not_now", "applied_date": None}
    errors = refused(enrolment, "aba", data, mentor, today)
    assert "aanvraag" in errors["uwv_outcome"][0]


def test_work_checkin_is_a_contact_moment_with_hours(adult_mentee, mentor, today):
    moment = contact_moment_log(
        student=adult_mentee,
        kind="work_checkin",
        data={"date": today, "channel": "phone", "still_working": True, "hours_per_week": 16},
        actor=mentor,
    )
    assert moment.author_organisation.name == "Horizon College"
    assert ContactMoment.objects.get().hours_per_week == 16


def test_work_checkin_without_still_working_is_refused(adult_mentee, mentor, today):
    with pytest.raises(ValidationError) as caught:
        contact_moment_log(
            student=adult_mentee,
            kind="work_checkin",
            data={"date": today, "channel": "phone"},
            actor=mentor,
        )
    assert "still_working" in caught.value.message_dict


def test_contact_moment_in_the_future_is_refused(adult_mentee, dsp, today):
    with pytest.raises(ValidationError) as caught:
        contact_moment_log(
            student=adult_mentee,
            kind="dsp_contact",
            data={"date": today + timedelta(days=1), "channel": "phone"},
            actor=dsp,
        )
    assert "toekomst" in caught.value.message_dict["date"][0]


def test_each_role_logs_only_its_own_kind_of_contact(adult_mentee, mentor, dsp, leerplicht, today):
    data = {"date": today, "channel": "email"}
    contact_moment_log(student=adult_mentee, kind="dsp_contact", data=data, actor=dsp)
    for actor, kind in [
        (mentor, "dsp_contact"),
        (dsp, "work_checkin"),
        (leerplicht, "dsp_contact"),
    ]:
        with pytest.raises(ValidationError):
            contact_moment_log(student=adult_mentee, kind=kind, data=data, actor=actor)
    assert ContactMoment.objects.count() == 1


# --- Issue 13: every step date within the enrolment and not ahead ----------------------


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("study-advice", "followup_meeting_date"),
        ("further-education", "registered_date"),
        ("further-education", "handover_date"),
        ("further-education", "enrolment_confirmed_date"),
    ],
)
def test_a_step_date_before_the_enrolment_start_is_refused_on_its_field(
    kind, field, enrolment, mentor, today
):
    data = valid_data(kind, enrolment, today) | {field: enrolment.start_date - timedelta(days=1)}
    with pytest.raises(ValidationError) as error:
        step_log(enrolment=enrolment, kind=kind, data=data, actor=mentor)
    assert field in error.value.message_dict
