"""Demo notes (`seed_demo`, registered in CaseworkConfig.ready()): the demo mentor's
students get a journal with every confidentiality level, and Leerplicht wrote about a
few minors. Idempotent: a student with any note is left alone."""

from datetime import timedelta

from accounts.models import User
from students.models import Student

from .models import Confidentiality, Note, NoteChange, NoteKind

MENTOR = "mentor@horizon.demo"
LEERPLICHT = "leerplicht@nhn.demo"
TEXTS = [
    "Gesprek over de stage: gaat goed, komt op tijd. Afgesproken dat we over twee weken weer praten.",
    "Gebeld over verzuim van deze week. Student was ziek gemeld door ouder; volgende week terug.",
    "Huisbezoek samen met ouder: afspraken over vervoer naar school gemaakt.",
    "Mail gestuurd met de planning voor het studieadvies.",
]


def _note(student, author, level, kind, text, date):
    membership = author.memberships.filter(is_active=True).order_by("pk").first()
    return Note(
        student=student,
        author=author,
        organisation_id=membership.organisation_id,
        date=date,
        kind=kind,
        with_whom="student",
        text=text,
        level=level,
    )


def seed_notes(ctx):
    mentor = User.objects.filter(email=MENTOR).first()
    if mentor is None:
        return
    rng = ctx.random("casework")
    students = list(
        Student.objects.filter(mentor=mentor, notes__isnull=True).order_by("student_number")
    )
    notes = []
    levels = [Confidentiality.FILE, Confidentiality.ORGANISATION, Confidentiality.PRIVATE]
    for index, student in enumerate(students):
        # Every student a note that the whole file sees; some more at other levels.
        for n, level in enumerate(levels[: 1 + index % 3]):
            notes.append(
                _note(
                    student,
                    mentor,
                    level,
                    rng.choice(NoteKind.values),
                    rng.choice(TEXTS),
                    ctx.today - timedelta(days=7 * (n + 1) + index % 5),
                )
            )
    leerplicht = User.objects.filter(email=LEERPLICHT).first()
    if leerplicht is not None:
        for student in students[:5]:
            notes.append(
                _note(
                    student,
                    leerplicht,
                    Confidentiality.FILE,
                    NoteKind.PHONE,
                    "Telefonisch contact met ouder over het verzuim; afspraak op school gemaakt.",
                    ctx.today - timedelta(days=3),
                )
            )
    Note.objects.bulk_create(notes, batch_size=500)
    saved = Note.objects.filter(student__in=students).order_by("pk")
    NoteChange.objects.bulk_create(
        [
            NoteChange(
                note=note,
                action=NoteChange.Action.CREATE,
                actor_id=note.author_id,
                changes={"date": {"old": None, "new": note.date.isoformat()}},
            )
            for note in saved
        ],
        batch_size=500,
    )
    ctx.log(f"casework: {len(notes)} notes created")
