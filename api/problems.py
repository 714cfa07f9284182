"""Errors as `application/problem+json` (RFC 9457), the shape of the REST API Design
Rules: `type`, `title`, `status`, `detail`, `instance`, and for invalid input
`invalidParams`, one entry per invalid value with its `name` (a JSON pointer-like path:
`students[3].bsn`) and `reason`."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: _("De aanvraag is niet geldig."),
    401: _("Niet geauthenticeerd."),
    403: _("Geen toegang met dit token."),
    404: _("Niet gevonden."),
    405: _("Deze methode is hier niet toegestaan."),
    406: _("Dit formaat kan niet worden geleverd."),
    409: _("Conflict met de huidige toestand."),
    413: _("De aanvraag is te groot."),
    415: _("Dit inhoudstype wordt niet ondersteund."),
    422: _("De gegevens zijn niet geldig."),
    429: _("Te veel aanvragen."),
}


def problem(status_code, *, detail="", invalid=None, instance="", headers=None):
    body = {
        "type": "about:blank",
        "title": str(TITLES.get(status_code, _("Fout"))),
        "status": status_code,
    }
    if detail:
        body["detail"] = str(detail)
    if instance:
        body["instance"] = instance
    if invalid:
        body["invalidParams"] = invalid
    return Response(body, status=status_code, content_type=PROBLEM_JSON, headers=headers)


def _flatten(detail, prefix=""):
    """DRF's nested error detail -> [{"name", "reason", "code"}]."""
    out = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or str(key).isdigit():
                out += _flatten(value, f"{prefix}[{key}]")
                continue
            name = key if key != "non_field_errors" else ""
            out += _flatten(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
    elif isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            for item in detail:
                out.append(
                    {
                        "name": prefix or "-",
                        "reason": str(item),
                        "code": getattr(item, "code", "invalid"),
                    }
                )
        else:
            for index, item in enumerate(detail):
                if item:
                    out += _flatten(item, f"{prefix}[{index}]")
    else:
        out.append(
            {"name": prefix or "-", "reason": str(detail), "code": getattr(detail, "code", "")}
        )
    return out


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"-": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    instance = request.path if request is not None else ""
    headers = {
        name: value
        for name, value in response.items()
        if name in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            status.HTTP_400_BAD_REQUEST,
            detail=_("Een of meer waarden zijn niet geldig."),
            invalid=_flatten(exc.detail),
            instance=instance,
            headers=headers,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else ""
    if isinstance(detail, dict | list):
        detail = ""
    return problem(response.status_code, detail=detail, instance=instance, headers=headers)
