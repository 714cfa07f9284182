"""Demo data (`manage.py seed_demo`, after monitoring's sweep): a case table per
sub-region of Noord-Holland Noord, each with a held meeting whose minutes are final
(with actions, one of them overdue) and a planned meeting with a proposed agenda (the
open items carried over, candidates from the day's signals, a mentor's proposal).
Idempotent: a table that already has meetings is left alone.
"""

from datetime import timedelta

from accounts import policy
from accounts.models import Organisation, OrganisationKind, SubRegion, User

from . import services
from .models import CaseTable, ScopeKind
from .queries import candidates

SUBREGIONS = {
    "Noord-Kennemerland": ["Horizon College", "Clusius College"],
    "West-Friesland": ["Horizon College", "Clusius College"],
    "Kop van Noord-Holland": ["ROC Kop van Noord-Holland", "Clusius College"],
}
DISCUSSIONS = [
    (
        "School, Leerplicht en Doorstroompunt kennen de student; contact met thuis loopt.",
        "Doorstroompunt neemt contact op voor een gesprek over werk of opleiding.",
    ),
    (
        "De student zoekt werk; een plek bij het Jongeren Startpunt is besproken.",
        "Aanmelden bij het Jongeren Startpunt; Leerplicht volgt het verzuim.",
    ),
    (
        "Stopadvies gegeven; een overstap naar een andere Entree-richting is mogelijk.",
        "Mentor plant een gesprek over de overstap.",
    ),
]


def _user(email):
    return User.objects.filter(email=email).first()


def seed_doorstroomtafel(ctx):
    leerplicht = _user("leerplicht@nhn.demo")
    dsp = _user("dsp@nhn.demo")
    if leerplicht is None or dsp is None:
        return
    today = ctx.today
    made = 0
    for subregion_name, schools in SUBREGIONS.items():
        subregion = SubRegion.objects.select_related("region").get(name=subregion_name)
        table, _created = CaseTable.objects.get_or_create(
            name=f"Doorstroomtafel {subregion_name}",
            defaults={
                "scope_kind": ScopeKind.SUBREGION,
                "region": subregion.region,
                "subregion": subregion,
            },
        )
        if table.meetings.exists():
            continue
        organisations = list(
            Organisation.objects.filter(name__in=schools, kind=OrganisationKind.SCHOOL)
        ) + list(
            Organisation.objects.filter(
                region=subregion.region,
                kind__in=[
                    OrganisationKind.LEERPLICHT,
                    OrganisationKind.DOORSTROOMPUNT,
                    OrganisationKind.WI,
                ],
            )
        )
        organisations += list(
            Organisation.objects.filter(
                subregion=subregion, kind=OrganisationKind.JONGEREN_STARTPUNT
            )
        )
        # Standing member users belong to one of the table's member organisations: the
        # Horizon coordinator stands at the tables where Horizon College is a member,
        # never at the Kop van Noord-Holland's (ROC Kop and Clusius College). Meetings
        # invite the standing member users; nobody else is invited in person.
        candidates_by_name = [
            leerplicht,
            dsp,
            _user("coordinator@horizon.demo"),
            _user("coordinator@clusius.demo"),
            _user("startpunt@nhn.demo"),
        ]
        organisation_ids = [o.pk for o in organisations]
        members = [
            u
            for u in candidates_by_name
            if u is not None and policy.may_be_standing_member(u, organisation_ids)
        ]
        services.table_members_set(
            table=table, member_organisations=organisations, member_users=members, actor=None
        )
        _seed_meetings(ctx, table, leerplicht, dsp, today)
        made += 1
    ctx.log(f"doorstroomtafel: {made} tables with meetings")


def _seed_meetings(ctx, table, leerplicht, dsp, today):
    rng = ctx.random(f"doorstroomtafel-{table.name}")
    held_date = today - timedelta(days=28)
    # History: the held meeting was planned (on its own day) four weeks ago.
    held = services.meeting_create(
        table=table,
        date=held_date,
        start_time=None,
        place="Stadhuis, vergaderzaal 2",
        actor=leerplicht,
        today=held_date,
    )
    first = candidates(held, today=today)[:3]
    for candidate in first:
        services.item_add(
            meeting=held,
            student=candidate["student"],
            reason=candidate["reason"],
            origin="signal",
            actor=leerplicht,
            today=today,
        )
    if not first:
        return
    services.agenda_finalise(meeting=held, actor=leerplicht, notify=False)
    services.meeting_mark_held(meeting=held, actor=leerplicht, today=today)
    lead_dsp = dsp.memberships.first().organisation
    lead_lp = leerplicht.memberships.first().organisation
    for number, item in enumerate(held.items.order_by("position")):
        discussion, decision = DISCUSSIONS[number % len(DISCUSSIONS)]
        adult = number % 2 == 0
        services.minutes_save(
            item=item,
            data={
                "discussion": discussion,
                "decision": decision,
                "lead_organisation": lead_dsp if adult else lead_lp,
                "lead_user": dsp if adult else leerplicht,
            },
            actor=leerplicht,
        )
        if number == 0:
            services.action_add(
                item=item,
                what="Gesprek met de student over werk of opleiding",
                owner=dsp,
                due_date=today + timedelta(days=rng.randint(5, 12)),
                actor=leerplicht,
            )
        elif number == 1:
            services.action_add(
                item=item,
                what="Verzuim nagaan bij de school",
                owner=leerplicht,
                due_date=today - timedelta(days=3),
                actor=leerplicht,
            )
    services.minutes_finalise(meeting=held, actor=leerplicht)
    planned = services.meeting_create(
        table=table,
        date=today + timedelta(days=14),
        start_time=None,
        place="Stadhuis, vergaderzaal 2",
        video_link="https://vergaderen.example.nl/doorstroomtafel",
        actor=leerplicht,
        today=today,
    )
    for candidate in candidates(planned, today=today)[:4]:
        services.item_add(
            meeting=planned,
            student=candidate["student"],
            reason=candidate["reason"],
            origin="signal",
            actor=leerplicht,
            today=today,
        )
    _seed_proposal(planned, today)
    services.check_overdue_actions(today=today)


def _seed_proposal(meeting, today):
    """mentor@horizon.demo proposes one of their students for the Kennemerland table."""
    from students.models import Student

    from .queries import table_scope_q

    mentor = _user("mentor@horizon.demo")
    if mentor is None:
        return
    student = (
        Student.objects.filter(table_scope_q(meeting.table), mentor=mentor)
        .exclude(agenda_items__meeting=meeting)
        .order_by("student_number")
        .first()
    )
    if student is None:
        return
    services.proposal_create(
        meeting=meeting,
        student=student,
        reason="Veel verzuim sinds de kerstvakantie; twijfelt over de opleiding",
        actor=mentor,
        today=today,
    )
