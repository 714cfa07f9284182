"""The authorization matrix (issue 8): every URL pattern of the project, requested (GET)
as anonymous and as every demo account, on the demo data's objects, which belong to
Horizon College and Noord-Holland Noord: the accounts of ROC Mondriaan and Clusius
College are the other organisations. Every answer must be the declared one, every
refusal must be logged, and every answer carries the security headers.

A new URL pattern fails `test_every_url_pattern_is_in_the_matrix` until it gets a row.
Regenerate the observed table with KOERS_MATRIX_PRINT=1 (then review it line by line:
a 200 for an account of another organisation is a leak, not a row to paste).
"""

import logging
import os

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import User
from students.dates import latest_birth_date_for_age

# Column order of the expected strings below.
ACTORS = [
    "anonymous",
    "mentor@horizon.demo",
    "coordinator@horizon.demo",
    "leerplicht@nhn.demo",
    "dsp@nhn.demo",
    "startpunt@nhn.demo",
    "wi@nhn.demo",
    "zorg@nhn.demo",
    "regio@nhn.demo",
    "admin@koers.demo",
    "coordinator@clusius.demo",
    "loket@mondriaan.demo",
    "mentor@mondriaan.demo",
]
# Names not requested one by one: Django's admin is checked on its index (staff only,
# its own login), and the language switch and health check are public by design.
SKIPPED_PREFIXES = ("admin:",)
# The matrix: URL name -> expected status per actor in ACTORS order. Filled in below.
MATRIX: dict[str, str] = {}
# The same for an empty POST to every URL that only takes POST (405 to GET).
POST_MATRIX: dict[str, str] = {}


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def test_every_url_pattern_is_in_the_matrix():
    names = {name for name, _entry in url_names() if not name.startswith(SKIPPED_PREFIXES)}
    missing = sorted(names - set(MATRIX))
    assert not missing, f"URL patterns without a row in the authorization matrix: {missing}"
    unnamed = [
        str(entry.pattern) for _name, entry in url_names() if not entry.name
    ]  # pragma: no cover - every pattern must be named to be in the matrix
    assert not unnamed


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the background export's file
    call_command("seed_demo", force=True, verbosity=0)
    return objects()


def objects():
    from documents.models import Document
    from doorstroomtafel.models import (
        ActionItem,
        AgendaItem,
        CaseTable,
        Meeting,
        Proposal,
        ProposalStatus,
    )
    from monitoring.models import Signal
    from referrals.models import IntakeRegistration, MaatwerkTrajectory, Referral
    from students.models import Enrolment

    mentor = User.objects.get(email="mentor@horizon.demo")
    # Named by what the rows need, not "the first": an Entree enrolment of the mentor's
    # with a logged start step (the step history URL asks for kind "start"), of a student
    # under 18 living in Noord-Holland Noord (Leerplicht sees them, the Doorstroompunt
    # does not). The demo data has such students on any day of the year
    # (tests/students/test_demo_data.py).
    today = timezone.localdate()
    enrolment = (
        Enrolment.objects.filter(
            student__mentor=mentor,
            level="entree",
            start_step__isnull=False,
            student__date_of_birth__gt=latest_birth_date_for_age(18, today),
            student__municipality__region__name="Noord-Holland Noord",
        )
        .order_by("student__student_number")
        .first()
    )
    assert enrolment is not None, "the demo data has no Entree student with a start step"
    student = enrolment.student
    meeting = Meeting.objects.order_by("pk").first()
    item = AgendaItem.objects.filter(meeting=meeting).first() or AgendaItem.objects.first()
    # An open proposal, asked for on its own meeting, so the POST matrix reaches the decision.
    proposal = (
        Proposal.objects.filter(status=ProposalStatus.OPEN).order_by("pk").first()
        or Proposal.objects.order_by("pk").first()
    )
    # A finished background export of coordinator@horizon.demo: only they may see it.
    from reports.services import export_job_build, export_job_create

    job = export_job_create(
        user=User.objects.get(email="coordinator@horizon.demo"), params={}, fmt="csv"
    )
    export_job_build(job_id=job.pk)
    # A notification of mentor@horizon.demo: only they may follow it (issue 19).
    from accounts.notifications import notify

    notify(mentor, "action_assigned", "Actie", "/")
    values = {
        "notification_id": mentor.notifications.order_by("-pk").first().pk,
        "token": "onbekend",  # a calendar feed token nobody has: 404 for everyone
        "job_id": job.public_id,
        "public_id": student.public_id,
        "enrolment_id": enrolment.pk,
        "kind": "start",
        "batch_id": "onbekend",
        "pk": Signal.objects.order_by("pk").first().pk,
        "table_id": CaseTable.objects.order_by("pk").first().pk,
        "action_id": ActionItem.objects.order_by("pk").first().pk,
        "item_id": item.pk if item else 1,
        "proposal_id": proposal.pk if proposal else 1,
        "decision": "accept",
        "step": "finalise",
        "fmt": "csv",
        "name": "vsv",
        "mentor_id": mentor.pk,
        # The demo's first document: shared with the accepted referral to W&I.
        "doc_id": Document.objects.order_by("pk").first().public_id,
    }
    # Issue 19: a parent of the student (minors in the demo have one or two) and a note
    # its mentor wrote for every organisation that sees the whole file.
    from casework.models import Note

    values["guardian_id"] = student.guardians.order_by("pk").first().pk
    values["note_id"] = (
        Note.objects.filter(student=student, level="file", author=mentor).order_by("pk").first().pk
    )
    # public_id means another object in some apps.
    by_app = {
        "referrals": Referral.objects.order_by("pk").first().public_id,
        "doorstroomtafel": meeting.public_id,
    }
    special = {
        "referrals:registration": IntakeRegistration.objects.order_by("pk").first().public_id,
        "referrals:trajectory": MaatwerkTrajectory.objects.order_by("pk").first().public_id,
        "referrals:create": student.public_id,
        "referrals:create_overgangsdocument": student.public_id,
        "referrals:trajectory_create": student.public_id,
        "doorstroomtafel:propose": student.public_id,
        "doorstroomtafel:proposal_decide": proposal.meeting.public_id if proposal else None,
    }
    return values, by_app, special


def url_for(name, entry, demo):
    from django.urls import reverse

    values, by_app, special = demo
    kwargs = {}
    for param in entry.pattern.converters:
        if param == "public_id":
            kwargs[param] = special.get(name) or by_app.get(name.split(":")[0]) or values[param]
        else:
            kwargs[param] = values[param]
    return reverse(name, kwargs=kwargs)


def observe(demo):
    observed = {}
    clients = {}
    for actor in ACTORS:
        client = Client()
        if actor != "anonymous":
            client.force_login(User.objects.get(email=actor))
        clients[actor] = client
    for name, entry in sorted(url_names(), key=lambda pair: pair[0]):
        if name.startswith(SKIPPED_PREFIXES) and name != "admin:index":
            continue
        url = url_for(name, entry, demo)
        row = []
        for actor in ACTORS:
            response = clients[actor].get(url)
            row.append(response)
        observed[name] = (url, row)
    return observed


def code(response):
    if response.status_code == 302:
        location = response["Location"]
        if "/accounts/login/" in location or "/beheer/login/" in location:
            return "L"  # to a login page
        return "R"  # elsewhere (a POST-only page sending back, a role's own start)
    return str(response.status_code)


def test_every_url_answers_every_actor_as_declared_with_headers_and_logged_refusals(demo, caplog):
    caplog.set_level(logging.INFO)
    observed = observe(demo)
    if os.environ.get("KOERS_MATRIX_PRINT"):
        for name, (_url, row) in observed.items():
            print(f'    "{name}": "{" ".join(code(r) for r in row)}",')  # noqa: T201
    wrong = []
    for name, (url, row) in observed.items():
        expected = MATRIX.get(name, "").split()
        got = [code(r) for r in row]
        if expected != got:
            wrong.append(f"{name} {url}: expected {expected}, got {got}")
        for actor, response in zip(ACTORS, row, strict=True):
            csp = response.get("Content-Security-Policy", "")
            assert "script-src 'self'" in csp, (name, actor)
            assert "frame-ancestors 'none'" in csp, (name, actor)
            assert response["X-Content-Type-Options"] == "nosniff", (name, actor)
            assert response["X-Frame-Options"] == "DENY", (name, actor)
            assert response["Referrer-Policy"], (name, actor)
            if actor != "anonymous":
                assert "no-store" in response.get("Cache-Control", ""), (name, actor)
    assert not wrong, "\n".join(wrong)
    refusals = sum(
        1
        for _name, (_url, row) in observed.items()
        for response in row
        if code(response) in ("L", "403", "404", "429")
    )
    logged = [
        r for r in caplog.records if r.name == "koers.security" and "refused" in r.getMessage()
    ]
    assert refusals
    assert len(logged) >= refusals


def post_only_names():
    # The GET matrix is checked against the live answers, so its 405s are the URLs
    # that only take POST.
    return {name for name, row in MATRIX.items() if "405" in row.split()}


def test_every_post_only_url_is_in_the_post_matrix():
    missing = sorted(post_only_names() - set(POST_MATRIX))
    assert not missing, f"POST-only URL patterns without a row in POST_MATRIX: {missing}"
    stale = sorted(set(POST_MATRIX) - post_only_names())
    assert not stale, f"POST_MATRIX rows for URLs that are not POST-only: {stale}"


def observe_post(demo):
    observed = {}
    users = {actor: User.objects.get(email=actor) for actor in ACTORS if actor != "anonymous"}
    entries = dict(url_names())
    for name in sorted(post_only_names()):
        url = url_for(name, entries[name], demo)
        row = []
        for actor in ACTORS:
            # Each POST runs in its own savepoint that is rolled back, with a fresh client
            # (a logout or a transition must not change what the next actor meets).
            with transaction.atomic():
                client = Client()
                if actor != "anonymous":
                    client.force_login(users[actor])
                response = client.post(url, {})
                transaction.set_rollback(True)
            row.append((response, post_code(response)))
        observed[name] = (url, row)
    return observed


def post_code(response):
    """As code(), but a redirect that carries a success message is S: the action was done."""
    result = code(response)
    if result == "R":
        levels = {m.level for m in get_messages(response.wsgi_request)}
        if messages.SUCCESS in levels:
            return "S"
    return result


def test_every_post_only_url_answers_an_empty_post_as_declared_with_logged_refusals(demo, caplog):
    caplog.set_level(logging.INFO)
    observed = observe_post(demo)
    if os.environ.get("KOERS_MATRIX_PRINT"):
        for name, (_url, row) in observed.items():
            print(f'    "{name}": "{" ".join(c for _r, c in row)}",')  # noqa: T201
    wrong = []
    for name, (url, row) in observed.items():
        expected = POST_MATRIX.get(name, "").split()
        got = [c for _r, c in row]
        if expected != got:
            wrong.append(f"{name} {url}: expected {expected}, got {got}")
        for actor, (response, _c) in zip(ACTORS, row, strict=True):
            assert response["X-Frame-Options"] == "DENY", (name, actor)
            # After a logout the answer goes to an anonymous visitor.
            if actor != "anonymous" and name != "accounts:logout":
                assert "no-store" in response.get("Cache-Control", ""), (name, actor)
    assert not wrong, "\n".join(wrong)
    refusals = sum(
        1
        for _name, (_url, row) in observed.items()
        for _response, c in row
        if c in ("403", "404", "429")
    )
    logged = [
        r for r in caplog.records if r.name == "koers.security" and "refused" in r.getMessage()
    ]
    assert refusals
    assert len(logged) >= refusals


# Observed on the demo data and reviewed (see the module docstring). L: to a login page,
# R: a redirect elsewhere, 405: the page only takes POST.
# fmt: off
MATRIX.update({
    "api:administration_imports": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:docs": "200 200 200 200 200 200 200 200 200 200 200 200 200",
    "api:meeting": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:meetings": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:openapi_json": "200 200 200 200 200 200 200 200 200 200 200 200 200",
    "api:openapi_yaml": "200 200 200 200 200 200 200 200 200 200 200 200 200",
    "api:referral": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:referral_accept": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:referral_complete": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:referral_instruments": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:referral_reject": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:referrals": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:signal": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:signal_dismiss": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:signal_resolve": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:signals": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:student": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:student_roadmap_steps": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:students": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:students_search": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:subscription": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:subscriptions": "401 401 401 401 401 401 401 401 401 401 401 401 401",
    "api:token": "405 405 405 405 405 405 405 405 405 405 405 405 405",
    "accounts:login": "200 R R R R R R R R R R R R",
    "accounts:logout": "405 405 405 405 405 405 405 405 405 405 405 405 405",
    "accounts:otp_enrol": "L 200 200 200 200 200 200 200 200 200 200 200 200",
    "accounts:notification_bell": "L 200 200 200 200 200 200 200 200 200 200 200 200",
    "accounts:notification_open": "L R 404 404 404 404 404 404 404 404 404 404 404",
    "accounts:notification_settings": "L 200 200 200 200 200 200 200 200 200 200 200 200",
    "accounts:notifications": "L 200 200 200 200 200 200 200 200 200 200 200 200",
    "accounts:notifications_read_all": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "planner:feed": "404 404 404 404 404 404 404 404 404 404 404 404 404",
    "planner:feed_create": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "planner:feed_revoke": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "planner:feed_settings": "L 200 200 200 200 200 200 200 404 404 200 200 200",
    "planner:month": "L 200 200 200 200 200 200 200 404 404 200 200 200",
    "planner:week": "L 200 200 200 200 200 200 200 404 404 200 200 200",
    "accounts:otp_verify": "L 200 200 200 200 200 200 200 200 200 200 200 200",
    "accounts:switch_membership": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "admin:index": "L L L L L L L L L 200 L L L",
    "caseload:bulk_confirm": "L 404 404 404 404 404 404 404 404 404 404 404 404",
    "caseload:bulk_signals": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "caseload:bulk_students": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "caseload:mentor": "L 404 200 404 404 404 404 404 404 404 404 404 404",
    "caseload:mine": "L 200 404 404 404 404 404 404 404 404 404 404 200",
    "caseload:school": "L 404 200 404 404 404 404 404 404 404 200 404 404",
    # The demo's first document is shared with the accepted W&I referral of an adult
    # student: the school, the Doorstroompunt and W&I may download it, Leerplicht not.
    "documents:download": "L 200 200 404 200 404 200 404 404 404 404 404 404",
    "documents:remove": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "documents:student": "L 200 200 200 404 404 404 404 404 404 404 404 404",
    "doorstroomtafel:action_done": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "doorstroomtafel:addendum_add": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "doorstroomtafel:agenda_pdf": "L 404 404 404 404 404 404 404 404 404 404 404 404",
    "doorstroomtafel:index": "L 200 200 200 200 200 200 200 200 200 200 200 200",
    "doorstroomtafel:item_action": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "doorstroomtafel:item_add": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "doorstroomtafel:item_minutes": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "doorstroomtafel:item_move": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "doorstroomtafel:item_note": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "doorstroomtafel:item_remove": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "doorstroomtafel:meeting": "L 404 200 200 200 200 200 404 404 404 200 404 404",
    "doorstroomtafel:minutes_pdf": "L 404 200 200 200 200 200 404 404 404 200 404 404",
    "doorstroomtafel:meeting_new": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "doorstroomtafel:proposal_decide": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "doorstroomtafel:propose": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "doorstroomtafel:transition": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "healthz": "200 200 200 200 200 200 200 200 200 200 200 200 200",
    "home": "L 200 200 200 200 200 200 200 200 200 200 200 200",
    "monitoring:assign": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "monitoring:assign_options": "L 404 200 404 404 404 404 404 404 404 404 404 404",
    "monitoring:dismiss": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "monitoring:dismiss_form": "L 404 200 404 404 404 404 404 404 404 404 404 404",
    "monitoring:resolve": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "monitoring:resolve_form": "L 404 200 404 404 404 404 404 404 404 404 404 404",
    "portal:access": "R 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:consent_withdraw": "R 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:copy_download": "R 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:copy_start": "R 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:copy_status": "R 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:correction": "R 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:invite_accept": "404 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:objection": "R 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:passkey_auth_options": "405 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:passkey_auth_verify": "405 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:passkey_register_options": "405 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:passkey_register_verify": "405 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:rights": "R 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:route": "R 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:shared": "R 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:signout": "R 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:signin": "200 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:signin_password": "200 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal_staff:invite": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "portal_staff:request": "L 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal_staff:requests": "L 200 200 200 200 200 200 200 200 200 200 200 200",
    "referrals:accept": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "referrals:complete": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "referrals:consent_withdraw": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "referrals:create": "L 200 200 200 404 404 404 404 404 404 404 404 404",
    "referrals:create_overgangsdocument": "L 200 200 200 404 404 404 404 404 404 404 404 404",
    "referrals:detail": "L 200 200 404 404 404 200 404 404 404 404 404 404",
    "referrals:instruments": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "referrals:list": "L 200 200 200 200 200 200 200 200 200 200 200 200",
    "referrals:pdf": "L 200 200 404 404 404 404 404 404 404 404 404 404",
    "referrals:queue": "L 404 200 404 404 404 404 404 404 404 200 200 404",
    "referrals:registration": "L 404 404 404 404 404 404 404 404 404 404 200 404",
    "referrals:registration_create": "L 404 200 404 404 404 404 404 404 404 200 200 404",
    "referrals:reject": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "referrals:results": "L 404 404 404 404 404 404 404 404 404 404 200 404",
    "referrals:send": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "referrals:trajectories": "L 200 200 200 200 200 200 200 200 200 200 200 200",
    "referrals:trajectory": "L 404 404 404 404 404 404 404 404 404 404 200 200",
    "referrals:trajectory_create": "L 200 200 404 404 404 404 404 404 404 404 404 404",
    "referrals:withdraw": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "reports:dashboard": "L 404 200 404 404 404 404 404 200 404 200 404 404",
    "reports:export": "L 404 404 404 404 404 404 404 404 404 404 404 404",
    "reports:export_job_start": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "reports:job": "L 404 200 404 404 404 404 404 404 404 404 404 404",
    "reports:job_download": "L 404 200 404 404 404 404 404 404 404 404 404 404",
    "reports:jobs": "L 404 200 404 404 404 404 404 200 404 200 404 404",
    "reports:students_export": "L 404 200 404 404 404 404 404 200 404 200 404 404",
    "roadmap:contact_new": "L 200 200 200 404 404 404 404 404 404 404 404 404",
    "roadmap:contacts": "L 200 200 200 404 404 404 404 404 404 404 404 404",
    "roadmap:route": "L 200 200 200 404 404 404 404 404 404 404 404 404",
    "roadmap:step": "L 200 200 404 404 404 404 404 404 404 404 404 404",
    "roadmap:step_history": "L 200 200 200 404 404 404 404 404 404 404 404 404",
    "set_language": "R R R R R R R R R R R R R",
    "students:detail": "L 200 200 200 404 404 404 404 404 404 404 404 404",
    "students:import": "L 404 200 404 404 404 404 404 404 404 200 404 404",
    "students:import_preview": "L 404 404 404 404 404 404 404 404 404 404 404 404",
    "students:list": "L 200 200 200 200 200 200 200 200 200 200 200 200",
})
# fmt: on

# An empty POST to every POST-only URL, observed on the demo data and reviewed against
# ACCESS.md. L: to a login page; 404: outside the actor's scope or role (404, never 403,
# so the object's existence is not confirmed); R: back with a form or refusal message,
# nothing done; S: back with a success message, the action was done (each request runs in
# a rolled-back savepoint). Reviewed: only the Doorstroomtafel editors (Leerplicht,
# Doorstroompunt) act on meetings and actions; the mentor and coordinator of the student
# propose; the school coordinator acts on the school's signal; the referral's sending
# school and receiving W&I get past the lookup, and the service refuses every transition
# that is not theirs with a message (R), so the only S cells are the receiver accepting,
# the sender withdrawing, an editor closing an action, the coordinator resolving a
# signal (the resolve note is optional) and the three report roles (both school
# coordinators, the regional coordinator) queueing a background export of their own list.
# Logout sends everyone to the login page.
# fmt: off
POST_MATRIX.update({
    "api:token": "400 400 400 400 400 400 400 400 400 400 400 400 400",
    "accounts:logout": "L L L L L L L L L L L L L",
    "accounts:switch_membership": "L R R R R R R R R R R R R",
    "caseload:bulk_signals": "L 404 404 404 404 404 404 404 404 404 404 404 404",
    "caseload:bulk_students": "L 404 404 404 404 404 404 404 404 404 404 404 404",
    "documents:remove": "L R R 404 404 404 404 404 404 404 404 404 404",
    "accounts:notifications_read_all": "L S S S S S S S S S S S S",
    "planner:feed_create": "L S S S S S S S 404 404 S S S",
    "planner:feed_revoke": "L R R R R R R R 404 404 R R R",
    "doorstroomtafel:action_done": "L 404 404 R R 404 404 404 404 404 404 404 404",
    "doorstroomtafel:addendum_add": "L 404 404 R R 404 404 404 404 404 404 404 404",
    "doorstroomtafel:item_action": "L 404 404 400 400 404 404 404 404 404 404 404 404",
    "doorstroomtafel:item_add": "L 404 404 R R 404 404 404 404 404 404 404 404",
    "doorstroomtafel:item_minutes": "L 404 404 400 400 404 404 404 404 404 404 404 404",
    "doorstroomtafel:item_move": "L 404 404 400 400 404 404 404 404 404 404 404 404",
    "doorstroomtafel:item_note": "L 404 404 400 400 404 404 404 404 404 404 404 404",
    "doorstroomtafel:item_remove": "L 404 404 R R 404 404 404 404 404 404 404 404",
    "doorstroomtafel:meeting_new": "L 404 404 400 400 404 404 404 404 404 404 404 404",
    "doorstroomtafel:proposal_decide": "L 404 404 R R 404 404 404 404 404 404 404 404",
    "doorstroomtafel:propose": "L R R 404 404 404 404 404 404 404 404 404 404",
    "doorstroomtafel:transition": "L 404 404 400 400 404 404 404 404 404 404 404 404",
    "monitoring:assign": "L 404 R 404 404 404 404 404 404 404 404 404 404",
    "monitoring:dismiss": "L 404 R 404 404 404 404 404 404 404 404 404 404",
    "monitoring:resolve": "L 404 R 404 404 404 404 404 404 404 404 404 404",
    "portal:passkey_auth_options": "200 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:passkey_auth_verify": "400 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:passkey_register_options": "404 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal:passkey_register_verify": "404 404 404 404 404 404 404 404 404 404 404 404 404",
    "portal_staff:invite": "L S S 404 404 404 404 404 404 404 404 404 404",
    "referrals:accept": "L R R 404 404 404 R 404 404 404 404 404 404",
    "referrals:complete": "L R R 404 404 404 R 404 404 404 404 404 404",
    "referrals:consent_withdraw": "L R R 404 404 404 R 404 404 404 404 404 404",
    "referrals:instruments": "L R R 404 404 404 R 404 404 404 404 404 404",
    "referrals:reject": "L R R 404 404 404 R 404 404 404 404 404 404",
    "referrals:send": "L R R 404 404 404 R 404 404 404 404 404 404",
    "referrals:withdraw": "L R R 404 404 404 R 404 404 404 404 404 404",
    "reports:export_job_start": "L 404 S 404 404 404 404 404 S 404 S 404 404",
})
# fmt: on


# Issue 19 (parents and network, the journal). Parents and network: the school that writes
# the file adds and changes them (Leerplicht sees them on the student's page only). The
# journal: the school, Leerplicht and the Doorstroompunt for students in their scope (the
# Doorstroompunt does not see this minor), never a partner; a note is changed by its author
# only, during its first day; an addendum is added by whoever reads the note (an empty one
# is sent back with a message, R).
# fmt: off
MATRIX.update({
    "students:guardian_new": "L 200 200 404 404 404 404 404 404 404 404 404 404",
    "students:guardian_edit": "L 200 200 404 404 404 404 404 404 404 404 404 404",
    "students:guardian_remove": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "casework:journal": "L 200 200 200 404 404 404 404 404 404 404 404 404",
    "casework:note_new": "L 200 200 200 404 404 404 404 404 404 404 404 404",
    "casework:note_edit": "L 200 404 404 404 404 404 404 404 404 404 404 404",
    "casework:addendum_new": "L 405 405 405 405 405 405 405 405 405 405 405 405",
    "casework:note_share": "L 200 200 200 404 404 404 404 404 404 404 404 404",
})
POST_MATRIX.update({
    "students:guardian_remove": "L R R 404 404 404 404 404 404 404 404 404 404",
    "casework:addendum_new": "L R R R 404 404 404 404 404 404 404 404 404",
})
# fmt: on
