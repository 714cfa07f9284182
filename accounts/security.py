"""Security for every request (ACCESS.md, BIO, OWASP ASVS level 2).

One middleware, in this order:

1. sessions die after `KOERS_SESSION_IDLE_SECONDS` without a request and
   `KOERS_SESSION_ABSOLUTE_SECONDS` after login, whatever the activity;
2. a signed-in user without a verified second factor reaches only the enrolment and
   verification pages (and logout, static files, healthz, the language switch);
3. searches and exports/downloads are counted per user in the cache and refused with a
   429 page over the limit;
4. every response gets a Content Security Policy without inline scripts, and every
   response to a signed-in user `Cache-Control: no-store` (personal data).

Logout and deactivating a user end all their sessions (`end_all_sessions`), through the
`UserSession` table that login fills.
"""

import ipaddress
import logging
import re
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User, UserSession

logger = logging.getLogger("koers.security")

LOGIN_AT = "koers_login_at"
LAST_SEEN = "koers_last_seen"
# Writing the session on every request would cost a write per page; a minute is precise
# enough for a 30-minute idle limit.
LAST_SEEN_RESOLUTION = 60

# Paths reachable without a second factor. Prefixes, checked against request.path_info.
_EXEMPT_URL_NAMES = (
    "accounts:login",
    "accounts:logout",
    "accounts:otp_enrol",
    "accounts:otp_verify",
)
_EXEMPT_PREFIXES = ("/static/", "/healthz", "/i18n/", "/favicon")

# Exports and downloads: any view whose name or path says so. New export views are
# covered without a list to keep up to date.
_EXPORT_NAME = re.compile(r"(pdf|export|download|csv|xlsx)", re.IGNORECASE)
# A redirect to a login page (Koers's or the admin's) refuses an anonymous request.
_LOGIN_PAGE = re.compile(r"/login/$")
_EXPORT_PATH = re.compile(r"\.(pdf|csv|xlsx)$", re.IGNORECASE)


# --- Sessions -------------------------------------------------------------------------
@transaction.atomic
def end_all_sessions(*, user):
    """Delete every session of `user` (on logout, deactivation or a password reset)."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    if keys:
        logger.info("ended %d session(s) of user %s", len(keys), user.pk)


@receiver(user_logged_in, dispatch_uid="koers_record_session")
def _record_session(sender, request, user, **kwargs):
    session = request.session
    now = int(time.time())
    session[LOGIN_AT] = now
    session[LAST_SEEN] = now
    if session.session_key is None:
        session.save()
    UserSession.objects.get_or_create(session_key=session.session_key, defaults={"user": user})
    logger.info("login of user %s", user.pk)


@receiver(user_logged_out, dispatch_uid="koers_end_sessions")
def _end_sessions_on_logout(sender, request, user, **kwargs):
    if user is not None:
        end_all_sessions(user=user)


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="koers_end_sessions_totp")
@receiver(post_delete, sender=StaticDevice, dispatch_uid="koers_end_sessions_static")
def _end_sessions_on_device_removal(sender, instance, **kwargs):
    # A session verified with a device that is gone must not outlive it.
    if instance.confirmed:
        end_all_sessions(user=instance.user)


@receiver(post_save, sender=User, dispatch_uid="koers_end_sessions_of_inactive")
def _end_sessions_of_inactive_user(sender, instance, **kwargs):
    if not instance.is_active:
        end_all_sessions(user=instance)


def rotate_session_key(request):
    """A new session key once the second factor is verified: a key seen before (fixed by
    an attacker, or read while only the password was passed) does not carry the fully
    signed-in session. `UserSession` follows, so logout still ends this session."""
    session = request.session
    old = session.session_key
    session.cycle_key()
    if old and session.session_key != old:
        UserSession.objects.filter(session_key=old).update(session_key=session.session_key)


def _session_expired(session, now):
    login_at = session.get(LOGIN_AT)
    last_seen = session.get(LAST_SEEN)
    if login_at is None or last_seen is None:
        return True
    return (
        now - last_seen > settings.KOERS_SESSION_IDLE_SECONDS
        or now - login_at > settings.KOERS_SESSION_ABSOLUTE_SECONDS
    )


# --- Second factor ------------------------------------------------------------------
def may_skip_second_factor(user):
    """Only in development (DEBUG and KOERS_DEMO_SKIP_2FA) and only for demo accounts."""
    return (
        settings.DEBUG
        and getattr(settings, "KOERS_DEMO_SKIP_2FA", False)
        and user.email.endswith(".demo")
    )


def second_factor_passed(request):
    """django-otp's `login` stored the device in this session. Read from the session, not
    by loading the device on every request (django-otp's middleware costs a query per
    page): deleting a device ends the user's sessions instead."""
    return bool(request.session.get(DEVICE_ID_SESSION_KEY))


def needs_second_factor(request):
    return not second_factor_passed(request) and not may_skip_second_factor(request.user)


def _is_exempt(path):
    if path.startswith(_EXEMPT_PREFIXES):
        return True
    return any(path == reverse(name) for name in _EXEMPT_URL_NAMES)


def _with_next(url, next_path):
    # The path only: a query string may hold a search term (a name, even a BSN).
    return f"{url}?{urlencode({'next': next_path})}"


def _redirect(request, url):
    # An htmx request would swap the login page into a fragment: navigate the whole page.
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def has_confirmed_device(user):
    from django_otp import devices_for_user

    return any(True for _device in devices_for_user(user, confirmed=True))


def safe_next(request, value):
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("home")


# --- Client address (django-axes' lockout) ---------------------------------------------
def client_ip(request):
    """The client's address for the login lockout (settings.AXES_CLIENT_IP_CALLABLE).

    Without a proxy (AXES_IPWARE_PROXY_COUNT 0) it is REMOTE_ADDR, and a client's own
    X-Forwarded-For counts for nothing. Behind N proxies, each appends the address it
    received the request from to X-Forwarded-For: the client is the N-th address from
    the right (what a client wrote on the left itself cannot be trusted). The headers are
    read in AXES_IPWARE_META_PRECEDENCE_ORDER.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.AXES_IPWARE_PROXY_COUNT or 0
    if count <= 0:
        return remote
    for header in settings.AXES_IPWARE_META_PRECEDENCE_ORDER:
        if header == "REMOTE_ADDR":
            return remote
        addresses = []
        for part in request.META.get(header, "").split(","):
            try:
                addresses.append(str(ipaddress.ip_address(part.strip())))
            except ValueError:
                continue
        if len(addresses) >= count:
            return addresses[-count]
    return remote


# --- Rate limits ----------------------------------------------------------------------
RATE_LIMIT_ATTRIBUTE = "koers_rate_limit"


def rate_limited(kind_of):
    """Declare on a view which of its requests count against a rate limit:
    `kind_of(request)` returns "search", "export" or None. The view carries the decision
    (an attribute the middleware reads), so this module names no view of another app.
    Put it above the other decorators or below: functools.wraps carries it along."""

    def decorate(view):
        setattr(view, RATE_LIMIT_ATTRIBUTE, kind_of)
        return view

    return decorate


def rate_limit_kind(request, resolver_match, view_func=None):
    declared = getattr(view_func or resolver_match.func, RATE_LIMIT_ATTRIBUTE, None)
    if declared is not None and (kind := declared(request)):
        return kind
    view_name = resolver_match.view_name or ""
    if _EXPORT_NAME.search(view_name) or _EXPORT_PATH.search(request.path_info):
        return "export"
    if request.GET.get("format", "").lower() in ("csv", "xlsx", "pdf"):
        return "export"
    return None


# When the shared cache (Redis) cannot be reached, each process counts for itself: the
# limit still holds per process, and the page works (a warning in the log).
_local_counters = LocMemCache("koers-rate-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})


def _count(store, key, timeout):
    store.add(key, 0, timeout=timeout)
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout=timeout)
        return 1


def over_rate_limit(*, user, kind):
    """Count one request of `kind` for `user`; True when the window's limit is passed."""
    limit, window = settings.KOERS_RATE_LIMITS[kind]
    bucket = int(time.time() // window)
    key = f"koers:rate:{kind}:{user.pk}:{bucket}"
    try:
        count = _count(cache, key, window + 5)
    except Exception as error:  # the cache server is down or unreachable
        logger.warning(
            "rate limit %s: cache unavailable (%s), counting in this process",
            kind,
            type(error).__name__,
        )
        count = _count(_local_counters, key, window + 5)
    return count > limit


# --- Headers --------------------------------------------------------------------------
def add_security_headers(request, response):
    response.headers.setdefault("Content-Security-Policy", settings.KOERS_CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        patch_cache_control(response, no_store=True, private=True)
    return response


class SecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._guard(request) or self.get_response(request)
        if response.status_code in (403, 404, 429) or (
            response.status_code == 302
            and _LOGIN_PAGE.search(response.get("Location", "").split("?")[0])
            and not _LOGIN_PAGE.search(request.path_info)
        ):
            user = getattr(request, "user", None)
            logger.warning(
                "refused %s %s with %s for user %s",
                request.method,
                request.path_info,
                response.status_code,
                user.pk if user is not None and user.is_authenticated else "anonymous",
            )
        return add_security_headers(request, response)

    def _guard(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        now = int(time.time())
        if _session_expired(request.session, now):
            # Only this session ends: a timeout on one device is no logout everywhere.
            logger.info("session of user %s timed out", user.pk)
            UserSession.objects.filter(session_key=request.session.session_key).delete()
            request.session.flush()
            request.user = AnonymousUser()
            messages.info(request, _("U bent automatisch uitgelogd. Log opnieuw in."))
            return _redirect(request, _with_next(reverse(settings.LOGIN_URL), request.path))
        # A page polling by itself (htmx "every", marked with the X-Koers-Poll header) is
        # no sign of a person: it must not keep an unattended session alive.
        polling = request.headers.get("X-Koers-Poll") == "1"
        if not polling and now - request.session.get(LAST_SEEN, 0) >= LAST_SEEN_RESOLUTION:
            request.session[LAST_SEEN] = now
        if needs_second_factor(request) and not _is_exempt(request.path_info):
            target = "accounts:otp_verify" if has_confirmed_device(user) else "accounts:otp_enrol"
            return _redirect(request, _with_next(reverse(target), request.path))
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.resolver_match is None:
            return None
        kind = rate_limit_kind(request, request.resolver_match, view_func)
        if kind and over_rate_limit(user=user, kind=kind):
            logger.warning(
                "rate limit %s passed by user %s on %s", kind, user.pk, request.path_info
            )
            return render(request, "429.html", {"kind": kind}, status=429)
        return None
