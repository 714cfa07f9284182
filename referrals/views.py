"""Referral pages (inbox, create, detail with the transitions, overgangsdocument PDF);
the Flexservice pages are in referrals.flexservice.views. Every read starts from
referrals.queries; every write is a service."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models.functions import Coalesce
from django.forms import ChoiceField, ModelChoiceField
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import policy
from accounts.models import Role
from accounts.pdf import render_pdf
from accounts.policy import referral_receivers_q
from students.models import AccessLog, LegalBasis
from students.paging import keyset_page
from students.queries import get_student_for_user
from students.services import ConcurrentEditError, access_log

from . import services
from .forms import (
    CompleteForm,
    InstrumentsForm,
    OvergangsdocumentForm,
    ReferralForm,
    RejectForm,
    VersionForm,
)
from .models import (
    SPECIAL_SECTIONS,
    Referral,
    ReferralKind,
    ReferralOutcome,
    ReferralStatus,
    Section,
)
from .queries import (
    can_send_referrals,
    get_referral_for_user,
    is_receiver,
    is_sender,
    receiver_sees_student,
)
from .reminders import is_overdue, reminder_due


def _form_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                form.add_error(target, e)
    else:
        for message in error.messages:
            form.add_error(None, message)


# --- Referrals ----------------------------------------------------------------------


security_log = logging.getLogger("koers.security")


# The referral list's columns to sort on (students.paging); never the student's name,
# which a receiver may not see before accepting: its place in the order would tell it.
REFERRAL_LIST_SORTS = {
    "verstuurd": ("sent_or_created",),
    "soort": ("kind",),
    "van": ("from_organisation__name",),
    "aan": ("to_organisation__name",),
    "status": ("status",),
}


@login_required
@never_cache
def referral_list(request):
    from .models import Referral

    today = timezone.localdate()
    membership = request.user.active_membership
    visible = Referral.objects.visible_to(request.user).annotate(
        sent_or_created=Coalesce("sent_at", "created_at")
    )
    page = keyset_page(
        visible.select_related("student", "from_organisation", "to_organisation"),
        cursors=visible,
        get=request.GET,
        params={},
        allowed=REFERRAL_LIST_SORTS,
        default_sort="-verstuurd",
        size=settings.KOERS_PAGE_SIZE,
    )
    referrals = page.rows
    for referral in referrals:
        referral.incoming = membership and referral.to_organisation_id == membership.organisation_id
        referral.overdue = is_overdue(referral, today)
        referral.show_name = not referral.incoming or receiver_sees_student(referral)
    return render(request, "referrals/referral_list.html", {"referrals": referrals, "page": page})


def _sections_for(user, to_organisation=None, *, overgangsdocument=False):
    sections = services.allowed_sections(actor=user, to_organisation=to_organisation)
    # Before a receiver is chosen, offer ABA to the school; the service refuses it for
    # anyone but W&I.
    membership = user.active_membership
    if to_organisation is None and policy.is_school_writer(membership):
        sections.append(Section.ABA)
    if overgangsdocument:
        sections.append(Section.OVERGANGSDOCUMENT)
    return [(s.value, s.label) for s in dict.fromkeys(sections)]


@login_required
@never_cache
def referral_create(request, public_id, overgangsdocument=False):
    student = get_student_for_user(request.user, public_id)
    if not can_send_referrals(request.user):
        raise Http404("No referrals for this role")
    if overgangsdocument:
        existing = services.existing_overgangsdocument(student)
        if existing is not None:
            # One overgangsdocument per student: no form for a second, a link to the
            # first (when this user may open it).
            visible = Referral.objects.visible_to(request.user).filter(pk=existing.pk).exists()
            return render(
                request,
                "referrals/overgangsdocument_exists.html",
                {"student": student, "existing": existing if visible else None},
                status=409 if request.method == "POST" else 200,
            )
    form_class = OvergangsdocumentForm if overgangsdocument else ReferralForm
    kwargs = {
        "receivers_q": referral_receivers_q(request.user, student),
        "sender_organisation": request.user.organisation,
        "section_choices": _sections_for(request.user, overgangsdocument=overgangsdocument),
        "wi_only": overgangsdocument,
    }
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                referral = services.referral_create(
                    actor=request.user,
                    student=student,
                    to_organisation=data["to_organisation"],
                    kind=ReferralKind.OVERGANGSDOCUMENT
                    if overgangsdocument
                    else ReferralKind.GENERAL,
                    question=data["question"],
                    sections=data["sections"],
                    support_needs=data["support_needs"],
                    legal_basis=data["legal_basis"],
                    legal_reference=data["legal_reference"],
                    consent_given_by=data["consent_given_by"],
                    consent_given_on=data["consent_given_on"],
                    overgangsdocument={f: data[f] for f in services.OVERGANGSDOCUMENT_FIELDS}
                    if overgangsdocument
                    else None,
                )
            except services.StudentOutOfScope:
                raise Http404("No student here") from None
            except services.OvergangsdocumentExists:
                form.add_error(
                    None,
                    _(
                        "Deze student heeft al een overgangsdocument; een tweede is niet "
                        "mogelijk. Vul het bestaande aan."
                    ),
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request, _("Het concept is opgeslagen. Controleer het en verstuur het.")
                )
                return redirect("referrals:detail", referral.public_id)
    else:
        initial = {"legal_basis": LegalBasis.WETTELIJKE_TAAK}
        if overgangsdocument:
            initial["sections"] = [Section.CONTACT, Section.ROADMAP_SUMMARY]
        form = form_class(initial=initial, **kwargs)
    return render(
        request,
        "referrals/referral_form.html",
        {"form": form, "student": student, "overgangsdocument": overgangsdocument},
    )


def _log_special_view(request, referral, detail):
    access_log(
        user=request.user,
        action=AccessLog.Action.VIEW_SPECIAL,
        student=referral.student,
        detail=f"referral {referral.public_id}: {detail}",
    )


VERSION_REFUSED = _("Het formulier is ongeldig; laad de pagina opnieuw.")


def _posted_version(request):
    """The version the page was read at (bounded), or None with a form error."""
    form = VersionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None


def _display(value):
    if value is None or value == "":
        return "—"
    if value is True:
        return _("ja")
    if value is False:
        return _("nee")
    if hasattr(value, "strftime"):
        return value.strftime("%d-%m-%Y")
    return str(value)


def _conflict_rows(rows):
    """[(label, saved, yours)] as the side-by-side table of a refused stale save."""
    result = []
    for label, saved, yours in rows:
        saved, yours = _display(saved), _display(yours)
        result.append({"label": label, "saved": saved, "yours": yours, "differs": saved != yours})
    return result


def _choice_label(choices, value):
    return dict(choices).get(value, value)


def _form_conflict(form, saved, *, before=(), after=()):
    """The side-by-side rows of a refused stale save of a valid `form`: for each field of
    `saved` ({name: the saved value}) that the form has, its label, the saved value and
    the user's (a choice field by its label); `before` and `after` are rows of their own."""
    rows = list(before)
    for name, value in saved.items():
        field = form.fields.get(name)
        if field is None:
            continue
        yours = form.cleaned_data.get(name)
        if isinstance(field, ChoiceField) and not isinstance(field, ModelChoiceField):
            value, yours = _choice_label(field.choices, value), _choice_label(field.choices, yours)
        rows.append((field.label, value, yours))
    return _conflict_rows([*rows, *after])


@login_required
@never_cache
def referral_detail(request, public_id):
    referral = get_referral_for_user(request.user, public_id)
    return _render_referral(request, referral)


def _render_referral(request, referral, *, conflict=None, forms=None, status=200):
    sender = is_sender(request.user, referral)
    receiver = is_receiver(request.user, referral) and not sender
    shows_student = sender or receiver_sees_student(referral)
    data = referral.shared_data if shows_student and referral.status != "draft" else {}
    if receiver and shows_student:
        access_log(
            user=request.user,
            action=AccessLog.Action.VIEW_STUDENT,
            student=referral.student,
            detail=f"referral {referral.public_id}",
        )
        special = sorted(set(referral.sections) & {str(s) for s in SPECIAL_SECTIONS})
        if special:
            _log_special_view(request, referral, ", ".join(special))
    context = {
        "referral": referral,
        "sender": sender,
        "receiver": receiver,
        "shows_student": shows_student,
        "data": data,
        "section_labels": dict(Section.choices),
        "events": list(referral.events.select_related("actor", "organisation")),
        "overdue": is_overdue(referral, timezone.localdate()),
        "due": reminder_due(timezone.localtime(referral.sent_at).date())
        if referral.sent_at
        else None,
        "reject_form": (forms or {}).get("reject") or RejectForm(),
        "complete_form": (forms or {}).get("complete") or CompleteForm(),
        "instruments": getattr(referral, "instruments", None),
        "conflict": conflict,
    }
    if receiver and shows_student and request.user.role == Role.WI:
        instruments = context["instruments"]
        context["instruments_form"] = (forms or {}).get("instruments") or InstrumentsForm(
            initial={f: getattr(instruments, f) for f in services.INSTRUMENT_FIELDS}
            if instruments
            else None
        )
    return render(request, "referrals/referral_detail.html", context, status=status)


def _referral_conflict(current, posted):
    """The saved referral next to what this user tried: status and the posted fields."""
    rows = [
        (_("Status"), current.get_status_display(), _("(uw actie)")),
    ]
    labels = {
        "reason": (_("Reden van afwijzing"), current.rejection_reason),
        "outcome": (
            _("Uitkomst"),
            _choice_label(ReferralOutcome.choices, current.outcome),
        ),
        "note": (_("Toelichting"), current.outcome_note),
    }
    for name, (label, saved) in labels.items():
        if name in posted:
            yours = posted[name]
            if name == "outcome":
                yours = _choice_label(ReferralOutcome.choices, yours)
            rows.append((label, saved, yours))
    return _conflict_rows(rows)


def _transition_view(request, public_id, fn, success, form_class=None, **extra):
    referral = get_referral_for_user(request.user, public_id)
    kwargs = {}
    version = _posted_version(request)
    if version is None:
        # No version, or a tampered one: nothing is done (never a database error).
        messages.error(request, VERSION_REFUSED)
        return redirect("referrals:detail", referral.public_id)
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, _("Vul het formulier volledig in."))
            return redirect("referrals:detail", referral.public_id)
        kwargs = form.cleaned_data
    try:
        fn(referral=referral, actor=request.user, expected_version=version, **kwargs, **extra)
    except ConcurrentEditError as error:
        current = get_referral_for_user(request.user, public_id)
        conflict = _referral_conflict(error.current, {k: str(v) for k, v in kwargs.items()})
        return _render_referral(request, current, conflict=conflict, status=409)
    except services.StudentOutOfScope:
        raise Http404("No student here") from None
    except services.ReferralRefused as refused:
        # A refusal is logged like every other one (ACCESS.md); ids only, no names.
        security_log.warning(
            "refused %s %s: transition not allowed for user %s",
            request.method,
            request.path,
            request.user.pk,
        )
        messages.error(request, refused.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("referrals:detail", referral.public_id)


@login_required
@require_POST
def referral_send(request, public_id):
    return _transition_view(
        request, public_id, services.referral_send, _("De verwijzing is verstuurd.")
    )


@login_required
@require_POST
def referral_withdraw(request, public_id):
    return _transition_view(
        request, public_id, services.referral_withdraw, _("De verwijzing is ingetrokken.")
    )


@login_required
@require_POST
def referral_accept(request, public_id):
    return _transition_view(
        request, public_id, services.referral_accept, _("De verwijzing is geaccepteerd.")
    )


@login_required
@require_POST
def referral_reject(request, public_id):
    return _transition_view(
        request,
        public_id,
        services.referral_reject,
        _("De verwijzing is afgewezen."),
        form_class=RejectForm,
    )


@login_required
@require_POST
def referral_complete(request, public_id):
    return _transition_view(
        request,
        public_id,
        services.referral_complete,
        _("De verwijzing is afgerond."),
        form_class=CompleteForm,
    )


@login_required
@require_POST
def referral_consent_withdraw(request, public_id):
    return _transition_view(
        request,
        public_id,
        services.referral_consent_withdraw,
        _(
            "De intrekking van de toestemming is vastgelegd; de ontvanger ziet de gegevens niet meer."
        ),
    )


@login_required
@require_POST
def referral_instruments(request, public_id):
    referral = get_referral_for_user(request.user, public_id)
    form = InstrumentsForm(request.POST)
    version = _posted_version(request)
    if version is None:
        messages.error(request, VERSION_REFUSED)
    elif form.is_valid():
        try:
            services.instruments_record(
                referral=referral,
                actor=request.user,
                data=form.cleaned_data,
                expected_version=version,
            )
        except ConcurrentEditError:
            current = get_referral_for_user(request.user, public_id)
            saved = getattr(current, "instruments", None)
            conflict = _form_conflict(
                form, {name: getattr(saved, name, None) for name in services.INSTRUMENT_FIELDS}
            )
            # The form shows the user's values again; saving now is a deliberate choice.
            return _render_referral(
                request,
                current,
                conflict=conflict,
                forms={"instruments": form},
                status=409,
            )
        except services.ReferralRefused as refused:
            messages.error(request, refused.message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("De instrumenten zijn vastgelegd."))
    else:
        messages.error(request, _("Controleer de ingevulde datums."))
    return redirect("referrals:detail", referral.public_id)


@login_required
@never_cache
def overgangsdocument_pdf(request, public_id):
    referral = get_referral_for_user(request.user, public_id)
    if referral.kind != ReferralKind.OVERGANGSDOCUMENT:
        raise Http404("No document")
    sender = is_sender(request.user, referral)
    if not sender and not receiver_sees_student(referral):
        raise Http404("No document")
    if sender and referral.status == ReferralStatus.DRAFT:
        doc = referral.overgangsdocument
        document = {f: getattr(doc, f) for f in services.OVERGANGSDOCUMENT_FIELDS}
        data = {"name": referral.student.full_name}
    else:
        data = referral.shared_data
        document = data.get("overgangsdocument", {})
    pdf = render_pdf(
        "referrals/overgangsdocument_pdf.html",
        {"referral": referral, "data": data, "document": document},
        user=request.user,
        title=_("Overgangsdocument"),
        request=request,
    )
    access_log(
        user=request.user,
        action=AccessLog.Action.DOWNLOAD,
        student=referral.student,
        detail=f"overgangsdocument {referral.public_id}",
    )
    if not sender:
        _log_special_view(request, referral, "overgangsdocument (pdf)")
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name carries the referral's random id, never the BSN or a name.
    response["Content-Disposition"] = (
        f'inline; filename="overgangsdocument-{referral.public_id}.pdf"'
    )
    return response
