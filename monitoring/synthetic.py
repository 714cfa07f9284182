"""A synthetic population at scale, for the sweep's benchmark and for load tests.

    generate(students=N, seed=S, today=D) -> GenerateResult

Rows are generated in Python from one random.Random(seed), so a seed and a count give
the same population every time (student numbers `S` + nine digits, from `offset`).
They are written with PostgreSQL `COPY` (psycopg 3) on PostgreSQL and with
`bulk_create` batches elsewhere, with ids assigned here (the tables are locked and
the sequences moved past them), so no row is read back.

The population covers what the rules look at (MONITORING.md): Entree students in every
roadmap stage (some with a study advice or an outflow perspective step), dropouts
(recent and old, Entree and mbo 2-4), Entree graduates working 12 hours or more, less
than 12, not at all, who lost their job, or went on to a level 2 programme; mbo students
studying, with a diploma (a startkwalificatie) or starting soon; havo/vwo diplomas,
pro/vso certificates; ages 15 to 30; both regions.

Deliberately left out for synthetic rows: RecordChange history (these rows were not
changed by anyone; the history table is not read by the checks), BSNs, mentors and
contact moments.
"""

import base64
import hashlib
import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Municipality, Organisation, OrganisationKind
from roadmap.models import PerspectiveStep, StudyAdviceStep
from students.models import Employment, Enrolment, Qualification, Student

SYNTHETIC_AUTHOR = "synthetic@koers.invalid"
NUMBER_PREFIX = "S"
BATCH = 20_000

FIRST_NAMES = [
    "Sem", "Noah", "Liam", "Daan", "Lucas", "Finn", "Levi", "Milan", "Bram", "Thijs",
    "Emma", "Julia", "Mila", "Tess", "Sophie", "Zoë", "Sara", "Nora", "Yara", "Fleur",
    "Mohammed", "Rayan", "Aylin", "Elif", "Youssef", "Amira", "Kevin", "Priya", "Joris",
]  # fmt: skip
LAST_NAMES = [
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
    "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters",
    "Hendriks", "van Leeuwen", "Dekker", "Yilmaz", "El Amrani", "Kaya", "Pinas", "Nguyen",
]  # fmt: skip
PROGRAMMES = {
    "entree": ["Entree Assistent dienstverlening en zorg", "Entree Assistent logistiek"],
    "2": ["Logistiek medewerker", "Verkoopmedewerker", "Helpende zorg en welzijn"],
    "3": ["Verzorgende IG", "Eerste monteur elektrotechniek", "Zelfstandig werkend kok"],
    "4": ["Software developer", "Pedagogisch medewerker", "Commercieel medewerker"],
    "vavo": ["Vavo havo", "Vavo vmbo-tl"],
}
EMPLOYERS = ["Albert Heijn", "Jumbo", "Action", "Bouwbedrijf De Wit", "Hotel De Oude Veiling"]
LEVEL_YEARS = {"entree": 1, "2": 2, "3": 3, "4": 4, "vavo": 1}

# (profile, weight): the share of each kind of student in the population.
PROFILES = [
    ("entree_just_started", 3),
    ("entree_advice_soon", 2),
    ("entree_advice_overdue", 2),
    ("entree_winter", 2),
    ("entree_spring", 2),
    ("entree_near_end", 2),
    ("entree_starting_soon", 1),
    ("entree_graduated_work", 2),
    ("entree_graduated_small_job", 1),
    ("entree_graduated_no_work", 1),
    ("entree_graduated_job_lost", 1),
    ("entree_graduated_further", 1),
    ("dropout_recent", 3),
    ("dropout_old", 3),
    ("mbo_studying", 45),
    ("mbo_starting_soon", 2),
    ("mbo_diploma", 10),
    ("havo_vwo_diploma", 8),
    ("exempt_certificate", 2),
    ("vavo", 3),
]


@dataclass
class GenerateResult:
    students: int = 0
    enrolments: int = 0
    qualifications: int = 0
    employments: int = 0
    study_advice_steps: int = 0
    perspective_steps: int = 0

    @property
    def rows(self) -> int:
        return (
            self.students
            + self.enrolments
            + self.qualifications
            + self.employments
            + self.study_advice_steps
            + self.perspective_steps
        )


# The columns written per model, in order (attnames; ids are assigned here).
COLUMNS = {
    Student: [
        "id", "public_id", "student_number", "first_name", "last_name", "date_of_birth",
        "municipality_id", "bsn", "email", "phone", "prior_education", "mentor_id",
        "version", "created_at", "updated_at",
    ],
    Enrolment: [
        "id", "student_id", "institution_id", "location", "programme", "level",
        "start_date", "planned_end_date", "end_date", "end_reason", "version",
        "created_at", "updated_at",
    ],
    Qualification: ["id", "student_id", "type", "level", "date", "created_at"],
    Employment: [
        "id", "student_id", "employer", "hours_per_week", "start_date", "end_date",
        "version", "created_at", "updated_at",
    ],
    StudyAdviceStep: [
        "id", "enrolment_id", "date", "author_id", "note", "version", "created_at",
        "updated_at", "advice", "perspective_discussed", "perspective_note",
        "followup_meeting_date",
    ],
    PerspectiveStep: [
        "id", "enrolment_id", "date", "author_id", "note", "version", "created_at",
        "updated_at", "startpunt_involved", "perspective", "destination_place",
        "alob_started_date", "doorstroomtafel_agenda",
    ],
}  # fmt: skip


def _d(n):
    return timedelta(days=n)


def _years_before(day: date, years: int) -> date:
    """The same date `years` earlier (28 February for a 29th in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class _Generator:
    """Produces the rows of one student at a time into per-model lists."""

    def __init__(self, rng, today, now, author_id, municipalities, schools, next_ids):
        self.rng = rng
        self.today = today
        self.now = now
        self.author_id = author_id
        self.municipalities = municipalities  # [(id, region_id)]
        self.schools = schools  # region_id -> [school id]
        self.all_schools = [pk for pks in schools.values() for pk in pks]
        self.ids = next_ids  # model -> next id
        self.rows = {model: [] for model in COLUMNS}
        self.profiles = [name for name, _ in PROFILES]
        self.weights = [weight for _, weight in PROFILES]

    def _id(self, model):
        pk = self.ids[model]
        self.ids[model] = pk + 1
        return pk

    def enrolment(self, student_id, school, level, start, end=None, reason=""):
        pk = self._id(Enrolment)
        planned = start + _d(365 * LEVEL_YEARS[level] - 1)
        self.rows[Enrolment].append(
            (pk, student_id, school, "", self.rng.choice(PROGRAMMES[level]), level, start,
             planned, end, reason, 1, self.now, self.now)
        )  # fmt: skip
        return pk

    def qualification(self, student_id, kind, day, level=None):
        self.rows[Qualification].append(
            (self._id(Qualification), student_id, kind, level, day, self.now)
        )

    def job(self, student_id, start, hours, end=None):
        if start > self.today:
            return
        self.rows[Employment].append(
            (self._id(Employment), student_id, self.rng.choice(EMPLOYERS), hours, start, end,
             1, self.now, self.now)
        )  # fmt: skip

    def study_advice(self, enrolment_id, day, advice="continue"):
        self.rows[StudyAdviceStep].append(
            (self._id(StudyAdviceStep), enrolment_id, day, self.author_id, "", 1, self.now,
             self.now, advice, False, "", None)
        )  # fmt: skip

    def perspective(self, enrolment_id, day, perspective):
        self.rows[PerspectiveStep].append(
            (self._id(PerspectiveStep), enrolment_id, day, self.author_id, "", 1, self.now,
             self.now, False, perspective, "", None, False)
        )  # fmt: skip

    def student(self, number):
        rng, today = self.rng, self.today
        profile = rng.choices(self.profiles, self.weights)[0]
        municipality_id, region_id = rng.choice(self.municipalities)
        schools = self.schools.get(region_id) or self.all_schools
        school = rng.choice(schools)
        if profile.startswith(("entree", "dropout")):
            age = rng.randint(15, 22)
        elif profile in ("mbo_diploma", "havo_vwo_diploma"):
            age = rng.randint(17, 30)
        else:
            age = rng.randint(15, 30)
        latest, earliest = _years_before(today, age), _years_before(today, age + 1) + _d(1)
        born = earliest + _d(rng.randint(0, (latest - earliest).days))
        pk = self._id(Student)
        # From the student number, so a second batch with the same seed cannot repeat one.
        digest = hashlib.blake2b(f"synthetic:{number}".encode(), digest_size=9).digest()
        public_id = base64.urlsafe_b64encode(digest).decode()
        self.rows[Student].append(
            (pk, public_id, f"{NUMBER_PREFIX}{number:09d}", rng.choice(FIRST_NAMES),
             rng.choice(LAST_NAMES), born, municipality_id, "", "", "", "", None, 1,
             self.now, self.now)
        )  # fmt: skip
        getattr(self, "_" + profile.split("_")[0])(pk, profile, school)

    def _entree(self, pk, profile, school):
        rng, today = self.rng, self.today
        stage = profile.removeprefix("entree_")
        if stage.startswith("graduated"):
            diploma = today - _d(rng.randint(30, 300))
            self.enrolment(pk, school, "entree", diploma - _d(rng.randint(300, 364)), diploma,
                           "diploma")  # fmt: skip
            if rng.random() < 0.5:
                self.qualification(pk, "entree", diploma)
            if stage == "graduated_work":
                self.job(pk, diploma - _d(rng.randint(0, 60)), rng.choice(["16", "24", "32.0"]))
            elif stage == "graduated_small_job":
                self.job(pk, diploma + _d(rng.randint(0, 20)), rng.choice(["6", "8", "11.5"]))
            elif stage == "graduated_job_lost":
                start = diploma + _d(rng.randint(0, 14))
                self.job(pk, start, rng.choice(["20", "24"]), start + _d(rng.randint(14, 25)))
            elif stage == "graduated_further":
                self.enrolment(pk, school, "2", diploma + _d(rng.randint(20, 50)))
            return
        started = {
            "just_started": (0, 20),
            "advice_soon": (98, 111),
            "advice_overdue": (113, 140),
            "winter": (150, 190),
            "spring": (200, 260),
            "near_end": (330, 358),
            "starting_soon": (-40, -5),
        }[stage]
        start = today - _d(rng.randint(*started))
        enrolment = self.enrolment(pk, school, "entree", start)
        # Some have logged step 2 (from week 16) and step 4 (spring) of the roadmap.
        if stage in ("advice_overdue", "winter", "spring", "near_end") and rng.random() < 0.6:
            self.study_advice(enrolment, start + _d(112), rng.choice(["continue"] * 5 + ["stop"]))
        if stage in ("spring", "near_end") and rng.random() < 0.5:
            self.perspective(
                enrolment,
                today - _d(rng.randint(1, 30)),
                rng.choice(["work", "further_education", "dagbesteding", "praktijkleren"]),
            )

    def _dropout(self, pk, profile, school):
        rng, today = self.rng, self.today
        left = today - _d(
            rng.randint(5, 40) if profile == "dropout_recent" else rng.randint(60, 400)
        )
        level = rng.choice(["entree", "2", "2", "3", "4"])
        self.enrolment(pk, school, level, left - _d(rng.randint(60, 500)), left, "dropout")
        if rng.random() < 0.15:
            self.job(pk, left + _d(rng.randint(0, 30)), rng.choice(["8", "12", "24", "36"]))

    def _mbo(self, pk, profile, school):
        rng, today = self.rng, self.today
        level = rng.choice(["2", "3", "4"])
        years = LEVEL_YEARS[level]
        if profile == "mbo_studying":
            self.enrolment(pk, school, level, today - _d(rng.randint(0, 365 * years - 40)))
        elif profile == "mbo_starting_soon":
            self.enrolment(pk, school, level, today + _d(rng.randint(5, 60)))
        else:  # a diploma at level 2-4: a startkwalificatie
            diploma = today - _d(rng.randint(10, 900))
            self.enrolment(pk, school, level, diploma - _d(365 * years - 30), diploma, "diploma")
            self.qualification(pk, "mbo", diploma, int(level))

    def _havo(self, pk, profile, school):
        rng, today = self.rng, self.today
        diploma = today - _d(rng.randint(30, 1500))
        self.qualification(pk, rng.choice(["havo", "vwo"]), diploma)
        if rng.random() < 0.4:
            self.enrolment(pk, school, "4", diploma + _d(rng.randint(40, 100)))

    def _exempt(self, pk, profile, school):
        rng, today = self.rng, self.today
        day = today - _d(rng.randint(30, 900))
        self.qualification(pk, rng.choice(["pro", "vso"]), day)
        if rng.random() < 0.3:
            self.job(pk, day + _d(rng.randint(0, 60)), rng.choice(["16", "24"]))

    def _vavo(self, pk, profile, school):
        rng, today = self.rng, self.today
        if rng.random() < 0.7:
            self.enrolment(pk, school, "vavo", today - _d(rng.randint(0, 300)))
        else:
            left = today - _d(rng.randint(10, 200))
            self.enrolment(pk, school, "vavo", left - _d(rng.randint(60, 300)), left, "other")


def _author_id():
    user, _ = get_user_model().objects.get_or_create(
        email=SYNTHETIC_AUTHOR,
        defaults={"first_name": "Synthetische", "last_name": "gegevens", "is_active": False},
    )
    return user.pk


def _next_ids():
    ids = {}
    for model in COLUMNS:
        last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        ids[model] = (last or 0) + 1
    return ids


def _lock_tables():
    if connection.vendor != "postgresql":
        return  # SQLite: the IMMEDIATE transaction holds the database's write lock.
    tables = ", ".join(model._meta.db_table for model in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


def _write(rows: dict):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
            for model, values in rows.items():
                if not values:
                    continue
                # get_field accepts attnames ("student_id") as well as names.
                fields = [model._meta.get_field(name) for name in COLUMNS[model]]
                columns = ", ".join(f'"{field.column}"' for field in fields)
                with raw.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
    else:
        for model, values in rows.items():
            names = COLUMNS[model]
            model.objects.bulk_create(
                [model(**dict(zip(names, row, strict=True))) for row in values], batch_size=5000
            )


def _move_sequences(ids: dict):
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest id written.
    with connection.cursor() as cursor:
        for model, next_id in ids.items():
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                [model._meta.db_table, next_id],
            )


def generate(*, students: int, seed: int, today: date | None = None, offset: int | None = None,
             progress=None) -> GenerateResult:  # fmt: skip
    """Create `students` synthetic students (with their records) in one transaction."""
    today = today or timezone.localdate()
    result = GenerateResult()
    rng = random.Random(seed)
    municipalities = list(Municipality.objects.order_by("pk").values_list("pk", "region_id"))
    schools = {}
    for pk, region_id in (
        Organisation.objects.filter(kind=OrganisationKind.SCHOOL)
        .order_by("pk")
        .values_list("pk", "region_id")
    ):
        schools.setdefault(region_id, []).append(pk)
    if not municipalities or not schools:
        raise RuntimeError("reference data missing: run migrate first")
    with transaction.atomic():
        _lock_tables()
        if offset is None:
            offset = Student.objects.filter(student_number__startswith=NUMBER_PREFIX).count()
        taken = Student.objects.filter(
            student_number__in=[f"{NUMBER_PREFIX}{offset:09d}", f"{NUMBER_PREFIX}{offset + students - 1:09d}"]
        ).exists()  # fmt: skip
        if taken:
            raise ValueError(f"student numbers from {NUMBER_PREFIX}{offset:09d} are taken")
        ids = _next_ids()
        generator = _Generator(
            rng, today, timezone.now(), _author_id(), municipalities, schools, ids
        )
        counters = {
            Student: "students",
            Enrolment: "enrolments",
            Qualification: "qualifications",
            Employment: "employments",
            StudyAdviceStep: "study_advice_steps",
            PerspectiveStep: "perspective_steps",
        }
        for start in range(0, students, BATCH):
            for number in range(offset + start, offset + min(start + BATCH, students)):
                generator.student(number)
            _write(generator.rows)
            for model, values in generator.rows.items():
                setattr(result, counters[model], getattr(result, counters[model]) + len(values))
                values.clear()
            if progress:
                progress(result.students)
        _move_sequences(ids)
    return result
