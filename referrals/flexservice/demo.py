"""Demo data for the Flexservice (`manage.py seed_demo`, order 41, right after the
referrals): an intake desk queue for ROC Mondriaan and mboRijnland in every column, and
maatwerk trajectories per location. Through the same services as the browser.
Idempotent: each part is skipped when its records exist.
"""

from datetime import timedelta

from django.contrib.auth.hashers import make_password

from accounts.models import Membership, Municipality, Organisation, Role, User
from students.models import Enrolment, Student

from ..demo import _user
from ..models import IntakeRegistration, MaatwerkTrajectory
from . import services

DESKS = [("ROC Mondriaan", "loket@mondriaan.demo"), ("mboRijnland", "loket@rijnland.demo")]


def seed_flexservice(ctx):
    _seed_desks(ctx)
    _seed_trajectories(ctx)


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
