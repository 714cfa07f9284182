"""Step 1's warm handover names who of the parents and network was there (issue 19):
only the student's own contacts are valid choices; a forged id is a form error; the
change is in the history."""

from django.urls import reverse

from roadmap.models import StartStep
from students.guardians import guardian_create
from students.models import RecordChange
from tests.factories import EnrolmentFactory, StudentFactory

from .helpers import valid_data


def step_url(student, enrolment):
    return reverse("roadmap:step", args=[student.public_id, enrolment.pk, "start"])


def posted(enrolment, today, **extra):
    data = valid_data("start", enrolment, today)
    out = {
        "date": data["date"].isoformat(),
        "intake_origin": data["intake_origin"],
        "warm_handover": "on",
        "parents_present": "on",
    }
    out.update(extra)
    return out


def test_start_step_links_the_parents_who_were_there(client, mentor, mentee, enrolment, today):
    mother = guardian_create(
        student=mentee, data={"name": "Els Bakker", "relation": "parent"}, actor=mentor
    )
    guardian_create(student=mentee, data={"name": "Oom Kees", "relation": "other"}, actor=mentor)
    client.force_login(mentor)
    form = client.get(step_url(mentee, enrolment)).context["form"]
    assert list(form.fields["present_guardians"].queryset) == [
        mother,
        *mentee.guardians.exclude(pk=mother.pk),
    ]
    response = client.post(
        step_url(mentee, enrolment), posted(enrolment, today, present_guardians=[mother.pk])
    )
    assert response.status_code == 302
    step = StartStep.objects.get(enrolment=enrolment)
    assert list(step.present_guardians.all()) == [mother]
    change = RecordChange.objects.filter(record_type="startstep").order_by("-id").first()
    assert change.changes["present_guardians"] == {"old": "", "new": "Els Bakker"}


def test_a_forged_guardian_of_another_student_is_a_form_error(
    client, mentor, mentee, enrolment, today
):
    other = StudentFactory(mentor=mentor)
    EnrolmentFactory(student=other)
    foreign = guardian_create(
        student=other, data={"name": "Andere Ouder", "relation": "parent"}, actor=mentor
    )
    client.force_login(mentor)
    response = client.post(
        step_url(mentee, enrolment), posted(enrolment, today, present_guardians=[foreign.pk])
    )
    assert response.status_code == 200
    assert response.context["form"].errors["present_guardians"]
    assert not StartStep.objects.filter(enrolment=enrolment).exists()


def test_the_service_refuses_another_students_contact(mentor, mentee, enrolment, today):
    import pytest
    from django.core.exceptions import ValidationError

    from roadmap.services import step_log

    other = StudentFactory(mentor=mentor)
    foreign = guardian_create(
        student=other, data={"name": "Andere Ouder", "relation": "parent"}, actor=mentor
    )
    data = valid_data("start", enrolment, today) | {"present_guardians": [foreign]}
    with pytest.raises(ValidationError):
        step_log(enrolment=enrolment, kind="start", data=data, actor=mentor)
