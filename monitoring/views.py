"""Acting on a signal from the attention list or the student's page.

Both forms carry the version of the signal the user read: a signal that someone else (or
the rules) changed meanwhile is not closed over that change; the page shows both
versions instead (409). A signal that asks for a step is closed by logging the step;
closing it without the step needs a reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .forms import AssignForm, DismissForm, ResolveForm
from .models import SignalStatus
from .panels import attach_step_links, signal_handlers
from .queries import signals_for_user, with_versions
from .services import (
    SignalAlreadyClosed,
    SignalChanged,
    signal_assign,
    signal_dismiss,
    signal_resolve,
)


def _back(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("home")


def _signal(request, pk):
    """A signal the user may act on (open or not), with its version; else 404."""
    signals = signals_for_user(request.user, today=timezone.localdate())
    return get_object_or_404(
        with_versions(signals.select_related("student", "closed_by", "handler")), pk=pk
    )


def _person(user):
    return (user.get_full_name() or user.email) if user else "—"


def _conflict_rows(current, status, note):
    def label(value):
        return SignalStatus(value).label if value in SignalStatus.values else value

    rows = [
        (_("Status"), label(current.status), label(status)),
        (_("Toelichting"), current.note or "—", note or "—"),
        (
            _("Gesloten door"),
            (current.closed_by.get_full_name() or current.closed_by.email)
            if current.closed_by
            else "—",
            _("u") if status != SignalStatus.OPEN else "—",
        ),
        (_("Voor"), current.get_assignee_display(), "—"),
        (_("Behandelaar"), _person(current.handler), "—"),
    ]
    return [
        {"label": label_, "saved": saved, "yours": yours, "differs": saved != yours}
        for label_, saved, yours in rows
    ]


def _page(
    request,
    signal,
    *,
    resolve_form=None,
    dismiss_form=None,
    assign_form=None,
    conflict=None,
    status=200,
):
    attach_step_links([signal])
    next_url = request.POST.get("next", "") if request.method == "POST" else ""
    return render(
        request,
        "monitoring/signal_page.html",
        {
            "signal": signal,
            "resolve_form": resolve_form or ResolveForm(initial={"version": signal.version}),
            "dismiss_form": dismiss_form or DismissForm(initial={"version": signal.version}),
            "assign_form": assign_form
            or AssignForm(
                initial={"version": signal.version, "handler": signal.handler_id},
                organisation_id=signal.organisation_id,
            ),
            "conflict": conflict,
            "next": next_url or request.GET.get("next", ""),
        },
        status=status,
    )


def _act(request, pk, *, form_class, status, act, success, key, form_kwargs=None):
    signal = _signal(request, pk)
    form_kwargs = form_kwargs(signal) if form_kwargs else {}
    form = form_class(request.POST, **form_kwargs)
    if not form.is_valid():
        if form.non_field_errors():
            # No version, or a tampered one: nothing is done.
            messages.error(request, _("Het formulier is ongeldig; laad de pagina opnieuw."))
            return _back(request)
        return _page(request, signal, **{key: form})
    text = form.cleaned_data.get("note") or form.cleaned_data.get("reason") or ""
    try:
        act(signal=signal, actor=request.user, form=form)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        return _page(request, signal, **{key: form})
    except (SignalChanged, SignalAlreadyClosed):
        current = _signal(request, pk)
        fresh = form_class(
            {**request.POST.dict(), "version": current.version}, **form_kwargs
        )  # resubmitting is a deliberate choice now
        fresh.is_valid()
        return _page(
            request,
            current,
            conflict=_conflict_rows(current, status, text.strip()),
            status=409,
            **({key: fresh} if current.status == SignalStatus.OPEN else {}),
        )
    messages.success(request, success)
    return _back(request)


@login_required
@never_cache
@require_POST
def resolve(request, pk):
    return _act(
        request,
        pk,
        form_class=ResolveForm,
        status=SignalStatus.RESOLVED,
        act=lambda signal, actor, form: signal_resolve(
            signal=signal,
            actor=actor,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        ),
        success=_("Het signaal is afgehandeld."),
        key="resolve_form",
    )


@login_required
@never_cache
@require_POST
def dismiss(request, pk):
    return _act(
        request,
        pk,
        form_class=DismissForm,
        status=SignalStatus.DISMISSED,
        act=lambda signal, actor, form: signal_dismiss(
            signal=signal,
            actor=actor,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ),
        success=_("Het signaal is afgewezen."),
        key="dismiss_form",
    )


@login_required
@never_cache
@require_POST
def assign(request, pk):
    """Hand the signal to a colleague of its organisation who may see the student."""
    return _act(
        request,
        pk,
        form_class=AssignForm,
        status=SignalStatus.OPEN,
        act=lambda signal, actor, form: signal_assign(
            signal=signal,
            actor=actor,
            handler=form.cleaned_data["handler"],
            expected_version=form.cleaned_data["version"],
        ),
        success=_("Het signaal is toegewezen."),
        key="assign_form",
        form_kwargs=lambda signal: {"organisation_id": signal.organisation_id},
    )


@login_required
@never_cache
@require_GET
def assign_options(request, pk):
    """The assign form with every colleague, for an organisation too large to offer them
    in every row of the attention list: htmx loads the form when a row's "Toewijzen" is
    opened; without JavaScript the link opens the signal's own page with its forms."""
    return _form_on_open(
        request, pk, "monitoring/_assign_form.html", handlers=lambda: signal_handlers(request.user)
    )


def _next(request):
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return ""
    return target


def _form_on_open(request, pk, template, handlers=None):
    """One of a row's forms, loaded by htmx when the attention list's row opens it (the
    start page does not render three forms in each of its rows, issue 16); without
    JavaScript the link opens the signal's own page with all its forms. `handlers` gives
    the colleagues for the assign form, asked only when the form is rendered."""
    signal = _signal(request, pk)
    if not request.htmx:
        return _page(request, signal)
    attach_step_links([signal])
    context = {"signal": signal, "next": _next(request)}
    if handlers is not None:
        context["handlers"] = handlers()
    return render(request, template, context)


@login_required
@never_cache
@require_GET
def resolve_form(request, pk):
    return _form_on_open(request, pk, "monitoring/_resolve_form.html")


@login_required
@never_cache
@require_GET
def dismiss_form(request, pk):
    return _form_on_open(request, pk, "monitoring/_dismiss_form.html")
