"""The young person's own pages (namespace `portal`, /mijn/) and the staff side of
their requests (namespace `portal_staff`, /verzoeken/).

A student page loads the student from the signed-in account, never from the URL: a
student can only reach their own file. Staff get a 404 on every student page; student
accounts get a 404 on every staff page (portal.middleware).
"""

import json
import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from accounts import policy
from accounts.models import Organisation
from accounts.security import rotate_session_key
from students.models import AccessLog
from students.queries import get_student_for_user
from students.services import access_log

from . import queries, services
from .forms import AnswerForm, CorrectionForm, ObjectionForm, PasswordChoiceForm, SignInForm
from .models import DataCopy, Passkey, RightsRequest, SignIn

logger = logging.getLogger("koers.security")

INVITATION_SESSION = "koers_portal_invitation"
CHALLENGE_SESSION = "koers_portal_challenge"
USER_HANDLE_SESSION = "koers_portal_user_handle"
BACKEND = "accounts.backends.MembershipBackend"


# --- Helpers ---------------------------------------------------------------------------


def student_required(view):
    """Anonymous: to the portal's sign-in. Signed in but not a student account: 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            url = reverse("portal:signin")
            return redirect(f"{url}?{urlencode({'next': request.path})}")
        account = policy.student_account_of(request.user)
        if account is None or not policy.may_use_portal(request.user):
            raise Http404("Not a student account")
        request.student_account = account
        return view(request, *args, **kwargs)

    return wrapper


def not_staff(view):
    """Sign-in pages: open to visitors; a signed-in student goes to their route; staff 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            if policy.is_student_account(request.user):
                return redirect("portal:route")
            raise Http404("A student page")
        return view(request, *args, **kwargs)

    return wrapper


def rp_id():
    return settings.KOERS_WEBAUTHN_RP_ID


def expected_origin(request):
    return f"{request.scheme}://{request.get_host()}"


def _sign_in(request, account, method):
    login(request, account.user, backend=BACKEND)
    if method == SignIn.Method.PASSKEY:
        # A passkey with user verification is both factors: the session counts as
        # having passed the second factor (accounts.security reads this key).
        request.session[DEVICE_ID_SESSION_KEY] = f"portal.passkey/{account.pk}"
        rotate_session_key(request)
    services.sign_in_record(account=account, method=method)


def _safe_next(request):
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target.startswith("/mijn/") and "//" not in target:
        return target
    return reverse("portal:route")


# --- Invitation and account -------------------------------------------------------------


@never_cache
@not_staff
def invite_accept(request, public_id):
    """The invitation link (`public_id` is the invitation's secret token)."""
    invitation = services.invitation_for_token(public_id)
    if invitation is None:
        raise Http404("No open invitation")
    request.session[INVITATION_SESSION] = invitation.pk
    form = PasswordChoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_create(
                invitation=invitation, password=form.cleaned_data["password1"]
            )
        except services.PortalRefused as refusal:
            messages.error(request, refusal.message)
            return redirect("portal:signin")
        _sign_in(request, account, SignIn.Method.PASSWORD)
        # The password is one factor: the authenticator code comes next (accounts.otp).
        return redirect(f"{reverse('accounts:otp_enrol')}?{urlencode({'next': '/mijn/'})}")
    return render(request, "portal/invite_accept.html", {"invitation": invitation, "form": form})


def _session_invitation(request):
    from .models import Invitation

    invitation = Invitation.objects.filter(pk=request.session.get(INVITATION_SESSION)).first()
    if invitation is None or not invitation.is_open():
        raise Http404("No open invitation")
    return invitation


@not_staff
@require_POST
def passkey_register_options(request):
    invitation = _session_invitation(request)
    import secrets

    handle = secrets.token_bytes(32)
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name="Koers",
        user_name=invitation.email,
        user_id=handle,
        user_display_name=invitation.email,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
    )
    request.session[CHALLENGE_SESSION] = bytes_to_base64url(options.challenge)
    return JsonResponse(json.loads(options_to_json(options)))


@not_staff
@require_POST
def passkey_register_verify(request):
    invitation = _session_invitation(request)
    challenge = request.session.pop(CHALLENGE_SESSION, None)
    if not challenge:
        raise Http404("No registration under way")
    try:
        verified = verify_registration_response(
            credential=request.body.decode(),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(request),
            require_user_verification=True,
        )
    except Exception as error:  # the library raises several kinds on a bad response
        logger.warning(
            "passkey registration refused for invitation %s: %s",
            invitation.pk,
            type(error).__name__,
        )
        return JsonResponse({"error": _("De passkey kon niet worden gemaakt.")}, status=400)
    try:
        account = services.account_create(invitation=invitation)
    except services.PortalRefused as refusal:
        return JsonResponse({"error": refusal.message}, status=400)
    services.passkey_add(
        account=account,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )
    request.session.pop(INVITATION_SESSION, None)
    _sign_in(request, account, SignIn.Method.PASSKEY)
    return JsonResponse({"redirect": reverse("portal:route")})


# --- Sign-in -------------------------------------------------------------------------------


@never_cache
@not_staff
def signin(request):
    return render(request, "portal/signin.html", {"next": _safe_next(request)})


@not_staff
@require_POST
def passkey_auth_options(request):
    options = generate_authentication_options(
        rp_id=rp_id(), user_verification=UserVerificationRequirement.REQUIRED
    )
    request.session[CHALLENGE_SESSION] = bytes_to_base64url(options.challenge)
    return JsonResponse(json.loads(options_to_json(options)))


@not_staff
@require_POST
def passkey_auth_verify(request):
    challenge = request.session.pop(CHALLENGE_SESSION, None)
    refused = JsonResponse({"error": _("Inloggen met deze passkey lukte niet.")}, status=400)
    try:
        body = json.loads(request.body.decode())
        credential_id = str(body.get("rawId") or body.get("id") or "")
    except (ValueError, AttributeError):
        return refused
    passkey = (
        Passkey.objects.filter(credential_id=credential_id, account__user__is_active=True)
        .select_related("account__user")
        .first()
    )
    if not challenge or passkey is None:
        logger.warning("portal passkey sign-in refused: unknown passkey or no challenge")
        return refused
    try:
        verified = verify_authentication_response(
            credential=body,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(request),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except Exception as error:  # noqa: BLE001 - every failure is a refusal
        logger.warning(
            "portal passkey sign-in refused for passkey %s: %s", passkey.pk, type(error).__name__
        )
        return refused
    services.passkey_used(passkey=passkey, sign_count=verified.new_sign_count)
    _sign_in(request, passkey.account, SignIn.Method.PASSKEY)
    return JsonResponse({"redirect": _safe_next(request)})


@never_cache
@not_staff
def signin_password(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        account = policy.student_account_of(user) if user is not None else None
        if account is None:
            logger.warning("portal password sign-in refused")
            form.add_error(None, _("Dit e-mailadres of wachtwoord klopt niet."))
        else:
            _sign_in(request, account, SignIn.Method.PASSWORD)
            target = reverse("accounts:otp_verify")
            return redirect(f"{target}?{urlencode({'next': _safe_next(request)})}")
    return render(request, "portal/signin_password.html", {"form": form})


# --- The student's pages --------------------------------------------------------------------


@student_required
@require_POST
def signout(request):
    """A student signs out back to the portal's sign-in page (not the staff login)."""
    from django.contrib.auth import logout

    logout(request)
    messages.info(request, _("Je bent uitgelogd."))
    return redirect("portal:signin")


def _page(request, template, context):
    context = {"student": request.student_account.student, **context}
    return render(request, template, context)


@never_cache
@student_required
def route(request):
    student = request.student_account.student
    today = timezone.localdate()
    return _page(request, "portal/route.html", queries.route_context(student, today))


@never_cache
@student_required
def access(request):
    student = request.student_account.student
    groups = queries.access_overview(student, exclude_user_id=request.user.pk)
    return _page(request, "portal/access.html", {"groups": groups})


@never_cache
@student_required
def shared(request):
    student = request.student_account.student
    return _page(request, "portal/shared.html", {"rows": queries.disclosures(student)})


@student_required
@require_POST
def consent_withdraw(request, pk):
    from students.models import Disclosure

    disclosure = get_object_or_404(Disclosure, pk=pk, student_id=request.student_account.student_id)
    if not queries.may_withdraw(disclosure):
        raise Http404("No consent to withdraw")
    try:
        services.consent_withdraw(account=request.student_account, disclosure=disclosure)
    except services.PortalRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("Je toestemming is ingetrokken. De organisatie kan deze gegevens niet meer zien."),
        )
    return redirect("portal:shared")


def _rights_context(request, correction_form=None, objection_form=None):
    student = request.student_account.student
    today = timezone.localdate()
    services.data_copies_expire()
    copy = (
        DataCopy.objects.filter(account=request.student_account)
        .exclude(status=DataCopy.Status.EXPIRED)
        .order_by("-created_at")
        .first()
    )
    return {
        "copy": copy,
        "correction_form": correction_form or CorrectionForm(),
        "objection_form": objection_form
        or ObjectionForm(organisations=queries.organisations_concerned(student, today)),
        "requests": queries.rights_requests(student),
    }


@never_cache
@student_required
def rights(request):
    return _page(request, "portal/rights.html", _rights_context(request))


@student_required
@require_POST
def copy_start(request):
    services.data_copy_create(account=request.student_account)
    messages.success(request, _("We maken je kopie. Dat duurt meestal minder dan een minuut."))
    return redirect("portal:rights")


def _own_copy(request, job_id):
    return get_object_or_404(DataCopy, public_id=job_id, account=request.student_account)


@never_cache
@student_required
def copy_status(request, job_id):
    copy = _own_copy(request, job_id)
    template = "portal/_copy_status.html" if request.htmx else "portal/copy.html"
    return _page(request, template, {"copy": copy})


@never_cache
@student_required
def copy_download(request, job_id, fmt):
    copy = _own_copy(request, job_id)
    services.data_copies_expire()
    copy.refresh_from_db()
    if copy.status != DataCopy.Status.DONE or fmt not in ("pdf", "json"):
        raise Http404("No file")
    services.data_copy_downloaded(copy=copy, account=request.student_account, fmt=fmt)
    field = copy.pdf if fmt == "pdf" else copy.json
    return FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=f"mijn-gegevens-koers.{fmt}",
        content_type="application/pdf" if fmt == "pdf" else "application/json",
    )


@student_required
@require_POST
def correction(request):
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.rights_request_create(
                account=request.student_account,
                kind=RightsRequest.Kind.CORRECTION,
                field=form.cleaned_data["field"],
                note=form.cleaned_data["note"],
                today=timezone.localdate(),
            )
        except services.PortalRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request, _("Je verzoek is verstuurd. Je krijgt binnen een maand antwoord.")
            )
            return redirect("portal:rights")
    return _page(request, "portal/rights.html", _rights_context(request, correction_form=form))


@student_required
@require_POST
def objection(request):
    student = request.student_account.student
    organisations = queries.organisations_concerned(student, timezone.localdate())
    form = ObjectionForm(request.POST, organisations=organisations)
    if form.is_valid():
        organisation = Organisation.objects.filter(pk=form.cleaned_data["organisation"]).first()
        try:
            services.rights_request_create(
                account=request.student_account,
                kind=RightsRequest.Kind.OBJECTION,
                note=form.cleaned_data["note"],
                organisation=organisation,
                today=timezone.localdate(),
            )
        except services.PortalRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request, _("Je bezwaar is verstuurd. Je krijgt binnen een maand antwoord.")
            )
            return redirect("portal:rights")
    return _page(request, "portal/rights.html", _rights_context(request, objection_form=form))


# --- Staff: the invitation and the students' requests ------------------------------------------


def _staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}")
        if policy.active_membership(request.user) is None:
            raise Http404("No staff role")
        return view(request, *args, **kwargs)

    return wrapper


@_staff_required
@require_POST
def invite(request, public_id):
    student = get_student_for_user(request.user, public_id)
    if not policy.can_invite_student(request.user, student):
        raise Http404("Not the student's mentor or coordinator")
    try:
        services.invitation_create(
            student=student,
            actor=request.user,
            today=timezone.localdate(),
            accept_url_for=lambda token: request.build_absolute_uri(
                reverse("portal:invite_accept", args=[token])
            ),
        )
    except services.PortalRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request, _("De uitnodiging is verstuurd naar het e-mailadres in het dossier.")
        )
    return redirect("students:detail", public_id=student.public_id)


@never_cache
@_staff_required
def requests_list(request):
    rows = list(
        RightsRequest.objects.filter(policy.rights_requests_q(request.user))
        .select_related("student")
        .order_by("status", "due_date", "pk")
    )
    return render(request, "portal/staff_requests.html", {"rows": rows})


@never_cache
@_staff_required
def request_detail(request, pk):
    rights_request = get_object_or_404(
        RightsRequest.objects.filter(policy.rights_requests_q(request.user)).select_related(
            "student", "organisation"
        ),
        pk=pk,
    )
    if request.method == "GET":
        # A staff action on the student's own request, logged as such (ids only).
        access_log(
            user=request.user,
            action=AccessLog.Action.VIEW_STUDENT,
            student=rights_request.student,
            detail=f"portal: opened the student's own request {rights_request.pk}",
        )
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rights_request_answer(
                rights_request=rights_request,
                actor=request.user,
                answer=form.cleaned_data["answer"],
            )
        except services.PortalRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("Uw antwoord is opgeslagen. De student ziet het in Koers."))
            return redirect("portal_staff:requests")
    return render(
        request,
        "portal/staff_request.html",
        {
            "item": rights_request,
            "form": form,
            "field_label": dict(services.correctable_fields()).get(rights_request.field, ""),
        },
    )
