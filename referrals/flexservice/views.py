"""Flexservice pages: the intake desk queue and registrations, maatwerk trajectories and
the results page. Every read starts from referrals.flexservice.queries; every write is a
service."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from students.dates import school_year_label, school_year_of
from students.models import Level
from students.paging import keyset_page
from students.queries import get_student_for_user
from students.services import ConcurrentEditError

from ..models import IntakeStatus
from ..views import VERSION_REFUSED, _form_conflict, _form_errors, _posted_version
from . import services
from .forms import (
    ConsultForm,
    IntakeForm,
    OutcomeForm,
    RegistrationForm,
    TrajectoryContactForm,
    TrajectoryEndForm,
    TrajectoryForm,
)
from .queries import (
    desk_organisation,
    get_registration_for_user,
    get_trajectory_for_user,
    registrations_for_user,
    results_schools,
    trajectories_for_user,
)
from .results import STATUS_LABELS, compute_results

# --- Flexservice: intake desk ---------------------------------------------------------


def _desk_or_404(user):
    desk = desk_organisation(user)
    if desk is None:
        raise Http404("No intake desk")
    return desk


QUEUE_COLUMNS = [
    IntakeStatus.NEW,
    IntakeStatus.IN_INTAKE,
    IntakeStatus.IN_CONSULTATION,
    IntakeStatus.CLOSED,
]
CLOSED_SHOWN = 25


@login_required
@never_cache
def intake_queue(request):
    desk = _desk_or_404(request.user)
    registrations = registrations_for_user(request.user).select_related("municipality")
    # Every column shows its total (one query), also where it shows only the latest rows.
    totals = dict(
        registrations_for_user(request.user)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    columns = []
    for status in QUEUE_COLUMNS:
        rows = registrations.filter(status=status)
        if status == IntakeStatus.CLOSED:
            rows = rows.order_by("-outcome_date", "-id")[:CLOSED_SHOWN]
        columns.append(
            {
                "status": status,
                "label": status.label,
                "rows": list(rows),
                "total": totals.get(status.value, 0),
            }
        )
    return render(
        request, "referrals/flexservice/intake_queue.html", {"desk": desk, "columns": columns}
    )


@login_required
@never_cache
def registration_create(request):
    desk = _desk_or_404(request.user)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        registration = services.registration_create(
            actor=request.user, desk=desk, data=dict(form.cleaned_data)
        )
        messages.success(request, _("De aanmelding staat in de wachtrij."))
        return redirect("referrals:registration", registration.public_id)
    return render(
        request, "referrals/flexservice/registration_form.html", {"form": form, "desk": desk}
    )


@login_required
@never_cache
def registration_detail(request, public_id):
    registration = get_registration_for_user(request.user, public_id)
    intake_form = IntakeForm(
        request.POST if request.POST.get("action") == "intake" else None,
        initial={
            "intake_date": registration.intake_date or timezone.localdate(),
            "intake_notes": registration.intake_notes,
        },
    )
    consult_form = ConsultForm(
        request.POST if request.POST.get("action") == "consult" else None,
        initial={"partners": registration.consultation_partners},
    )
    outcome_form = OutcomeForm(
        request.POST if request.POST.get("action") == "outcome" else None,
        initial={
            "institution": registration.desk,
            "outcome_date": timezone.localdate(),
        },
    )
    conflict = None
    status = 200
    action = request.POST.get("action")
    form = {"intake": intake_form, "consult": consult_form, "outcome": outcome_form}.get(action)
    if request.method == "POST" and form is not None:

        def save(data, version):
            if action == "intake":
                services.registration_record_intake(
                    registration=registration, actor=request.user, expected_version=version, **data
                )
                messages.success(request, _("De intake is vastgelegd."))
            elif action == "consult":
                services.registration_consult(
                    registration=registration,
                    actor=request.user,
                    partners=data["partners"],
                    expected_version=version,
                )
                messages.success(request, _("De aanmelding staat op: in afstemming."))
            else:
                services.registration_close(
                    registration=registration,
                    actor=request.user,
                    outcome=data["outcome"],
                    data=data,
                    expected_version=version,
                )
                messages.success(request, _("De uitkomst is vastgelegd."))

        saved, conflict = _versioned_save(
            request, form, save, lambda current: _registration_conflict(current, form)
        )
        if saved:
            return redirect("referrals:registration", registration.public_id)
        if conflict is not None:
            registration = get_registration_for_user(request.user, public_id)
            status = 409
    return render(
        request,
        "referrals/flexservice/registration_detail.html",
        {
            "registration": registration,
            "intake_form": intake_form,
            "consult_form": consult_form,
            "outcome_form": outcome_form,
            "events": list(registration.events.select_related("actor")),
            "closed": registration.status == IntakeStatus.CLOSED,
            "conflict": conflict,
        },
        status=status,
    )


def _versioned_save(request, form, save, conflict):
    """A POSTed `form` saved with the version the page was read at: `save(data, version)`
    calls the service. Returns (True, None) once saved; (False, rows) when someone else
    saved first, nothing changed (`conflict(current)`: the rows of referrals/_conflict.html,
    the saved record beside the user's values); (False, None) when the page shows the
    form's errors or the refusal."""
    version = _posted_version(request)
    if version is None:
        form.is_valid()
        form.add_error(None, VERSION_REFUSED)
        return False, None
    if not form.is_valid():
        return False, None
    try:
        save(form.cleaned_data, version)
    except ConcurrentEditError as error:
        return False, conflict(error.current)
    except services.ReferralRefused as refused:
        messages.error(request, refused.message)
    except ValidationError as error:
        _form_errors(form, error)
    else:
        return True, None
    return False, None


def _registration_conflict(current, form):
    """The saved registration next to what this user tried to save."""
    saved = {
        "intake_date": current.intake_date,
        "intake_notes": current.intake_notes,
        "partners": current.consultation_partners,
        "outcome": current.outcome,
        "outcome_date": current.outcome_date,
        "outcome_note": current.outcome_note,
    }
    status = (_("Status"), current.get_status_display(), _("(uw actie)"))
    return _form_conflict(form, saved, before=[status])


def _trajectory_conflict(current, form):
    """The saved trajectory next to what this user tried to save: its end, or (adding a
    contact moment) the number of contact moments it has now."""
    contacts = (_("Aantal contactmomenten"), current.contacts.count(), None)
    if isinstance(form, TrajectoryContactForm):
        yours = (_("Uw contactmoment"), None, form.cleaned_data.get("note"))
        return _form_conflict(form, {}, before=[contacts], after=[yours])
    saved = {"end_date": current.end_date, "outcome": current.outcome}
    return _form_conflict(form, saved, after=[contacts])


# --- Flexservice: maatwerk trajectories ------------------------------------------------


# The trajectory list's columns to sort on (students.paging).
TRAJECTORY_LIST_SORTS = {
    "student": ("student__sort_name",),
    "locatie": ("location",),
    "niveau": ("level",),
    "start": ("start_date",),
}


@login_required
@never_cache
def trajectory_list(request):
    visible = trajectories_for_user(request.user)
    page = keyset_page(
        visible.select_related("student"),
        cursors=visible,
        get=request.GET,
        params={},
        allowed=TRAJECTORY_LIST_SORTS,
        default_sort="-start",
        size=settings.KOERS_PAGE_SIZE,
    )
    return render(
        request,
        "referrals/flexservice/trajectory_list.html",
        {"trajectories": page.rows, "page": page},
    )


@login_required
@never_cache
def trajectory_create(request, public_id):
    student = get_student_for_user(request.user, public_id, write=True)
    membership = request.user.active_membership
    enrolment = student.enrolments.filter(institution_id=membership.organisation_id).first()
    initial = {"start_date": timezone.localdate()}
    if enrolment:
        initial.update(level=enrolment.level, location=enrolment.location)
    form = TrajectoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            trajectory = services.trajectory_start(
                actor=request.user, student=student, data=dict(form.cleaned_data)
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Het maatwerktraject is gestart."))
            return redirect("referrals:trajectory", trajectory.public_id)
    return render(
        request, "referrals/flexservice/trajectory_form.html", {"form": form, "student": student}
    )


@login_required
@never_cache
def trajectory_detail(request, public_id):
    trajectory = get_trajectory_for_user(request.user, public_id)
    action = request.POST.get("action")
    contact_form = TrajectoryContactForm(
        request.POST if action == "contact" else None, initial={"date": timezone.localdate()}
    )
    end_form = TrajectoryEndForm(
        request.POST if action == "end" else None, initial={"end_date": timezone.localdate()}
    )
    conflict = None
    status = 200
    if request.method == "POST":
        form = contact_form if action == "contact" else end_form

        def save(data, version):
            if action == "contact":
                services.trajectory_contact_add(
                    trajectory=trajectory, actor=request.user, expected_version=version, **data
                )
                messages.success(request, _("Het contactmoment is vastgelegd."))
            else:
                services.trajectory_end(
                    trajectory=trajectory, actor=request.user, expected_version=version, **data
                )
                messages.success(request, _("Het traject is beëindigd."))

        saved, conflict = _versioned_save(
            request, form, save, lambda current: _trajectory_conflict(current, form)
        )
        if saved:
            return redirect("referrals:trajectory", trajectory.public_id)
        if conflict is not None:
            trajectory = get_trajectory_for_user(request.user, public_id)
            status = 409
    return render(
        request,
        "referrals/flexservice/trajectory_detail.html",
        {
            "trajectory": trajectory,
            "contacts": list(trajectory.contacts.select_related("author")),
            "contact_form": contact_form,
            "end_form": end_form,
            "events": list(trajectory.events.select_related("actor")),
            "conflict": conflict,
        },
        status=status,
    )


# --- Results ---------------------------------------------------------------------------


@login_required
@never_cache
def results(request):
    school_ids = results_schools(request.user)
    if school_ids is None:
        raise Http404("No results for this role")
    current = school_year_of(timezone.localdate())
    try:
        year = int(request.GET.get("jaar", current))
    except ValueError:
        year = current
    computed = compute_results(school_ids=school_ids, school_year=year)
    years = sorted({current, year, *[current - i for i in range(1, 4)]}, reverse=True)
    return render(
        request,
        "referrals/flexservice/results.html",
        {
            "results": computed,
            "total": computed.total_figures(),
            "period": computed.period,
            "tables": [
                (_("Per ROC"), computed.rows("school")),
                (_("Per locatie"), computed.rows("location")),
                (_("Per niveau"), computed.rows("level")),
            ],
            "year_table": computed.rows("year"),
            "year": year,
            "year_label": school_year_label(year),
            "years": [(y, school_year_label(y)) for y in years],
            "status_labels": STATUS_LABELS,
            "levels": Level,
        },
    )
