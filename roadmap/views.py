"""The route pages: the route panel, a form per step, a step's history, contact moments.

One view per URL: with htmx it answers the fragment that goes into the panel, without
it the whole page (and a redirect after a successful POST), so the forms work without
JavaScript too.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from students.models import AccessLog, Enrolment, RecordChange
from students.services import ConcurrentEditError, access_log

from .forms import STEP_FORMS, ContactMomentForm
from .models import STEP_MODELS, AbaStepChange, StepConflict, StepKind
from .panels import route_panel_context, startpunt_name
from .queries import (
    all_contact_moments,
    can_see_special,
    contact_kinds_for,
    get_route_student,
    get_writable_enrolment,
)
from .route import enrolment_is_regional, loaded_step
from .services import (
    STEP_FIELDS,
    contact_moment_log,
    step_conflict_record,
    step_log,
    step_values_for_display,
)
from .templatetags.roadmap import display_value


def _kind_or_404(kind):
    try:
        return StepKind(kind)
    except ValueError:
        raise Http404("No such step") from None


def _next_url(request, student):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("students:detail", args=[student.public_id])


def _render_panel(request, student, *, saved=""):
    context = route_panel_context(request, student)
    # htmx swaps only the panel: the confirmation is shown in it, not queued as a
    # message that would pile up until the next full page.
    context["saved"] = saved
    response = render(request, "roadmap/_route.html", {"panel": context})
    if saved:
        # Other parts of the student's page (work, history) may listen and refresh.
        response["HX-Trigger"] = "roadmap-changed"
    return response


@login_required
@never_cache
def route(request, public_id):
    """The route on its own page, or the panel's content for htmx (after a cancel)."""
    student = get_route_student(request.user, public_id)
    if request.htmx:
        return _render_panel(request, student)
    access_log(
        user=request.user,
        action=AccessLog.Action.VIEW_STUDENT,
        student=student,
        detail="roadmap: route",
    )
    context = route_panel_context(request, student)
    return render(request, "roadmap/route_page.html", {"student": student, "panel": context})


def _apply_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages_:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _conflict_rows(kind, saved, refused, form):
    """[(label, saved, yours)] for every field, differing ones flagged."""
    rows = []
    model = STEP_MODELS[kind]
    for name in saved:
        label = form.fields[name].label if name in form.fields else name
        saved_display = display_value(model, name, saved[name])
        refused_display = display_value(model, name, refused.get(name))
        rows.append(
            {
                "label": label,
                "saved": saved_display,
                "yours": refused_display,
                "differs": saved_display != refused_display,
            }
        )
    return rows


def _last_saved_by(kind, step):
    if kind == StepKind.ABA:
        change = (
            AbaStepChange.objects.filter(aba_step=step)
            .select_related("actor")
            .order_by("-at", "-id")
            .first()
        )
    else:
        change = (
            RecordChange.objects.filter(record_type=step._meta.model_name, record_id=step.pk)
            .select_related("actor")
            .order_by("-at", "-id")
            .first()
        )
    return change


@login_required
@never_cache
def step_edit(request, public_id, enrolment_id, kind):
    """Log or correct one step. Only the student's school reaches this (else 404)."""
    kind = _kind_or_404(kind)
    enrolment = get_writable_enrolment(request.user, public_id, enrolment_id, kind=kind)
    student = enrolment.student
    step = loaded_step(enrolment, kind)
    form_class = STEP_FORMS[kind]
    instance = step if step is not None else STEP_MODELS[kind]()
    regional = enrolment_is_regional(enrolment)
    form_kwargs = {
        "instance": instance,
        "startpunt_name": startpunt_name(student.municipality),
        "regional": regional,
    }
    if kind == StepKind.START:
        form_kwargs["student"] = student  # its own parents and network to choose from
    conflict = None

    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.service_data()
            expected = form.cleaned_data.get("version")
            try:
                step_log(
                    enrolment=enrolment,
                    kind=kind,
                    data=data,
                    actor=request.user,
                    expected_version=expected,
                )
            except ValidationError as error:
                _apply_errors(form, error)
            except ConcurrentEditError:
                current = (
                    STEP_MODELS[kind].objects.select_related("author").get(enrolment=enrolment)
                )
                step_conflict_record(
                    enrolment=enrolment,
                    kind=kind,
                    actor=request.user,
                    expected_version=expected,
                    current=current,
                    refused_data=data,
                )
                saved = step_values_for_display(kind, current)
                conflict = {
                    "rows": _conflict_rows(kind, saved, data, form),
                    "current": current,
                    "change": _last_saved_by(kind, current),
                }
                # The user has now seen the other version: saving again is a deliberate
                # choice, so the form carries the saved version from here on.
                form.data = form.data.copy()
                form.data["version"] = current.version
            else:
                saved = _("%(step)s is opgeslagen.") % {"step": StepKind(kind).label}
                if request.htmx:
                    return _render_panel(request, student, saved=saved)
                messages.success(request, saved)
                return redirect(_next_url(request, student))
    else:
        form = form_class(**form_kwargs)

    if kind == StepKind.ABA and (step is not None or conflict is not None):
        access_log(
            user=request.user,
            action=AccessLog.Action.VIEW_SPECIAL,
            student=student,
            detail="roadmap: ABA (form)",
        )
    context = {
        "student": student,
        "enrolment": enrolment,
        "kind": kind,
        "kind_label": StepKind(kind).label,
        "step": step,
        "form": form,
        "conflict": conflict,
        "next": _next_url(request, student),
        "startpunt_name": startpunt_name(student.municipality),
    }
    template = "roadmap/_step_form.html" if request.htmx else "roadmap/step_form_page.html"
    return render(request, template, context)


@login_required
@never_cache
def step_history(request, public_id, enrolment_id, kind):
    """A step's versions (corrections with their old values) and refused saves."""
    kind = _kind_or_404(kind)
    student = get_route_student(request.user, public_id)
    try:
        enrolment = Enrolment.objects.select_related("institution").get(
            pk=enrolment_id, student=student, level="entree"
        )
    except (Enrolment.DoesNotExist, ValueError):
        raise Http404("No enrolment here") from None
    model = STEP_MODELS[kind]
    if kind == StepKind.ABA and not can_see_special(request.user, enrolment, student):
        raise Http404("No step here")
    step = model.objects.select_related("author").filter(enrolment=enrolment).first()
    if step is None:
        raise Http404("No step here")
    if kind == StepKind.ABA:
        changes = list(step.changes.select_related("actor").order_by("-at", "-id"))
        access_log(
            user=request.user,
            action=AccessLog.Action.VIEW_SPECIAL,
            student=student,
            detail="roadmap: ABA (history)",
        )
    else:
        changes = list(
            RecordChange.objects.filter(record_type=model._meta.model_name, record_id=step.pk)
            .select_related("actor")
            .order_by("-at", "-id")
        )
    conflicts = list(
        StepConflict.objects.filter(enrolment=enrolment, kind=kind)
        .select_related("actor")
        .order_by("-at", "-id")
    )
    labels = {name: model._meta.get_field(name).verbose_name for name in STEP_FIELDS[kind]}
    labels["date"] = STEP_FORMS[kind].date_label
    labels.update(
        employer=_("werkgever"),
        hours_per_week=_("uren per week"),
        employment_start=_("start van het werk"),
        employment_end=_("einde van het contract"),
        employment=_("dienstverband"),
    )
    return render(
        request,
        "roadmap/step_history.html",
        {
            "student": student,
            "enrolment": enrolment,
            "kind": kind,
            "kind_label": StepKind(kind).label,
            "step": step,
            "model": model,
            "changes": changes,
            "conflicts": conflicts,
            "labels": labels,
        },
    )


@login_required
@never_cache
def contact_new(request, public_id):
    """Log a contact moment: the school, the Doorstroompunt and Leerplicht, each their own."""
    student = get_route_student(request.user, public_id)
    kinds = contact_kinds_for(request.user, student)
    if not kinds:
        raise Http404("Nothing to log here")
    if request.method == "POST":
        form = ContactMomentForm(request.POST, kinds=kinds)
        if form.is_valid():
            membership = request.user.active_membership
            enrolment = (
                Enrolment.objects.filter(student=student, institution=membership.organisation)
                .order_by("-start_date", "-id")
                .first()
            )
            try:
                contact_moment_log(
                    student=student,
                    kind=form.cleaned_data["kind"],
                    data=form.cleaned_data,
                    actor=request.user,
                    enrolment=enrolment,
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                saved = _("Het contactmoment is opgeslagen.")
                if request.htmx:
                    return _render_panel(request, student, saved=saved)
                messages.success(request, saved)
                return redirect(_next_url(request, student))
    else:
        form = ContactMomentForm(kinds=kinds)
    context = {"student": student, "form": form, "next": _next_url(request, student)}
    template = "roadmap/_contact_form.html" if request.htmx else "roadmap/contact_form_page.html"
    return render(request, template, context)


@login_required
@never_cache
def contact_list(request, public_id):
    student = get_route_student(request.user, public_id)
    return render(
        request,
        "roadmap/contact_list.html",
        {"student": student, "contacts": all_contact_moments(student)},
    )
