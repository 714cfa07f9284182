"""The caseload pages ("Mijn klas") and the bulk actions.

- A mentor sees their own students as a class; a school coordinator sees every mentor's
  caseload size and overdue count at the school and opens any mentor's caseload. Anyone
  else, or another mentor's caseload for a mentor, is a 404.
- Bulk actions: select (checkboxes in the student list, the caseload and the attention
  list) -> a confirmation that names how many records change and lists them -> apply.
  Every id is checked against the user's scope when selected and again when applied; one
  that is not in it refuses the whole action with a 404 and nothing changes.
"""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.policy import (
    active_membership,
    bulk_student_actions,
    has_attention_list,
    sees_school_caseloads,
)
from monitoring.models import SignalStatus
from students.models import AccessLog, Student
from students.services import access_log

from . import bulk
from .forms import (
    SIGNAL_ACTION_LABELS,
    STUDENT_ACTION_LABELS,
    CaseTableForm,
    GroupForm,
    MentorChoiceForm,
    SignalReasonForm,
)
from .queries import caseload_rows, offset_page, school_caseloads, school_mentors, sorted_page

SESSION_KEY = "caseload_bulk"
KEPT_SELECTIONS = 3


# --- Caseload pages -------------------------------------------------------------------


def _render_caseload(request, *, mentor, school_id, own):
    today = timezone.localdate()
    group = (request.GET.get("groep") or "").strip()[:40]
    rows, groups = caseload_rows(
        request.user, mentor_id=mentor.pk, school_id=school_id, today=today, group=group
    )
    if group and group not in groups:
        group = ""
        rows, groups = caseload_rows(
            request.user, mentor_id=mentor.pk, school_id=school_id, today=today
        )
    page = sorted_page(
        rows, get=request.GET, params={"groep": group}, size=settings.KOERS_PAGE_SIZE
    )
    access_log(
        user=request.user,
        action=AccessLog.Action.LIST_STUDENTS,
        students=[row.student.pk for row in page.rows],
        detail="caseload" + (", groep" if group else ""),
    )
    actions = bulk_student_actions(request.user)
    return render(
        request,
        "caseload/caseload.html",
        {
            "mentor": mentor,
            "own": own,
            "rows": page.rows,
            "page": page,
            "groups": groups,
            "group": group,
            "today": today,
            "overdue_count": sum(1 for row in rows if row.overdue),
            "actions": [(key, STUDENT_ACTION_LABELS[key]) for key in actions],
            "next": request.get_full_path(),
        },
    )


@login_required
@never_cache
def mine(request):
    """The mentor's own students as a class."""
    membership = active_membership(request.user)
    if membership is None or membership.role != Role.MENTOR:
        raise Http404("No caseload here")
    return _render_caseload(
        request, mentor=request.user, school_id=membership.organisation_id, own=True
    )


@login_required
@never_cache
def mentor_caseload(request, mentor_id):
    """A coordinator opens one mentor's caseload at the school."""
    if not sees_school_caseloads(request.user):
        raise Http404("No caseload here")
    school_id = active_membership(request.user).organisation_id
    mentor = school_mentors(school_id).filter(pk=mentor_id).first()
    if mentor is None:
        raise Http404("No caseload here")
    return _render_caseload(request, mentor=mentor, school_id=school_id, own=False)


@login_required
@never_cache
def school(request):
    """The coordinator's overview: every mentor's caseload size and overdue count."""
    if not sees_school_caseloads(request.user):
        raise Http404("No caseloads here")
    membership = active_membership(request.user)
    today = timezone.localdate()
    rows, without = school_caseloads(
        request.user, school_id=membership.organisation_id, today=today
    )
    return render(
        request,
        "caseload/school.html",
        {"rows": rows, "without": without, "school": membership.organisation, "today": today},
    )


# --- Bulk actions ---------------------------------------------------------------------


def _safe_next(request, target):
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _keep(request, entry) -> str:
    kept = request.session.get(SESSION_KEY, {})
    token = secrets.token_urlsafe(12)
    kept[token] = entry
    # Only the latest few selections are kept.
    for old in list(kept)[:-KEPT_SELECTIONS]:
        del kept[old]
    request.session[SESSION_KEY] = kept
    return token


def _kept(request, token):
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if entry is None or entry.get("user") != request.user.pk:
        raise Http404("No selection here")
    return entry


def _forget(request, token):
    kept = request.session.get(SESSION_KEY, {})
    kept.pop(token, None)
    request.session[SESSION_KEY] = kept


@login_required
@never_cache
@require_POST
def bulk_students(request):
    """Selected students and an action: checked against the scope, kept, confirmed next."""
    action = request.POST.get("action", "")
    if action not in bulk_student_actions(request.user):
        raise Http404("No such action")
    ids = request.POST.getlist("ids")
    back = _safe_next(request, request.POST.get("next", ""))
    if not ids:
        messages.warning(request, _("Kies eerst een of meer studenten."))
        return redirect(back or "students:list")
    try:
        selection = bulk.select_students(request.user, action, ids)
    except bulk.OutOfScope:
        raise Http404("Not in scope") from None
    token = _keep(
        request,
        {
            "user": request.user.pk,
            "kind": "students",
            "action": action,
            "next": back,
            **selection,
        },
    )
    return redirect("caseload:bulk_confirm", token=token)


@login_required
@never_cache
@require_POST
def bulk_signals(request):
    """Selected signals of the attention list, to resolve or dismiss with one reason."""
    action = request.POST.get("action", "")
    if action not in bulk.SIGNAL_ACTIONS or not has_attention_list(request.user):
        raise Http404("No such action")
    ids = request.POST.getlist("ids")
    back = _safe_next(request, request.POST.get("next", ""))
    if not ids:
        messages.warning(request, _("Kies eerst een of meer signalen."))
        return redirect(back or "home")
    try:
        selection = bulk.select_signals(request.user, ids)
    except bulk.OutOfScope:
        raise Http404("Not in scope") from None
    token = _keep(
        request,
        {"user": request.user.pk, "kind": "signals", "action": action, "next": back, **selection},
    )
    return redirect("caseload:bulk_confirm", token=token)


def _meetings(user, entry):
    from doorstroomtafel.models import Meeting
    from doorstroomtafel.views import proposable_meetings

    first = Student.objects.select_related("municipality").get(pk=entry["students"][0][0])
    found = proposable_meetings(user, first, today=timezone.localdate())
    return Meeting.objects.filter(pk__in=[m.pk for m in found]).select_related("table")


def _form(request, entry, data=None):
    action = entry["action"]
    if action == "mentor":
        school_id = active_membership(request.user).organisation_id
        return MentorChoiceForm(data, school_id=school_id)
    if action == "group":
        return GroupForm(data)
    if action == "case_table":
        return CaseTableForm(data, meetings=_meetings(request.user, entry))
    return SignalReasonForm(data)


def _records(request, entry):
    """The selected records as the confirmation lists them (in scope: checked again)."""
    if entry["kind"] == "students":
        pks = bulk.recheck_students(request.user, entry["action"], entry)
        students = Student.objects.filter(pk__in=pks).select_related("mentor")
        by_pk = {student.pk: student for student in students}
        return [by_pk[pk] for pk in pks]
    pks = bulk.recheck_signals(request.user, entry)
    from monitoring.models import Signal

    signals = Signal.objects.filter(pk__in=pks).select_related("student")
    by_pk = {signal.pk: signal for signal in signals}
    return [by_pk[pk] for pk in pks]


def _apply(request, entry, form):
    action = entry["action"]
    user = request.user
    if action == "mentor":
        return bulk.students_assign_mentor(selection=entry, mentor=form.chosen(), actor=user)
    if action == "group":
        return bulk.students_set_group(
            selection=entry, group=form.cleaned_data["group"], actor=user
        )
    if action == "case_table":
        return bulk.students_propose(
            student_ids=[pk for pk, _version in entry["students"]],
            meeting=form.cleaned_data["meeting"],
            reason=form.cleaned_data["reason"],
            actor=user,
        )
    status = SignalStatus.RESOLVED if action == "resolve" else SignalStatus.DISMISSED
    return bulk.signals_close(
        selection=entry, status=status, reason=form.cleaned_data["reason"], actor=user
    )


def _done_message(entry, count):
    if entry["kind"] == "signals":
        return ngettext(
            "%(count)s signaal is bijgewerkt.", "%(count)s signalen zijn bijgewerkt.", count
        ) % {"count": count}
    if entry["action"] == "case_table":
        return ngettext(
            "%(count)s student is voorgedragen.", "%(count)s studenten zijn voorgedragen.", count
        ) % {"count": count}
    return ngettext(
        "%(count)s student is gewijzigd.", "%(count)s studenten zijn gewijzigd.", count
    ) % {"count": count}


@login_required
@never_cache
def bulk_confirm(request, token):
    """How many records change, which (paged), the action's question; then apply."""
    entry = _kept(request, token)
    try:
        records = _records(request, entry)
    except bulk.OutOfScope:
        _forget(request, token)
        raise Http404("Not in scope") from None
    form = _form(request, entry, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            count = _apply(request, entry, form)
        except bulk.BulkConflict:
            _forget(request, token)
            messages.error(
                request,
                _(
                    "Een of meer gekozen gegevens zijn intussen door iemand anders gewijzigd; "
                    "er is niets gewijzigd. Kies opnieuw."
                ),
            )
            return redirect(entry.get("next") or "home")
        except bulk.BulkRefused as refused:
            form.add_error(None, refused.message)
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            _forget(request, token)
            messages.success(request, _done_message(entry, count))
            return redirect(entry.get("next") or "home")
    page = offset_page(records, get=request.GET, size=settings.KOERS_PAGE_SIZE)
    if entry["kind"] == "students":
        access_log(
            user=request.user,
            action=AccessLog.Action.LIST_STUDENTS,
            students=[student.pk for student in page.rows],
            detail="bulk",
        )
    labels = STUDENT_ACTION_LABELS if entry["kind"] == "students" else SIGNAL_ACTION_LABELS
    return render(
        request,
        "caseload/bulk_confirm.html",
        {
            "entry": entry,
            "action_label": labels[entry["action"]],
            "count": len(records),
            "records": page.rows,
            "page": page,
            "form": form,
            "list_url": reverse("caseload:bulk_confirm", args=[token]),
            "back": entry.get("next") or reverse("home"),
            "today": timezone.localdate(),
        },
    )
