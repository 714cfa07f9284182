"""The journal pages: a student's journal, writing and changing a note, addenda.

A student outside the user's scope, a note the user may not read, and a role without a
journal are a 404 on every path, read or write. Every view of a journal is logged."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import policy
from students.history import history_rows
from students.models import AccessLog
from students.queries import get_student_for_user
from students.services import ConcurrentEditError, access_log

from .forms import AddendumForm, NoteForm, NoteShareForm
from .queries import get_note, notes_for_page
from .services import addendum_add, note_create, note_share, note_update, share_referrals

# A journal of more notes than this shows the latest ones (and says so).
JOURNAL_LIMIT = 200


def _journal_student(request, public_id, *, write=False):
    student = get_student_for_user(request.user, public_id)
    allowed = (
        policy.may_write_note(request.user, student)
        if write
        else policy.may_use_journal(request.user)
    )
    if not allowed:
        raise Http404("No journal here")
    return student


def _note_or_404(request, student, note_id):
    note = get_note(request.user, student, note_id)
    if note is None:
        raise Http404("No note here")
    return note


def _apply_errors(form, error):
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
@never_cache
def journal(request, public_id):
    student = _journal_student(request, public_id)
    notes = notes_for_page(request.user, student, limit=JOURNAL_LIMIT + 1, history=True)
    now = timezone.now()
    for note in notes:
        note.editable = policy.can_edit_note(request.user, note, now)
        note.locked = policy.note_locked(note, now)
        note.history = history_rows(note.changes.all())
    access_log(
        user=request.user, action=AccessLog.Action.VIEW_STUDENT, student=student, detail="journaal"
    )
    return render(
        request,
        "casework/journal.html",
        {
            "student": student,
            "notes": notes[:JOURNAL_LIMIT],
            "more": len(notes) > JOURNAL_LIMIT,
            "limit": JOURNAL_LIMIT,
            "may_write": policy.may_write_note(request.user, student),
            "may_share": policy.can_send_referral(request.user),
            "addendum_form": AddendumForm(),
        },
    )


@login_required
@never_cache
def note_new(request, public_id):
    student = _journal_student(request, public_id, write=True)
    if request.method == "POST":
        form = NoteForm(request.POST, student=student)
        if form.is_valid():
            try:
                note_create(
                    student=student,
                    data=form.cleaned_data,
                    guardians=form.chosen_guardians(),
                    actor=request.user,
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("De notitie is opgeslagen."))
                return redirect("casework:journal", public_id=student.public_id)
    else:
        form = NoteForm(
            student=student, initial={"date": timezone.localdate(), "level": "organisation"}
        )
    return render(
        request,
        "casework/note_form.html",
        {"student": student, "form": form, "title": _("Notitie schrijven")},
    )


@login_required
@never_cache
def note_edit(request, public_id, note_id):
    student = _journal_student(request, public_id, write=True)
    note = _note_or_404(request, student, note_id)
    now = timezone.now()
    if note.author_id != request.user.pk:
        raise Http404("Not the author")
    if not policy.can_edit_note(request.user, note, now):
        messages.info(
            request,
            _(
                "Deze notitie is na een dag vergrendeld. U kunt er wel een aanvulling bij schrijven."
            ),
        )
        return redirect("casework:journal", public_id=student.public_id)
    status = 200
    if request.method == "POST":
        form = NoteForm(request.POST, instance=note, student=student)
        if form.is_valid():
            try:
                _saved, changes = note_update(
                    note=note,
                    expected_version=form.cleaned_data["version"],
                    data=form.cleaned_data,
                    guardians=form.chosen_guardians(),
                    actor=request.user,
                    now=now,
                )
            except ConcurrentEditError:
                form.add_error(
                    None,
                    _(
                        "Niet opgeslagen: u heeft deze notitie intussen elders gewijzigd. "
                        "Laad de pagina opnieuw."
                    ),
                )
                status = 409
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                if changes:
                    messages.success(request, _("De wijziging is opgeslagen."))
                else:
                    messages.info(request, _("Er was niets gewijzigd."))
                return redirect("casework:journal", public_id=student.public_id)
    else:
        form = NoteForm(instance=note, student=student)
    access_log(
        user=request.user, action=AccessLog.Action.VIEW_STUDENT, student=student, detail="journaal"
    )
    return render(
        request,
        "casework/note_form.html",
        {"student": student, "form": form, "note": note, "title": _("Notitie wijzigen")},
        status=status,
    )


@login_required
@never_cache
@require_POST
def addendum_new(request, public_id, note_id):
    student = _journal_student(request, public_id, write=True)
    note = _note_or_404(request, student, note_id)
    if not policy.can_add_addendum(request.user, note):
        raise Http404("No addendum here")
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            addendum_add(note=note, text=form.cleaned_data["text"], actor=request.user)
        except ValidationError:
            messages.error(request, _("Schrijf de aanvulling."))
        else:
            messages.success(request, _("De aanvulling is opgeslagen."))
    else:
        messages.error(request, _("Schrijf de aanvulling."))
    return redirect("casework:journal", public_id=student.public_id)


@login_required
@never_cache
def note_share_view(request, public_id, note_id):
    """Share a note with a sent or accepted referral of the same student (the sender's
    organisation's); a note at "only me and my coordinator" says it cannot be shared."""
    student = _journal_student(request, public_id, write=True)
    note = _note_or_404(request, student, note_id)
    shareable = policy.may_share_note(request.user, note)
    referrals = share_referrals(request.user, note)
    status = 200
    form = None
    if shareable:
        if request.method == "POST":
            form = NoteShareForm(request.POST, referrals=referrals)
            if form.is_valid():
                referral = form.cleaned_data["referral"]
                try:
                    note_share(note=note, referral=referral, actor=request.user)
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    messages.success(
                        request,
                        _("De notitie is gedeeld met de verwijzing aan %(organisation)s.")
                        % {"organisation": referral.to_organisation},
                    )
                    return redirect("casework:journal", public_id=student.public_id)
            status = 400
        else:
            form = NoteShareForm(referrals=referrals)
    elif request.method == "POST":
        status = 400
    shares = note.shares.select_related("referral__to_organisation").order_by("shared_at", "id")
    access_log(
        user=request.user, action=AccessLog.Action.VIEW_STUDENT, student=student, detail="journaal"
    )
    return render(
        request,
        "casework/note_share.html",
        {
            "student": student,
            "note": note,
            "form": form,
            "shareable": shareable,
            "has_referrals": shareable and referrals.exists(),
            "shares": shares,
        },
        status=status,
    )
