"""Demo data for referrals (`manage.py seed_demo`, order 40; the Flexservice's follows at 41).

Through the same services as the browser: referrals of the Horizon mentor in every
state (draft, waiting, waiting longer than 10 working days, accepted with W&I
instruments, rejected, completed, withdrawn) to W&I, the Jongeren Startpunt and the care
partner. Idempotent: each part is skipped when its records exist.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.demo import CARE_ORGANISATION
from accounts.models import Organisation, User
from students.models import LegalBasis, Student

from . import services
from .models import Referral, ReferralKind

MENTOR = "mentor@horizon.demo"
WI = "Werk en Inkomen Noord-Holland Noord"
STARTPUNT = "Check-In en Doorstroompunt"


def _user(email):
    return User.objects.filter(email=email).first()


def _backdate(referral, day):
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=timezone.make_aware(datetime.combine(day, time(10)))
    )


def seed_referrals(ctx):
    _seed_handover(ctx)


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
