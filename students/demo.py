"""Demo data for `manage.py seed_demo`: the accounts of INTERFACES.md section 3 and a
believable student population for both regions.

Apps add their own demo data through a registry, so `students` never imports the apps
that depend on it: in `AppConfig.ready()` an app calls

    from students.demo import register_seeder
    register_seeder(40, seed_referrals)

and `seed_demo` runs every seeder in order (accounts 10, students 20; later apps 30+).
A seeder is `fn(ctx)` with a `DemoContext`; it must be idempotent (a second run changes
nothing), keyed on natural keys such as the student number or an e-mail address.

Names and dates come from a random generator with a fixed seed, so two runs on the same
day generate the same people; dates are relative to the day of seeding so that students
stand in every stage of the Entree roadmap (just started, near the 16-week study advice,
spring, near the planned end, graduated with or without work, dropped out).
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.models import (
    Membership,
    Municipality,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    User,
)

from .models import Employment, Enrolment, Qualification, RecordChange, Student
from .services import SECRET_FIELDS, history_value

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


_seeders: dict[str, tuple[int, object]] = {}


def register_seeder(order: int, fn=None, *, name: str | None = None):
    """Register `fn(ctx)` to run at `order` (lower first). Usable as a decorator.

    Registering the same function twice (ready() may run again in tests) keeps one entry.
    """

    def add(function):
        key = name or f"{function.__module__}.{function.__qualname__}"
        _seeders[key] = (order, function)
        return function

    return add(fn) if fn is not None else add


def seeders():
    """(name, fn) in running order."""
    return [
        (key, fn) for key, (order, fn) in sorted(_seeders.items(), key=lambda i: (i[1][0], i[0]))
    ]


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


# --- Students ----------------------------------------------------------------------------

FIRST_NAMES = [
    "Sem",
    "Noah",
    "Liam",
    "Daan",
    "Lucas",
    "Finn",
    "Levi",
    "Milan",
    "Jesse",
    "Thijs",
    "Bram",
    "Luuk",
    "Ruben",
    "Jayden",
    "Kevin",
    "Dylan",
    "Stijn",
    "Tim",
    "Mees",
    "Gijs",
    "Mohamed",
    "Ayoub",
    "Youssef",
    "Bilal",
    "Emre",
    "Kerem",
    "Mehmet",
    "Rayan",
    "Ilias",
    "Dewi",
    "Emma",
    "Julia",
    "Sophie",
    "Tess",
    "Lotte",
    "Sanne",
    "Fleur",
    "Isa",
    "Noor",
    "Lieke",
    "Anna",
    "Eva",
    "Femke",
    "Demi",
    "Romy",
    "Britt",
    "Jasmijn",
    "Naomi",
    "Kim",
    "Fatima",
    "Yasmina",
    "Salma",
    "Aya",
    "Elif",
    "Zeynep",
    "Priya",
    "Shanti",
    "Chanel",
    "Shania",
    "Maria",
    "Nina",
    "Mila",
    "Lina",
    "Sara",
    "Amira",
    "Jamila",
    "Quinten",
    "Wesley",
    "Rik",
    "Koen",
    "Joost",
    "Niek",
    "Sven",
    "Pim",
    "Jelle",
    "Teun",
    "Vera",
]

LAST_NAMES = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van Beek",
    "Schouten",
    "Willems",
    "Hoekstra",
    "Koster",
    "Prins",
    "Blom",
    "Huisman",
    "Kramer",
    "Boon",
    "Groen",
    "Kuiper",
    "Zwart",
    "Stam",
    "Tromp",
    "Bakkum",
    "Kaan",
    "Ooievaar",
    "Jonker",
    "Schermer",
    "Zeeman",
    "Beers",
    "Yilmaz",
    "Kaya",
    "Demir",
    "Öztürk",
    "Şahin",
    "El Amrani",
    "Bouzid",
    "Benali",
    "El Idrissi",
    "Ait Taleb",
    "Kartosen",
    "Pinas",
    "Wijngaarde",
    "Ramdin",
    "Nguyen",
    "Tran",
    "Kowalski",
    "Nowak",
    "Ramsaroep",
    "Sardjoe",
    "Mohamud",
    "Haile",
]

EMPLOYERS = {
    "Noord-Holland Noord": [
        "Albert Heijn Alkmaar",
        "Dekamarkt Heerhugowaard",
        "Jumbo Hoorn",
        "Action Den Helder",
        "Hotel-Restaurant De Oude Veiling",
        "Bouwbedrijf Kuijpers Schagen",
        "Tuincentrum Westfriesland",
        "Kwekerij Het Zuiderveld",
        "Transportbedrijf Ooms",
        "Schildersbedrijf De Kwast",
        "Bakkerij Snoek",
        "Installatiebedrijf Noordkop",
        "Zorgboerderij De Wilg",
        "Fietsenmaker Van Bergen",
        "Vishandel Texel",
    ],
    "Haaglanden": [
        "Hoogvliet Den Haag",
        "HEMA Zoetermeer",
        "Westland Flowers",
        "Kwekerij Harteveld",
        "Snackbar De Kade",
        "Schoonmaakbedrijf Residentie",
        "PostNL sorteercentrum Den Haag",
        "Hotel Scheveningen Strand",
        "Garage Van Vliet Rijswijk",
        "Bouwbedrijf Delfland",
        "Supermarkt Ekoplaza Delft",
        "Koeriersdienst Haaglanden",
    ],
}

PROGRAMMES = {
    "entree": [
        "Entree Assistent dienstverlening en zorg",
        "Entree Assistent logistiek",
        "Entree Assistent horeca, voeding of voedingsindustrie",
        "Entree Assistent bouwen, wonen en onderhoud",
        "Entree Assistent verkoop/retail",
        "Entree Assistent productie en techniek",
    ],
    "2": [
        "Verkoopmedewerker",
        "Logistiek medewerker",
        "Helpende zorg en welzijn",
        "Kok",
        "Timmerman",
        "Medewerker bediening",
        "Schilder",
    ],
    "3": [
        "Verzorgende-IG",
        "Eerste verkoper",
        "Monteur elektrotechnische installaties",
        "Zelfstandig werkend kok",
        "Pedagogisch medewerker kinderopvang",
    ],
    "4": [
        "Mbo-verpleegkundige",
        "Software developer",
        "Onderwijsassistent",
        "Commercieel medewerker",
        "Sport- en bewegingscoördinator",
    ],
    "vavo": ["Vavo havo", "Vavo vmbo-tl"],
}

# Clusius College is a green school: its own programmes replace the general ones.
GREEN_PROGRAMMES = {
    "entree": ["Entree Assistent plant, dier of (groene) ruimte"],
    "2": ["Medewerker groene ruimte", "Vakbekwaam medewerker bloembinden"],
    "3": ["Dierverzorger", "Vakbekwaam hovenier"],
    "4": ["Manager natuur en vrije tijd", "Dierenartsassistent paraveterinair"],
}

# (institution, student number prefix, e-mail domain, [(location, [(municipality, weight)])])
SCHOOLS = [
    (
        "Horizon College",
        "91",
        "horizoncollege",
        [
            (
                "Alkmaar",
                [
                    ("Alkmaar", 8),
                    ("Heiloo", 2),
                    ("Bergen (NH)", 1),
                    ("Castricum", 1),
                    ("Dijk en Waard", 3),
                ],
            ),
            (
                "Hoorn",
                [
                    ("Hoorn", 5),
                    ("Drechterland", 1),
                    ("Koggenland", 1),
                    ("Medemblik", 2),
                    ("Enkhuizen", 1),
                    ("Opmeer", 1),
                    ("Stede Broec", 1),
                ],
            ),
            ("Heerhugowaard", [("Dijk en Waard", 5), ("Alkmaar", 1), ("Heiloo", 1)]),
            ("Purmerend", [("Koggenland", 1), ("Opmeer", 1)]),
        ],
    ),
    (
        "Clusius College",
        "92",
        "clusius",
        [
            ("Alkmaar", [("Alkmaar", 3), ("Castricum", 1), ("Bergen (NH)", 1)]),
            ("Hoorn", [("Hoorn", 2), ("Medemblik", 2), ("Koggenland", 1)]),
            ("Schagen", [("Schagen", 3), ("Hollands Kroon", 3), ("Texel", 1)]),
        ],
    ),
    (
        "ROC Kop van Noord-Holland",
        "93",
        "rockopnh",
        [
            ("Den Helder", [("Den Helder", 6), ("Texel", 1), ("Hollands Kroon", 1)]),
            ("Schagen", [("Schagen", 3), ("Hollands Kroon", 2)]),
        ],
    ),
    (
        "ROC Mondriaan",
        "94",
        "rocmondriaan",
        [
            (
                "Den Haag",
                [
                    ("'s-Gravenhage", 10),
                    ("Rijswijk", 2),
                    ("Leidschendam-Voorburg", 2),
                    ("Wassenaar", 1),
                ],
            ),
            ("Delft", [("Delft", 5), ("Midden-Delfland", 1), ("Rijswijk", 1)]),
            ("Naaldwijk", [("Westland", 5), ("Midden-Delfland", 1)]),
        ],
    ),
    (
        "mboRijnland",
        "95",
        "mborijnland",
        [
            ("Zoetermeer", [("Zoetermeer", 6), ("Pijnacker-Nootdorp", 2)]),
            ("Leiden", [("Wassenaar", 1), ("Leidschendam-Voorburg", 1)]),
        ],
    ),
]

# The Entree roadmap stages, in the order they are handed out (so every mentor and every
# school gets each stage). "days" is how long ago the Entree programme started.
ENTREE_STAGES = [
    "just_started",
    "advice_soon",
    "advice_overdue",
    "winter",
    "spring",
    "near_end",
    "graduated_work",
    "graduated_no_work",
    "graduated_job_lost",
    "graduated_further",
    "dropout",
    "dropout_recent",
    "just_started",
    "spring",
    "starting_soon",
]

# (school, location, level, number of students). Many Entree students at Horizon Alkmaar,
# where the Entree roadmap is run.
COHORTS = [
    ("Horizon College", "Alkmaar", "entree", 110),
    ("Horizon College", "Hoorn", "entree", 15),
    ("Horizon College", "Heerhugowaard", "entree", 10),
    ("Horizon College", "Alkmaar", "2", 20),
    ("Horizon College", "Heerhugowaard", "2", 12),
    ("Horizon College", "Hoorn", "3", 15),
    ("Horizon College", "Alkmaar", "4", 14),
    ("Horizon College", "Purmerend", "3", 4),
    ("Clusius College", "Alkmaar", "entree", 8),
    ("Clusius College", "Hoorn", "2", 14),
    ("Clusius College", "Schagen", "3", 14),
    ("Clusius College", "Alkmaar", "4", 10),
    ("ROC Kop van Noord-Holland", "Den Helder", "entree", 10),
    ("ROC Kop van Noord-Holland", "Den Helder", "2", 14),
    ("ROC Kop van Noord-Holland", "Schagen", "3", 10),
    ("ROC Kop van Noord-Holland", "Den Helder", "4", 8),
    ("ROC Mondriaan", "Den Haag", "entree", 25),
    ("ROC Mondriaan", "Den Haag", "2", 18),
    ("ROC Mondriaan", "Delft", "3", 14),
    ("ROC Mondriaan", "Naaldwijk", "4", 12),
    ("ROC Mondriaan", "Den Haag", "vavo", 20),
    ("mboRijnland", "Zoetermeer", "entree", 8),
    ("mboRijnland", "Zoetermeer", "2", 12),
    ("mboRijnland", "Zoetermeer", "3", 10),
    ("mboRijnland", "Leiden", "4", 10),
]

# Mentors per (school, location); a student's mentor is chosen round-robin from the list.
MENTORS = {
    # Four entries (coprime with the 15 Entree stages): each mentor gets every stage.
    ("Horizon College", "Alkmaar"): [
        "mentor@horizon.demo",
        "mentor2@horizon.demo",
        None,
        "mentor2@horizon.demo",
    ],
    ("Horizon College", "Heerhugowaard"): ["mentor2@horizon.demo"],
    ("Horizon College", "Hoorn"): ["mentor3@horizon.demo"],
    ("ROC Mondriaan", "Den Haag"): ["mentor@mondriaan.demo", None],
}

LEVEL_YEARS = {"entree": 1, "2": 2, "3": 3, "4": 4, "vavo": 1}


def days(n):
    return timedelta(days=n)


def valid_bsn(rng: random.Random) -> str:
    """Nine digits passing the 11-proef: the check digit is the weighted sum mod 11."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def _weighted(rng, pairs):
    names = [name for name, _ in pairs]
    weights = [weight for _, weight in pairs]
    return rng.choices(names, weights=weights, k=1)[0]


def _birth_date(rng, today, low, high):
    age = rng.randint(low, high)
    return today - days(365 * age + rng.randint(0, 364) + age // 4)


@dataclass
class PlannedStudent:
    """One generated person with their records, before anything is written."""

    student: Student
    enrolments: list = field(default_factory=list)
    qualifications: list = field(default_factory=list)
    employments: list = field(default_factory=list)


def _entree_records(rng, today, stage, planned, school, location, programme, employers):
    """Records that put an Entree student in `stage` of the roadmap on `today`."""

    def entree(start, end=None, reason=""):
        planned.enrolments.append(
            Enrolment(
                institution=school,
                location=location,
                programme=programme,
                level="entree",
                start_date=start,
                planned_end_date=start + days(364),
                end_date=end,
                end_reason=reason,
            )
        )

    def job(start, hours, end=None):
        if start <= today:
            planned.employments.append(
                Employment(
                    employer=rng.choice(employers),
                    hours_per_week=Decimal(hours),
                    start_date=start,
                    end_date=end,
                )
            )

    if stage == "just_started":
        entree(today - days(rng.randint(0, 20)))
    elif stage == "starting_soon":
        entree(today + days(rng.randint(5, 40)))
    elif stage == "advice_soon":  # the 16-week study advice falls due within two weeks
        entree(today - days(rng.randint(98, 111)))
    elif stage == "advice_overdue":
        entree(today - days(rng.randint(113, 140)))
    elif stage == "winter":
        entree(today - days(rng.randint(150, 190)))
    elif stage == "spring":  # the outflow perspective is due
        entree(today - days(rng.randint(200, 260)))
    elif stage == "near_end":
        entree(today - days(rng.randint(330, 358)))
    elif stage.startswith("graduated"):
        diploma = today - days(rng.randint(30, 300))
        entree(diploma - days(rng.randint(300, 364)), diploma, "diploma")
        if stage == "graduated_work":
            job(diploma - days(rng.randint(0, 60)), rng.choice(["16", "24", "32", "36", "38"]))
        elif stage == "graduated_no_work":
            if rng.random() < 0.5:  # a small job is not work in the sense of the law
                job(diploma + days(rng.randint(0, 20)), rng.choice(["6", "8", "10", "11.5"]))
        elif stage == "graduated_job_lost":
            start = diploma + days(rng.randint(0, 14))
            job(start, rng.choice(["20", "24", "32"]), start + days(rng.randint(14, 25)))
        elif stage == "graduated_further":
            start = diploma + days(rng.randint(20, 50))
            level2 = rng.choice(PROGRAMMES["2"])
            planned.enrolments.append(
                Enrolment(
                    institution=school,
                    location=location,
                    programme=level2,
                    level="2",
                    start_date=start,
                    planned_end_date=start + days(730),
                )
            )
    elif stage in ("dropout", "dropout_recent"):
        left = today - days(
            rng.randint(5, 40) if stage == "dropout_recent" else rng.randint(60, 250)
        )
        entree(left - days(rng.randint(60, 250)), left, "dropout")


def _other_level_records(rng, today, level, planned, school, location, programmes, employers):
    years = LEVEL_YEARS[level]
    roll = rng.random()
    programme = rng.choice(programmes[level])
    if roll < 0.62:  # studying now
        start = today - days(rng.randint(0, 365 * years - 40))
        planned.enrolments.append(
            Enrolment(
                institution=school,
                location=location,
                programme=programme,
                level=level,
                start_date=start,
                planned_end_date=start + days(365 * years),
            )
        )
    elif roll < 0.80 and level != "vavo":  # diploma: a startkwalificatie
        end = today - days(rng.randint(10, 600))
        planned.enrolments.append(
            Enrolment(
                institution=school,
                location=location,
                programme=programme,
                level=level,
                start_date=end - days(365 * years - rng.randint(0, 60)),
                planned_end_date=end,
                end_date=end,
                end_reason="diploma",
            )
        )
    else:  # left without a diploma, some switched to another programme
        end = today - days(rng.randint(10, 500))
        switched = rng.random() < 0.3
        planned.enrolments.append(
            Enrolment(
                institution=school,
                location=location,
                programme=programme,
                level=level,
                start_date=end - days(rng.randint(60, 500)),
                planned_end_date=end + days(365),
                end_date=end,
                end_reason="switch" if switched else "dropout",
            )
        )
        if switched:
            start = end + days(1)
            new_level = "2" if level in ("entree", "2", "vavo") else level
            planned.enrolments.append(
                Enrolment(
                    institution=school,
                    location=location,
                    programme=rng.choice(
                        [p for p in programmes[new_level] if p != programme]
                        or programmes[new_level]
                    ),
                    level=new_level,
                    start_date=start,
                    planned_end_date=start + days(365 * LEVEL_YEARS[new_level]),
                )
            )
    if level in ("2", "3") and rng.random() < 0.2:  # a BBL-like job of 24 hours or more
        planned.employments.append(
            Employment(
                employer=rng.choice(employers),
                hours_per_week=Decimal(rng.choice(["24", "32"])),
                start_date=today - days(rng.randint(30, 300)),
            )
        )
    elif rng.random() < 0.3:  # a side job of a few hours
        planned.employments.append(
            Employment(
                employer=rng.choice(employers),
                hours_per_week=Decimal(rng.choice(["4", "6", "8", "9.5", "12", "16"])),
                start_date=today - days(rng.randint(30, 700)),
            )
        )


def _prior_records(rng, today, level, planned):
    """Prior education and the qualifications obtained before the mbo."""
    first_start = min(e.start_date for e in planned.enrolments)
    summer = date(first_start.year if first_start.month >= 8 else first_start.year - 1, 7, 5)
    if level == "entree":
        prior = rng.choices(["vmbo", "pro", "vso", "vo", "unknown"], [4, 3, 2, 2, 1])[0]
        if prior in ("pro", "vso") and rng.random() < 0.6:
            planned.qualifications.append(Qualification(type=prior, date=summer))
    elif level == "vavo":
        prior = rng.choice(["havo", "vmbo"])
        if rng.random() < 0.4:  # the certificate won at the vavo
            planned.qualifications.append(
                Qualification(
                    type="havo" if prior == "havo" else "vmbo", date=min(summer + days(365), today)
                )
            )
    else:
        prior = rng.choices(["vmbo", "havo", "mbo", "other"], [8, 2, 1, 1])[0]
        if prior in ("vmbo", "havo") and rng.random() < 0.8:
            planned.qualifications.append(Qualification(type=prior, date=summer))
        elif prior == "mbo":  # came with an mbo 2 diploma from elsewhere
            planned.qualifications.append(Qualification(type="mbo", level=2, date=summer))
    planned.student.prior_education = prior
    planned.qualifications = [q for q in planned.qualifications if q.date <= today]


def plan_students(today: date, rng: random.Random):
    """Generate the whole population in memory: deterministic for a given day."""
    schools = {o.name: o for o in Organisation.objects.filter(kind=OrganisationKind.SCHOOL)}
    municipalities = {m.name: m for m in Municipality.objects.select_related("region")}
    mentors = {u.email: u for u in User.objects.filter(email__endswith=".demo")}
    by_region = {}
    for municipality in municipalities.values():
        by_region.setdefault(municipality.region.name, []).append(municipality.name)
    used_bsns = set()
    counters = {}
    stage_index = {}
    mentor_index = {}
    planned_list = []

    for school_name, location, level, count in COHORTS:
        prefix, domain, locations = next(
            (p, d, locs) for name, p, d, locs in SCHOOLS if name == school_name
        )
        pool = dict(locations)[location]
        school = schools[school_name]
        region = school.region.name
        programmes = GREEN_PROGRAMMES if school_name == "Clusius College" else PROGRAMMES
        programmes = {**PROGRAMMES, **programmes}
        for _ in range(count):
            counters[prefix] = counters.get(prefix, 0) + 1
            number = f"{prefix}{counters[prefix]:05d}"
            # A few students live in the other region: schools do not stop at the border.
            if rng.random() < 0.03:
                other = next(r for r in by_region if r != region)
                home = rng.choice(sorted(by_region[other]))
            else:
                home = _weighted(rng, pool)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if level == "entree":
                key = (school_name, location)
                stage = ENTREE_STAGES[stage_index.get(key, 0) % len(ENTREE_STAGES)]
                stage_index[key] = stage_index.get(key, 0) + 1
                low, high = (15, 17) if rng.random() < 0.55 else (18, 22)
                if stage.startswith("graduated"):
                    low, high = 17, 23
            else:
                stage = None
                low, high = {"2": (16, 21), "3": (16, 24), "4": (16, 25), "vavo": (17, 21)}[level]
                if rng.random() < 0.1:  # older students, some past the target group's age
                    low, high = 24, 30
            student = Student(
                student_number=number,
                first_name=first,
                last_name=last,
                date_of_birth=_birth_date(rng, today, low, high),
                municipality=municipalities[home],
                email=f"{number}@student.{domain}.demo",
                phone=f"06{rng.randint(10000000, 99999999)}" if rng.random() < 0.7 else "",
            )
            if rng.random() < 0.35:
                bsn = valid_bsn(rng)
                while bsn in used_bsns:
                    bsn = valid_bsn(rng)
                used_bsns.add(bsn)
                student.bsn = bsn
            key = (school_name, location)
            if key in MENTORS and level != "vavo":
                choices = MENTORS[key]
                email = choices[mentor_index.get(key, 0) % len(choices)]
                mentor_index[key] = mentor_index.get(key, 0) + 1
                student.mentor = mentors.get(email) if email else None
            planned = PlannedStudent(student)
            employers = EMPLOYERS[region]
            if level == "entree":
                _entree_records(
                    rng,
                    today,
                    stage,
                    planned,
                    school,
                    location,
                    rng.choice(programmes["entree"]),
                    employers,
                )
            else:
                _other_level_records(
                    rng, today, level, planned, school, location, programmes, employers
                )
            _prior_records(rng, today, level, planned)
            planned_list.append(planned)
    return planned_list


STUDENT_HISTORY_FIELDS = [
    "student_number",
    "first_name",
    "last_name",
    "date_of_birth",
    "municipality",
    "bsn",
    "email",
    "phone",
    "prior_education",
    "mentor",
]
ENROLMENT_HISTORY_FIELDS = [
    "institution",
    "location",
    "programme",
    "level",
    "start_date",
    "planned_end_date",
    "end_date",
    "end_reason",
]
QUALIFICATION_HISTORY_FIELDS = ["type", "level", "date"]
EMPLOYMENT_HISTORY_FIELDS = ["employer", "hours_per_week", "start_date", "end_date"]


def _creation(record, fields, student_id):
    changes = {}
    for name in fields:
        value = getattr(record, name)
        if value in (None, ""):
            continue
        if name in SECRET_FIELDS:
            changes[name] = {"old": "", "new": "•"}
        else:
            changes[name] = {"old": None, "new": history_value(value)}
    return RecordChange(
        student_id=student_id,
        record_type=record._meta.model_name,
        record_id=record.pk,
        action=RecordChange.Action.CREATE,
        source="demo",
        changes=changes,
    )


@register_seeder(20, name="students")
def seed_students(ctx: DemoContext):
    planned_list = plan_students(ctx.today, ctx.random("students"))
    numbers = [p.student.student_number for p in planned_list]
    existing = set(
        Student.objects.filter(student_number__in=numbers).values_list("student_number", flat=True)
    )
    new = [p for p in planned_list if p.student.student_number not in existing]
    if not new:
        ctx.log(f"students: 0 created, {len(existing)} already there")
        return
    Student.objects.bulk_create([p.student for p in new], batch_size=500)
    # Not every backend returns ids from bulk_create: read them back by the natural key.
    ids = dict(
        Student.objects.filter(
            student_number__in=[p.student.student_number for p in new]
        ).values_list("student_number", "pk")
    )
    enrolments, qualifications, employments = [], [], []
    for planned in new:
        planned.student.pk = ids[planned.student.student_number]
        for record in planned.enrolments + planned.qualifications + planned.employments:
            record.student_id = planned.student.pk
        enrolments += planned.enrolments
        qualifications += planned.qualifications
        employments += planned.employments
    Enrolment.objects.bulk_create(enrolments, batch_size=500)
    Qualification.objects.bulk_create(qualifications, batch_size=500)
    Employment.objects.bulk_create(employments, batch_size=500)
    # bulk_create sends no post_save: the stored startkwalificatie date by its writer.
    from .services import student_refresh_startkwalificatie

    student_refresh_startkwalificatie(student_ids=sorted(ids.values()))

    changes = [_creation(p.student, STUDENT_HISTORY_FIELDS, p.student.pk) for p in new]
    for model, records, fields in (
        (Enrolment, enrolments, ENROLMENT_HISTORY_FIELDS),
        (Qualification, qualifications, QUALIFICATION_HISTORY_FIELDS),
        (Employment, employments, EMPLOYMENT_HISTORY_FIELDS),
    ):
        if records and records[0].pk is None:
            _read_back_ids(model, records)
        changes += [_creation(r, fields, r.student_id) for r in records]
    RecordChange.objects.bulk_create(changes, batch_size=1000)
    ctx.log(
        f"students: {len(new)} created ({len(enrolments)} enrolments, "
        f"{len(qualifications)} qualifications, {len(employments)} employments), "
        f"{len(existing)} already there"
    )


def _read_back_ids(model, records):
    keys = {
        Enrolment: ("student_id", "institution_id", "programme", "start_date"),
        Qualification: ("student_id", "type", "level", "date"),
        Employment: ("student_id", "employer", "start_date"),
    }[model]
    student_ids = {r.student_id for r in records}
    found = {
        tuple(row[:-1]): row[-1]
        for row in model.objects.filter(student_id__in=student_ids).values_list(*keys, "pk")
    }
    for record in records:
        record.pk = found[tuple(getattr(record, k) for k in keys)]
