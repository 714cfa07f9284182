"""The attention list on the start page and the signals on the student's page."""

from django.db.models import Prefetch
from django.utils import timezone

from .models import SignalEvent, signal_kind_choices
from .queries import attention_list, signals_for_user

ATTENTION_LIMIT = 100


def home_attention_panel(request):
    if request.user.active_membership is None:
        return None
    today = timezone.localdate()
    kind = request.GET.get("signal_kind", "")
    kinds = signal_kind_choices()
    if kind not in dict(kinds):
        kind = ""
    signals = list(attention_list(request.user, today=today, kind=kind)[: ATTENTION_LIMIT + 1])
    return {
        "template": "monitoring/_home_attention.html",
        "context": {
            "signals": signals[:ATTENTION_LIMIT],
            "more": len(signals) > ATTENTION_LIMIT,
            "today": today,
            "kinds": kinds,
            "kind": kind,
            "next": request.get_full_path(),
        },
    }


def student_signals_panel(request, student):
    today = timezone.localdate()
    signals = list(
        signals_for_user(request.user, today=today)
        .filter(student=student)
        .select_related("closed_by")
        .prefetch_related(
            Prefetch(
                "events", queryset=SignalEvent.objects.select_related("actor").order_by("at", "pk")
            )
        )
        .order_by("due_date", "pk")
    )
    if not signals:
        return None
    return {
        "template": "monitoring/_student_signals.html",
        "context": {"signals": signals, "today": today, "next": request.get_full_path()},
    }


_registered = False


def register_panels():
    global _registered
    if _registered:
        return
    from accounts.home import register_home_panel
    from students.panels import register_student_panel

    register_home_panel(5, home_attention_panel)
    register_student_panel(20, student_signals_panel)
    _registered = True
