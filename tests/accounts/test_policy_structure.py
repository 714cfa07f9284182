"""The access policy is one module and the layers are kept by registries (issue 14).

- Every grouping of roles is defined once, in accounts/policy.py: no other module of the
  project assigns a `*_ROLES` constant or compares a role with a role's code.
- The menu comes from the registry only (the base template writes no item itself).
- A view declares its own rate limit; a student is created through students.services.
"""

import ast
import re
from datetime import date
from pathlib import Path

import pytest
from django.utils.html import escape

from accounts import policy
from accounts.models import Membership, Role
from students.models import Level, RecordChange
from students.services import enrolment_get_or_create, student_create
from tests.factories import municipality, school

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "accounts", "students", "roadmap", "monitoring", "referrals", "doorstroomtafel",
    "reports", "portal", "api", "config",
)  # fmt: skip
ROLE_CODE = re.compile(r"""(role\w*\s*(==|!=|=)\s*|role\s+(not\s+)?in\s+[\(\[\{])["'](%s)["']""")


def _project_files(suffix):
    for app in APPS:
        for path in (ROOT / app).rglob(f"*{suffix}"):
            if "migrations" not in path.parts:
                yield path


def test_role_groupings_are_defined_only_in_the_policy():
    defined = []
    for path in _project_files(".py"):
        if path == ROOT / "accounts" / "policy.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.endswith("_ROLES"):
                        defined.append(f"{path.relative_to(ROOT)}:{node.lineno} {target.id}")
    assert defined == []


def test_no_role_is_named_by_its_code_outside_the_enumeration():
    codes = "|".join(re.escape(role.value) for role in Role)
    pattern = re.compile(ROLE_CODE.pattern % codes)
    found = []
    for suffix in (".py", ".html"):
        for path in _project_files(suffix):
            if path == ROOT / "accounts" / "models.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}")
    base = (ROOT / "templates" / "base.html").read_text()
    found += [f"templates/base.html:{m}" for m in re.findall(r"user\.role\s*==", base)]
    assert found == []


def test_groupings_are_made_of_the_base_groupings():
    assert set(policy.REFERRAL_SENDER_ROLES) == {
        Role.MENTOR,
        Role.SCHOOL_COORDINATOR,
        Role.LEERPLICHT,
        Role.DOORSTROOMPUNT,
    }
    base_groupings = policy.SCHOOL_STAFF_ROLES + policy.REGIONAL_OFFICE_ROLES
    assert set(policy.STUDENT_LIST_ROLES) == set(base_groupings + policy.PARTNER_ROLES)
    assert set(policy.API_CLIENT_ROLES) == set(Role) - {
        Role.MENTOR,
        Role.REGIONAL_COORDINATOR,
        Role.FUNCTIONAL_ADMIN,
    }


# Who may do what, pinned as the roles themselves: building a grouping from the base
# groupings must never change its members.
PINNED_GROUPINGS = {
    "WHOLE_FILE_ROLES": {
        Role.MENTOR, Role.SCHOOL_COORDINATOR, Role.INTAKE_DESK, Role.LEERPLICHT,
        Role.DOORSTROOMPUNT,
    },
    "NOTE_ROLES": {
        Role.MENTOR, Role.SCHOOL_COORDINATOR, Role.INTAKE_DESK, Role.LEERPLICHT,
        Role.DOORSTROOMPUNT,
    },
    "DOCUMENT_UPLOAD_ROLES": {
        Role.MENTOR, Role.SCHOOL_COORDINATOR, Role.INTAKE_DESK, Role.LEERPLICHT,
        Role.DOORSTROOMPUNT,
    },
    "GUARDIAN_EDITOR_ROLES": {Role.MENTOR, Role.SCHOOL_COORDINATOR, Role.INTAKE_DESK},
    "REFERRAL_NOTIFIED_ROLES": {
        Role.JONGEREN_STARTPUNT, Role.WI, Role.CARE, Role.SCHOOL_COORDINATOR,
        Role.INTAKE_DESK, Role.DOORSTROOMPUNT,
    },
    "CALENDAR_STEP_ROLES": {Role.MENTOR, Role.SCHOOL_COORDINATOR},
    "STUDENT_LIST_ROLES": {
        Role.MENTOR, Role.SCHOOL_COORDINATOR, Role.INTAKE_DESK, Role.LEERPLICHT,
        Role.DOORSTROOMPUNT, Role.JONGEREN_STARTPUNT, Role.WI, Role.CARE,
    },
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(PINNED_GROUPINGS))
def test_a_grouping_keeps_its_roles(name):
    grouping = getattr(policy, name)
    assert len(set(grouping)) == len(grouping)  # no role listed twice
    assert set(grouping) == PINNED_GROUPINGS[name]


def test_the_journal_and_the_documents_are_the_whole_file_roles():
    # Built from the one grouping, not listed again (a role added to the whole file
    # writes in the journal and attaches documents with it).
    assert policy.NOTE_ROLES is policy.WHOLE_FILE_ROLES
    assert policy.DOCUMENT_UPLOAD_ROLES is policy.WHOLE_FILE_ROLES
    assert set(policy.STUDENT_LIST_ROLES) == set(policy.WHOLE_FILE_ROLES + policy.PARTNER_ROLES)


def test_no_model_of_a_higher_app_is_looked_up_by_name():
    from casework.models import NoteShare
    from monitoring.synthetic_models import synthetic_model
    from referrals.models import Referral

    source = (ROOT / "accounts" / "policy.py").read_text()
    assert "get_model" not in source
    assert "django.apps" not in source
    # The apps above hand their tables over in their AppConfig.ready().
    assert policy.policy_model_registry.get("referral") is Referral
    assert policy.policy_model_registry.get("note_share") is NoteShare
    assert synthetic_model("referral") is Referral
    synthetic = (ROOT / "monitoring" / "synthetic.py").read_text()
    assert "get_model" not in synthetic


@pytest.mark.django_db
def test_predicates_take_a_user_or_a_membership(mentor, coordinator, startpunt, regio):
    for user, sends, partner, reports in (
        (mentor, True, False, False),
        (coordinator, True, False, True),
        (startpunt, False, True, False),
        (regio, False, False, True),
    ):
        membership = Membership.objects.get(user=user)
        for who in (user, membership):
            assert policy.can_send_referral(who) is sends
            assert policy.sees_only_shared_sections(who) is partner
            assert policy.may_see_reports(who) is reports
    assert policy.can_send_referral(None) is False


@pytest.mark.django_db
def test_the_whole_menu_comes_from_the_registry(client, coordinator, functional_admin):
    client.force_login(coordinator)
    html = client.get("/").content.decode()
    menu = html.split('id="nav-main"')[1].split("</ul>")[0]
    assert menu.index(">Start<") < menu.index(">Studenten<")
    assert 'aria-current="page" href="/"' in menu
    assert "/beheer/" not in menu
    client.force_login(functional_admin)
    menu = client.get("/").content.decode().split('id="nav-main"')[1].split("</ul>")[0]
    assert f">{escape('Beheer')}<" in menu
    assert 'href="/beheer/"' in menu
    base = (ROOT / "templates" / "base.html").read_text()
    assert base.count('class="nav-item"') == 1  # the registry's loop


def test_views_declare_their_rate_limits():
    from django.test import RequestFactory
    from django.urls import resolve

    from accounts.security import rate_limit_kind

    factory = RequestFactory()
    search = factory.get("/students/", {"q": "Jan"})
    assert rate_limit_kind(search, resolve("/students/")) == "search"
    assert rate_limit_kind(factory.get("/students/"), resolve("/students/")) is None
    post = factory.post("/rapportages/")
    match = resolve(post.path_info)
    assert match.view_name == "reports:dashboard"
    assert rate_limit_kind(post, match) == "export"
    assert rate_limit_kind(factory.get("/rapportages/"), match) is None


@pytest.mark.django_db
def test_a_student_is_created_through_the_service_with_its_history(coordinator):
    student = student_create(
        values={
            "student_number": "LOKET-1",
            "first_name": "Sanne",
            "last_name": "de Vries",
            "date_of_birth": date(2008, 5, 1),
            "municipality": municipality(),
        },
        recorded=("student_number", "first_name"),
        actor=coordinator,
        source="instroomloket",
    )
    change = RecordChange.objects.get(student=student)
    assert (change.action, change.source, change.actor) == ("create", "instroomloket", coordinator)
    assert change.changes == {
        "student_number": {"old": None, "new": "LOKET-1"},
        "first_name": {"old": None, "new": "Sanne"},
    }
    key = {"institution": school(), "programme": "Entree", "start_date": date(2026, 8, 1)}
    enrolment, created = enrolment_get_or_create(
        student=student, key=key, defaults={"level": Level.ENTREE}, actor=coordinator, source="web"
    )
    again, created_again = enrolment_get_or_create(
        student=student, key=key, defaults={"level": Level.ENTREE}, actor=coordinator, source="web"
    )
    assert (created, created_again, again) == (True, False, enrolment)
    assert RecordChange.objects.filter(student=student).count() == 2
