"""Acting on a signal from the attention list or the student's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import DismissForm, ResolveForm
from .models import SignalStatus
from .queries import signals_for_user
from .services import SignalAlreadyClosed, signal_dismiss, signal_resolve


def _back(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("home")


def _open_signal(request, pk):
    signals = signals_for_user(request.user, today=timezone.localdate())
    return get_object_or_404(signals, pk=pk, status=SignalStatus.OPEN)


@login_required
@require_POST
def resolve(request, pk):
    signal = _open_signal(request, pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            signal_resolve(signal=signal, actor=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("Het signaal is afgehandeld."))
        except SignalAlreadyClosed:
            messages.warning(request, _("Dit signaal was al gesloten."))
    return _back(request)


@login_required
@require_POST
def dismiss(request, pk):
    signal = _open_signal(request, pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Geef een reden om het signaal af te wijzen."))
        return _back(request)
    try:
        signal_dismiss(signal=signal, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Het signaal is afgewezen."))
    except SignalAlreadyClosed:
        messages.warning(request, _("Dit signaal was al gesloten."))
    return _back(request)
