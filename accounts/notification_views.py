"""The notification pages: the bell's count, the list, following one, and the mail settings."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import notifications
from .models import Notification, NotificationKind

PAGE_SIZE = 25


@login_required
@require_GET
@never_cache
def bell(request):
    """The bell's contents, loaded by htmx after the page (no query on every page)."""
    return render(
        request,
        "accounts/notifications/_bell.html",
        {"unread": notifications.unread_count(request.user)},
    )


@login_required
@require_GET
def notification_list(request):
    queryset = Notification.objects.filter(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = list(page.object_list)
    names = notifications.student_labels(request.user, [row.student_id for row in rows])
    for row in rows:
        row.first_name = names.get(row.student_id, "")
    return render(
        request,
        "accounts/notifications/list.html",
        {
            "page": page,
            "rows": rows,
            "unread": notifications.unread_count(request.user),
        },
    )


@login_required
@require_GET
def notification_open(request, notification_id):
    """Mark the user's own notification read, then go to its (internal) page."""
    notification = get_object_or_404(Notification, pk=notification_id, user=request.user)
    notifications.mark_read(notification)
    return redirect(notifications.safe_target(notification.url) or "accounts:notifications")


@login_required
@require_POST
def notification_read_all(request):
    notifications.mark_all_read(request.user)
    messages.success(request, _("Alle meldingen zijn gelezen."))
    return redirect("accounts:notifications")


class MailSettingsForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Per e-mail in het dagelijkse overzicht"),
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


@login_required
def notification_settings(request):
    if request.method == "POST":
        form = MailSettingsForm(request.POST)
        if form.is_valid():
            notifications.save_mailed_kinds(user=request.user, kinds=form.cleaned_data["kinds"])
            messages.success(request, _("Uw instellingen voor meldingen zijn opgeslagen."))
            return redirect("accounts:notification_settings")
    else:
        form = MailSettingsForm(initial={"kinds": sorted(notifications.mailed_kinds(request.user))})
    return render(request, "accounts/notifications/settings.html", {"form": form})
