"""The young person's own view (issue 18): accounts, pages, rights, boundaries."""

import json
import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Organisation
from portal import services
from portal.models import DataCopy, Invitation, OrganisationPortalPolicy, RightsRequest, SignIn
from students.dates import add_months
from students.models import AccessLog, LegalBasis
from students.services import access_log, disclosure_record
from tests.factories import EnrolmentFactory, StudentFactory, make_student_account

pytestmark = pytest.mark.django_db


# --- Invitations and accounts ------------------------------------------------------------


def test_mentor_invites_student_of_16_or_older_at_the_address_in_the_file(
    client, mentor, pupil, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(mentor)
    page = client.get(reverse("students:detail", args=[pupil.public_id]))
    assert b'id="portal-invite"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal_staff:invite", args=[pupil.public_id]))
    assert response.status_code == 302
    invitation = Invitation.objects.get(student=pupil)
    assert invitation.email == "sanne@student.test"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["sanne@student.test"]
    link = next(line for line in mailoutbox[0].body.splitlines() if "/mijn/uitnodiging/" in line)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_hash  # only the hash is kept
    assert services.invitation_for_token(token) == invitation


def test_student_under_16_is_not_invited_and_the_page_says_why(client, mentor, pupil, today):
    pupil.date_of_birth = today - timedelta(days=15 * 365)
    pupil.save()
    client.force_login(mentor)
    page = client.get(reverse("students:detail", args=[pupil.public_id]))
    assert "jonger dan 16" in page.content.decode()
    assert b'id="portal-invite"' not in page.content
    client.post(reverse("portal_staff:invite", args=[pupil.public_id]))
    assert not Invitation.objects.exists()


def test_other_mentor_and_other_school_cannot_invite(
    client, other_mentor, clusius_coordinator, pupil
):
    for user in (other_mentor, clusius_coordinator):
        client.force_login(user)
        response = client.post(reverse("portal_staff:invite", args=[pupil.public_id]))
        assert response.status_code == 404
    assert not Invitation.objects.exists()


def _invite(pupil, mentor, today):
    tokens = []
    services.invitation_create(
        student=pupil,
        actor=mentor,
        today=today,
        accept_url_for=lambda token: tokens.append(token) or f"/mijn/uitnodiging/{token}/",
    )
    return tokens[0]


def test_invitation_expires(client, mentor, pupil, today):
    token = _invite(pupil, mentor, today)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("portal:invite_accept", args=[token])).status_code == 404
    assert client.get(reverse("portal:invite_accept", args=["not-a-token"])).status_code == 404


def test_password_route_makes_a_student_account_then_asks_for_the_authenticator(
    client, mentor, pupil, today
):
    token = _invite(pupil, mentor, today)
    url = reverse("portal:invite_accept", args=[token])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"password1": "lang-en-veilig-42", "password2": "lang-en-veilig-42"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_enrol"))
    account = pupil.account
    assert not account.user.memberships.exists()
    assert SignIn.objects.filter(account=account, method="password").count() == 1
    # Without the second factor the portal is closed (accounts.security).
    assert client.get(reverse("portal:route"))["Location"].startswith(reverse("accounts:otp_enrol"))
    # The link is used up.
    assert client.get(url).status_code in (302, 404)


def test_password_sign_in_is_logged_and_refuses_staff(client, account, mentor, caplog):
    account.user.set_password("lang-en-veilig-42")
    account.user.save()
    caplog.set_level(logging.INFO, logger="koers.security")
    url = reverse("portal:signin_password")
    response = client.post(url, {"username": account.user.email, "password": "lang-en-veilig-42"})
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    assert SignIn.objects.filter(account=account).count() == 1
    assert any("portal sign-in" in r.getMessage() for r in caplog.records)
    client.logout()
    mentor.set_password("x-lang-genoeg-123")
    mentor.save()
    response = client.post(url, {"username": mentor.email, "password": "x-lang-genoeg-123"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# --- Boundaries ----------------------------------------------------------------------------


def _staff_url_names():
    from tests.security.test_matrix import url_names

    for name, entry in url_names():
        if name.startswith(("portal:", "admin:")) or name in (
            "accounts:logout",
            "accounts:otp_enrol",
            "accounts:otp_verify",
            "set_language",
            "healthz",
        ):
            continue
        yield name, entry


def test_every_staff_url_is_404_for_a_student_account(student_client, pupil):
    from django.urls import reverse as rev

    values = {
        "public_id": pupil.public_id,
        "pk": 1,
        "job_id": "x",
        "enrolment_id": 1,
        "kind": "start",
        "batch_id": "x",
        "table_id": 1,
        "action_id": 1,
        "item_id": 1,
        "proposal_id": 1,
        "decision": "accept",
        "step": "finalise",
        "fmt": "csv",
        "name": "vsv",
        "notification_id": 1,
        "token": "x",
        "guardian_id": 1,
        "note_id": 1,
        "doc_id": "x",
        "mentor_id": 1,
    }
    names = list(_staff_url_names())
    assert "students:detail" in dict(names)
    assert "portal_staff:requests" in dict(names)
    for name, entry in names:
        url = rev(name, kwargs={p: values[p] for p in entry.pattern.converters})
        assert student_client.get(url).status_code == 404, name
        assert student_client.post(url).status_code == 404, name
    assert student_client.get("/beheer/").status_code in (302, 404)


STUDENT_PAGES = ["portal:route", "portal:access", "portal:shared", "portal:rights"]


def test_every_student_page_is_404_for_staff(client, mentor, coordinator, dsp):
    for user in (mentor, coordinator, dsp):
        client.force_login(user)
        for name in STUDENT_PAGES + ["portal:signin", "portal:signin_password"]:
            assert client.get(reverse(name)).status_code == 404, name
        for name in ["portal:copy_start", "portal:correction", "portal:objection"]:
            assert client.post(reverse(name)).status_code == 404, name


def test_anonymous_goes_to_the_portal_sign_in(client):
    for name in STUDENT_PAGES:
        assert client.get(reverse(name))["Location"].startswith(reverse("portal:signin"))


def test_a_student_reaches_nothing_of_another_student(client, account, other_account, mentor):
    other_copy = DataCopy.objects.create(
        account=other_account, expires_at=timezone.now() + timedelta(hours=1), status="done"
    )
    referral_disclosure = disclosure_record(
        student=other_account.student,
        actor=mentor,
        from_organisation=Organisation.objects.get(name="Horizon College"),
        to_organisation=Organisation.objects.get(name="Werk en Inkomen Noord-Holland Noord"),
        sections=["contact"],
        legal_basis=LegalBasis.CONSENT,
        consent_given_by="student",
        consent_given_on=timezone.localdate(),
        source="referral",
        source_id=1,
    )
    client.force_login(account.user)
    assert client.get(reverse("portal:copy_status", args=[other_copy.public_id])).status_code == 404
    for fmt in ("pdf", "json"):
        url = reverse("portal:copy_download", args=[other_copy.public_id, fmt])
        assert client.get(url).status_code == 404
    url = reverse("portal:consent_withdraw", args=[referral_disclosure.pk])
    assert client.post(url).status_code == 404
    page = client.get(reverse("portal:route")).content.decode()
    assert other_account.student.first_name not in page


# --- My route ------------------------------------------------------------------------------


def test_route_shows_mentor_contacts_case_table_and_referrals_not_other_students(
    student_client, pupil, mentor, today
):
    from doorstroomtafel.models import AgendaItem, CaseTable, Meeting
    from referrals.models import Referral

    table = CaseTable.objects.create(name="Tafel Alkmaar", region=pupil.municipality.region)
    table.member_organisations.add(
        Organisation.objects.get(name="Doorstroompunt Noord-Holland Noord")
    )
    meeting = Meeting.objects.create(table=table, date=today + timedelta(days=10))
    other = StudentFactory(first_name="Zwaantje", last_name="Anders")
    AgendaItem.objects.create(
        meeting=meeting, student=pupil, position=1, origin="manual", reason="r"
    )
    AgendaItem.objects.create(
        meeting=meeting, student=other, position=2, origin="manual", reason="r"
    )
    Referral.objects.create(
        student=pupil,
        kind="general",
        from_organisation=Organisation.objects.get(name="Horizon College"),
        to_organisation=Organisation.objects.get(name="Werk en Inkomen Noord-Holland Noord"),
        created_by=mentor,
        status="sent",
        question="q",
        legal_basis=LegalBasis.WETTELIJKE_TAAK,
    )
    page = student_client.get(reverse("portal:route")).content.decode()
    assert "Volgende stap" in page
    assert mentor.first_name in page
    assert "Leerplicht" in page  # under 18: Leerplicht of the region
    assert "Doorstroompunt Noord-Holland Noord" in page
    assert "Werk en Inkomen Noord-Holland Noord" in page
    assert "verstuurd" in page
    assert "Zwaantje" not in page
    assert "Anders" not in page


# --- Who looked at my file -------------------------------------------------------------------


def test_access_overview_per_month_and_organisation_without_names_or_bsn(
    student_client, account, pupil, mentor, coordinator
):
    access_log(user=mentor, action=AccessLog.Action.VIEW_STUDENT, student=pupil)
    access_log(user=coordinator, action=AccessLog.Action.EXPORT, students=[pupil.pk])
    access_log(user=account.user, action=AccessLog.Action.DOWNLOAD, student=pupil)
    page = student_client.get(reverse("portal:access")).content.decode()
    assert "Horizon College" in page
    assert "Mentor" in page
    assert "je dossier bekeken" in page
    assert "een overzicht gemaakt waar jij in stond" in page
    assert "een bestand gedownload" not in page  # the student's own
    assert escape(mentor.last_name) not in page  # no person names by default
    assert pupil.bsn not in page
    assert pupil.bsn[-4:] not in page
    OrganisationPortalPolicy.objects.create(
        organisation=Organisation.objects.get(name="Horizon College"), show_person_names=True
    )
    page = student_client.get(reverse("portal:access")).content.decode()
    assert escape(mentor.get_full_name()) in page


# --- What was shared -------------------------------------------------------------------------


def _consent_referral(pupil, mentor):
    from referrals.models import Referral

    horizon = Organisation.objects.get(name="Horizon College")
    wi = Organisation.objects.get(name="Werk en Inkomen Noord-Holland Noord")
    referral = Referral.objects.create(
        student=pupil,
        kind="general",
        from_organisation=horizon,
        to_organisation=wi,
        created_by=mentor,
        status="accepted",
        question="q",
        sections=["contact"],
        legal_basis=LegalBasis.CONSENT,
        consent_given_by="de student",
        consent_given_on=timezone.localdate(),
    )
    disclosure = disclosure_record(
        student=pupil,
        actor=mentor,
        from_organisation=horizon,
        to_organisation=wi,
        sections=["contact"],
        legal_basis=LegalBasis.CONSENT,
        consent_given_by="de student",
        consent_given_on=timezone.localdate(),
        source="referral",
        source_id=referral.pk,
    )
    return referral, disclosure


def test_disclosures_in_words_and_withdrawing_consent_ends_the_receivers_access(
    student_client, pupil, mentor
):
    referral, disclosure = _consent_referral(pupil, mentor)
    disclosure_record(
        student=pupil,
        actor=mentor,
        from_organisation=Organisation.objects.get(name="Horizon College"),
        to_organisation=Organisation.objects.get(
            name="Regionaal Bureau Leerplicht Noord-Holland Noord"
        ),
        sections=["contact"],
        legal_basis=LegalBasis.WETTELIJKE_TAAK,
        legal_reference="Leerplichtwet art. 21a",
        source="doorstroomtafel",
    )
    page = student_client.get(reverse("portal:shared")).content.decode()
    assert "Werk en Inkomen Noord-Holland Noord" in page
    assert "Leerplichtwet art. 21a" in page
    assert "Wettelijke taak" in page
    assert page.count("Toestemming intrekken") == 1
    response = student_client.post(reverse("portal:consent_withdraw", args=[disclosure.pk]))
    assert response.status_code == 302
    referral.refresh_from_db()
    disclosure.refresh_from_db()
    assert referral.consent_withdrawn_at is not None
    assert disclosure.consent_withdrawn_at is not None
    assert referral.events.filter(action="consent_withdrawn").exists()
    page = student_client.get(reverse("portal:shared")).content.decode()
    assert "Toestemming intrekken" not in page
    assert "ingetrokken" in page


# --- My rights -------------------------------------------------------------------------------


def test_copy_is_built_in_the_background_without_staff_names_and_logged(
    student_client, account, pupil, mentor, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True
    access_log(user=mentor, action=AccessLog.Action.VIEW_STUDENT, student=pupil)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        student_client.post(reverse("portal:copy_start"))
    copy = DataCopy.objects.get(account=account)
    assert copy.status == "queued"
    page = student_client.get(reverse("portal:copy_status", args=[copy.public_id]))
    assert b"<progress" in page.content
    services.data_copy_build(copy_id=copy.pk)
    assert len(callbacks) == 1
    copy.refresh_from_db()
    assert copy.status == "done"
    assert copy.progress == 100
    assert abs(copy.expires_at - copy.created_at - timedelta(hours=24)) < timedelta(minutes=1)
    response = student_client.get(reverse("portal:copy_download", args=[copy.public_id, "json"]))
    data = json.loads(b"".join(response.streaming_content))
    text = json.dumps(data, ensure_ascii=False)
    assert pupil.first_name in text
    assert "Horizon College" in text
    assert mentor.last_name not in text
    assert mentor.email not in text
    assert pupil.bsn not in text
    assert data["who_looked"][0]["organisations"][0]["views"][0]["role"] == "Mentor"
    pdf = student_client.get(reverse("portal:copy_download", args=[copy.public_id, "pdf"]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert AccessLog.objects.filter(user=account.user, action="download").count() == 2
    assert AccessLog.objects.filter(user=account.user, action="export").count() == 1
    # Kept 24 hours.
    services.data_copies_expire(now=timezone.now() + timedelta(hours=25))
    copy.refresh_from_db()
    assert copy.status == "expired"
    assert (
        student_client.get(
            reverse("portal:copy_download", args=[copy.public_id, "pdf"])
        ).status_code
        == 404
    )


def test_correction_request_is_a_task_for_the_schools_coordinator_due_in_a_month(
    student_client, client, pupil, coordinator, clusius_coordinator, today
):
    response = student_client.post(
        reverse("portal:correction"), {"field": "phone", "note": "Mijn nummer is 0612345678"}
    )
    assert response.status_code == 302
    item = RightsRequest.objects.get()
    assert item.organisation.name == "Horizon College"
    assert item.due_date == add_months(today, 1)
    phone_before = pupil.phone
    pupil.refresh_from_db()
    assert pupil.phone == phone_before  # nothing changes by itself
    other = client.__class__()
    other.force_login(clusius_coordinator)
    assert other.get(reverse("portal_staff:request", args=[item.pk])).status_code == 404
    other.force_login(coordinator)
    listing = other.get(reverse("portal_staff:requests")).content.decode()
    assert escape(pupil.last_name) in listing
    page = other.get(reverse("portal_staff:request", args=[item.pk])).content.decode()
    assert AccessLog.objects.filter(
        user=coordinator, student=pupil, detail__contains="opened the student's own request"
    ).exists()
    assert "telefoonnummer" in page
    assert "0612345678" in page
    other.post(reverse("portal_staff:request", args=[item.pk]), {"answer": "Aangepast, dank je."})
    item.refresh_from_db()
    assert item.status == "answered"
    assert item.answered_by == coordinator
    assert AccessLog.objects.filter(
        user=coordinator, student=pupil, detail__contains="own request"
    ).exists()
    page = student_client.get(reverse("portal:rights")).content.decode()
    assert "Aangepast, dank je." in page
    assert "beantwoord" in page


def test_correction_without_a_school_goes_to_the_doorstroompunt(db, mentor, today):
    student = StudentFactory(email="x@student.test", date_of_birth=today - timedelta(days=19 * 366))
    EnrolmentFactory(
        student=student,
        start_date=today - timedelta(days=400),
        end_date=today - timedelta(days=10),
        end_reason="dropout",
        planned_end_date=today - timedelta(days=10),
    )
    account = make_student_account(student)
    item = services.rights_request_create(
        account=account, kind="correction", field="email", note="oud adres", today=today
    )
    assert item.organisation.name == "Doorstroompunt Noord-Holland Noord"


def test_objection_is_a_task_for_the_organisation_concerned(student_client, pupil, today):
    wi = Organisation.objects.get(name="Werk en Inkomen Noord-Holland Noord")
    # Not an organisation that holds the student's data: refused.
    student_client.post(reverse("portal:objection"), {"organisation": wi.pk, "note": "nee"})
    assert not RightsRequest.objects.exists()
    horizon = Organisation.objects.get(name="Horizon College")
    student_client.post(reverse("portal:objection"), {"organisation": horizon.pk, "note": "nee"})
    item = RightsRequest.objects.get()
    assert item.kind == "objection"
    assert item.organisation == horizon
    assert item.due_date == add_months(today, 1)


def test_retention_removes_the_account_invitations_and_request_texts(account, pupil, mentor, today):
    from portal.retention import remove_portal_data

    token_invitation = Invitation.objects.create(
        student=pupil,
        email=pupil.email,
        token_hash="x" * 64,
        invited_by=mentor,
        invited_by_organisation=Organisation.objects.get(name="Horizon College"),
        expires_at=timezone.now(),
    )
    access_log(user=account.user, action=AccessLog.Action.DOWNLOAD, student=pupil)
    item = services.rights_request_create(
        account=account, kind="correction", field="phone", note="mijn nummer", today=today
    )
    user = account.user
    remove_portal_data([pupil.pk])
    user.refresh_from_db()
    item.refresh_from_db()
    assert not Invitation.objects.filter(pk=token_invitation.pk).exists()
    assert not type(account).objects.filter(pk=account.pk).exists()
    assert not user.is_active
    assert pupil.email not in user.email
    assert "mijn nummer" not in item.note
