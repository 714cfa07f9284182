"""Demo data for referrals and the Flexservice (`manage.py seed_demo`, order 40).

Through the same services as the browser: referrals of the Horizon mentor in every
state (draft, waiting, waiting longer than 10 working days, accepted with W&I
instruments, rejected, completed, withdrawn) to W&I, the Jongeren Startpunt and the care
partner; an intake desk queue for ROC Mondriaan and mboRijnland in every column; and
maatwerk trajectories per location. Idempotent: each part is skipped when its records
exist.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.demo import CARE_ORGANISATION
from accounts.models import Membership, Municipality, Organisation, Role, User
from students.models import Enrolment, LegalBasis, Student

from . import services
from .models import IntakeRegistration, MaatwerkTrajectory, Referral, ReferralKind

MENTOR = "mentor@horizon.demo"
WI = "Werk en Inkomen Noord-Holland Noord"
STARTPUNT = "Check-In en Doorstroompunt"
DESKS = [("ROC Mondriaan", "loket@mondriaan.demo"), ("mboRijnland", "loket@rijnland.demo")]


def _user(email):
    return User.objects.filter(email=email).first()


def _backdate(referral, day):
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=timezone.make_aware(datetime.combine(day, time(10)))
    )


def seed_referrals(ctx):
    _seed_handover(ctx)
    _seed_desks(ctx)
    _seed_trajectories(ctx)


def _seed_handover(ctx):
    mentor = _user(MENTOR)
    if mentor is None or Referral.objects.filter(created_by=mentor).exists():
        return
    wi, startpunt = _user("wi@nhn.demo"), _user("startpunt@nhn.demo")
    care = _user("zorg@nhn.demo")
    students = list(Student.objects.filter(mentor=mentor).order_by("student_number")[:8])
    if len(students) < 8 or not (wi and startpunt and care):
        return
    to = {
        "wi": Organisation.objects.get(name=WI),
        "startpunt": Organisation.objects.get(name=STARTPUNT),
        "care": Organisation.objects.get(name=CARE_ORGANISATION),
    }
    base = {"legal_basis": LegalBasis.WETTELIJKE_TAAK, "legal_reference": "WEB art. 8.1.8a"}

    def make(student, receiver, sections, *, send=True, **extra):
        values = {**base, "question": "Kunnen jullie deze jongere begeleiden naar werk?", **extra}
        referral = services.referral_create(
            actor=mentor,
            student=student,
            to_organisation=to[receiver],
            sections=sections,
            **values,
        )
        if send:
            services.referral_send(referral=referral, actor=mentor)
        return referral

    make(
        students[0],
        "wi",
        ["contact", "roadmap_summary"],
        kind=ReferralKind.OVERGANGSDOCUMENT,
        question="Overgangsdocument: begeleiding bij de start van werk.",
        overgangsdocument={
            "situation": "Rondt Entree af, heeft een leerwerkplek in de logistiek.",
            "work_capacity": "Kan zelfstandig eenvoudige taken uitvoeren.",
            "hour_limits": "Maximaal 24 uur per week",
            "wishes": "Werk in een magazijn, dichtbij huis.",
            "support_needed": "Jobcoach in de eerste maanden.",
            "agreements": "Warme overdracht in een driegesprek.",
            "contacts": "Mentor: M. de Boer",
        },
    )
    accepted = make(students[1], "wi", ["contact", "perspective", "aba"])
    services.referral_accept(referral=accepted, actor=wi)
    services.instruments_record(
        referral=accepted,
        actor=wi,
        data={"jobcoach": True, "lkv": True, "job_start_date": ctx.today - timedelta(days=30)},
    )
    overdue = make(
        students[2],
        "startpunt",
        ["contact", "support_needs"],
        support_needs="Hulp bij het vinden van een passende werkplek.",
    )
    _backdate(overdue, ctx.today - timedelta(days=21))
    accepted_sp = make(students[3], "startpunt", ["contact", "roadmap_summary"])
    services.referral_accept(referral=accepted_sp, actor=startpunt)
    rejected = make(
        students[4],
        "care",
        ["contact"],
        legal_basis=LegalBasis.CONSENT,
        legal_reference="",
        consent_given_by="de student zelf",
        consent_given_on=ctx.today - timedelta(days=10),
    )
    services.referral_reject(referral=rejected, actor=care, reason="Past niet bij ons aanbod.")
    completed = make(
        students[5], "care", ["contact", "support_needs"], support_needs="Schuldhulp en structuur."
    )
    services.referral_accept(referral=completed, actor=care)
    services.referral_complete(
        referral=completed, actor=care, outcome="support", note="Begeleiding gestart."
    )
    withdrawn = make(students[6], "wi", ["contact"])
    services.referral_withdraw(referral=withdrawn, actor=mentor, note="Student vond zelf werk.")
    make(students[7], "startpunt", ["contact"], send=False)
    ctx.log("referrals: 8 referrals in every state")


REGISTRATIONS = [
    # (first, last, referred_by, status/outcome)
    ("Anouar", "El Amrani", "vo", "new"),
    ("Britt", "Hoekstra", "leerplicht", "new"),
    ("Daan", "Verhoeven", "care", "in_intake"),
    ("Esra", "Yilmaz", "self", "in_intake"),
    ("Jordy", "Pinas", "leerplicht", "in_consultation"),
    ("Kiki", "van Leeuwen", "vo", "placed"),
    ("Mo", "Haddou", "leerplicht", "placed"),
    ("Nina", "de Graaf", "care", "outside_education"),
    ("Ryan", "Bouman", "self", "referred_on"),
    ("Sabine", "Koster", "vo", "no_route"),
    ("Tarik", "Aziz", "other", "withdrawn"),
]


def _seed_desks(ctx):
    rijnland = Organisation.objects.get(name="mboRijnland", kind="school")
    if not User.objects.filter(email="loket@rijnland.demo").exists():
        user = User.objects.create(
            email="loket@rijnland.demo",
            password=make_password(ctx.password),
            first_name="Joyce",
            last_name="Stam",
        )
        Membership.objects.get_or_create(user=user, organisation=rijnland, role=Role.INTAKE_DESK)
    for desk_name, email in DESKS:
        desk = Organisation.objects.get(name=desk_name, kind="school")
        user = _user(email)
        if user is None or IntakeRegistration.objects.filter(desk=desk).exists():
            continue
        town = Municipality.objects.filter(region=desk.region).order_by("name")
        rng = ctx.random(f"desk-{desk_name}")
        # The young people placed are former students of the ROC who came back to the
        # desk: the placement links their existing file (and every demo student's
        # creation stays in its own demo history).
        returning = iter(
            Student.objects.filter(enrolments__institution=desk)
            .distinct()
            .order_by("student_number")
        )
        for index, (first, last, referred_by, state) in enumerate(REGISTRATIONS):
            dob = ctx.today - timedelta(days=365 * 17 + rng.randint(0, 900))
            municipality = town[index % town.count()]
            if state == "placed":
                known = next(returning)
                first, last, dob = known.first_name, known.last_name, known.date_of_birth
                municipality = known.municipality
            registration = services.registration_create(
                actor=user,
                desk=desk,
                data={
                    "first_name": first,
                    "last_name": last,
                    "date_of_birth": dob,
                    "municipality": municipality,
                    "referred_by": referred_by,
                    "question": "Welke opleiding of route past?",
                    "situation": "Thuiszitter sinds enkele maanden.",
                    "registered_on": ctx.today - timedelta(days=60 - index * 4),
                },
            )
            if state == "new":
                continue
            services.registration_record_intake(
                registration=registration,
                actor=user,
                intake_date=ctx.today - timedelta(days=40 - index * 3),
                intake_notes="Gesprek met jongere en ouder.",
            )
            if state == "in_intake":
                continue
            services.registration_consult(
                registration=registration, actor=user, partners="Leerplicht, zorgpartner"
            )
            if state == "in_consultation":
                continue
            services.registration_close(
                registration=registration,
                actor=user,
                outcome=state,
                data={
                    "institution": desk,
                    "programme": "Logistiek medewerker" if index % 2 else "Medewerker ICT",
                    "level": "3" if index % 2 else "2",
                    "start_date": ctx.today - timedelta(days=7),
                    "location": "",
                    "outside_route": "work",
                    "place": "Werkleerbedrijf De Haven",
                    "referred_to": "Jongerenloket gemeente",
                },
            )
        ctx.log(f"referrals: intake desk queue for {desk_name}")


TRAJECTORY_OUTCOMES = ["retained", "retained", "routed", "dropped_out", "", "retained", ""]


def _seed_trajectories(ctx):
    for desk_name, email in DESKS:
        desk = Organisation.objects.get(name=desk_name, kind="school")
        user = _user(email)
        if user is None or MaatwerkTrajectory.objects.filter(school=desk).exists():
            continue
        enrolments = list(
            Enrolment.objects.filter(institution=desk)
            .exclude(location="")
            .select_related("student")
            .order_by("student__student_number")[:14]
        )
        for index, enrolment in enumerate(enrolments):
            start = max(enrolment.start_date, ctx.today - timedelta(days=200))
            trajectory = services.trajectory_start(
                actor=user,
                student=enrolment.student,
                data={
                    "location": enrolment.location,
                    "level": enrolment.level,
                    "start_date": start,
                    "reason": "Veel verzuim en twijfel over de opleiding.",
                    "expert": "Jeugdhulp op locatie" if index % 2 else "Schoolmaatschappelijk werk",
                    "goals": "Weer regelmatig naar school; passende keuze maken.",
                },
            )
            services.trajectory_contact_add(
                trajectory=trajectory, actor=user, date=start, note="Startgesprek."
            )
            outcome = TRAJECTORY_OUTCOMES[index % len(TRAJECTORY_OUTCOMES)]
            if outcome:
                services.trajectory_end(
                    trajectory=trajectory,
                    actor=user,
                    end_date=min(start + timedelta(days=60), ctx.today),
                    outcome=outcome,
                    routed_to="Bbl bij een werkgever" if outcome == "routed" else "",
                )
        ctx.log(f"referrals: {len(enrolments)} maatwerk trajectories for {desk_name}")
