"""Demo data for the roadmap (`manage.py seed_demo`, registered in RoadmapConfig.ready()).

The students seeder puts the Entree students of Noord-Holland Noord in every stage of
the roadmap by their dates (just started, near the study advice, spring, near the end,
graduated with or without work, further education, dropped out). This seeder logs the
steps that belong to each stage through the same services as the browser, so the demo
data obeys the same rules: some steps are left undone (overdue), some were corrected
(the history keeps the earlier version) and a few saves were refused as conflicts.
Idempotent: an enrolment that already has a step is left alone.
"""

from datetime import timedelta

from django.db.models import Prefetch

from accounts.models import Membership, Role, User
from students.models import Employment, Enrolment

from .models import STEP_RELATED_NAMES, Perspective, StepKind
from .route import loaded_step, perspective_due, study_advice_due
from .services import contact_moment_log, step_conflict_record, step_log

# The roadmap is Noord-Holland Noord's: its schools' Entree students get a route.
SCHOOLS = ["Horizon College", "Clusius College", "ROC Kop van Noord-Holland"]
DEMO_MENTOR = "mentor@horizon.demo"

PERSPECTIVE_WEIGHTS = [
    (Perspective.WORK, 40),
    (Perspective.FURTHER_EDUCATION, 35),
    (Perspective.PRAKTIJKLEREN, 15),
    (Perspective.DAGBESTEDING, 10),
]
PLACES = {
    Perspective.DAGBESTEDING: ["Zorgboerderij De Wilg", "Dagbesteding Het Ambacht"],
    Perspective.PRAKTIJKLEREN: ["Kwekerij Het Zuiderveld", "Bouwbedrijf Kuijpers Schagen"],
}
LEAVING_REASONS = [
    "Te veel verzuim, opleiding past niet",
    "Verhuisd naar een andere regio",
    "Werk gevonden zonder diploma",
    "Persoonlijke omstandigheden",
]
NEXT_PROGRAMMES = ["Logistiek medewerker", "Verkoopmedewerker", "Helpende zorg en welzijn", "Kok"]


class _Seeder:
    def __init__(self, ctx):
        self.ctx = ctx
        self.today = ctx.today
        self.rng = ctx.random("roadmap")
        self.coordinators = {
            m.organisation_id: m.user
            for user in User.objects.filter(
                memberships__role=Role.SCHOOL_COORDINATOR, email__endswith=".demo"
            ).prefetch_related("memberships")
            for m in user.memberships.all()
            if m.role == Role.SCHOOL_COORDINATOR
        }
        self.mentor_schools = {}
        for user_id, organisation_id in Membership.objects.filter(
            role=Role.MENTOR, is_active=True
        ).values_list("user_id", "organisation_id"):
            self.mentor_schools.setdefault(user_id, set()).add(organisation_id)
        self.dsp = User.objects.filter(email="dsp@nhn.demo").first()
        self.other_mentor = User.objects.filter(email="mentor2@horizon.demo").first()
        self.counts = {"steps": 0, "corrections": 0, "conflicts": 0, "contacts": 0}
        self.demo_mentor_specials = {"correction": False, "conflict": False}

    def day(self, earliest, latest):
        """A day between two dates, never after today (steps are logged when done)."""
        latest = min(latest, self.today)
        if latest <= earliest:
            return min(earliest, self.today)
        return earliest + timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def log(self, enrolment, kind, data, actor):
        step = step_log(enrolment=enrolment, kind=kind, data=data, actor=actor, today=self.today)
        self.counts["steps"] += 1
        return step

    def author_for(self, enrolment):
        mentor = enrolment.student.mentor
        coordinator = self.coordinators.get(enrolment.institution_id)
        if mentor is not None and enrolment.institution_id in self.mentor_schools.get(
            mentor.pk, ()
        ):
            return mentor, coordinator
        return coordinator, coordinator

    def run(self):
        enrolments = (
            Enrolment.objects.filter(level="entree", institution__name__in=SCHOOLS)
            .exclude(start_date__gt=self.today)
            .select_related("student__mentor", "institution", *STEP_RELATED_NAMES.values())
            .prefetch_related(
                Prefetch("student__enrolments", queryset=Enrolment.objects.order_by("start_date")),
                Prefetch(
                    "student__employments", queryset=Employment.objects.order_by("start_date")
                ),
            )
            .order_by("student__student_number", "start_date")
        )
        skipped = 0
        for enrolment in enrolments:
            if any(loaded_step(enrolment, kind) for kind in STEP_RELATED_NAMES):
                skipped += 1
                continue
            author, coordinator = self.author_for(enrolment)
            if author is None:
                continue
            # Decisions per student and programme, so a second run decides the same
            # (idempotent) and so does a run on another day: the start date is relative
            # to the day of seeding and would make the demo differ from day to day.
            self.rng = self.ctx.random(
                f"roadmap-{enrolment.student.student_number}-{enrolment.programme}"
            )
            self.route(enrolment, author, coordinator or author)
        self.ctx.log(
            "roadmap: {steps} steps, {corrections} corrections, {conflicts} conflicts, "
            "{contacts} contact moments; ".format(**self.counts)
            + f"{skipped} enrolments already had steps"
        )

    def route(self, enrolment, author, coordinator):
        rng, today = self.rng, self.today
        start = enrolment.start_date
        last_day = min(enrolment.end_date or today, today)
        age = (last_day - start).days

        # Step 1: nearly always at the start; a few are forgotten (overdue after 4 weeks).
        if rng.random() < 0.92 or age < 10:
            self.log(
                enrolment,
                StepKind.START,
                {
                    "date": self.day(start, start + timedelta(days=5)),
                    "intake_origin": rng.choice(["pro", "vso", "vo", "vo", "doorstroompunt"]),
                    "warm_handover": rng.random() < 0.7,
                    "handover_with": rng.choice(["Vorige school", "Ouders en vorige school", ""]),
                    "parents_present": rng.random() < 0.5,
                    "transfer_system_loaded": True,
                    "transfer_system_reference": f"GC-{rng.randint(100000, 999999)}",
                    "lob_started_date": self.day(start, start + timedelta(days=14)),
                },
                author,
            )
        advice_due = study_advice_due(start)
        # Step 2: logged around week 16; the "overdue" window (week 16 to 20) stays open.
        advice = None
        if age >= 112 and not (enrolment.end_date is None and age <= 140 and rng.random() < 0.8):
            advice = "stop" if rng.random() < 0.12 else "continue"
            data = {
                "date": self.day(
                    advice_due - timedelta(days=10),
                    min(advice_due + timedelta(days=5), last_day),
                ),
                "advice": advice,
                "perspective_discussed": True,
                "perspective_note": rng.choice(
                    ["Wil graag werken in de logistiek", "Denkt aan mbo 2 zorg", ""]
                ),
                "followup_meeting_date": advice_due + timedelta(days=14),
            }
            self.log(enrolment, StepKind.STUDY_ADVICE, data, author)
            self.maybe_correct(enrolment, data, author, coordinator)

        if enrolment.end_reason == "dropout":
            self.leaving(enrolment, author, age)
            return
        # Step 3: a voluntary ABA for a few who threaten to drop out.
        if age >= 130 and rng.random() < 0.15:
            applied = self.day(start + timedelta(days=125), start + timedelta(days=160))
            self.log(
                enrolment,
                StepKind.ABA,
                {
                    "date": applied - timedelta(days=7),
                    "decision": "apply",
                    "applied_date": applied,
                    "uwv_outcome": rng.choice(["pending", "indicatie", "no_indicatie"]),
                    "doelgroepregister": rng.random() < 0.5,
                },
                author,
            )
        # Step 4: in spring; some in the spring window are still open.
        due = perspective_due(enrolment)
        if enrolment.end_reason != "diploma" and (
            age < 180 or (today <= due + timedelta(days=30) and rng.random() < 0.4)
        ):
            return
        perspective = self.perspective_for(enrolment)
        place = rng.choice(PLACES.get(perspective, [""]))
        step4_date = self.day(max(start, due - timedelta(days=30)), due)
        self.log(
            enrolment,
            StepKind.PERSPECTIVE,
            {
                "date": step4_date,
                "perspective": perspective,
                "destination_place": place,
                "startpunt_involved": perspective == Perspective.WORK and rng.random() < 0.5,
                "alob_started_date": step4_date if perspective == Perspective.WORK else None,
                "doorstroomtafel_agenda": advice == "stop",
            },
            author,
        )
        if perspective == Perspective.WORK:
            self.work(enrolment, author, step4_date)
        elif perspective == Perspective.FURTHER_EDUCATION:
            self.further(enrolment, author, step4_date)

    def perspective_for(self, enrolment):
        student = enrolment.student
        later = [
            e
            for e in student.enrolments.all()
            if e.start_date > enrolment.start_date and e.level != "entree"
        ]
        if later:
            return Perspective.FURTHER_EDUCATION
        if enrolment.end_reason == "diploma":
            return Perspective.WORK
        names = [name for name, _ in PERSPECTIVE_WEIGHTS]
        weights = [weight for _, weight in PERSPECTIVE_WEIGHTS]
        return self.rng.choices(names, weights=weights, k=1)[0]

    def work(self, enrolment, author, step4_date):
        """5a once there is a job of 12 hours or more (the students seeder made it)."""
        jobs = [
            job
            for job in enrolment.student.employments.all()
            if job.hours_per_week >= 12 and job.start_date >= enrolment.start_date
        ]
        if not jobs:
            return
        job = jobs[-1]
        started = self.day(step4_date, max(step4_date, job.start_date))
        lkv = self.rng.random() < 0.3
        # A contract that ended is a lost job; one that ends later is just its end date.
        lost = job.end_date if job.end_date and job.end_date <= self.today else None
        step = self.log(
            enrolment,
            StepKind.WORK,
            {
                "date": started,
                "employer": job.employer,
                "hours_per_week": job.hours_per_week,
                "employment_start": job.start_date,
                "employment_end": job.end_date,
                "contract_type": self.rng.choice(
                    ["fixed_term", "fixed_term", "permanent", "on_call"]
                ),
                "overgangsdocument_needed": self.rng.random() < 0.2,
                "job_lost_date": lost,
                "uwv_ww_checked": lost is not None,
                "instrument_jobcoach": self.rng.random() < 0.2,
                "instrument_lkv": lkv,
                "doelgroepverklaring_date": (
                    min(job.start_date + timedelta(days=30), self.today) if lkv else None
                ),
            },
            author,
        )
        # Work check-ins every three months after the diploma, while the job lasts.
        if enrolment.end_reason == "diploma":
            diploma = enrolment.end_date
            for k in (1, 2, 3, 4):
                day = diploma + timedelta(days=91 * k - self.rng.randint(0, 10))
                if day > self.today:
                    break
                working = job.end_date is None or job.end_date >= day
                contact_moment_log(
                    student=enrolment.student,
                    kind="work_checkin",
                    data={
                        "date": day,
                        "channel": self.rng.choice(["phone", "email", "in_person"]),
                        "still_working": working,
                        "hours_per_week": job.hours_per_week if working else None,
                        "note": "Gaat goed op het werk" if working else "Baan kwijt, DSP ingelicht",
                    },
                    actor=author,
                    enrolment=enrolment,
                    today=self.today,
                )
                self.counts["contacts"] += 1
        return step

    def further(self, enrolment, author, step4_date):
        later = [
            e
            for e in enrolment.student.enrolments.all()
            if e.start_date > enrolment.start_date and e.level != "entree"
        ]
        if later:
            target = later[0]
            programme, institution = target.programme, str(target.institution)
            confirmed = target.start_date if target.start_date <= self.today else None
        elif enrolment.end_date is None and (
            enrolment.planned_end_date or self.today
        ) - self.today < timedelta(days=60):
            programme = self.rng.choice(NEXT_PROGRAMMES)
            institution, confirmed = str(enrolment.institution), None
        else:
            return
        chosen = self.day(step4_date, step4_date + timedelta(days=40))
        self.log(
            enrolment,
            StepKind.FURTHER_EDUCATION,
            {
                "date": chosen,
                "programme": programme,
                "institution": institution,
                "registered_date": self.day(chosen, chosen + timedelta(days=14)),
                "handover_date": confirmed and self.day(chosen, confirmed),
                "handover_with": "Mentor van de vervolgopleiding" if confirmed else "",
                "enrolment_confirmed_date": confirmed,
            },
            author,
        )

    def leaving(self, enrolment, author, age):
        adult = (enrolment.end_date - enrolment.student.date_of_birth).days >= 18 * 365
        self.log(
            enrolment,
            StepKind.LEAVING,
            {
                "date": enrolment.end_date,
                "reason": self.rng.choice(LEAVING_REASONS),
                "doorstroomtafel_discussed": self.rng.random() < 0.7,
                "alob_started_date": None,
                "startpunt_involved": self.rng.random() < 0.4,
            },
            author,
        )
        if adult and self.dsp is not None:
            day = min(enrolment.end_date + timedelta(days=self.rng.randint(7, 30)), self.today)
            contact_moment_log(
                student=enrolment.student,
                kind="dsp_contact",
                data={
                    "date": day,
                    "channel": "phone",
                    "note": "Contact gelegd over een vervolgstap",
                },
                actor=self.dsp,
                today=self.today,
            )
            self.counts["contacts"] += 1

    def maybe_correct(self, enrolment, data, author, coordinator):
        """Some study advice is corrected later (the history keeps the earlier version);
        for a few, a second person's save was refused as a conflict."""
        demo = (
            enrolment.student.mentor is not None and enrolment.student.mentor.email == DEMO_MENTOR
        )
        specials = self.demo_mentor_specials
        correct = self.rng.random() < 0.15 or (demo and not specials["correction"])
        conflict = (not correct and self.rng.random() < 0.04) or (
            demo and specials["correction"] and not specials["conflict"]
        )
        if correct:
            corrected = data | {
                "date": min(data["date"] + timedelta(days=2), self.today),
                "perspective_note": (data["perspective_note"] + " (aangevuld na overleg)").strip(),
            }
            step_log(
                enrolment=enrolment,
                kind=StepKind.STUDY_ADVICE,
                data=corrected,
                actor=coordinator,
                expected_version=1,
                today=self.today,
            )
            self.counts["corrections"] += 1
            if demo:
                specials["correction"] = True
        elif conflict and self.other_mentor is not None:
            current = enrolment.study_advice_step
            step_conflict_record(
                enrolment=enrolment,
                kind=StepKind.STUDY_ADVICE,
                actor=coordinator if coordinator != author else self.other_mentor,
                expected_version=None,
                current=current,
                refused_data=data
                | {"advice": "stop" if data["advice"] == "continue" else "continue"},
            )
            self.counts["conflicts"] += 1
            if demo:
                specials["conflict"] = True


def seed_roadmap(ctx):
    _Seeder(ctx).run()
