"""The Doorstroomtafel pages: the tables and meetings of the user, one meeting's page
(agenda preparation, the agenda, the minutes, addenda, history) and the agenda as PDF.

Every lookup starts from doorstroomtafel.queries (404 for anyone outside the meeting);
every change is a service; every POST redirects back to the meeting page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from students.models import AccessLog, Student
from students.queries import get_student_for_user, writable_students
from students.services import access_log

from . import services
from .forms import (
    ActionForm,
    AddendumForm,
    AddStudentForm,
    CandidateForm,
    MeetingForm,
    MinutesForm,
    NoteForm,
    ProposalForm,
)
from .models import (
    ActionItem,
    ActionStatus,
    Addendum,
    AgendaItem,
    MeetingChange,
    MeetingStatus,
    Proposal,
    ProposalStatus,
)
from .queries import (
    agenda_rows,
    can_edit,
    candidates,
    get_meeting_for_user,
    meetings_for_user,
    table_scope_q,
    tables_for_user,
)


def _error_text(error):
    if hasattr(error, "message_dict"):
        return " ".join(m for msgs in error.message_dict.values() for m in msgs)
    return " ".join(error.messages)


def _back(meeting, anchor=""):
    url = reverse("doorstroomtafel:meeting", args=[meeting.public_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
def index(request):
    """The user's case tables with their meetings; editors plan a new meeting here."""
    tables = list(
        tables_for_user(request.user)
        .select_related("region", "subregion", "school")
        .prefetch_related("meetings", "member_organisations")
    )
    return render(
        request,
        "doorstroomtafel/index.html",
        {"tables": tables, "can_edit": can_edit(request.user), "form": MeetingForm()},
    )


@login_required
@require_POST
def meeting_new(request, table_id):
    if not can_edit(request.user):
        raise Http404("No case table here")
    table = get_object_or_404(tables_for_user(request.user), pk=table_id)
    form = MeetingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Het overleg is niet aangemaakt: controleer datum en plaats."))
        return redirect("doorstroomtafel:index")
    meeting = services.meeting_create(table=table, actor=request.user, **form.cleaned_data)
    messages.success(request, _("Het overleg is gepland."))
    return _back(meeting)


def _meeting_context(request, meeting, *, today):
    user = request.user
    editor = can_edit(user)
    items = agenda_rows(meeting, today=today)
    table = meeting.table
    organisations, users = _member_choices(meeting)
    organisations = list(organisations.order_by("name"))
    users = list(users.order_by("email"))
    context = {
        "meeting": meeting,
        "table": table,
        "items": items,
        "can_edit": editor,
        "today": today,
        "organisations": organisations,
        "members": users,
        "show_minimum": meeting.status != MeetingStatus.MINUTES_FINAL,
    }
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.MINUTES_FINAL):
        minutes = {
            item.pk: item
            for item in AgendaItem.objects.filter(meeting=meeting)
            .select_related("lead_organisation", "lead_user")
            .prefetch_related(
                Prefetch(
                    "actions",
                    queryset=ActionItem.objects.select_related("owner", "owner_organisation"),
                )
            )
            .only("id", "discussion", "decision", "lead_organisation", "lead_user")
        }
        for item in items:
            minuted = minutes.get(item.pk)
            item.discussion = minuted.discussion
            item.decision = minuted.decision
            item.lead_organisation = minuted.lead_organisation
            item.lead_user = minuted.lead_user
            item.action_list = list(minuted.actions.all())
        context["addenda"] = list(
            Addendum.objects.filter(meeting=meeting).select_related("author", "item__student")
        )
        context["addendum_form"] = AddendumForm(items=items)
    if editor and meeting.status == MeetingStatus.PLANNED:
        context["candidates"] = candidates(meeting, today=today)
        context["proposals"] = list(
            Proposal.objects.filter(meeting=meeting, status=ProposalStatus.OPEN).select_related(
                "student", "proposed_by"
            )
        )
        context["add_form"] = AddStudentForm()
    context["history"] = list(
        MeetingChange.objects.filter(meeting=meeting)
        .select_related("actor")
        .order_by("-at", "-id")[:100]
    )
    return context


@login_required
def meeting_detail(request, public_id):
    meeting = get_meeting_for_user(request.user, public_id)
    today = timezone.localdate()
    context = _meeting_context(request, meeting, today=today)
    if context["items"]:
        access_log(
            user=request.user,
            action=AccessLog.Action.LIST_STUDENTS,
            students=[item.student_id for item in context["items"]],
            detail=f"doorstroomtafel: overleg {meeting.pk}",
        )
    return render(request, "doorstroomtafel/meeting.html", context)


@login_required
def agenda_pdf(request, public_id):
    """The agenda document: per student only the minimum of DOORSTROOMTAFEL.md."""
    from weasyprint import HTML

    meeting = get_meeting_for_user(request.user, public_id)
    if meeting.status == MeetingStatus.MINUTES_FINAL:
        raise Http404("The agenda is closed")
    today = timezone.localdate()
    items = agenda_rows(meeting, today=today)
    html = render_to_string(
        "doorstroomtafel/agenda_pdf.html",
        {"meeting": meeting, "table": meeting.table, "items": items, "today": today},
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    access_log(
        user=request.user,
        action=AccessLog.Action.DOWNLOAD,
        students=[item.student_id for item in items],
        detail=f"doorstroomtafel: agenda-pdf overleg {meeting.pk}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name names the meeting's date, never a student.
    response["Content-Disposition"] = (
        f'inline; filename="agenda-doorstroomtafel-{meeting.date:%Y-%m-%d}.pdf"'
    )
    return response


# --- Agenda preparation --------------------------------------------------------------


def _editable_meeting(request, public_id):
    return get_meeting_for_user(request.user, public_id, edit=True)


def _item(meeting, item_id):
    return get_object_or_404(
        AgendaItem.objects.select_related("student", "meeting__table"), meeting=meeting, pk=item_id
    )


@login_required
@require_POST
def item_add(request, public_id):
    meeting = _editable_meeting(request, public_id)
    scope = Student.objects.filter(table_scope_q(meeting.table))
    if "student" in request.POST:
        form = CandidateForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Kies een student en een reden."))
            return _back(meeting, "candidates")
        student = get_object_or_404(scope, public_id=form.cleaned_data["student"])
        origin = "signal"
    else:
        form = AddStudentForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Vul een studentnummer en een reden in."))
            return _back(meeting, "add-student")
        # Only students the preparer may see anyway: no probing for numbers.
        student = (
            Student.objects.visible_to(request.user)
            .filter(table_scope_q(meeting.table))
            .filter(student_number=form.cleaned_data["student_number"].strip())
            .first()
        )
        if student is None:
            messages.error(
                request, _("Geen student met dit nummer in het werkgebied van deze tafel.")
            )
            return _back(meeting, "add-student")
        origin = "manual"
    try:
        services.item_add(
            meeting=meeting,
            student=student,
            reason=form.cleaned_data["reason"],
            origin=origin,
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return _back(meeting, "agenda")


@login_required
@require_POST
def item_move(request, public_id, item_id):
    meeting = _editable_meeting(request, public_id)
    item = _item(meeting, item_id)
    direction = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.item_move(item=item, direction=direction, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return _back(meeting, f"item-{item.pk}")


@login_required
@require_POST
def item_remove(request, public_id, item_id):
    meeting = _editable_meeting(request, public_id)
    item = _item(meeting, item_id)
    try:
        services.item_remove(item=item, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return _back(meeting, "agenda")


@login_required
@require_POST
def item_note(request, public_id, item_id):
    meeting = _editable_meeting(request, public_id)
    item = _item(meeting, item_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.item_note_save(
                item=item, note=form.cleaned_data["preparation_note"], actor=request.user
            )
            messages.success(request, _("Notitie opgeslagen."))
        except ValidationError as error:
            messages.error(request, _error_text(error))
    return _back(meeting, f"item-{item.pk}")


@login_required
@require_POST
def proposal_decide(request, public_id, proposal_id, decision):
    if decision not in ("accept", "decline"):
        raise Http404("No such decision")
    meeting = _editable_meeting(request, public_id)
    proposal = get_object_or_404(
        Proposal.objects.select_related("student", "proposed_by", "meeting__table"),
        meeting=meeting,
        pk=proposal_id,
    )
    try:
        if decision == "accept":
            services.proposal_accept(proposal=proposal, actor=request.user)
        else:
            services.proposal_decline(proposal=proposal, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return _back(meeting, "agenda")


@login_required
@require_POST
def meeting_transition(request, public_id, step):
    meeting = _editable_meeting(request, public_id)
    service = {
        "finalise": services.agenda_finalise,
        "held": services.meeting_mark_held,
        "minutes-final": services.minutes_finalise,
    }.get(step)
    if service is None:
        raise Http404("No such step")
    try:
        service(meeting=meeting, actor=request.user)
        messages.success(request, _("De status van het overleg is bijgewerkt."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return _back(meeting)


# --- Minutes ---------------------------------------------------------------------------


def _member_choices(meeting):
    table = meeting.table
    organisations = table.member_organisations.all()
    users = User.objects.filter(pk__in=meeting.invited_users.values("pk")) | User.objects.filter(
        pk__in=table.member_users.values("pk")
    )
    return organisations, users.distinct()


@login_required
@require_POST
def item_minutes(request, public_id, item_id):
    meeting = _editable_meeting(request, public_id)
    item = _item(meeting, item_id)
    organisations, users = _member_choices(meeting)
    form = MinutesForm(request.POST, organisations=organisations, users=users)
    if not form.is_valid():
        messages.error(request, _("Het verslag van dit punt is niet opgeslagen."))
        return _back(meeting, f"item-{item.pk}")
    try:
        services.minutes_save(item=item, data=form.cleaned_data, actor=request.user)
        messages.success(request, _("Verslag opgeslagen."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return _back(meeting, f"item-{item.pk}")


@login_required
@require_POST
def item_action(request, public_id, item_id):
    meeting = _editable_meeting(request, public_id)
    item = _item(meeting, item_id)
    _organisations, users = _member_choices(meeting)
    form = ActionForm(request.POST, users=users)
    if not form.is_valid():
        messages.error(request, _("Vul wat, wie en de datum in."))
        return _back(meeting, f"item-{item.pk}")
    try:
        services.action_add(item=item, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Actie toegevoegd."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return _back(meeting, f"item-{item.pk}")


@login_required
@require_POST
def addendum_add(request, public_id):
    meeting = _editable_meeting(request, public_id)
    items = list(AgendaItem.objects.filter(meeting=meeting).select_related("student"))
    form = AddendumForm(request.POST, items=items)
    if not form.is_valid():
        messages.error(request, _("Schrijf de aanvulling of correctie."))
        return _back(meeting, "addenda")
    item = next((i for i in items if i.pk == form.cleaned_data["item"]), None)
    try:
        services.addendum_add(
            meeting=meeting, item=item, text=form.cleaned_data["text"], actor=request.user
        )
        messages.success(request, _("Addendum toegevoegd."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return _back(meeting, "addenda")


@login_required
@require_POST
def action_done(request, action_id):
    """The owner marks their action done (or an editor who takes part in the meeting)."""
    action = get_object_or_404(
        ActionItem.objects.select_related("item__meeting"), pk=action_id, status=ActionStatus.OPEN
    )
    meeting = action.item.meeting
    is_owner = action.owner_id == request.user.pk
    if not is_owner and not (
        can_edit(request.user) and meetings_for_user(request.user).filter(pk=meeting.pk).exists()
    ):
        raise Http404("No action here")
    try:
        services.action_complete(action=action, actor=request.user)
        messages.success(request, _("Actie afgerond."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect(
        request.POST.get("next") if request.POST.get("next", "").startswith("/") else "home"
    )


# --- A mentor's proposal, from the student's page -----------------------------------


def proposable_meetings(user, student, *, today):
    """Planned meetings whose table covers this student, for a mentor or coordinator who
    may write the student's file; empty for anyone else."""
    from .models import Meeting, ScopeKind

    membership = user.active_membership
    if membership is None or membership.role not in ("mentor", "school_coordinator"):
        return []
    meetings = list(
        Meeting.objects.filter(status=MeetingStatus.PLANNED, date__gte=today, table__is_active=True)
        .select_related("table")
        .prefetch_related("table__locations")
        .order_by("date", "pk")
    )
    if not meetings:
        return []
    if not writable_students(user).filter(pk=student.pk).exists():
        return []
    municipality = student.municipality
    enrolments = list(student.enrolments.values_list("institution_id", "location"))
    found = []
    for meeting in meetings:
        table = meeting.table
        if table.scope_kind == ScopeKind.REGION:
            covered = municipality.region_id == table.region_id
        elif table.scope_kind == ScopeKind.SUBREGION:
            covered = municipality.subregion_id == table.subregion_id
        else:
            names = {location.name.lower() for location in table.locations.all()}
            covered = any(
                institution_id == table.school_id and (not names or location.lower() in names)
                for institution_id, location in enrolments
            )
        if covered:
            found.append(meeting)
    return found


@login_required
@require_POST
def propose(request, public_id):
    student = get_student_for_user(request.user, public_id, write=True)
    today = timezone.localdate()
    meetings = proposable_meetings(request.user, student, today=today)
    if not meetings:
        raise Http404("Nothing to propose to")
    from .models import Meeting

    form = ProposalForm(
        request.POST, meetings=Meeting.objects.filter(pk__in=[m.pk for m in meetings])
    )
    if form.is_valid():
        try:
            services.proposal_create(
                meeting=form.cleaned_data["meeting"],
                student=student,
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
            messages.success(request, _("De student is voorgedragen voor de Doorstroomtafel."))
        except ValidationError as error:
            messages.error(request, _error_text(error))
    else:
        messages.error(request, _("Kies een overleg en vermeld de reden."))
    return redirect(reverse("students:detail", args=[student.public_id]) + "#doorstroomtafel")
