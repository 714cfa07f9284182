"""The calendar: a month page, a week page and the private iCalendar feed."""

import calendar
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from icalendar import Calendar
from icalendar import Event as IcsEvent

from accounts import policy
from accounts.security import over_rate_limit
from students.models import AccessLog
from students.services import access_log

from . import services
from .queries import events_for

NEW_FEED_SESSION_KEY = "planner_new_feed_token"
# The feed covers the recent past and the coming half year.
FEED_DAYS_BACK = 31
FEED_DAYS_AHEAD = 183


def _require_calendar(user):
    if not policy.has_calendar(user):
        raise Http404("No calendar for this role")


def _log_view(user, events, detail):
    ids = sorted({e.student_id for e in events if e.student_id})
    if ids:
        access_log(user=user, action=AccessLog.Action.LIST_STUDENTS, students=ids, detail=detail)


def _month_arg(value, today):
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


def _week_arg(value, today):
    try:
        year, week = (value or "").split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except (TypeError, ValueError):
        return today - timedelta(days=today.weekday())


def _by_day(events):
    days = {}
    for event in events:
        days.setdefault(event.day, []).append(event)
    return days


@login_required
@require_GET
def month(request):
    _require_calendar(request.user)
    today = timezone.localdate()
    first = _month_arg(request.GET.get("maand"), today)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    events = events_for(request.user, start, end, today=today)
    _log_view(request.user, events, "kalender maand")
    by_day = _by_day(events)
    weeks = []
    day = start
    while day <= end:
        week = []
        for _offset in range(7):
            week.append(
                {
                    "date": day,
                    "in_month": day.month == first.month,
                    "today": day == today,
                    "events": by_day.get(day, []),
                }
            )
            day += timedelta(days=1)
        year, number, _weekday = week[0]["date"].isocalendar()
        weeks.append({"number": number, "iso": f"{year}-W{number:02d}", "days": week})
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    return render(
        request,
        "planner/month.html",
        {
            "first": first,
            "weeks": weeks,
            "day_names": [week_day["date"] for week_day in weeks[0]["days"]],
            "event_count": sum(
                len(events) for day, events in by_day.items() if day.month == first.month
            ),
            "previous": f"{previous:%Y-%m}",
            "next": f"{following:%Y-%m}",
            "this_month": f"{today:%Y-%m}",
        },
    )


@login_required
@require_GET
def week(request):
    _require_calendar(request.user)
    today = timezone.localdate()
    monday = _week_arg(request.GET.get("week"), today)
    sunday = monday + timedelta(days=6)
    events = events_for(request.user, monday, sunday, today=today)
    _log_view(request.user, events, "kalender week")
    by_day = _by_day(events)
    days = [
        {
            "date": monday + timedelta(days=offset),
            "today": monday + timedelta(days=offset) == today,
            "events": by_day.get(monday + timedelta(days=offset), []),
        }
        for offset in range(7)
    ]

    def iso(day):
        year, number, _weekday = day.isocalendar()
        return f"{year}-W{number:02d}"

    return render(
        request,
        "planner/week.html",
        {
            "monday": monday,
            "sunday": sunday,
            "number": monday.isocalendar()[1],
            "days": days,
            "event_count": len(events),
            "previous": iso(monday - timedelta(days=7)),
            "next": iso(monday + timedelta(days=7)),
            "month": f"{monday:%Y-%m}",
        },
    )


@login_required
@never_cache
def feed_settings(request):
    """Create, renew or revoke the secret link of the user's calendar feed."""
    _require_calendar(request.user)
    token = request.session.pop(NEW_FEED_SESSION_KEY, None)
    feed_url = request.build_absolute_uri(reverse("planner:feed", args=[token])) if token else None
    return render(
        request,
        "planner/feed_settings.html",
        {"feed": services.active_feed(request.user), "feed_url": feed_url},
    )


@login_required
@require_POST
def feed_create(request):
    _require_calendar(request.user)
    request.session[NEW_FEED_SESSION_KEY] = services.feed_create(user=request.user)
    messages.success(
        request, _("Uw nieuwe kalenderlink staat hieronder. Een eerdere link werkt niet meer.")
    )
    return redirect("planner:feed_settings")


@login_required
@require_POST
def feed_revoke(request):
    _require_calendar(request.user)
    if services.feed_revoke(user=request.user):
        messages.success(request, _("De kalenderlink is ingetrokken en werkt niet meer."))
    return redirect("planner:feed_settings")


@require_GET
@never_cache
def feed(request, token):
    """The iCalendar feed: the token alone authenticates (no session); an unknown or
    revoked token is a 404. Events carry the student's first name and the kind only."""
    found = services.feed_for_token(token)
    if found is None:
        raise Http404("No calendar feed here")
    user = found.user
    user.set_active_membership(found.membership_id)
    if over_rate_limit(user=user, kind="export"):
        return HttpResponse(_("Te veel verzoeken, probeer het zo opnieuw."), status=429)
    today = timezone.localdate()
    events = events_for(
        user,
        today - timedelta(days=FEED_DAYS_BACK),
        today + timedelta(days=FEED_DAYS_AHEAD),
        today=today,
    )
    _log_view(user, events, "kalenderfeed")
    ics = Calendar()
    ics.add("prodid", "-//Koers//Kalender//NL")
    ics.add("version", "2.0")
    ics.add("x-wr-calname", "Koers")
    stamp = timezone.now()
    host = getattr(settings, "SITE_URL", "").split("//")[-1].strip("/") or "koers"
    for event in events:
        item = IcsEvent()
        item.add("uid", f"{event.uid}@{host}")
        item.add("dtstamp", stamp)
        if event.start_time:
            item.add(
                "dtstart",
                timezone.make_aware(datetime.combine(event.day, event.start_time)),
            )
        else:
            item.add("dtstart", event.day)
        summary = str(event.kind_label)
        if event.first_name:
            summary = f"{event.first_name}: {summary}"
        item.add("summary", summary)
        ics.add_component(item)
    response = HttpResponse(ics.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="koers.ics"'
    return response
