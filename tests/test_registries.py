"""The registries that compose Koers from its apps: each keeps one entry per key, and the
composed order of the start page's panels, the student page's sections, the menu, the
sweep's extra checks and the demo seeders is printed here, so a change of order shows in
a diff of this file."""

import pytest

from accounts.demo import seeder_registry
from accounts.home import home_panel_registry
from accounts.navigation import nav_registry
from accounts.registry import Registry
from monitoring.sweep import registered_checks
from students.panels import student_panel_registry
from students.retention import retention_registry

HOME_PANELS = [
    "reports.panels.home_figures_panel",
    "monitoring.panels.home_attention_panel",
    "doorstroomtafel.panels.home_actions_panel",
    "doorstroomtafel.panels.home_meetings_panel",
    "referrals.panels.home_inbox_panel",
    "referrals.flexservice.panels.home_desk_panel",
    "roadmap.panels.home_route_panel",
    "students.panels.home_students_panel",
    "referrals.panels.home_sent_panel",
]
STUDENT_SECTIONS = [
    "referrals.panels.student_shared_panel",
    "students.guardians.guardians_panel",
    "monitoring.panels.student_signals_panel",
    "roadmap.panels.student_route_panel",
    "casework.panels.journal_panel",
    "casework.panels.shared_notes_panel",
    "doorstroomtafel.panels.student_casetable_panel",
    "referrals.panels.student_referrals_panel",
    "documents.panels.student_documents_panel",
    "students.panels.disclosures_panel",
    "portal.panels.student_invite_panel",
]
MENU = [
    "home",
    "students",
    "caseload_mentor",
    "caseload_school",
    "referrals",
    "intake_desk",
    "flexservice_results",
    "doorstroomtafel",
    "planner",
    "portal_requests",
    "reports",
    "students_import",
    "admin",
]
CHECKS = [
    "referral_reminders",
    "doorstroomtafel_overdue_actions",
    "api_notifications",
]
SEEDERS = [
    "accounts",
    "students",
    "caseload",
    "guardians",
    "roadmap",
    "referrals",
    "flexservice",
    "casework",
    "monitoring",
    "doorstroomtafel",
    "documents",
    "api",
]


def _names(registry):
    return registry.keys()


def test_a_key_registered_twice_is_kept_once_in_its_place():
    registry = Registry("test")

    def panel():
        return None

    registry.add(panel, order=20)
    registry.add(lambda: None, order=10, key="first")
    registry.add(panel, order=20)
    assert len(registry) == 2
    assert registry.keys() == [
        "first",
        f"{__name__}.test_a_key_registered_twice_is_kept_once_in_its_place.<locals>.panel",
    ]


def test_running_every_apps_ready_again_adds_nothing():
    from django.apps import apps

    before = {
        name: len(registry)
        for name, registry in {
            "home": home_panel_registry,
            "sections": student_panel_registry,
            "menu": nav_registry,
            "retention": retention_registry,
            "seeders": seeder_registry,
        }.items()
    }
    checks = len(registered_checks())
    for config in apps.get_app_configs():
        config.ready()
    after = {
        "home": len(home_panel_registry),
        "sections": len(student_panel_registry),
        "menu": len(nav_registry),
        "retention": len(retention_registry),
        "seeders": len(seeder_registry),
    }
    assert after == before
    assert len(registered_checks()) == checks


@pytest.mark.parametrize(
    ("registry", "expected"),
    [
        (home_panel_registry, HOME_PANELS),
        (student_panel_registry, STUDENT_SECTIONS),
        (nav_registry, MENU),
        (seeder_registry, SEEDERS),
    ],
    ids=["home panels", "student sections", "menu", "seeders"],
)
def test_the_composed_order(registry, expected):
    print(f"\n{registry.name}:", *registry.keys(), sep="\n  ")  # noqa: T201 - shown with -s
    assert registry.keys() == expected


def test_the_checks_after_the_rules():
    print("\nchecks:", *registered_checks(), sep="\n  ")  # noqa: T201 - shown with -s
    assert list(registered_checks()) == CHECKS
