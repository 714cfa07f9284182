"""The Doorstroomtafel pages: the tables and meetings of the user, one meeting's page
(agenda preparation, the agenda, the minutes, addenda, history) and the agenda as PDF.

Every lookup starts from doorstroomtafel.queries (404 for anyone outside the meeting);
every change is a service; every POST redirects back to the meeting page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import policy
from accounts.models import User
from accounts.pdf import render_pdf
from students.models import AccessLog, Student
from students.queries import get_student_for_user, may_write_student
from students.services import ConcurrentEditError, access_log

from . import documents, services
from .forms import (
    ActionDoneForm,
    ActionForm,
    AddendumForm,
    AddStudentForm,
    CandidateForm,
    MeetingDetailsForm,
    MeetingForm,
    MinutesForm,
    MoveForm,
    NoteForm,
    ProposalForm,
    TransitionForm,
)
from .models import (
    ActionItem,
    ActionStatus,
    Addendum,
    AgendaItem,
    Meeting,
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
    is_candidate,
    meetings_for_user,
    student_in_scope,
    table_scope_q,
    tables_for_user,
    tables_with_visible_meetings,
)


def _error_text(error):
    if hasattr(error, "message_dict"):
        return " ".join(m for msgs in error.message_dict.values() for m in msgs)
    return " ".join(error.messages)


def _apply_errors(form, error):
    """A service's ValidationError onto the form: each message on its field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _back(meeting, anchor=""):
    url = reverse("doorstroomtafel:meeting", args=[meeting.public_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _index_response(request, *, failed=None, status=200):
    """The user's tables, each with only the meetings the user sees (accounts.policy);
    editors plan a meeting at the tables they stand at."""
    user = request.user
    tables = list(
        tables_with_visible_meetings(user)
        .select_related("region", "subregion", "school")
        .prefetch_related(
            Prefetch("meetings", queryset=meetings_for_user(user).order_by("-date", "-id")),
            "member_organisations",
        )
    )
    plannable = set(tables_for_user(user).values_list("pk", flat=True)) if can_edit(user) else set()
    for table in tables:
        table.can_plan = table.pk in plannable
        table.plan_form = failed[1] if failed and failed[0] == table.pk else None
    return render(
        request,
        "doorstroomtafel/index.html",
        {"tables": tables, "can_edit": bool(plannable)},
        status=status,
    )


@login_required
def index(request):
    return _index_response(request)


@login_required
@require_POST
def meeting_new(request, table_id):
    table = get_object_or_404(tables_for_user(request.user), pk=table_id)
    if not policy.can_plan_meeting_at(request.user, table):
        raise Http404("No case table here")
    form = MeetingForm(request.POST, today=timezone.localdate())
    if form.is_valid():
        try:
            meeting = services.meeting_create(table=table, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Het overleg is gepland."))
            return _back(meeting)
    messages.error(request, _("Het overleg is niet gepland: zie de meldingen bij de velden."))
    return _index_response(request, failed=(table.pk, form), status=400)


def _meeting_context(request, meeting, *, today, failed=None, show_candidates=False):
    """The meeting page. `failed` is (kind, item id or None, form) of a refused form,
    shown again with each error on its field. The candidates are only looked for when
    asked (`show_candidates`, the page's ?kandidaten=tonen without JavaScript); otherwise
    the page loads them when the preparer opens their list (?deel=kandidaten)."""
    user = request.user
    # The meeting was loaded through the user's visible meetings: the role decides.
    editor = can_edit(user)
    items = agenda_rows(meeting, today=today)
    table = meeting.table
    organisations, users = _member_choices(meeting)
    organisations = list(organisations.order_by("name"))
    users = list(users.order_by("email"))
    _with_urls(meeting, items)
    context = {
        "meeting": meeting,
        "table": table,
        "items": items,
        "can_edit": editor,
        "planned_editor": editor and meeting.status == MeetingStatus.PLANNED,
        # One hidden input for the page's many forms, as {% csrf_token %} renders it.
        "csrf_input": csrf_input(request),
        "today": today,
        "organisations": organisations,
        "members": users,
        "show_minimum": meeting.status != MeetingStatus.MINUTES_FINAL,
        "transition_form": failed[2] if failed and failed[0] == "transition" else None,
        "details_form": failed[2] if failed and failed[0] == "details" else None,
    }
    if editor and meeting.status == MeetingStatus.HELD:
        context["participants"] = list(_participants(meeting).order_by("email"))
    for item in items:
        # Set, so the template's look-up of an absent form is cheap (a failed look-up
        # on a model instance costs a dir() of it, per item and form).
        item.note_form = item.minutes_form = item.action_form = None
        if failed and item.pk == failed[1]:
            setattr(item, f"{failed[0]}_form", failed[2])
    if context["show_minimum"]:
        _item_minimum(items)
    if context["planned_editor"]:
        _item_controls(meeting, items, context["csrf_input"])
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.MINUTES_FINAL):
        context["addenda"] = _with_minutes(meeting, items)
        context["addendum_form"] = AddendumForm(items=items)
    if "participants" in context:
        _item_choices(items, organisations, context["participants"])
    if editor and meeting.status == MeetingStatus.PLANNED:
        if show_candidates:
            context.update(_candidates_context(meeting, today, context["csrf_input"]))
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


def _candidates_context(meeting, today, csrf_input):
    found = candidates(meeting, today=today)
    return {"candidates": found, "candidate_rows": _candidate_rows(meeting, found, csrf_input)}


def _candidate_rows(meeting, found, csrf_input):
    """The candidates' table rows, each with its form to put the student on the agenda.
    Built here, as the admin builds its change list's rows: a hundred rows of template
    cost more than finding them."""
    add_url = reverse("doorstroomtafel:item_add", args=[meeting.public_id])
    label = _("Op de agenda")
    return format_html_join(
        "\n",
        '<tr class="candidate" data-student="{0}" data-kinds="{1}"><td>{0}</td><td>{2}</td>'
        '<td><form method="post" action="{3}">{4}'
        '<input type="hidden" name="student" value="{5}">'
        '<input type="hidden" name="reason" value="{2}">'
        '<button class="btn btn-sm btn-outline-primary" type="submit"'
        ' data-action="add-candidate">{6}<span class="visually-hidden">: {0}</span></button>'
        "</form></td></tr>",
        (
            (
                candidate["student"].full_name,
                " ".join(candidate["kinds"]),
                candidate["reason"],
                add_url,
                csrf_input,
                candidate["student"].public_id,
                label,
            )
            for candidate in found
        ),
    )


def _item_controls(meeting, items, csrf_input):
    """Per item of a planned meeting, the preparer's forms: up, down, off the agenda and
    the preparation note (with the errors of a refused note). Built here for the same
    reason as the candidates' rows: thirty items of template forms cost more than the
    agenda's queries."""
    words = {
        "up": _("Omhoog"),
        "down": _("Omlaag"),
        "remove": _("Van de agenda halen"),
        "note": _("Voorbereidingsnotitie"),
        "save": _("Opslaan"),
    }
    last = len(items) - 1
    for index, item in enumerate(items):
        name = item.student.full_name
        form = item.note_form
        errors = ""
        note = item.preparation_note
        if form is not None:
            errors = format_html_join(
                "",
                '<div class="text-danger small">{}</div>',
                ((e,) for e in form.non_field_errors()),
            )
            if form["version"].errors:
                errors += format_html(
                    '<div class="text-danger small">{}</div>',
                    _("Laad de pagina opnieuw: deze versie van de notitie bestaat niet."),
                )
            note = form["preparation_note"].value() or ""
        item.controls = format_html(
            '<div class="d-flex flex-wrap gap-2 align-items-end">{}{}'
            '<form method="post" action="{}">{}'
            '<button class="btn btn-sm btn-outline-danger" type="submit" data-action="remove">'
            '{}<span class="visually-hidden">: {}</span></button></form>'
            '<form method="post" action="{}" class="flex-grow-1">{}'
            '<input type="hidden" name="version" value="{}">{}'
            '<label class="form-label small" for="note-{}">{}</label>'
            '<div class="d-flex gap-2"><textarea class="form-control form-control-sm" rows="1"'
            ' name="preparation_note" id="note-{}">{}</textarea>'
            '<button class="btn btn-sm btn-outline-primary" type="submit">{}</button></div>'
            "</form></div>",
            _move_form(item, meeting, csrf_input, "up", index == 0, words["up"], name),
            _move_form(item, meeting, csrf_input, "down", index == last, words["down"], name),
            item.remove_url,
            csrf_input,
            words["remove"],
            name,
            item.note_url,
            csrf_input,
            item.version,
            errors,
            item.pk,
            words["note"],
            item.pk,
            note,
            words["save"],
        )


def _item_minimum(items):
    """Per item the agenda's minimum (DOORSTROOMTAFEL.md) as the page shows it: age,
    school and programme, reason, latest step, open signals, preparation note. Built here
    with the controls (the agenda PDF has its own template)."""
    words = [
        _("Leeftijd"),
        _("School en opleiding"),
        _("Reden op de agenda"),
        _("Laatste stap"),
        _("Open signalen"),
        _("Voorbereidingsnotitie"),
    ]
    years = _("jaar")
    row = '<dt class="col-sm-3">{}</dt><dd class="col-sm-9">{}</dd>'
    for item in items:
        school = item.school or "—"
        if item.programme:
            school = format_html("{}, {}", school, item.programme)
        step = item.latest_step
        signals = "; ".join(
            f"{signal['label']} ({signal['due_date']:%d-%m-%Y})" for signal in item.open_signals
        )
        values = [
            f"{item.age} {years}",
            school,
            item.reason,
            f"{step['label']} ({step['date']:%d-%m-%Y})" if step else "—",
            signals or "—",
            linebreaksbr(item.preparation_note or "—", autoescape=True),
        ]
        item.minimum = format_html(
            '<dl class="row mb-1 small">{}</dl>',
            format_html_join("", row, zip(words, values, strict=True)),
        )


def _item_choices(items, organisations, participants):
    """Per item of a held meeting, the options of its minutes' lead and its new action's
    owner: each list built once for the page and only the chosen option marked per item
    (thirty items of template loops over every participant, twice, cost more than the
    page's queries)."""
    organisation_options = format_html_join(
        "", '<option value="{}">{}</option>', ((o.pk, o) for o in organisations)
    )
    user_options = format_html_join(
        "",
        '<option value="{}">{} ({})</option>',
        ((u.pk, u, u.email) for u in participants),
    )
    for item in items:
        lead_organisation = item.lead_organisation.pk if item.lead_organisation else None
        lead_user = item.lead_user.pk if item.lead_user else None
        owner = item.action_form["owner"].value() if item.action_form is not None else None
        item.lead_organisation_options = _chosen(organisation_options, lead_organisation)
        item.lead_user_options = _chosen(user_options, lead_user)
        item.owner_options = _chosen(user_options, owner)


def _chosen(options, value):
    """The options with the one of `value` selected (the values are ids: a value that is
    not one selects nothing)."""
    if value is None or value == "":
        return options
    value = conditional_escape(str(value))
    mark = f'<option value="{value}">'
    if mark not in options:
        return options
    # The options were escaped when built and the value is escaped: one attribute added.
    return mark_safe(  # noqa: S308  # nosec B308 B703
        options.replace(mark, f'<option value="{value}" selected>', 1)
    )


def _move_form(item, meeting, csrf_input, direction, disabled, word, name):
    return format_html(
        '<form method="post" action="{}">{}<input type="hidden" name="version" value="{}">'
        '<input type="hidden" name="direction" value="{}">'
        '<button class="btn btn-sm btn-outline-secondary" type="submit" data-action="move-{}"{}>'
        '{}<span class="visually-hidden">: {}</span></button></form>',
        item.move_url,
        csrf_input,
        meeting.version,
        direction,
        direction,
        " disabled" if disabled else "",
        word,
        name,
    )


# The forms of each agenda item, by the attribute that holds their address.
ITEM_URLS = {
    "move_url": "doorstroomtafel:item_move",
    "remove_url": "doorstroomtafel:item_remove",
    "note_url": "doorstroomtafel:item_note",
    "minutes_url": "doorstroomtafel:item_minutes",
    "action_url": "doorstroomtafel:item_action",
}


def _with_urls(meeting, items):
    """Each item's form addresses: every name reversed once, the item's id put in its
    place (not reversed again per item and form)."""
    mark = "2147483647"
    for attribute, name in ITEM_URLS.items():
        head, _mark, tail = reverse(name, args=[meeting.public_id, mark]).rpartition(f"/{mark}/")
        for item in items:
            setattr(item, attribute, f"{head}/{item.pk}/{tail}")


def _with_minutes(meeting, items):
    """The minutes onto the agenda rows (discussion, decision, lead, actions), as the
    meeting page and the minutes PDF show them; returns the meeting's addenda."""
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
    return list(Addendum.objects.filter(meeting=meeting).select_related("author", "item__student"))


def _meeting_response(
    request, meeting, *, failed=None, status=200, extra=None, show_candidates=False
):
    today = timezone.localdate()
    context = _meeting_context(
        request, meeting, today=today, failed=failed, show_candidates=show_candidates
    )
    context.update(extra or {})
    if context["items"]:
        access_log(
            user=request.user,
            action=AccessLog.Action.LIST_STUDENTS,
            students=[item.student_id for item in context["items"]],
            detail=f"doorstroomtafel: overleg {meeting.pk}",
        )
    return render(request, "doorstroomtafel/meeting.html", context, status=status)


@login_required
def meeting_detail(request, public_id):
    """The meeting page; a POST (an editor, while the meeting is prepared) changes its
    details: date, time, place, link, with the version the user read."""
    if request.method == "POST":
        return _meeting_details(request, public_id)
    meeting = get_meeting_for_user(request.user, public_id)
    if request.htmx and request.GET.get("deel") == "kandidaten":
        return _candidates_part(request, meeting)
    return _meeting_response(
        request, meeting, show_candidates=request.GET.get("kandidaten") == "tonen"
    )


def _candidates_part(request, meeting):
    """The candidates' list, loaded when the preparer opens it on the meeting page (the
    rule book over the table's scope is the page's most expensive part, and the page is
    shown again after every agenda change: issue 16). Only for an editor while the
    meeting is planned, as the page shows it; anyone else finds nothing here."""
    if not (can_edit(request.user) and meeting.status == MeetingStatus.PLANNED):
        raise Http404("No candidates here")
    found = _candidates_context(meeting, timezone.localdate(), csrf_input(request))
    context = {"meeting": meeting, **found}
    response = render(request, "doorstroomtafel/_candidates.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _meeting_details(request, public_id):
    meeting = _editable_meeting(request, public_id)
    form = MeetingDetailsForm(request.POST, instance=meeting, today=timezone.localdate())
    if not form.is_valid():
        return _refused(request, meeting, "details", None, form)
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    saved = Meeting.objects.get(pk=meeting.pk)
    try:
        services.meeting_update(
            meeting=meeting,
            data=data,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except ConcurrentEditError as conflict:
        current = conflict.current
        return _conflict(
            request,
            current,
            what=_("de gegevens van het overleg"),
            rows=[
                {
                    "label": form.fields[name].label,
                    "saved": _display(getattr(current, name)),
                    "yours": _display(data.get(name)),
                }
                for name in ("date", "start_time", "place", "video_link")
            ],
            change=_last_change(meeting),
            action_url=reverse("doorstroomtafel:meeting", args=[meeting.public_id]),
            resubmit={
                "date": data["date"].isoformat() if data.get("date") else "",
                "start_time": data["start_time"].strftime("%H:%M")
                if data.get("start_time")
                else "",
                "place": data.get("place") or "",
                "video_link": data.get("video_link") or "",
                "version": current.version,
            },
        )
    except services.MeetingStateError as error:
        messages.error(request, _error_text(error))
    except ValidationError as error:
        form.instance = saved
        return _refused(request, meeting, "details", None, form, error)
    else:
        messages.success(request, _("De gegevens van het overleg zijn opgeslagen."))
    return _back(meeting)


def _display(value):
    if value is None or value == "":
        return "—"
    if hasattr(value, "strftime"):
        return value.strftime("%d-%m-%Y") if not hasattr(value, "hour") else value.strftime("%H:%M")
    return value


def _refused(request, meeting, kind, item, form, error=None):
    """Show the meeting page again with the refused form's errors on its fields."""
    if error is not None:
        _apply_errors(form, error)
    messages.error(request, _("Niet opgeslagen: zie de meldingen bij de velden."))
    return _meeting_response(
        request, meeting, failed=(kind, item.pk if item else None, form), status=400
    )


def _conflict(request, meeting, *, what, rows, change, action_url, resubmit):
    """A stale save: nothing was written. Both versions side by side (as the roadmap's
    steps do); saving again carries the saved version, so it is a deliberate choice."""
    return render(
        request,
        "doorstroomtafel/conflict.html",
        {
            "meeting": meeting,
            "what": what,
            "rows": [{**row, "differs": str(row["saved"]) != str(row["yours"])} for row in rows],
            "change": change,
            "action_url": action_url,
            "resubmit": resubmit,
        },
        status=409,
    )


def _last_change(meeting, item=None):
    changes = MeetingChange.objects.filter(meeting=meeting).select_related("actor")
    if item is not None:
        changes = changes.filter(item=item)
    return changes.order_by("-at", "-id").first()


@login_required
def agenda_pdf(request, public_id):
    """The agenda document: per student only the minimum of DOORSTROOMTAFEL.md. Open
    while the meeting is planned and held; once the minutes are final the page no longer
    shows the minimum, and the minutes PDF takes its place."""
    meeting = get_meeting_for_user(request.user, public_id)
    if meeting.status == MeetingStatus.MINUTES_FINAL:
        raise Http404("The agenda is closed")
    today = timezone.localdate()
    items = agenda_rows(meeting, today=today)
    pdf = render_pdf(
        "doorstroomtafel/agenda_pdf.html",
        {"meeting": meeting, "table": meeting.table, "items": items, "today": today},
        user=request.user,
        title=documents.agenda_title(meeting),
        request=request,
        landscape=True,
    )
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


@login_required
def minutes_pdf(request, public_id):
    """The minutes as PDF, for whoever sees the meeting (accounts.policy, "Case
    tables"), with what the meeting page shows them: per item the reason, what was
    discussed, the decision, the lead and the actions, and the addenda. Only once the
    meeting is held (before that there are no minutes)."""
    meeting = get_meeting_for_user(request.user, public_id)
    if meeting.status not in (MeetingStatus.HELD, MeetingStatus.MINUTES_FINAL):
        raise Http404("No minutes yet")
    items = agenda_rows(meeting, today=timezone.localdate())
    addenda = _with_minutes(meeting, items)
    pdf = render_pdf(
        "doorstroomtafel/minutes_pdf.html",
        {"meeting": meeting, "table": meeting.table, "items": items, "addenda": addenda},
        user=request.user,
        title=documents.minutes_title(meeting),
        request=request,
    )
    access_log(
        user=request.user,
        action=AccessLog.Action.DOWNLOAD,
        students=[item.student_id for item in items],
        detail=f"doorstroomtafel: verslag-pdf overleg {meeting.pk}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="verslag-doorstroomtafel-{meeting.date:%Y-%m-%d}.pdf"'
    )
    return response


# --- Agenda preparation --------------------------------------------------------------


# Students a name search on the agenda offers to choose from (narrow it down beyond).
ADD_MATCHES = 10


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
            url = reverse("doorstroomtafel:meeting", args=[meeting.public_id])
            return redirect(f"{url}?kandidaten=tonen#candidates")
        student = get_object_or_404(scope, public_id=form.cleaned_data["student"])
        if not policy.can_put_on_agenda(
            request.user,
            meeting,
            student,
            is_candidate=is_candidate(meeting, student, today=timezone.localdate()),
        ):
            raise Http404("No student here")
        origin = "signal"
    else:
        form = AddStudentForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Vul een naam of studentnummer en een reden in."))
            return _back(meeting, "add-student")
        # Only students the preparer may see anyway: no probing for numbers or names.
        findable = Student.objects.visible_to(request.user).filter(table_scope_q(meeting.table))
        text = form.cleaned_data["student_number"].strip()
        student = findable.filter(student_number=text).first()
        if student is None:
            # A name (accents and case ignored, as in the student list).
            matches = list(findable.search(text).order_by("sort_name", "id")[: ADD_MATCHES + 1])
            if len(matches) > 1:
                messages.info(request, _("Meer studenten gevonden: kies wie u toevoegt."))
                return _meeting_response(
                    request,
                    meeting,
                    extra={
                        "add_matches": matches[:ADD_MATCHES],
                        "add_more": len(matches) > ADD_MATCHES,
                        "add_reason": form.cleaned_data["reason"],
                    },
                )
            student = matches[0] if matches else None
        if student is None:
            # Outside the table's scope or the preparer's view: the same 404 for both.
            raise Http404("No student here")
        origin = "manual"
    try:
        services.item_add(
            meeting=meeting,
            student=student,
            reason=form.cleaned_data["reason"],
            origin=origin,
            actor=request.user,
        )
    except services.AgendaAccessError:
        raise Http404("No student here") from None
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return _back(meeting, "agenda")


@login_required
@require_POST
def item_move(request, public_id, item_id):
    meeting = _editable_meeting(request, public_id)
    item = _item(meeting, item_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _refused(request, meeting, "move", item, form)
    direction = -1 if form.cleaned_data["direction"] == "up" else 1
    try:
        services.item_move(
            item=item,
            direction=direction,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except ConcurrentEditError as conflict:
        current = conflict.current
        order = ", ".join(
            f"{row.position}. {row.student.full_name}"
            for row in AgendaItem.objects.filter(meeting=meeting)
            .select_related("student")
            .order_by("position", "id")
        )
        yours = (_("%(name)s omhoog") if direction < 0 else _("%(name)s omlaag")) % {
            "name": item.student.full_name
        }
        return _conflict(
            request,
            current,
            what=_("de volgorde van de agenda"),
            rows=[{"label": _("Volgorde"), "saved": order, "yours": yours}],
            change=_last_change(meeting),
            action_url=reverse("doorstroomtafel:item_move", args=[meeting.public_id, item.pk]),
            resubmit={"direction": form.cleaned_data["direction"], "version": current.version},
        )
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
    if not form.is_valid():
        return _refused(request, meeting, "note", item, form)
    note = form.cleaned_data["preparation_note"]
    try:
        services.item_note_save(
            item=item,
            note=note,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except ConcurrentEditError as conflict:
        current = conflict.current
        return _conflict(
            request,
            meeting,
            what=_("de voorbereidingsnotitie bij %(name)s") % {"name": item.student.full_name},
            rows=[
                {
                    "label": _("Voorbereidingsnotitie"),
                    "saved": current.preparation_note,
                    "yours": note,
                }
            ],
            change=_last_change(meeting, item),
            action_url=reverse("doorstroomtafel:item_note", args=[meeting.public_id, item.pk]),
            resubmit={"preparation_note": note, "version": current.version},
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Notitie opgeslagen."))
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
    except services.AgendaAccessError:
        raise Http404("No student here") from None
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
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _refused(request, meeting, "transition", None, form)
    extra = {"expected_version": form.cleaned_data["version"]}
    if step == "minutes-final":
        extra["confirm_empty"] = form.cleaned_data["confirm_empty"]
    try:
        service(meeting=meeting, actor=request.user, **extra)
    except ConcurrentEditError as conflict:
        current = conflict.current
        return _conflict(
            request,
            current,
            what=_("de status van het overleg"),
            rows=[
                {
                    "label": _("Overleg"),
                    "saved": _("gewijzigd na het laden van uw pagina (status: %(status)s)")
                    % {"status": current.get_status_display()},
                    "yours": _("de versie die u zag"),
                }
            ],
            change=_last_change(meeting),
            action_url=reverse("doorstroomtafel:transition", args=[meeting.public_id, step]),
            resubmit={"version": current.version},
        )
    except services.MeetingStateError as error:
        messages.error(request, _error_text(error))
    except ValidationError as error:
        return _refused(request, meeting, "transition", None, form, error)
    else:
        messages.success(request, _("De status van het overleg is bijgewerkt."))
    return _back(meeting)


# --- Minutes ---------------------------------------------------------------------------


def _member_choices(meeting):
    """The member organisations, and the people named for the meeting (invited or
    standing members by name), as the page lists them."""
    table = meeting.table
    organisations = table.member_organisations.all()
    # One IN over the union of the two link tables: an OR of two INs made PostgreSQL read
    # every user (ten thousand mentors in the benchmark's region) for a handful of names.
    named = meeting.invited_users.through.objects.filter(meeting_id=meeting.pk).values("user_id")
    standing = table.member_users.through.objects.filter(casetable_id=table.pk).values("user_id")
    users = User.objects.filter(pk__in=named.union(standing, all=True))
    return organisations, users


def _participants(meeting):
    """Who may hold the lead or own an action: everyone who takes part in the meeting."""
    return User.objects.filter(policy.meeting_participants_q(meeting))


@login_required
@require_POST
def item_minutes(request, public_id, item_id):
    meeting = _editable_meeting(request, public_id)
    item = _item(meeting, item_id)
    organisations, _users = _member_choices(meeting)
    form = MinutesForm(request.POST, organisations=organisations, users=_participants(meeting))
    if not form.is_valid():
        return _refused(request, meeting, "minutes", item, form)
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        services.minutes_save(
            item=item,
            data=data,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except ConcurrentEditError as conflict:
        current = AgendaItem.objects.select_related("lead_organisation", "lead_user").get(
            pk=conflict.current.pk
        )
        labels = {name: form.fields[name].label for name in services.MINUTES_FIELDS}
        return _conflict(
            request,
            meeting,
            what=_("het verslag bij %(name)s") % {"name": item.student.full_name},
            rows=[
                {
                    "label": labels[name],
                    "saved": getattr(current, name) or "—",
                    "yours": data.get(name) or "—",
                }
                for name in services.MINUTES_FIELDS
            ],
            change=_last_change(meeting, item),
            action_url=reverse("doorstroomtafel:item_minutes", args=[meeting.public_id, item.pk]),
            resubmit={
                "discussion": data.get("discussion") or "",
                "decision": data.get("decision") or "",
                "lead_organisation": data["lead_organisation"].pk
                if data.get("lead_organisation")
                else "",
                "lead_user": data["lead_user"].pk if data.get("lead_user") else "",
                "version": current.version,
            },
        )
    except services.MeetingStateError as error:
        messages.error(request, _error_text(error))
    except ValidationError as error:
        return _refused(request, meeting, "minutes", item, form, error)
    else:
        messages.success(request, _("Verslag opgeslagen."))
    return _back(meeting, f"item-{item.pk}")


@login_required
@require_POST
def item_action(request, public_id, item_id):
    meeting = _editable_meeting(request, public_id)
    item = _item(meeting, item_id)
    form = ActionForm(request.POST, users=_participants(meeting), meeting=meeting)
    if not form.is_valid():
        return _refused(request, meeting, "action", item, form)
    try:
        services.action_add(item=item, actor=request.user, **form.cleaned_data)
    except services.MeetingStateError as error:
        messages.error(request, _error_text(error))
    except ValidationError as error:
        return _refused(request, meeting, "action", item, form, error)
    else:
        messages.success(request, _("Actie toegevoegd."))
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
        ActionItem.objects.select_related("item__meeting__table", "item__student"),
        pk=action_id,
        status=ActionStatus.OPEN,
    )
    meeting = action.item.meeting
    is_owner = action.owner_id == request.user.pk
    if not is_owner and not policy.can_prepare_meeting(request.user, meeting):
        raise Http404("No action here")
    next_url = request.POST.get("next", "")
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = reverse("home")
    form = ActionDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Deze actie is niet afgerond: laad de pagina opnieuw."))
        return redirect(next_url)
    try:
        services.action_complete(
            action=action, actor=request.user, expected_version=form.cleaned_data["version"]
        )
    except ConcurrentEditError as conflict:
        current = conflict.current
        return _conflict(
            request,
            meeting,
            what=_("de actie %(what)s") % {"what": action.what},
            rows=[
                {"label": _("Wat"), "saved": current.what, "yours": action.what},
                {
                    "label": _("Uiterlijk op"),
                    "saved": current.due_date.strftime("%d-%m-%Y"),
                    "yours": action.due_date.strftime("%d-%m-%Y"),
                },
                {
                    "label": _("Status"),
                    "saved": current.get_status_display(),
                    "yours": ActionStatus.DONE.label,
                },
            ],
            change=_last_change(meeting, action.item),
            action_url=reverse("doorstroomtafel:action_done", args=[action.pk]),
            resubmit={"version": current.version, "next": next_url},
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Actie afgerond."))
    return redirect(next_url)


# --- A mentor's proposal, from the student's page -----------------------------------


def proposable_meetings(user, student, *, today):
    """Planned meetings whose table covers this student, for a mentor or coordinator who
    may write the student's file; empty for anyone else."""
    from students.models import Enrolment

    from .models import Meeting, ScopeKind

    membership = user.active_membership
    if membership is None or not policy.proposes_for_case_tables(membership):
        return []
    # The page has asked this already (one answer per request), so it costs no query.
    if not may_write_student(user, student):
        return []
    municipality = student.municipality
    # The tables that may cover the student, asked of the database (not every planned
    # meeting in the country): the student's region and sub-region, the schools of the
    # student's enrolments.
    schools = Enrolment.objects.filter(student=student).values("institution_id")
    meetings = list(
        Meeting.objects.filter(status=MeetingStatus.PLANNED, date__gte=today, table__is_active=True)
        .filter(
            Q(table__scope_kind=ScopeKind.REGION, table__region_id=municipality.region_id)
            | Q(
                table__scope_kind=ScopeKind.SUBREGION, table__subregion_id=municipality.subregion_id
            )
            | Q(table__scope_kind=ScopeKind.SCHOOL, table__school_id__in=schools)
        )
        .select_related("table")
        .order_by("date", "pk")
    )
    # A school's table may name locations: its own scope rule decides (table_scope_q),
    # asked for the few school tables found only.
    return [
        meeting
        for meeting in meetings
        if meeting.table.scope_kind != ScopeKind.SCHOOL or student_in_scope(meeting.table, student)
    ]


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
        except services.AgendaAccessError:
            raise Http404("Nothing to propose to") from None
        except ValidationError as error:
            messages.error(request, _error_text(error))
    else:
        messages.error(request, _("Kies een overleg en vermeld de reden."))
    return redirect(reverse("students:detail", args=[student.public_id]) + "#doorstroomtafel")
