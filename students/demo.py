"""Demo data of the students app: a believable student population for both regions,
seeded through the registry in `accounts.demo` (order 20).

Names and dates come from a random generator with a fixed seed, so two runs on the same
day generate the same people; dates are relative to the day of seeding so that students
stand in every stage of the Entree roadmap (just started, near the 16-week study advice,
spring, near the planned end, graduated with or without work, dropped out). The name
lists, employers, programmes and schools live in `demo_data/*.json`.
"""

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from accounts.demo import DemoContext, register_seeder
from accounts.models import Municipality, Organisation, OrganisationKind, User

from .models import Employment, Enrolment, Qualification, RecordChange, Student
from .services import SECRET_FIELDS, history_value

# --- Students ----------------------------------------------------------------------------

# The name lists live in data files beside this module (students/demo_data/*.json).
_DATA = Path(__file__).resolve().parent / "demo_data"


def _load(name):
    with (_DATA / name).open(encoding="utf-8") as handle:
        return json.load(handle)


_names = _load("names.json")
FIRST_NAMES = _names["first_names"]
LAST_NAMES = _names["last_names"]
EMPLOYERS = {k: v for k, v in _load("employers.json").items() if not k.startswith("_")}
_programmes = _load("programmes.json")
PROGRAMMES = _programmes["general"]
# Clusius College is a green school: its own programmes replace the general ones.
GREEN_PROGRAMMES = _programmes["green"]
# (institution, student number prefix, e-mail domain, [(location, [(municipality, weight)])])
SCHOOLS = [
    (
        school["institution"],
        school["student_number_prefix"],
        school["email_domain"],
        [
            (place["location"], [(m, w) for m, w in place["municipalities"]])
            for place in school["locations"]
        ],
    )
    for school in _load("schools.json")["schools"]
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
