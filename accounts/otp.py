"""Two-factor login (django-otp): a TOTP app enrolled with a QR code rendered here as
SVG (no external service sees the secret), plus ten one-time backup codes."""

import base64
import logging

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .security import has_confirmed_device, rotate_session_key, safe_next, second_factor_passed

logger = logging.getLogger("koers.security")

BACKUP_CODES = 10


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def qr_svg(text):
    """The QR code of `text` as inline SVG markup (paths only: no style attributes)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308  # nosec B308 B703 - our own SVG


def _pending_totp(user):
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)


@transaction.atomic
def confirm_enrolment(*, user, device):
    """Confirm the TOTP device and issue fresh backup codes (returned once, never shown again)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Reservecodes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


@never_cache
@login_required
def enrol(request):
    if has_confirmed_device(request.user) and not second_factor_passed(request):
        return redirect("accounts:otp_verify")
    device = _pending_totp(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            codes = confirm_enrolment(user=request.user, device=device)
            otp_login(request, device)
            rotate_session_key(request)
            logger.info("second factor enrolled for user %s", request.user.pk)
            return render(
                request,
                "accounts/otp_backup_codes.html",
                {"codes": codes, "next": safe_next(request, request.GET.get("next"))},
            )
        logger.warning("wrong enrolment code for user %s", request.user.pk)
        form.add_error("token", _("Deze code klopt niet. Probeer de volgende code."))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_enrol.html",
        {"form": form, "qr": qr_svg(device.config_url), "secret": secret},
    )


@never_cache
@login_required
def verify(request):
    if not has_confirmed_device(request.user):
        return redirect("accounts:otp_enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip().replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            rotate_session_key(request)
            logger.info("second factor verified for user %s", request.user.pk)
            return redirect(safe_next(request, request.GET.get("next")))
        logger.warning("wrong second-factor code for user %s", request.user.pk)
        form.add_error("token", _("Deze code klopt niet."))
    backup_left = sum(
        device.token_set.count()
        for device in devices_for_user(request.user, confirmed=True)
        if isinstance(device, StaticDevice)
    )
    return render(request, "accounts/otp_verify.html", {"form": form, "backup_left": backup_left})
