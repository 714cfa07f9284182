"""Every write of the Doorstroomtafel: keyword-only, atomic, with a history row.

The meeting's status moves planned -> agenda final -> held -> minutes final through
conditional UPDATEs (`WHERE status = <expected>`), so two people finalising at once
cannot both succeed. The agenda changes only while the meeting is planned, the minutes
only while it is held; finalised minutes take addenda, never edits.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import notifications, policy
from accounts.models import Membership
from accounts.notifications import NotificationKind
from monitoring.models import Assignee
from monitoring.signals_sync import Wanted, assignee_for, signals_sync
from students.models import LegalBasis
from students.services import ConcurrentEditError, disclosure_record

from .documents import agenda_title, table_label
from .forms import due_date_error, held_date_error, meeting_date_error
from .models import (
    ActionItem,
    ActionStatus,
    Addendum,
    AgendaItem,
    CaseTable,
    ItemOrigin,
    Meeting,
    MeetingChange,
    MeetingStatus,
    Proposal,
    ProposalStatus,
)
from .queries import ACTION_OVERDUE_KIND, DOORSTROOMTAFEL_SOURCE, is_candidate, student_in_scope

if TYPE_CHECKING:
    from accounts.models import Organisation, User
    from students.models import Student

LEGAL_REFERENCE = "Leerplichtwet / RMC-functie (WEB art. 8.3.1)"
AGENDA_SECTION = "doorstroomtafel_agenda"


class MeetingStateError(ValidationError):
    """The meeting is not (or no longer) in the status this change needs."""


class EmptyMinutesError(ValidationError):
    """Finalising minutes with items left empty needs an explicit confirmation; `items`
    names them."""

    def __init__(self, items: list[AgendaItem]) -> None:
        self.items = items
        names = ", ".join(f"{item.position}. {item.student.full_name}" for item in items)
        super().__init__(
            {
                "confirm_empty": _(
                    "Het verslag van deze punten is leeg: %(names)s. Bevestig dat u het "
                    "verslag toch definitief maakt."
                )
                % {"names": names}
            }
        )


def _check_version(current: Meeting | AgendaItem | CaseTable, expected_version: int | None) -> None:
    """Refuse a save based on a version the record no longer has (a lost update)."""
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError(current)


def _claim(
    model: type[Meeting] | type[AgendaItem],
    current: Meeting | AgendaItem,
    expected_version: int | None,
    **values: Any,
) -> None:
    """Write `values` only if the row still has the version the user read; bump it."""
    version = current.version if expected_version is None else expected_version
    updated = model.objects.filter(pk=current.pk, version=version).update(
        version=F("version") + 1, **values
    )
    if not updated:
        raise ConcurrentEditError(model.objects.get(pk=current.pk))


def _value(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def _history(
    meeting: Meeting,
    action: str,
    actor: User,
    changes: Mapping[str, Any] | None = None,
    item: AgendaItem | None = None,
) -> MeetingChange:
    return MeetingChange.objects.create(
        meeting=meeting, item=item, action=action, actor=actor, changes=changes or {}
    )


def _lock(meeting: Meeting, *statuses: str) -> Meeting:
    """The meeting's row, locked for this transaction, in one of `statuses`."""
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status not in statuses:
        raise MeetingStateError(
            _("Dit kan niet meer: het overleg heeft de status %(status)s.")
            % {"status": current.get_status_display()}
        )
    return current


def _transition(
    meeting: Meeting,
    source: str,
    target: str,
    actor: User,
    expected_version: int | None = None,
    **extra: Any,
) -> Meeting:
    rows = Meeting.objects.filter(pk=meeting.pk, status=source)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    updated = rows.update(status=target, version=F("version") + 1, **extra)
    if not updated:
        current = Meeting.objects.get(pk=meeting.pk)
        if current.status == source:
            raise ConcurrentEditError(current)
        raise MeetingStateError(
            _("Dit kan niet meer: het overleg heeft de status %(status)s.")
            % {"status": current.get_status_display()}
        )
    _history(meeting, "status", actor, {"status": {"old": source, "new": target}})
    meeting.refresh_from_db()
    return meeting


# --- Meetings ------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    table: CaseTable,
    date: date,
    actor: User,
    start_time: time | None = None,
    place: str = "",
    video_link: str = "",
    invited: Collection[User] = (),
    today: date | None = None,
) -> Meeting:
    """Plan a meeting (today or later). The table's standing member users are invited;
    `invited` adds people in person (a mentor, someone of another organisation)."""
    errors = {}
    error = meeting_date_error(date, today or timezone.localdate())
    if error:
        errors["date"] = error
    if not place and not video_link:
        errors["place"] = _("Vermeld een plaats of een videolink.")
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        table=table,
        date=date,
        start_time=start_time,
        place=place,
        video_link=video_link,
        created_by=actor,
    )
    meeting.invited_users.set(table.member_users.all())
    if invited:
        meeting.invited_users.add(*invited)
    _history(
        meeting,
        "create",
        actor,
        {
            "date": {"old": None, "new": _value(date)},
            "place": {"old": None, "new": place},
            "video_link": {"old": None, "new": video_link},
        },
    )
    carry_over_open_items(meeting=meeting, actor=actor)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    data: dict[str, Any],
    actor: User,
    expected_version: int | None = None,
    today: date | None = None,
) -> Meeting:
    """Change a meeting's details (date, time, place, link) while it is prepared."""
    current = _lock(meeting, MeetingStatus.PLANNED, MeetingStatus.AGENDA_FINAL)
    _check_version(current, expected_version)
    changes = {
        name: {"old": _value(getattr(current, name)), "new": _value(value)}
        for name, value in data.items()
        if getattr(current, name) != value
    }
    if not changes:
        return current
    if "date" in changes:
        error = meeting_date_error(data["date"], today or timezone.localdate())
        if error:
            raise ValidationError({"date": error})
    place = data.get("place", current.place)
    video_link = data.get("video_link", current.video_link)
    if not place and not video_link:
        raise ValidationError({"place": _("Vermeld een plaats of een videolink.")})
    _claim(Meeting, current, expected_version, **data)
    _history(current, "update", actor, changes)
    current.refresh_from_db()
    return current


def carry_over_open_items(*, meeting: Meeting, actor: User) -> list[AgendaItem]:
    """Items of earlier meetings of this table that still have an open action come onto
    this (planned) meeting's agenda, once per student."""
    if meeting.status != MeetingStatus.PLANNED:
        return []
    open_items = (
        AgendaItem.objects.filter(
            meeting__table_id=meeting.table_id,
            meeting__date__lt=meeting.date,
            actions__status=ActionStatus.OPEN,
        )
        .exclude(student_id__in=AgendaItem.objects.filter(meeting=meeting).values("student_id"))
        .select_related("student")
        .order_by("student_id", "-meeting__date", "-id")
        .distinct()
    )
    seen = set()
    added = []
    for item in open_items:
        if item.student_id in seen:
            continue
        seen.add(item.student_id)
        added.append(
            item_add(
                meeting=meeting,
                student=item.student,
                reason=_("Open actie uit het overleg van %(date)s")
                % {"date": item.meeting.date.strftime("%d-%m-%Y")},
                origin=ItemOrigin.CARRIED_OVER,
                actor=actor,
                carried_from=item,
            )
        )
    return added


@transaction.atomic
def table_members_set(
    *,
    table: CaseTable,
    member_organisations: Collection[Organisation],
    member_users: Collection[User],
    actor: User,
    expected_version: int | None = None,
) -> CaseTable:
    """Set a table's standing members: every standing member user belongs to one of the
    member organisations (an active membership there)."""
    current = CaseTable.objects.select_for_update().get(pk=table.pk)
    _check_version(current, expected_version)
    organisation_ids = [o.pk for o in member_organisations]
    outside = [u for u in member_users if not policy.may_be_standing_member(u, organisation_ids)]
    if outside:
        raise ValidationError(
            {
                "member_users": _(
                    "Een vaste deelnemer hoort bij een van de deelnemende organisaties; "
                    "dat geldt niet voor: %(names)s."
                )
                % {"names": ", ".join(str(u) for u in outside)}
            }
        )
    current.member_organisations.set(member_organisations)
    current.member_users.set(member_users)
    CaseTable.objects.filter(pk=current.pk).update(version=F("version") + 1)
    current.refresh_from_db()
    return current


# --- The agenda (planned only) -------------------------------------------------------


class AgendaAccessError(ValidationError):
    """The preparer may not put this student on this agenda (the view answers 404)."""


@transaction.atomic
def item_add(
    *,
    meeting: Meeting,
    student: Student,
    reason: str,
    origin: str,
    actor: User,
    preparation_note: str = "",
    carried_from: AgendaItem | None = None,
    today: date | None = None,
) -> AgendaItem:
    """Put a student on a planned agenda. Added by hand (`manual`), the student must be
    one the preparer may see; from the candidates (`signal`), one the rules propose or
    one the preparer may see. Carried-over items and accepted proposals come from the
    table's own records. Always within the table's scope."""
    _lock(meeting, MeetingStatus.PLANNED)
    if not reason.strip():
        raise ValidationError({"reason": _("Vermeld waarom de student op de agenda staat.")})
    if not student_in_scope(meeting.table, student):
        raise AgendaAccessError(_("Deze student valt buiten het werkgebied van deze tafel."))
    if origin in (ItemOrigin.MANUAL, ItemOrigin.SIGNAL):
        candidate = origin == ItemOrigin.SIGNAL and is_candidate(
            meeting, student, today=today or timezone.localdate()
        )
        if not policy.can_put_on_agenda(actor, meeting, student, is_candidate=candidate):
            raise AgendaAccessError(_("Deze student kunt u niet op deze agenda zetten."))
    position = (
        AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("position"))["m"] or 0
    ) + 1
    try:
        with transaction.atomic():
            item = AgendaItem.objects.create(
                meeting=meeting,
                student=student,
                position=position,
                origin=origin,
                reason=reason.strip()[:300],
                preparation_note=preparation_note,
                carried_from=carried_from,
                added_by=actor,
            )
    except IntegrityError:
        raise ValidationError(_("Deze student staat al op de agenda.")) from None
    _history(
        meeting,
        "item_add",
        actor,
        {
            "student": {"old": None, "new": student.full_name},
            "reason": {"old": None, "new": reason},
        },
        item=item,
    )
    return item


@transaction.atomic
def item_remove(*, item: AgendaItem, actor: User) -> None:
    _lock(item.meeting, MeetingStatus.PLANNED)
    _history(
        item.meeting,
        "item_remove",
        actor,
        {
            "student": {"old": item.student.full_name, "new": None},
            "reason": {"old": item.reason, "new": None},
        },
    )
    item.delete()


@transaction.atomic
def item_move(
    *, item: AgendaItem, direction: int, actor: User, expected_version: int | None = None
) -> None:
    """Swap the item with its neighbour above (-1) or below (+1). The order belongs to
    the agenda: `expected_version` is the meeting's version the user read."""
    meeting = _lock(item.meeting, MeetingStatus.PLANNED)
    _check_version(meeting, expected_version)
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "id"))
    ids = [i.pk for i in items]
    index = ids.index(item.pk)
    other = index + (1 if direction > 0 else -1)
    if other < 0 or other >= len(items):
        return
    items[index], items[other] = items[other], items[index]
    for number, row in enumerate(items, start=1):
        if row.position != number:
            AgendaItem.objects.filter(pk=row.pk).update(position=number)
    Meeting.objects.filter(pk=meeting.pk).update(version=F("version") + 1)
    _history(
        meeting,
        "item_move",
        actor,
        {"position": {"old": index + 1, "new": other + 1}},
        item=item,
    )


@transaction.atomic
def item_note_save(
    *, item: AgendaItem, note: str, actor: User, expected_version: int | None = None
) -> AgendaItem:
    """Save the preparation note; a note saved meanwhile by someone else is never
    overwritten (ConcurrentEditError carries the saved item)."""
    _lock(item.meeting, MeetingStatus.PLANNED)
    current = AgendaItem.objects.select_related("student").get(pk=item.pk)
    if current.preparation_note == note:
        return current
    _claim(AgendaItem, current, expected_version, preparation_note=note)
    _history(
        item.meeting,
        "item_note",
        actor,
        {"preparation_note": {"old": current.preparation_note, "new": note}},
        item=item,
    )
    current.refresh_from_db()
    return current


# --- Proposals -------------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *, meeting: Meeting, student: Student, reason: str, actor: User, today: date | None = None
) -> Proposal:
    """A mentor proposes one of their students (a coordinator one of the school's) for a
    planned meeting, today or later, whose table covers the student."""
    _lock(meeting, MeetingStatus.PLANNED)
    if not reason.strip():
        raise ValidationError({"reason": _("Vermeld waarom u de student voordraagt.")})
    if not policy.can_propose_for_meeting(actor, meeting, student):
        raise AgendaAccessError(_("Deze student kunt u niet voordragen."))
    if not student_in_scope(meeting.table, student):
        raise AgendaAccessError(_("Deze student valt buiten het werkgebied van deze tafel."))
    if meeting.date < (today or timezone.localdate()):
        raise ValidationError({"meeting": _("Dit overleg is al geweest: kies een volgend.")})
    if AgendaItem.objects.filter(meeting=meeting, student=student).exists():
        raise ValidationError(_("Deze student staat al op de agenda."))
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                meeting=meeting, student=student, reason=reason.strip()[:300], proposed_by=actor
            )
    except IntegrityError:
        raise ValidationError(_("Deze student is al voorgedragen.")) from None
    _history(meeting, "proposal", actor, {"student": {"old": None, "new": student.full_name}})
    return proposal


def _decide(proposal: Proposal, status: str, actor: User) -> None:
    updated = Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.OPEN).update(
        status=status, decided_by=actor, decided_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("Over dit voorstel is al besloten."))


@transaction.atomic
def proposal_accept(*, proposal: Proposal, actor: User) -> AgendaItem:
    _decide(proposal, ProposalStatus.ACCEPTED, actor)
    name = proposal.proposed_by.get_full_name() or proposal.proposed_by.email
    return item_add(
        meeting=proposal.meeting,
        student=proposal.student,
        reason=f"{proposal.reason} ({_('voorstel van %(name)s') % {'name': name}})",
        origin=ItemOrigin.PROPOSAL,
        actor=actor,
    )


@transaction.atomic
def proposal_decline(*, proposal: Proposal, actor: User) -> None:
    _lock(proposal.meeting, MeetingStatus.PLANNED)
    _decide(proposal, ProposalStatus.DECLINED, actor)
    _history(
        proposal.meeting,
        "proposal_declined",
        actor,
        {"student": {"old": proposal.student.full_name, "new": None}},
    )


# --- Finalising the agenda ------------------------------------------------------------


def meeting_member_organisations(meeting: Meeting) -> list[Organisation]:
    return list(meeting.table.member_organisations.all().order_by("pk"))


def meeting_recipients(meeting: Meeting) -> list[User]:
    """Everyone to notify: the invited people and the standing members by name."""
    users = {u.pk: u for u in meeting.invited_users.filter(is_active=True)}
    users.update({u.pk: u for u in meeting.table.member_users.filter(is_active=True)})
    return sorted(users.values(), key=lambda u: u.email)


@transaction.atomic
def agenda_finalise(
    *, meeting: Meeting, actor: User, notify: bool = True, expected_version: int | None = None
) -> Meeting:
    """Fix the agenda: notify the members and record one disclosure per student per
    member organisation (the agenda crosses organisation boundaries)."""
    items = list(AgendaItem.objects.filter(meeting=meeting).select_related("student"))
    if not items:
        raise ValidationError(_("Een lege agenda kan niet definitief worden."))
    meeting = _transition(
        meeting,
        MeetingStatus.PLANNED,
        MeetingStatus.AGENDA_FINAL,
        actor,
        expected_version=expected_version,
        agenda_final_at=timezone.now(),
    )
    from_organisation = actor.organisation
    for organisation in meeting_member_organisations(meeting):
        if organisation.pk == from_organisation.pk:
            continue
        for item in items:
            disclosure_record(
                student=item.student,
                actor=actor,
                from_organisation=from_organisation,
                to_organisation=organisation,
                sections=[AGENDA_SECTION],
                legal_basis=LegalBasis.WETTELIJKE_TAAK,
                legal_reference=LEGAL_REFERENCE,
                source=DOORSTROOMTAFEL_SOURCE,
                source_id=meeting.pk,
                description=str(meeting),
            )
    if notify:
        notifications.notify(
            meeting_recipients(meeting),
            NotificationKind.AGENDA_FINAL,
            _("De agenda van %(table)s op %(date)s is definitief")
            % {"table": table_label(meeting.table), "date": meeting.date.strftime("%d-%m-%Y")},
            reverse("doorstroomtafel:meeting", args=[meeting.public_id]),
        )
        recipients = [u.email for u in meeting_recipients(meeting) if u.email]
        transaction.on_commit(lambda: _mail_agenda(meeting, recipients))
    return meeting


def _mail_agenda(meeting: Meeting, recipients: list[str]) -> None:
    # No student names in the e-mail: the agenda itself stays behind the login.
    link = settings_site_url() + reverse("doorstroomtafel:meeting", args=[meeting.public_id])
    subject = agenda_title(meeting)
    body = _(
        "De agenda van %(table)s op %(date)s is definitief.\n"
        "U vindt de agenda na inloggen in Koers: %(link)s\n"
    ) % {
        "table": table_label(meeting.table),
        "date": meeting.date.strftime("%d-%m-%Y"),
        "link": link,
    }
    send_mass_mail(
        [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in recipients],
        fail_silently=True,
    )


def settings_site_url() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


@transaction.atomic
def meeting_mark_held(
    *,
    meeting: Meeting,
    actor: User,
    today: date | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """The meeting took place: on or after its date."""
    error = held_date_error(meeting.date, today or timezone.localdate())
    if error:
        raise ValidationError({"date": error})
    return _transition(
        meeting,
        MeetingStatus.AGENDA_FINAL,
        MeetingStatus.HELD,
        actor,
        expected_version=expected_version,
    )


# --- Minutes (held only) --------------------------------------------------------------

MINUTES_FIELDS = ("discussion", "decision", "lead_organisation", "lead_user")


@transaction.atomic
def minutes_save(
    *,
    item: AgendaItem,
    data: dict[str, Any],
    actor: User,
    expected_version: int | None = None,
) -> AgendaItem:
    """The minutes of one item: discussion, decision, lead (one of the table's member
    organisations, and a person who takes part in the meeting)."""
    meeting = _lock(item.meeting, MeetingStatus.HELD)
    current = AgendaItem.objects.select_related("lead_organisation", "lead_user").get(pk=item.pk)
    _check_version(current, expected_version)
    values = {name: data.get(name) for name in MINUTES_FIELDS if name in data}
    for name in ("discussion", "decision"):
        if name in values:
            values[name] = values[name] or ""
    lead_organisation = values.get("lead_organisation")
    if (
        lead_organisation is not None
        and not meeting.table.member_organisations.filter(pk=lead_organisation.pk).exists()
    ):
        raise ValidationError(
            {"lead_organisation": _("De regie ligt bij een van de deelnemende organisaties.")}
        )
    lead_user = values.get("lead_user")
    if lead_user is not None and not policy.can_take_part_in(lead_user, meeting):
        raise ValidationError(
            {"lead_user": _("Deze persoon neemt niet deel aan dit overleg: kies een deelnemer.")}
        )
    changes = {
        name: {"old": _value(getattr(current, name)), "new": _value(value)}
        for name, value in values.items()
        if getattr(current, name) != value
    }
    if not changes:
        return current
    # Conditional: the item's meeting must still be held, and the item have the version
    # the user read, when the row is written.
    updated = AgendaItem.objects.filter(
        pk=item.pk, meeting__status=MeetingStatus.HELD, version=current.version
    ).update(version=F("version") + 1, **values)
    if not updated:
        latest = AgendaItem.objects.select_related("meeting").get(pk=item.pk)
        if latest.meeting.status != MeetingStatus.HELD:
            raise MeetingStateError(_("Het verslag is definitief: voeg een addendum toe."))
        raise ConcurrentEditError(latest)
    _history(item.meeting, "minutes", actor, changes, item=item)
    current.refresh_from_db()
    return current


def owner_organisation_for(user: User, meeting: Meeting) -> Organisation:
    """The organisation an action's owner acts for at this table: a member organisation
    (mentors excepted) if they have one, else (invited in person) their own."""
    member_ids = set(meeting.table.member_organisations.values_list("pk", flat=True))
    memberships = list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation")
        .order_by("pk")
    )
    for membership in memberships:
        if membership.organisation_id in member_ids and not policy.is_mentor(membership):
            return membership.organisation
    if memberships:
        return memberships[0].organisation
    raise ValidationError({"owner": _("Deze persoon heeft geen organisatie.")})


@transaction.atomic
def action_add(
    *, item: AgendaItem, what: str, owner: User, due_date: date, actor: User
) -> ActionItem:
    """An action for someone who takes part in the meeting, due on or after its date."""
    meeting = _lock(item.meeting, MeetingStatus.HELD)
    errors = {}
    if not what.strip():
        errors["what"] = _("Vermeld wat er moet gebeuren.")
    if not policy.can_take_part_in(owner, meeting):
        errors["owner"] = _("Deze persoon neemt niet deel aan dit overleg: kies een deelnemer.")
    error = due_date_error(due_date, meeting.date)
    if error:
        errors["due_date"] = error
    if errors:
        raise ValidationError(errors)
    action = ActionItem.objects.create(
        item=item,
        what=what.strip()[:300],
        owner=owner,
        owner_organisation=owner_organisation_for(owner, item.meeting),
        due_date=due_date,
        created_by=actor,
    )
    notifications.notify(
        owner,
        NotificationKind.ACTION_ASSIGNED,
        _("Nieuwe actie voor u uit %(table)s van %(date)s, uiterlijk %(due)s")
        % {
            "table": table_label(meeting.table),
            "date": meeting.date.strftime("%d-%m-%Y"),
            "due": due_date.strftime("%d-%m-%Y"),
        },
        reverse("doorstroomtafel:meeting", args=[meeting.public_id]),
        student_id=item.student_id,
    )
    _history(
        item.meeting,
        "action_add",
        actor,
        {
            "what": {"old": None, "new": action.what},
            "owner": {"old": None, "new": str(owner)},
            "due_date": {"old": None, "new": _value(due_date)},
        },
        item=item,
    )
    return action


@transaction.atomic
def action_complete(
    *, action: ActionItem, actor: User, expected_version: int | None = None
) -> ActionItem:
    """The owner (or an editor) marks an action done; its overdue signal closes."""
    rows = ActionItem.objects.filter(pk=action.pk, status=ActionStatus.OPEN)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    updated = rows.update(
        status=ActionStatus.DONE, done_at=timezone.now(), done_by=actor, version=F("version") + 1
    )
    if not updated:
        current = ActionItem.objects.get(pk=action.pk)
        if current.status == ActionStatus.OPEN:
            raise ConcurrentEditError(current)
        raise ValidationError(_("Deze actie is al afgerond."))
    meeting = action.item.meeting
    _history(
        meeting,
        "action_done",
        actor,
        {
            "status": {"old": ActionStatus.OPEN, "new": ActionStatus.DONE},
            "what": {"old": action.what, "new": action.what},
        },
        item=action.item,
    )
    _close_overdue_signals(today=timezone.localdate())
    action.refresh_from_db()
    return action


def empty_minutes_items(meeting: Meeting) -> list[AgendaItem]:
    """The items whose minutes are still empty (nothing discussed, no decision)."""
    return list(
        AgendaItem.objects.filter(meeting=meeting, discussion="", decision="")
        .select_related("student")
        .order_by("position", "id")
    )


@transaction.atomic
def minutes_finalise(
    *,
    meeting: Meeting,
    actor: User,
    confirm_empty: bool = False,
    expected_version: int | None = None,
) -> Meeting:
    """Lock the minutes; items with open actions go onto the table's next planned
    meeting straight away (a meeting planned later picks them up when created). Items
    left empty are named and need `confirm_empty`."""
    if not confirm_empty:
        empty = empty_minutes_items(meeting)
        if empty:
            raise EmptyMinutesError(empty)
    meeting = _transition(
        meeting,
        MeetingStatus.HELD,
        MeetingStatus.MINUTES_FINAL,
        actor,
        expected_version=expected_version,
        minutes_final_at=timezone.now(),
    )
    following = (
        Meeting.objects.filter(
            table_id=meeting.table_id, status=MeetingStatus.PLANNED, date__gt=meeting.date
        )
        .order_by("date", "pk")
        .first()
    )
    if following is not None:
        carry_over_open_items(meeting=following, actor=actor)
    return meeting


@transaction.atomic
def addendum_add(
    *, meeting: Meeting, text: str, actor: User, item: AgendaItem | None = None
) -> Addendum:
    _lock(meeting, MeetingStatus.MINUTES_FINAL)
    if not text.strip():
        raise ValidationError({"text": _("Schrijf de aanvulling of correctie.")})
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError(_("Dit agendapunt hoort niet bij dit overleg."))
    addendum = Addendum.objects.create(meeting=meeting, item=item, text=text.strip(), author=actor)
    _history(meeting, "addendum", actor, {"text": {"old": None, "new": addendum.text}}, item=item)
    return addendum


# --- The sweep's check: overdue actions raise a signal for their owner -------------------


def check_overdue_actions(*, today: date) -> dict[str, int]:
    """Every `action_overdue` signal that an open action past its due date asks for is
    open, and those whose action is done are closed: the one signal writer
    (monitoring.signals_sync) writes the difference, so a second run writes nothing."""
    written = signals_sync(DOORSTROOMTAFEL_SOURCE, _wanted_overdue_signals(today=today), today)
    return {"opened": written.opened, "closed": written.closed}


def _wanted_overdue_signals(*, today: date | None = None) -> list[Wanted]:
    """One signal per (student, due date) of the open actions past their due date (all
    open actions without `today`), for the owner's organisation (the first action's)."""
    rows = ActionItem.objects.filter(status=ActionStatus.OPEN)
    if today is not None:
        rows = rows.filter(due_date__lt=today)
    return [
        Wanted(
            student_id=student_id,
            kind=ACTION_OVERDUE_KIND,
            due_date=due_date,
            assignee=assignee_for(kind, Assignee.DOORSTROOMPUNT),
            organisation_id=organisation_id,
        )
        for student_id, due_date, organisation_id, kind in rows.order_by(
            "item__student_id", "due_date", "pk"
        ).values_list(
            "item__student_id", "due_date", "owner_organisation_id", "owner_organisation__kind"
        )
    ]


def _close_overdue_signals(*, today: date) -> int:
    """Between two runs (an action marked done): close the signals no open action asks
    for any more, and open nothing."""
    written = signals_sync(
        DOORSTROOMTAFEL_SOURCE, _wanted_overdue_signals(), today, only_close=True
    )
    return written.closed
