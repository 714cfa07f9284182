"""Demo data for `manage.py seed_demo`: the registry every app seeds through, and the
accounts of INTERFACES.md section 3.

Each app seeds its own demo data. In `AppConfig.ready()` an app calls

    from accounts.demo import register_seeder
    register_seeder(40, seed_referrals)

and `seed_demo` runs every seeder in order (accounts 10, students 20; later apps 30+).
A seeder is `fn(ctx)` with a `DemoContext`; it must be idempotent (a second run changes
nothing), keyed on natural keys such as the student number or an e-mail address.
Registering the same name twice keeps one entry.
"""

import random
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import Membership, Organisation, OrganisationKind, Region, Role, User
from .registry import Registry

# Demo only: printed by the command and written in the README. Passes the 12-character
# validators of config/settings.py.
DEMO_PASSWORD = "Koers-demo-2026!"  # noqa: S105 - published on purpose, demo only

CARE_ORGANISATION = "Zorgcoöperatie Noord-Holland Noord"
FUNCTIONAL_ADMIN_GROUP = "Functioneel beheer"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    organisation: str
    first_name: str
    last_name: str
    description: str
    is_staff: bool = False
    listed: bool = True  # in INTERFACES.md section 3; the others are extra colleagues


DEMO_ACCOUNTS = [
    DemoAccount(
        "mentor@horizon.demo",
        Role.MENTOR,
        "Horizon College",
        "Mirjam",
        "de Boer",
        "mentor, Horizon College Alkmaar",
    ),
    DemoAccount(
        "coordinator@horizon.demo",
        Role.SCHOOL_COORDINATOR,
        "Horizon College",
        "Kees",
        "Wijnands",
        "school coordinator, Horizon College",
    ),
    DemoAccount(
        "leerplicht@nhn.demo",
        Role.LEERPLICHT,
        "Regionaal Bureau Leerplicht Noord-Holland Noord",
        "Lieke",
        "Schouten",
        "leerplichtambtenaar, Noord-Holland Noord",
    ),
    DemoAccount(
        "dsp@nhn.demo",
        Role.DOORSTROOMPUNT,
        "Doorstroompunt Noord-Holland Noord",
        "Dennis",
        "Pronk",
        "Doorstroompunt coach, Noord-Holland Noord",
    ),
    DemoAccount(
        "startpunt@nhn.demo",
        Role.JONGEREN_STARTPUNT,
        "Check-In en Doorstroompunt",
        "Sanne",
        "Tromp",
        "Jongeren Startpunt (Check-In), Noord-Kennemerland",
    ),
    DemoAccount(
        "wi@nhn.demo",
        Role.WI,
        "Werk en Inkomen Noord-Holland Noord",
        "Walid",
        "Bouzian",
        "W&I consultant, Noord-Holland Noord",
    ),
    DemoAccount(
        "zorg@nhn.demo",
        Role.CARE,
        CARE_ORGANISATION,
        "Zoë",
        "Kramer",
        "care partner, Noord-Holland Noord",
    ),
    DemoAccount(
        "loket@mondriaan.demo",
        Role.INTAKE_DESK,
        "ROC Mondriaan",
        "Latifa",
        "El Idrissi",
        "intake desk (Instroomloket 16+), ROC Mondriaan",
    ),
    DemoAccount(
        "regio@nhn.demo",
        Role.REGIONAL_COORDINATOR,
        "Regio Noord-Holland Noord",
        "Rob",
        "Groot",
        "regional coordinator, Noord-Holland Noord",
    ),
    DemoAccount(
        "admin@koers.demo",
        Role.FUNCTIONAL_ADMIN,
        "Koers functioneel beheer",
        "Anouk",
        "Visser",
        "functional administrator",
        is_staff=True,
    ),
    # Colleagues that make the data set believable: other mentors and the Haaglanden side.
    DemoAccount(
        "mentor2@horizon.demo",
        Role.MENTOR,
        "Horizon College",
        "Otto",
        "Kaag",
        "mentor, Horizon College Alkmaar",
        listed=False,
    ),
    DemoAccount(
        "mentor3@horizon.demo",
        Role.MENTOR,
        "Horizon College",
        "Fenna",
        "Zwart",
        "mentor, Horizon College Hoorn",
        listed=False,
    ),
    DemoAccount(
        "coordinator@clusius.demo",
        Role.SCHOOL_COORDINATOR,
        "Clusius College",
        "Bram",
        "Lakeman",
        "school coordinator, Clusius College",
        listed=False,
    ),
    DemoAccount(
        "mentor@mondriaan.demo",
        Role.MENTOR,
        "ROC Mondriaan",
        "Yusuf",
        "Demir",
        "mentor, ROC Mondriaan Den Haag",
        listed=False,
    ),
    DemoAccount(
        "coordinator@mondriaan.demo",
        Role.SCHOOL_COORDINATOR,
        "ROC Mondriaan",
        "Ingrid",
        "van Wijk",
        "school coordinator, ROC Mondriaan",
        listed=False,
    ),
    DemoAccount(
        "leerplicht@haaglanden.demo",
        Role.LEERPLICHT,
        "Leerplicht Haaglanden",
        "Hanneke",
        "Verbeek",
        "leerplichtambtenaar, Haaglanden",
        listed=False,
    ),
    DemoAccount(
        "dsp@haaglanden.demo",
        Role.DOORSTROOMPUNT,
        "Doorstroompunt Haaglanden",
        "Ricardo",
        "Pinas",
        "Doorstroompunt coach, Haaglanden",
        listed=False,
    ),
]


# --- The registry ----------------------------------------------------------------------


@dataclass
class DemoContext:
    today: date
    password: str = DEMO_PASSWORD
    messages: list = field(default_factory=list)

    def random(self, name: str) -> random.Random:
        """A generator with a fixed seed per seeder: the same people on every run."""
        return random.Random(f"koers-demo-{name}")

    def log(self, message: str):
        self.messages.append(message)


seeder_registry = Registry("demo seeders")


def register_seeder(order: int, fn=None, *, name: str | None = None):
    """Register `fn(ctx)` to run at `order` (lower first). Usable as a decorator.

    Registering the same function twice (ready() may run again in tests) keeps one entry.
    """

    def add(function):
        return seeder_registry.add(function, order=order, key=name)

    return add(fn) if fn is not None else add


def seeders():
    """(name, fn) in running order."""
    return seeder_registry.items()


def run_seeders(ctx: DemoContext):
    for _name, fn in seeders():
        with transaction.atomic():
            fn(ctx)


# --- Accounts ----------------------------------------------------------------------------


@register_seeder(10, name="accounts")
def seed_accounts(ctx: DemoContext):
    nhn = Region.objects.get(name="Noord-Holland Noord")
    Organisation.objects.get_or_create(
        name=CARE_ORGANISATION, kind=OrganisationKind.CARE, defaults={"region": nhn}
    )
    admin_group = _functional_admin_group()
    # Hash once: every demo account shares the password, and hashing is slow by design.
    password_hash = make_password(ctx.password)
    created = 0
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email__iexact=account.email).first()
        if user is None:
            user = User.objects.create(
                email=account.email,
                password=password_hash,
                first_name=account.first_name,
                last_name=account.last_name,
                is_staff=account.is_staff,
            )
            created += 1
            if account.is_staff:
                user.groups.add(admin_group)
        organisation = Organisation.objects.get(name=account.organisation)
        Membership.objects.get_or_create(user=user, organisation=organisation, role=account.role)
    ctx.log(f"accounts: {created} created, {len(DEMO_ACCOUNTS) - created} already there")


def _functional_admin_group():
    """Functional administrators manage users, organisations and reference data in
    /beheer/, and nothing of the student file."""
    group, created = Group.objects.get_or_create(name=FUNCTIONAL_ADMIN_GROUP)
    if created:
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="accounts")
            | Permission.objects.filter(content_type__app_label="auth", content_type__model="group")
        )
    return group
