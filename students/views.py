from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.policy import (
    bulk_student_actions,
    can_assign_mentor,
    remember_in_scope,
    sees_only_shared_sections,
)
from accounts.regions import has_regional_route
from accounts.security import rate_limited

from .dates import age_on
from .forms import (
    StudentContactForm,
    StudentFilterForm,
    StudentMentorForm,
)
from .history import history_rows, with_row_html
from .importing.rules import file_columns
from .models import AccessLog, Student
from .paging import keyset_page
from .panels import current_enrolments_prefetch, has_rows, load_presence, student_panels
from .queries import get_student_for_user, may_write_student, school_search_q
from .rows import bulk_students_url, with_list_rows
from .services import ConcurrentEditError, access_log, student_assign_mentor, student_update

# --- Student list and student page ---------------------------------------------------


# Parts of the student's page that refresh on their own (htmx, ?deel=...).
STUDENT_PAGE_PARTS = {
    "werk": "students/_student_work.html",
    "geschiedenis": "students/_student_history.html",
    "mentor": "students/_student_mentor_form.html",
}
# The columns the list sorts on (students.paging), the surname without tussenvoegsel
# first (index student_sort_order); ties broken by id.
LIST_SORTS = {
    "naam": ("sort_name",),
    "studentnummer": ("student_number",),
    "geboortedatum": ("date_of_birth",),
    "woongemeente": ("municipality__name", "sort_name"),
}
DEFAULT_SORT = "naam"
# The columns the list's rows show (students/_student_rows.html): not the BSN, contact
# details or the derived search columns (issue 16: less to compile, fetch and build).
LIST_COLUMNS = (
    "public_id", "student_number", "first_name", "last_name", "date_of_birth",
    "municipality", "municipality__name", "mentor", "mentor__first_name",
    "mentor__last_name", "mentor__email",
)  # fmt: skip
# The student's page shows the latest changes; older ones stay in the database.
HISTORY_LIMIT = 50


def _name_order(search):
    """The name sort, written so that PostgreSQL picks the right plan for a name search.

    Matches of a search cluster in the alphabet (every "Jansen" sits under J), so walking
    the name index until 25 matches turn up reads a third of the table at 500,000
    students. With the first key as an expression the index cannot give the order, and
    the planner takes the trigram index and sorts the few matches instead. Words under
    three letters have no trigrams; their matches are dense, so the index walk is fast.
    The order itself is the same: appending '' changes no comparison.
    """
    if any(len(word) >= 3 for word in search.split()):
        return (Concat("sort_name", Value("")), "id")
    return None


@rate_limited(lambda request: "search" if request.GET.get("q", "").strip() else None)
@login_required
@never_cache
def student_list(request):
    """The students the user may see: search, filters, keyset paging; htmx gets the rows."""
    user = request.user
    today = timezone.localdate()
    if request.GET.get("deel") == "mentoren":
        return _mentor_filter_options(request)
    visible = Student.objects.visible_to(user, today=today)
    form = StudentFilterForm(request.GET, membership=user.active_membership)
    queryset = (
        form.filter(visible, today=today)
        .select_related("municipality", "mentor")
        .only(*LIST_COLUMNS)
        .prefetch_related(current_enrolments_prefetch(today))
    )
    filters = form.active_filters()
    search = form.cleaned_data.get("q") or ""
    # A school's name search reads the school and the name from one index; the scope is
    # checked for the page's rows (keyset_page's `narrow`).
    school_search = school_search_q(user, search) if search else Q()
    narrow = (
        form.filter(Student.objects.filter(school_search), today=today) if school_search else None
    )
    page = keyset_page(
        queryset,
        cursors=visible,
        get=request.GET,
        params=filters,
        allowed=LIST_SORTS,
        default_sort=DEFAULT_SORT,
        size=settings.KOERS_PAGE_SIZE,
        order_overrides={DEFAULT_SORT: _name_order(search)},
        narrow=narrow,
    )
    students = page.rows
    for student in students:
        student.age = age_on(student.date_of_birth, today)
    shared_only = sees_only_shared_sections(user)
    bulk_actions = bulk_student_actions(user)
    with_list_rows(
        students, shared_only=shared_only, bulk=bool(bulk_actions and bulk_students_url())
    )

    # The search text is never logged: someone may have typed a BSN into it.
    used = (["zoeken"] if filters.get("q") else []) + sorted(k for k in filters if k != "q")
    access_log(
        user=user,
        action=AccessLog.Action.LIST_STUDENTS,
        students=students,
        detail=", ".join(used),
    )

    context = {
        "form": form,
        "students": students,
        # A partner with no accepted referral sees the same explanation as a role
        # without students: who they will see, and from when.
        "scope_empty": visible.query.is_empty()
        or (
            sees_only_shared_sections(user)
            and not students
            and not filters
            and not page.has_previous
        ),
        "filtered": bool(filters),
        "page": page,
        "has_previous": page.has_previous,
        "has_next": page.has_next,
        "previous_url": page.previous_url,
        "next_url": page.next_url,
        "page_size": settings.KOERS_PAGE_SIZE,
        "today": today,
        # Partners see names only here: the rest is what a referral shared.
        "shared_only": shared_only,
        # Checkboxes for the bulk actions of the caseload app (issue 19), when it is there.
        "bulk_actions": bulk_actions,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "students/_student_rows.html" if partial else "students/student_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _mentor_filter_options(request):
    """The options of the list's mentor filter: every mentor of the school, loaded when
    the coordinator opens the filter (issue 16), the chosen one kept selected."""
    form = StudentFilterForm(
        request.GET, membership=request.user.active_membership, all_mentors=True
    )
    if "mentor" not in form.fields:
        raise PermissionDenied  # only the school's coordinators filter on mentors
    response = render(request, "students/_mentor_options.html", {"field": form["mentor"]})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _enrolment_state(enrolment, today):
    if enrolment.start_date > today:
        return "future"
    return "current" if enrolment.is_enrolled_on(today) else "ended"


def _render_student(request, student, *, today, forms=None, conflict=None, status=200):
    """`student` comes from get_student_for_user: loaded through the user's scope."""
    user = request.user
    # The panels need not ask the database whether the student is in scope (issue 16).
    remember_in_scope(user, student)
    membership = user.active_membership
    if sees_only_shared_sections(user):
        # A partner sees exactly what referrals shared with their organisation: the
        # panels that keep it, nothing of the file itself (ACCESS.md, REFERRALS.md).
        context = {
            "student": student,
            "shared_only": True,
            "panels": student_panels(request, student),
            "today": today,
        }
        access_log(user=user, action=AccessLog.Action.VIEW_STUDENT, student=student)
        return render(request, "students/student_detail.html", context, status=status)
    # Which sections have rows at all, one query for the page and its panels (issue 16).
    load_presence(student)
    enrolments = list(
        student.enrolments.select_related("institution__region").order_by("-start_date", "-id")
    )
    for enrolment in enrolments:
        enrolment.state = _enrolment_state(enrolment, today)
    employments = (
        list(student.employments.order_by("-start_date", "-id"))
        if has_rows(student, "students.employments")
        else []
    )
    for employment in employments:
        employment.current = employment.start_date <= today and (
            employment.end_date is None or employment.end_date >= today
        )
    changes = list(
        student.changes.select_related("actor").order_by("-at", "-id")[: HISTORY_LIMIT + 1]
    )

    forms = dict(forms or {})
    may_assign_mentor = False
    if may_write_student(user, student):
        forms.setdefault("contact", StudentContactForm(student=student))
        may_assign_mentor = can_assign_mentor(membership)
        # The mentor form lists every mentor of the school (hundreds at a large one): it
        # is built when asked for (opening it loads ?deel=mentor; without JavaScript the
        # link ?mentor=kiezen), not on every view of the page (issue 16).
        wants_mentor_form = request.GET.get("mentor") == "kiezen" or (
            request.htmx and request.GET.get("deel") == "mentor"
        )
        if may_assign_mentor and wants_mentor_form:
            forms.setdefault(
                "mentor",
                StudentMentorForm(student=student, school_id=membership.organisation_id),
            )

    context = {
        "student": student,
        "age": age_on(student.date_of_birth, today),
        # Noord-Holland Noord's own part (ROADMAP.md top): only for students of an
        # institution in a region that has it; elsewhere the row is left out.
        "startpunt": (
            student.municipality.startpunt_name or _("geen; taak bij Doorstroompunt of W&I")
        )
        if any(has_regional_route(e.institution.region) for e in enrolments)
        else "",
        "enrolments": enrolments,
        "qualifications": list(student.qualifications.order_by("-date", "-id"))
        if has_rows(student, "students.qualifications")
        else [],
        "employments": employments,
        "history": with_row_html(history_rows(changes[:HISTORY_LIMIT])),
        "history_more": len(changes) > HISTORY_LIMIT,
        "history_limit": HISTORY_LIMIT,
        "contact_form": forms.get("contact"),
        "mentor_form": forms.get("mentor"),
        "may_assign_mentor": may_assign_mentor,
        "conflict": conflict,
        "panels": student_panels(request, student),
        "today": today,
    }
    access_log(user=user, action=AccessLog.Action.VIEW_STUDENT, student=student)
    part = STUDENT_PAGE_PARTS.get(request.GET.get("deel", "")) if request.htmx else None
    if part is not None:
        if part == STUDENT_PAGE_PARTS["mentor"] and context["mentor_form"] is None:
            raise PermissionDenied  # only the school's coordinator assigns mentors
        # A part of the page that a save elsewhere changed (the route's 5a step adds an
        # employment and history): htmx refreshes it on the event the save sends.
        response = render(request, part, context, status=status)
        patch_vary_headers(response, ["HX-Request"])
        return response
    return render(request, "students/student_detail.html", context, status=status)


def _conflict_rows(rows):
    return [
        {"label": label, "yours": yours or "—", "theirs": theirs or "—"}
        for label, yours, theirs in rows
    ]


def _with_version(data, prefix, version):
    data = data.copy()
    data[f"{prefix}-version"] = str(version)
    return data


def _edit_student(request, public_id, today):
    """Handle the contact or mentor form; redirect on success, re-render otherwise."""
    student = get_student_for_user(request.user, public_id, write=True)
    membership = request.user.active_membership
    action = request.POST.get("action")
    conflict = None
    if action == "contact":
        form = StudentContactForm(request.POST, student=student)
        if form.is_valid():
            values = form.values()
            try:
                _, changes = student_update(
                    student=student,
                    expected_version=form.cleaned_data["version"],
                    data=values,
                    actor=request.user,
                )
            except ConcurrentEditError as error:
                current = error.current
                conflict = _conflict_rows(
                    (form.fields[name].label, values[name], getattr(current, name))
                    for name in form.FIELDS
                )
                # Resubmitting now is a deliberate choice over the version shown.
                form = StudentContactForm(
                    _with_version(request.POST, "contact", current.version), student=current
                )
                form.is_valid()
            else:
                _saved_message(request, changes)
                return redirect("students:detail", public_id=student.public_id)
        forms = {"contact": form}
    elif action == "mentor":
        if not can_assign_mentor(membership):
            raise PermissionDenied
        form = StudentMentorForm(
            request.POST, student=student, school_id=membership.organisation_id
        )
        if form.is_valid():
            mentor = form.chosen_mentor()
            try:
                _, changes = student_assign_mentor(
                    student=student,
                    expected_version=form.cleaned_data["version"],
                    mentor=mentor,
                    actor=request.user,
                )
            except ConcurrentEditError as error:
                current = error.current
                conflict = _conflict_rows([(form.fields["mentor"].label, mentor, current.mentor)])
                form = StudentMentorForm(
                    _with_version(request.POST, "mentor", current.version),
                    student=current,
                    school_id=membership.organisation_id,
                )
                form.is_valid()
            except ValidationError as error:
                form.add_error(None, error)
            else:
                _saved_message(request, changes)
                return redirect("students:detail", public_id=student.public_id)
        forms = {"mentor": form}
    else:
        return redirect("students:detail", public_id=student.public_id)

    if conflict is not None:
        # Show the record as it is now, next to what the user tried to save.
        student = get_student_for_user(request.user, public_id)
    return _render_student(
        request,
        student,
        today=today,
        forms=forms,
        conflict=conflict,
        status=409 if conflict is not None else 200,
    )


def _saved_message(request, changes):
    if changes:
        messages.success(request, _("De wijziging is opgeslagen."))
    else:
        messages.info(request, _("Er was niets gewijzigd."))


@login_required
@never_cache
def student_detail(request, public_id):
    """A student's file: personal data, enrolments, diplomas, work, history, panels."""
    today = timezone.localdate()
    if request.method == "POST":
        return _edit_student(request, public_id, today)
    student = get_student_for_user(request.user, public_id)
    return _render_student(request, student, today=today)


# --- Administration import (school coordinators) ------------------------------------


@login_required
def import_upload(request):
    """A school coordinator uploads administration files; they wait for the preview.

    Anyone else gets a 404: the page does not exist for them (ACCESS.md).
    """
    # Imported here so this part of the module stays self-contained (INTERFACES.md 1).
    from django.http import Http404
    from django.utils.cache import add_never_cache_headers

    from . import importing
    from .forms_import import ImportUploadForm

    if importing.coordinator_membership(request.user) is None:
        raise Http404("No import here")
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
    else:
        form = ImportUploadForm()
    if form.is_bound and form.is_valid():
        batch = importing.batch_create(user=request.user, files=form.files_by_kind())
        return redirect("students:import_preview", batch_id=batch.public_id)
    response = render(
        request,
        "students/import_upload.html",
        {
            "form": form,
            "batch_hours": settings.KOERS_IMPORT_BATCH_HOURS,
            "file_columns": file_columns(),
            "max_rows": settings.KOERS_IMPORT_MAX_ROWS,
        },
    )
    add_never_cache_headers(response)
    return response


@login_required
def import_preview(request, batch_id):
    """The preview of an upload, as validated once at upload: every error and notice, or
    every student it creates or changes (old -> new); then confirm (applied all or
    nothing, re-checked against the database) or discard. Only the coordinator who
    uploaded it, acting for the same school, finds it; anyone else gets a 404."""
    from django.contrib import messages as flash
    from django.http import Http404
    from django.shortcuts import get_object_or_404
    from django.utils.cache import add_never_cache_headers
    from django.utils.translation import gettext

    from . import importing
    from .models import AccessLog, ImportBatch
    from .services import access_log

    membership = importing.coordinator_membership(request.user)
    if membership is None:
        raise Http404("No import here")
    batch = get_object_or_404(
        ImportBatch,
        public_id=batch_id,
        uploaded_by=request.user,
        organisation=membership.organisation,
    )
    detail = f"import {batch.public_id}"
    shown_errors = 1000

    def render_preview(status=200):
        kept = batch.preview or {}
        errors = importing.kept_issues(kept.get("errors", []))
        context = {
            "batch": batch,
            "shown_errors": shown_errors,
            "errors": errors[:shown_errors],
            "error_count": len(errors),
            "notices": importing.kept_issues(kept.get("notices", [])),
            "counts": kept.get("counts"),
            "students": importing.shown_entries(kept.get("students", [])),
            "students_total": kept.get("students_total", 0),
        }
        context["students_rest"] = context["students_total"] - len(context["students"])
        response = render(request, "students/import_preview.html", context, status=status)
        add_never_cache_headers(response)
        return response

    if request.method == "POST":
        action = request.POST.get("action")
        if action == "discard":
            if importing.batch_discard(batch=batch, user=request.user):
                flash.info(request, gettext("De upload is verworpen; er is niets gewijzigd."))
            return redirect("students:import")
        if action != "confirm":
            return redirect("students:import_preview", batch_id=batch.public_id)
        try:
            outcome = importing.batch_apply(batch=batch, user=request.user)
        except importing.BatchClosed:
            flash.warning(request, gettext("Deze upload is al doorgevoerd of verworpen."))
            return redirect("students:import_preview", batch_id=batch.public_id)
        except importing.ImportConflict:
            flash.error(
                request,
                gettext(
                    "Tijdens het importeren is een gegeven door iemand anders gewijzigd; "
                    "er is niets gewijzigd. Bevestig opnieuw."
                ),
            )
            return redirect("students:import_preview", batch_id=batch.public_id)
        batch.refresh_from_db()
        if outcome.outdated:
            flash.warning(
                request,
                gettext(
                    "De gegevens in Koers zijn gewijzigd sinds het voorbeeld; er is niets "
                    "gewijzigd. Bekijk het bijgewerkte voorbeeld en bevestig opnieuw."
                ),
            )
            return redirect("students:import_preview", batch_id=batch.public_id)
        if outcome.plan is None:
            # The data changed since the preview: show the errors found now.
            access_log(user=request.user, action=AccessLog.Action.IMPORT_PREVIEW, detail=detail)
            flash.error(
                request,
                gettext("Bij het opnieuw controleren zijn fouten gevonden; er is niets gewijzigd."),
            )
            return render_preview()
        access_log(
            user=request.user,
            action=AccessLog.Action.IMPORT_APPLY,
            students=list(outcome.plan.number_ids.values()),
            detail=detail,
        )
        flash.success(request, gettext("De import is doorgevoerd."))
        return redirect("students:import_preview", batch_id=batch.public_id)

    if batch.status != ImportBatch.Status.PREVIEW:
        return render_preview()
    # Validated once at upload: this only reads what the upload kept.
    importing.batch_prepare(batch=batch)
    access_log(
        user=request.user,
        action=AccessLog.Action.IMPORT_PREVIEW,
        students=(batch.preview or {}).get("student_ids", []),
        detail=detail,
    )
    if request.GET.get("format") == "text":
        # Every error, for a long list; the reasons never hold a value from the files.
        errors = importing.kept_issues((batch.preview or {}).get("errors", []))
        response = HttpResponse(
            "".join(f"{issue}\n" for issue in errors),
            content_type="text/plain; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="import-errors.txt"'
        add_never_cache_headers(response)
        return response
    return render_preview()
