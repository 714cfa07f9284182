import logging

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .forms import LoginForm
from .home import home_panels
from .middleware import SESSION_KEY

logger = logging.getLogger("koers.faults")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("U bent uitgelogd."))
    return redirect("accounts:login")


@login_required
@require_POST
def switch_membership(request):
    chosen = request.POST.get("membership", "")
    for membership in request.user.memberships_list:
        if str(membership.pk) == chosen:
            request.session[SESSION_KEY] = membership.pk
            messages.info(request, _("U werkt nu als %(role)s.") % {"role": membership})
            break
    return redirect("home")


@login_required
@never_cache
def home(request):
    """The start page: the user's attention list, composed of panels the apps own."""
    return render(request, "accounts/home.html", {"panels": home_panels(request)})


@require_GET
def healthz(request):
    """200 "ok" when the database answers, 503 "unavailable" when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("healthz: database unavailable (%s)", type(error).__name__)
        return HttpResponse("unavailable", content_type="text/plain", status=503)
    return HttpResponse("ok", content_type="text/plain")
