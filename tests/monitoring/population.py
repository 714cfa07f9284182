"""A seeded random population written to the database, with the facts the oracle reads.

The facts are built from the generator's own values, not read back through the sweep's
loader, so the differential test compares two independent paths."""

import random
from datetime import date, timedelta

from accounts.models import Municipality, Organisation
from monitoring import rules
from roadmap.models import ContactMoment, PerspectiveStep, StudyAdviceStep
from students.models import Employment, Enrolment, Qualification, Student

LEVELS = ["entree", "entree", "entree", "2", "3", "vavo"]
QUALIFICATION_TYPES = ["vmbo", "entree", "entree", "pro", "havo", "mbo"]


def _day(rng, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def build_population(count: int, *, seed: int, author, number_offset=0) -> dict:
    """Create `count` students; returns {student id: (student_number, StudentFacts)}."""
    rng = random.Random(seed)
    municipalities = list(Municipality.objects.order_by("pk")[:40])
    schools = list(Organisation.objects.filter(kind="school").order_by("pk")[:3])
    author_organisation = author.active_membership.organisation
    students = [
        Student(
            student_number=f"{700000 + number_offset + n}",
            first_name="Test",
            last_name=f"Student {n}",
            date_of_birth=_day(rng, date(1997, 1, 1), date(2011, 12, 31))
            if n % 25
            else date(rng.choice([2004, 2008]), 2, 29),
            municipality=rng.choice(municipalities),
        )
        for n in range(count)
    ]
    Student.objects.bulk_create(students)
    enrolments, qualifications, employments = [], [], []
    for student in students:
        for _ in range(rng.choice([0, 1, 1, 1, 2, 2, 3])):
            level = rng.choice(LEVELS)
            start = _day(rng, date(2023, 8, 1), date(2026, 9, 1))
            planned = (
                start + timedelta(days=rng.choice([200, 300, 365])) if rng.random() < 0.7 else None
            )
            end, reason = None, ""
            if rng.random() < 0.6:
                end = start + timedelta(days=rng.randrange(20, 500))
                reason = rng.choice(["diploma", "diploma", "dropout", "switch", "other"])
                if level == "vavo" and reason == "diploma":
                    reason = "dropout"
            enrolments.append(
                Enrolment(
                    student=student,
                    institution=rng.choice(schools),
                    programme=rng.choice(["Entree", "Logistiek", " entree ", "Zorg"]),
                    level=level,
                    start_date=start,
                    planned_end_date=planned,
                    end_date=end,
                    end_reason=reason,
                )
            )
        seen = set()
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            kind = rng.choice(QUALIFICATION_TYPES)
            day = _day(rng, date(2023, 6, 1), date(2026, 12, 1))
            level = rng.choice([2, 3]) if kind == "mbo" else None
            if (kind, level, day) in seen:
                continue
            seen.add((kind, level, day))
            qualifications.append(Qualification(student=student, type=kind, level=level, date=day))
        for j in range(rng.choice([0, 0, 1, 1, 2])):
            start = _day(rng, date(2024, 1, 1), date(2026, 10, 1))
            end = start + timedelta(days=rng.randrange(10, 400)) if rng.random() < 0.5 else None
            employments.append(
                Employment(
                    student=student,
                    employer=f"Werkgever {j}",
                    hours_per_week=rng.choice([8, 11.5, 12, 16, 32]),
                    start_date=start,
                    end_date=end,
                )
            )
    Enrolment.objects.bulk_create(
        # Two enrolments may draw the same key: keep the first.
        list(
            {
                (e.student_id, e.institution_id, e.programme, e.start_date): e for e in enrolments
            }.values()
        )
    )
    enrolments = list(Enrolment.objects.filter(student__in=students))
    Qualification.objects.bulk_create(qualifications)
    Employment.objects.bulk_create(employments)

    advice, perspectives, contacts = [], [], []
    roadmaps = {}
    for enrolment in enrolments:
        if enrolment.level != "entree":
            continue
        values = {}
        if rng.random() < 0.4:
            day = enrolment.start_date + timedelta(days=rng.randrange(60, 200))
            choice = rng.choice(["continue", "stop"])
            advice.append(
                StudyAdviceStep(enrolment=enrolment, date=day, author=author, advice=choice)
            )
            values.update(study_advice_date=day, study_advice=choice)
        if rng.random() < 0.4:
            day = enrolment.start_date + timedelta(days=rng.randrange(120, 300))
            perspective = rng.choice(["work", "dagbesteding", "praktijkleren"])
            place = rng.choice(["", "De Plek", "  "])
            perspectives.append(
                PerspectiveStep(
                    enrolment=enrolment,
                    date=day,
                    author=author,
                    perspective=perspective,
                    destination_place=place,
                )
            )
            values.update(
                perspective_date=day,
                destinations=(rules.DestinationFact(perspective, place, day),),
            )
        if values:
            roadmaps.setdefault(enrolment.student_id, []).append(
                rules.RoadmapFact(enrolment_id=enrolment.pk, **values)
            )
    StudyAdviceStep.objects.bulk_create(advice)
    PerspectiveStep.objects.bulk_create(perspectives)
    checkins, dsp = {}, {}
    for student in students:
        for _ in range(rng.choice([0, 0, 1, 2])):
            kind = rng.choice(["work_checkin", "dsp_contact"])
            day = _day(rng, date(2024, 6, 1), date(2027, 6, 1))
            contacts.append(
                ContactMoment(
                    student=student,
                    kind=kind,
                    date=day,
                    channel="phone",
                    author=author,
                    author_organisation=author_organisation,
                )
            )
            (checkins if kind == "work_checkin" else dsp).setdefault(student.pk, []).append(day)
    ContactMoment.objects.bulk_create(contacts)

    by_student = {}
    for enrolment in enrolments:
        by_student.setdefault(enrolment.student_id, []).append(
            rules.EnrolmentFact(
                enrolment.pk,
                enrolment.level,
                enrolment.programme,
                enrolment.start_date,
                enrolment.planned_end_date,
                enrolment.end_date,
                enrolment.end_reason,
            )
        )
    quals = {}
    for q in qualifications:
        quals.setdefault(q.student_id, []).append(rules.QualificationFact(q.type, q.date, q.level))
    jobs = {}
    for e in employments:
        jobs.setdefault(e.student_id, []).append(
            rules.EmploymentFact(e.hours_per_week, e.start_date, e.end_date)
        )
    return {
        s.pk: (
            s.student_number,
            rules.StudentFacts(
                date_of_birth=s.date_of_birth,
                enrolments=tuple(by_student.get(s.pk, ())),
                qualifications=tuple(quals.get(s.pk, ())),
                employments=tuple(jobs.get(s.pk, ())),
                roadmaps=tuple(roadmaps.get(s.pk, ())),
                work_checkins=tuple(checkins.get(s.pk, ())),
                dsp_contacts=tuple(dsp.get(s.pk, ())),
            ),
        )
        for s in students
    }
