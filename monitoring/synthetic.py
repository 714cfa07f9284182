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

And what the pages read at national scale (issue 16): every Entree enrolment carries
the steps of its stage (start, study advice, perspective, work, further education,
leaving), every student has contact moments (school, Leerplicht, Doorstroompunt, work
check-ins) and the history rows the services would have written (`RecordChange`: the
creation of every record and some later changes), a valid and unique BSN (11-proef,
derived from the student number), and a mentor at the school (mentor users with a
membership, 25-35 students each). A few per cent of the adults were referred to the
Doorstroompunt, and every region's case table has a meeting with an agenda. At 500,000
students that is more than 5 million step, contact and history rows.

Left out: the ABA step (special-category data with its own history) and access logs.
"""

import base64
import hashlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Membership, Municipality, Organisation, OrganisationKind
from roadmap.models import (
    ContactMoment,
    FurtherEducationStep,
    LeavingStep,
    PerspectiveStep,
    StartStep,
    StudyAdviceStep,
    WorkStep,
)
from students import names
from students.models import Employment, Enrolment, Qualification, RecordChange, Student
from students.services import student_refresh_startkwalificatie

from .synthetic_models import synthetic_model

User = get_user_model()
# Referrals and the case table sit above monitoring (the layers in pyproject.toml): the
# generator fills their tables too; those apps hand their models over in their ready()
# (monitoring.synthetic_models), so monitoring names none of them.
Referral = synthetic_model("referral")
AgendaItem = synthetic_model("agenda_item")
CaseTable = synthetic_model("case_table")
Meeting = synthetic_model("meeting")

SYNTHETIC_AUTHOR = "synthetic@koers.invalid"
MENTOR_DOMAIN = "synthetic.koers.invalid"
NUMBER_PREFIX = "S"
BATCH = 20_000
CASELOAD = (25, 35)  # students per mentor
AGENDA_ITEMS = 30  # per region's meeting
UNUSABLE = "!synthetic"  # not a password hash: nobody logs in as a synthetic mentor

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


INTAKE_ORIGINS = ["pro", "vso", "vo", "vo", "doorstroompunt", "other"]
CONTRACTS = ["permanent", "fixed_term", "fixed_term", "on_call", "bbl"]
LEAVING_REASONS = ["Motivatie", "Verhuisd", "Werk gevonden", "Persoonlijke omstandigheden"]
CHANNELS = ["phone", "email", "in_person", "in_person", "video"]


# The columns written per model, in order (attnames; ids are assigned here). The order of
# the models is the order of writing: a row's foreign keys point to earlier models.
COLUMNS = {
    User: [
        "id", "password", "last_login", "is_superuser", "email", "first_name", "last_name",
        "is_active", "is_staff", "date_joined",
    ],
    Membership: ["id", "user_id", "organisation_id", "role", "is_active", "created_at"],
    Student: [
        "id", "public_id", "student_number", "first_name", "last_name", "date_of_birth",
        "municipality_id", "bsn", "email", "phone", "prior_education", "mentor_id",
        "version", "created_at", "updated_at", "sort_name", "search_name",
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
    StartStep: [
        "id", "enrolment_id", "date", "author_id", "note", "version", "created_at",
        "updated_at", "intake_origin", "warm_handover", "handover_with", "parents_present",
        "transfer_system_loaded", "transfer_system_reference", "lob_started_date",
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
    WorkStep: [
        "id", "enrolment_id", "date", "author_id", "note", "version", "created_at",
        "updated_at", "employment_id", "contract_type", "overgangsdocument_needed",
        "job_lost_date", "uwv_ww_checked", "instrument_loonkostensubsidie",
        "instrument_jobcoach", "instrument_no_risk_polis", "instrument_lkv",
        "doelgroepverklaring_date",
    ],
    FurtherEducationStep: [
        "id", "enrolment_id", "date", "author_id", "note", "version", "created_at",
        "updated_at", "programme", "institution", "registered_date", "handover_date",
        "handover_with", "enrolment_confirmed_date",
    ],
    LeavingStep: [
        "id", "enrolment_id", "date", "author_id", "note", "version", "created_at",
        "updated_at", "reason", "doorstroomtafel_discussed", "alob_started_date",
        "startpunt_involved",
    ],
    ContactMoment: [
        "id", "student_id", "enrolment_id", "kind", "date", "channel", "note", "author_id",
        "author_organisation_id", "still_working", "hours_per_week", "created_at",
    ],
    Referral: [
        "id", "public_id", "student_id", "kind", "from_organisation_id", "to_organisation_id",
        "created_by_id", "status", "question", "support_needs", "sections", "legal_basis",
        "legal_reference", "consent_given_by", "consent_given_on", "consent_withdrawn_at",
        "shared_data", "sent_at", "decided_at", "decided_by_id", "rejection_reason",
        "outcome", "outcome_note", "completed_at", "withdrawn_at", "created_at",
    ],
    RecordChange: [
        "id", "student_id", "record_type", "record_id", "action", "actor_id", "source", "at",
        "changes",
    ],
}  # fmt: skip

# The result's counter of each model.
COUNTERS = {
    User: "mentors",
    Membership: "memberships",
    Student: "students",
    Enrolment: "enrolments",
    Qualification: "qualifications",
    Employment: "employments",
    StartStep: "start_steps",
    StudyAdviceStep: "study_advice_steps",
    PerspectiveStep: "perspective_steps",
    WorkStep: "work_steps",
    FurtherEducationStep: "further_education_steps",
    LeavingStep: "leaving_steps",
    ContactMoment: "contact_moments",
    Referral: "referrals",
    RecordChange: "history",
}
STEP_MODELS = (
    StartStep, StudyAdviceStep, PerspectiveStep, WorkStep, FurtherEducationStep, LeavingStep
)  # fmt: skip


@dataclass
class GenerateResult:
    students: int = 0
    enrolments: int = 0
    qualifications: int = 0
    employments: int = 0
    start_steps: int = 0
    study_advice_steps: int = 0
    perspective_steps: int = 0
    work_steps: int = 0
    further_education_steps: int = 0
    leaving_steps: int = 0
    contact_moments: int = 0
    history: int = 0
    mentors: int = 0
    memberships: int = 0
    referrals: int = 0
    agenda_items: int = 0

    @property
    def steps(self) -> int:
        return sum(getattr(self, COUNTERS[model]) for model in STEP_MODELS)

    @property
    def activity(self) -> int:
        """Step, contact and history rows: what issue 16 counts (5 million at 500,000)."""
        return self.steps + self.contact_moments + self.history

    @property
    def rows(self) -> int:
        return sum(getattr(self, name) for name in COUNTERS.values()) + self.agenda_items


def _d(n):
    return timedelta(days=n)


def _years_before(day: date, years: int) -> date:
    """The same date `years` earlier (28 February for a 29th in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def bsn_for(number: int) -> str:
    """A valid BSN (11-proef), one per student number (a bijection on 0..8,999,999).

    Seven digits from the number, scattered (7919 is prime to 9,000,000), then the
    eighth digit chosen so that the check digit is 0-9 (one of ten always is).
    """
    base = str((number * 7919 + 1_234_567) % 9_000_000 + 1_000_000)
    total = sum(int(digit) * weight for digit, weight in zip(base, range(9, 2, -1), strict=True))
    for eighth in range(10):
        check = (total + 2 * eighth) % 11
        if check < 10:
            return f"{base}{eighth}{check}"
    raise AssertionError("unreachable: ten eighth digits give ten different remainders")


def _at(day: date) -> datetime:
    """The moment a record of `day` was written (during office hours, in UTC)."""
    return datetime.combine(day, time(10), tzinfo=UTC)


def caseloads(count: int, rng: random.Random) -> list[int]:
    """Split `count` students over mentors with 25-35 each (fewer only below 25 in all)."""
    low, high = CASELOAD
    mentors = max(1, round(count / 30))
    while mentors > 1 and count / mentors < low:
        mentors -= 1
    while count / mentors > high and count // (mentors + 1) >= low:
        mentors += 1
    sizes = [count // mentors + (1 if i < count % mentors else 0) for i in range(mentors)]
    # Some variety: move students between neighbours while both stay within the bounds.
    for i in range(mentors - 1):
        delta = rng.randint(-5, 5)
        if low <= sizes[i] + delta <= high and low <= sizes[i + 1] - delta <= high:
            sizes[i] += delta
            sizes[i + 1] -= delta
    return sizes


class _Generator:
    """Produces the rows of one student at a time into per-model lists."""

    def __init__(self, rng, today, now, author_id, municipalities, organisations, next_ids):
        self.rng = rng
        self.today = today
        self.now = now
        self.author_id = author_id
        self.municipalities = municipalities  # [(id, region_id)]
        self.orgs = organisations  # (kind, region_id) -> [organisation id]
        self.schools = {
            region: pks for (kind, region), pks in organisations.items() if kind == "school"
        }
        self.all_schools = [pk for pks in self.schools.values() for pk in pks]
        self.ids = next_ids  # model -> next id
        self.rows = {model: [] for model in COLUMNS}
        self.profiles = [name for name, _ in PROFILES]
        self.weights = [weight for _, weight in PROFILES]
        # This batch's students per school, who get a mentor there (student rows).
        self.mentees = {}
        # Per region: Entree students the case table may discuss (bounded).
        self.agenda = {}

    def _id(self, model):
        pk = self.ids[model]
        self.ids[model] = pk + 1
        return pk

    def _org(self, kind, region_id):
        pks = self.orgs.get((kind, region_id))
        return pks[0] if pks else None

    def history(self, student_id, model, record_id, day, changes, action="create", source="import"):
        self.rows[RecordChange].append(
            (self._id(RecordChange), student_id, model._meta.model_name, record_id, action,
             None if source == "import" else self.author_id, source,
             _at(min(day, self.today)), changes)
        )  # fmt: skip

    def enrolment(self, student_id, school, level, start, end=None, reason=""):
        pk = self._id(Enrolment)
        planned = start + _d(365 * LEVEL_YEARS[level] - 1)
        self.rows[Enrolment].append(
            (pk, student_id, school, "", self.rng.choice(PROGRAMMES[level]), level, start,
             planned, end, reason, 1, self.now, self.now)
        )  # fmt: skip
        self.history(student_id, Enrolment, pk, start, {
            "level": {"old": None, "new": level},
            "start_date": {"old": None, "new": start.isoformat()},
        })  # fmt: skip
        if end is not None:
            self.history(student_id, Enrolment, pk, end, {
                "end_date": {"old": None, "new": end.isoformat()},
                "end_reason": {"old": "", "new": reason},
            }, action="update")  # fmt: skip
        return pk

    def qualification(self, student_id, kind, day, level=None):
        pk = self._id(Qualification)
        self.rows[Qualification].append((pk, student_id, kind, level, day, self.now))
        self.history(student_id, Qualification, pk, day, {"type": {"old": None, "new": kind}})

    def job(self, student_id, start, hours, end=None):
        if start > self.today:
            return None
        pk = self._id(Employment)
        self.rows[Employment].append(
            (pk, student_id, self.rng.choice(EMPLOYERS), hours, start, end, 1, self.now,
             self.now)
        )  # fmt: skip
        self.history(student_id, Employment, pk, start, {
            "hours_per_week": {"old": None, "new": hours},
            "start_date": {"old": None, "new": start.isoformat()},
        })  # fmt: skip
        return pk

    def _step(self, model, student_id, enrolment_id, day, values):
        pk = self._id(model)
        self.rows[model].append(
            (pk, enrolment_id, day, self.author_id, "", 1, self.now, self.now, *values)
        )
        self.history(student_id, model, pk, day, {"date": {"old": None, "new": day.isoformat()}},
                     source="web")  # fmt: skip
        return pk

    def start_step(self, student_id, enrolment_id, day):
        if day > self.today:
            return
        rng = self.rng
        self._step(StartStep, student_id, enrolment_id, day, (
            rng.choice(INTAKE_ORIGINS), rng.random() < 0.6, "", rng.random() < 0.5, False, "",
            day + _d(rng.randint(7, 40)) if rng.random() < 0.5 else None,
        ))  # fmt: skip

    def study_advice(self, student_id, enrolment_id, day, advice="continue"):
        self._step(StudyAdviceStep, student_id, enrolment_id, day, (advice, False, "", None))

    def perspective(self, student_id, enrolment_id, day, perspective, region_id=None):
        self._step(PerspectiveStep, student_id, enrolment_id, day,
                   (False, perspective, "", None, False))  # fmt: skip
        agenda = self.agenda.setdefault(region_id, [])
        if region_id is not None and len(agenda) < AGENDA_ITEMS:
            agenda.append(student_id)

    def work_step(self, student_id, enrolment_id, employment_id, day, lost=None):
        self._step(WorkStep, student_id, enrolment_id, day, (
            employment_id, self.rng.choice(CONTRACTS), False, lost, lost is not None,
            False, self.rng.random() < 0.2, False, False, None,
        ))  # fmt: skip

    def further_step(self, student_id, enrolment_id, day, registered):
        self._step(FurtherEducationStep, student_id, enrolment_id, day, (
            self.rng.choice(PROGRAMMES["2"]), "", registered, registered, "", registered,
        ))  # fmt: skip

    def leaving_step(self, student_id, enrolment_id, day):
        self._step(LeavingStep, student_id, enrolment_id, day,
                   (self.rng.choice(LEAVING_REASONS), False, None, False))  # fmt: skip

    def contacts(self, student_id, enrolment_id, count, kind, organisation, since, work=None):
        """`count` contact moments of one kind between `since` and today."""
        rng, today = self.rng, self.today
        if organisation is None or since > today:
            return
        span = (today - since).days
        for _ in range(count):
            day = since + _d(rng.randint(0, span))
            still, hours = (None, None) if work is None else (True, work)
            pk = self._id(ContactMoment)
            self.rows[ContactMoment].append(
                (pk, student_id, enrolment_id, kind, day, rng.choice(CHANNELS), "",
                 self.author_id, organisation, still, hours, self.now)
            )  # fmt: skip
            self.history(student_id, ContactMoment, pk, day, {
                "kind": {"old": None, "new": kind}, "date": {"old": None, "new": day.isoformat()},
            }, source="web")  # fmt: skip

    def referral(self, student_id, number, school, region_id):
        to = self._org("doorstroompunt", region_id)
        if to is None:
            return
        rng = self.rng
        sent = self.now - timedelta(days=rng.randint(1, 200))
        accepted = rng.random() < 0.7
        digest = hashlib.blake2b(f"synthetic-referral:{number}".encode(), digest_size=9).digest()
        pk = self._id(Referral)
        self.rows[Referral].append(
            (pk, base64.urlsafe_b64encode(digest).decode(), student_id, "general", school, to,
             self.author_id, "accepted" if accepted else "sent",
             "Wilt u deze jongere helpen met een vervolgstap?", "", ["contact", "roadmap_summary"],
             "wettelijke_taak", "", "", None, None, {}, sent,
             sent + timedelta(days=2) if accepted else None, None, "", "", "", None, None, sent)
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
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        row = [
            pk, public_id, f"{NUMBER_PREFIX}{number:09d}", first, last, born, municipality_id,
            bsn_for(number), "", "", "", None, 1, self.now, self.now,
            # The list's order and the accent-free search, as Student.save() fills them.
            names.sort_name(first, last), names.search_name(first, last),
        ]  # fmt: skip
        self.rows[Student].append(row)
        registered = today - _d(rng.randint(30, 900))
        self.history(pk, Student, pk, registered, {
            "student_number": {"old": None, "new": row[2]}, "bsn": "changed",
        })  # fmt: skip
        if rng.random() < 0.5:  # a later correction of the contact details
            self.history(pk, Student, pk, registered + _d(rng.randint(1, 29)),
                         {"phone": {"old": "", "new": "changed"}}, action="update", source="web")  # fmt: skip
        before = len(self.rows[Enrolment])
        getattr(self, "_" + profile.split("_")[0])(pk, profile, school, region_id)
        if len(self.rows[Enrolment]) > before:  # studies (or studied) here: has a mentor
            self.mentees.setdefault(school, []).append(row)
        # Contact moments: the school's mentor talks with every student now and then;
        # Leerplicht with minors who left, the Doorstroompunt with adults who left.
        enrolment = self.rows[Enrolment][-1][0] if len(self.rows[Enrolment]) > before else None
        if enrolment is not None:
            self.contacts(pk, enrolment, rng.randint(2, 6), "other", school, registered)
        adult = age >= 18
        if profile.startswith("dropout") or profile == "entree_graduated_no_work":
            kind = "dsp_contact" if adult else "leerplicht_contact"
            organisation = self._org("doorstroompunt" if adult else "leerplicht", region_id)
            self.contacts(pk, enrolment, rng.randint(1, 4), kind, organisation, registered)
            if adult and rng.random() < 0.2:
                self.referral(pk, number, school, region_id)

    def _entree(self, pk, profile, school, region_id):
        rng, today = self.rng, self.today
        stage = profile.removeprefix("entree_")
        if stage.startswith("graduated"):
            diploma = today - _d(rng.randint(30, 300))
            start = diploma - _d(rng.randint(300, 364))
            enrolment = self.enrolment(pk, school, "entree", start, diploma, "diploma")
            self.start_step(pk, enrolment, start)
            self.study_advice(pk, enrolment, start + _d(112))
            if rng.random() < 0.5:
                self.qualification(pk, "entree", diploma)
            if stage == "graduated_work":
                job_start = diploma - _d(rng.randint(0, 60))
                job = self.job(pk, job_start, rng.choice(["16", "24", "32.0"]))
                self.perspective(pk, enrolment, diploma - _d(90), "work")
                self.work_step(pk, enrolment, job, job_start)
                self.contacts(pk, enrolment, rng.randint(1, 4), "work_checkin", school,
                              job_start, work="24.0")  # fmt: skip
            elif stage == "graduated_small_job":
                job_start = diploma + _d(rng.randint(0, 20))
                job = self.job(pk, job_start, rng.choice(["6", "8", "11.5"]))
                if job is not None:
                    self.work_step(pk, enrolment, job, job_start)
            elif stage == "graduated_job_lost":
                start = diploma + _d(rng.randint(0, 14))
                lost = start + _d(rng.randint(14, 25))
                job = self.job(pk, start, rng.choice(["20", "24"]), lost)
                if job is not None:
                    self.work_step(pk, enrolment, job, start, lost if lost <= today else None)
            elif stage == "graduated_further":
                self.perspective(pk, enrolment, diploma - _d(90), "further_education", region_id)
                self.further_step(pk, enrolment, diploma - _d(60), diploma - _d(30))
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
        self.start_step(pk, enrolment, start)
        # Some have logged step 2 (from week 16) and step 4 (spring) of the roadmap.
        if stage in ("advice_overdue", "winter", "spring", "near_end") and rng.random() < 0.6:
            self.study_advice(pk, enrolment, start + _d(112),
                              rng.choice(["continue"] * 5 + ["stop"]))  # fmt: skip
        if stage in ("spring", "near_end") and rng.random() < 0.5:
            self.perspective(
                pk,
                enrolment,
                today - _d(rng.randint(1, 30)),
                rng.choice(["work", "further_education", "dagbesteding", "praktijkleren"]),
                region_id,
            )

    def _dropout(self, pk, profile, school, region_id):
        rng, today = self.rng, self.today
        left = today - _d(
            rng.randint(5, 40) if profile == "dropout_recent" else rng.randint(60, 400)
        )
        level = rng.choice(["entree", "2", "2", "3", "4"])
        start = left - _d(rng.randint(60, 500))
        enrolment = self.enrolment(pk, school, level, start, left, "dropout")
        if level == "entree":
            self.start_step(pk, enrolment, start)
            self.leaving_step(pk, enrolment, left)
        if rng.random() < 0.15:
            self.job(pk, left + _d(rng.randint(0, 30)), rng.choice(["8", "12", "24", "36"]))

    def _mbo(self, pk, profile, school, region_id):
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

    def _havo(self, pk, profile, school, region_id):
        rng, today = self.rng, self.today
        diploma = today - _d(rng.randint(30, 1500))
        self.qualification(pk, rng.choice(["havo", "vwo"]), diploma)
        if rng.random() < 0.4:
            self.enrolment(pk, school, "4", diploma + _d(rng.randint(40, 100)))

    def _exempt(self, pk, profile, school, region_id):
        rng, today = self.rng, self.today
        day = today - _d(rng.randint(30, 900))
        self.qualification(pk, rng.choice(["pro", "vso"]), day)
        if rng.random() < 0.3:
            self.job(pk, day + _d(rng.randint(0, 60)), rng.choice(["16", "24"]))

    def _vavo(self, pk, profile, school, region_id):
        rng, today = self.rng, self.today
        if rng.random() < 0.7:
            self.enrolment(pk, school, "vavo", today - _d(rng.randint(0, 300)))
        else:
            left = today - _d(rng.randint(10, 200))
            self.enrolment(pk, school, "vavo", left - _d(rng.randint(60, 300)), left, "other")

    def assign_mentors(self):
        """Give this batch's students of each school a mentor there, 25-35 each."""
        rng = self.rng
        for school in sorted(self.mentees):
            rows = self.mentees[school]
            at = 0
            for size in caseloads(len(rows), rng):
                user_id = self._id(User)
                first = rows[at][2].lower()  # the first mentee's number: unique per mentor
                self.rows[User].append(
                    (user_id, UNUSABLE, None, False, f"mentor.{first}@{MENTOR_DOMAIN}",
                     rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), True, False, self.now)
                )  # fmt: skip
                self.rows[Membership].append(
                    (self._id(Membership), user_id, school, "mentor", True, self.now)
                )
                for row in rows[at : at + size]:
                    row[11] = user_id
                at += size
        self.mentees.clear()


def _author_id():
    user, _ = User.objects.get_or_create(
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


def _fields(model):
    """The fields of COLUMNS[model], and the model's other NOT NULL fields that have a
    default (columns added after this generator was written, such as a `version`): those
    are written with the model's own default, so the population keeps up with the models."""
    # get_field accepts attnames ("student_id") as well as names.
    fields = [model._meta.get_field(name) for name in COLUMNS[model]]
    named = {field.attname for field in fields}
    extra = [
        field
        for field in model._meta.concrete_fields
        if field.attname not in named and not field.null and field.has_default()
    ]
    return fields, extra


def _with_defaults(values, extra):
    if not extra:
        return values
    return [tuple(row) + tuple(field.get_default() for field in extra) for row in values]


def _write(rows: dict):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
            for model, values in rows.items():
                if not values:
                    continue
                fields, extra = _fields(model)
                values = _with_defaults(values, extra)
                fields = fields + extra
                columns = ", ".join(f'"{field.column}"' for field in fields)
                as_json = [
                    i for i, field in enumerate(fields) if isinstance(field, models.JSONField)
                ]
                with raw.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
                    for row in values:
                        if as_json:
                            row = list(row)
                            for i in as_json:
                                row[i] = json.dumps(row[i])
                        copy.write_row(row)
    else:
        # executemany of prepared values rather than bulk_create: no model instances, and
        # auto_now_add fields keep the dates given here (a history row's `at`).
        with connection.cursor() as cursor:
            for model, values in rows.items():
                if not values:
                    continue
                fields, extra = _fields(model)
                values = _with_defaults(values, extra)
                fields = fields + extra
                columns = ", ".join(f'"{field.column}"' for field in fields)
                marks = ", ".join(["%s"] * len(fields))
                # Names from the model's meta, values as parameters.
                insert = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})"  # noqa: S608  # nosec B608
                cursor.executemany(
                    insert,
                    [
                        [
                            field.get_db_prep_save(value, connection)
                            for field, value in zip(fields, row, strict=True)
                        ]
                        for row in values
                    ],
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


def _case_table_agendas(agenda: dict, today: date, author_id: int) -> int:
    """A meeting next week at every region's case table, with students on its agenda."""
    from accounts.models import Region

    made = 0
    for region_id in sorted(key for key in agenda if key is not None):
        region = Region.objects.get(pk=region_id)
        table, created = CaseTable.objects.get_or_create(
            name=f"Doorstroomtafel {region.name} (synthetisch)",
            defaults={"scope_kind": "region", "region": region},
        )
        if created:
            table.member_organisations.set(
                Organisation.objects.filter(region=region).exclude(kind=OrganisationKind.REGION)
            )
        meeting = Meeting.objects.create(
            table=table, date=today + _d(7), status="planned", created_by_id=author_id
        )
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, student_id=student_id, position=position,
                       origin="signal", reason="Geen vervolgstap in zicht", added_by_id=author_id)
            for position, student_id in enumerate(agenda[region_id], start=1)
        )  # fmt: skip
        made += len(agenda[region_id])
    return made


def generate(*, students: int, seed: int, today: date | None = None, offset: int | None = None,
             progress=None) -> GenerateResult:  # fmt: skip
    """Create `students` synthetic students (with their records) in one transaction."""
    today = today or timezone.localdate()
    result = GenerateResult()
    rng = random.Random(seed)
    municipalities = list(Municipality.objects.order_by("pk").values_list("pk", "region_id"))
    organisations = {}
    for pk, kind, region_id in Organisation.objects.order_by("pk").values_list(
        "pk", "kind", "region_id"
    ):
        organisations.setdefault((kind, region_id), []).append(pk)
    if not municipalities or not any(kind == "school" for kind, _ in organisations):
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
        author_id = _author_id()  # before the ids: it may be a new user
        ids = _next_ids()
        first_student = ids[Student]
        generator = _Generator(
            rng, today, timezone.now(), author_id, municipalities, organisations, ids
        )
        for start in range(0, students, BATCH):
            for number in range(offset + start, offset + min(start + BATCH, students)):
                generator.student(number)
            generator.assign_mentors()
            _write(generator.rows)
            for model, values in generator.rows.items():
                setattr(result, COUNTERS[model], getattr(result, COUNTERS[model]) + len(values))
                values.clear()
            if progress:
                progress(result.students)
        _move_sequences(ids)
        # The stored startkwalificatie date, by its one writer (COPY sends no post_save).
        student_refresh_startkwalificatie(student_ids=range(first_student, ids[Student]))
        result.agenda_items = _case_table_agendas(generator.agenda, today, generator.author_id)
    return result
