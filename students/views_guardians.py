"""Adding, changing and removing a student's parents, guardians and network contacts
(issue 19, part 1). Outside the user's writable scope every path is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import policy

from .forms_guardians import GuardianDeleteForm, GuardianForm
from .guardians import (
    DuplicateGuardian,
    guardian_create,
    guardian_delete,
    guardian_update,
)
from .history import display_value
from .models import AccessLog, Guardian
from .queries import get_student_for_user
from .services import ConcurrentEditError, access_log


def _editable_student(request, public_id):
    student = get_student_for_user(request.user, public_id, write=True)
    if not policy.may_edit_guardians(request.user, student):
        raise Http404("No student here")
    return student


def _guardian_of(student, guardian_id):
    guardian = student.guardians.filter(pk=guardian_id).first()
    if guardian is None:
        raise Http404("No contact here")
    return guardian


def _back(student):
    return redirect("students:detail", public_id=student.public_id)


@login_required
@never_cache
def guardian_new(request, public_id):
    student = _editable_student(request, public_id)
    asked = policy.guardian_agreement_asked(student, timezone.localdate())
    form = GuardianForm(request.POST or None, student=student, agreement_asked=asked)
    if request.method == "POST" and form.is_valid():
        try:
            guardian_create(student=student, data=form.values(), actor=request.user)
        except DuplicateGuardian:
            form.add_error(
                "name", _("Deze student heeft al een contactpersoon met deze naam en relatie.")
            )
        else:
            messages.success(request, _("De contactpersoon is toegevoegd."))
            return _back(student)
    return render(
        request,
        "students/guardian_form.html",
        {"student": student, "form": form, "title": _("Ouder of contactpersoon toevoegen")},
    )


@login_required
@never_cache
def guardian_edit(request, public_id, guardian_id):
    student = _editable_student(request, public_id)
    guardian = _guardian_of(student, guardian_id)
    asked = policy.guardian_agreement_asked(student, timezone.localdate())
    conflict = None
    status = 200
    if request.method == "POST":
        form = GuardianForm(request.POST, instance=guardian, student=student, agreement_asked=asked)
        if form.is_valid():
            try:
                _saved, changes = guardian_update(
                    guardian=guardian,
                    expected_version=form.cleaned_data["version"],
                    data=form.values(),
                    actor=request.user,
                )
            except ConcurrentEditError as error:
                current = error.current
                conflict = [
                    {
                        "label": form.fields[name].label,
                        "yours": display_value(Guardian, name, form.values().get(name)),
                        "theirs": display_value(Guardian, name, getattr(current, name)),
                    }
                    for name in form.values()
                    if name in form.fields
                ]
                data = request.POST.copy()
                data["version"] = str(current.version)
                form = GuardianForm(data, instance=current, student=student, agreement_asked=asked)
                form.is_valid()
                status = 409
            except DuplicateGuardian:
                form.add_error(
                    "name",
                    _("Deze student heeft al een contactpersoon met deze naam en relatie."),
                )
            else:
                if changes:
                    messages.success(request, _("De wijziging is opgeslagen."))
                else:
                    messages.info(request, _("Er was niets gewijzigd."))
                return _back(student)
    else:
        form = GuardianForm(instance=guardian, student=student, agreement_asked=asked)
    access_log(
        user=request.user, action=AccessLog.Action.VIEW_STUDENT, student=student, detail="contact"
    )
    return render(
        request,
        "students/guardian_form.html",
        {
            "student": student,
            "guardian": guardian,
            "form": form,
            "delete_form": GuardianDeleteForm(initial={"version": guardian.version}),
            "conflict": conflict,
            "title": _("Ouder of contactpersoon wijzigen"),
        },
        status=status,
    )


@login_required
@never_cache
@require_POST
def guardian_remove(request, public_id, guardian_id):
    student = _editable_student(request, public_id)
    guardian = _guardian_of(student, guardian_id)
    form = GuardianDeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Het formulier is ongeldig; laad de pagina opnieuw."))
        return redirect(
            "students:guardian_edit", public_id=student.public_id, guardian_id=guardian.pk
        )
    try:
        guardian_delete(
            guardian=guardian, expected_version=form.cleaned_data["version"], actor=request.user
        )
    except ConcurrentEditError:
        messages.error(
            request,
            _("Iemand anders heeft deze contactpersoon net gewijzigd. Bekijk de gegevens opnieuw."),
        )
        return redirect(
            "students:guardian_edit", public_id=student.public_id, guardian_id=guardian.pk
        )
    messages.success(request, _("De contactpersoon is verwijderd."))
    return _back(student)
