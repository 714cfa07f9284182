from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Studenten")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts.models import Membership, User

        from . import demo  # noqa: F401 - registers the students' demo seeder
        from .history import register_record_changes
        from .panels import register_home_panels

        register_home_panels()
        register_record_changes()
        from .guardians import register as register_guardians

        register_guardians()
        # students may import accounts, not the reverse: the link to a mentor whose
        # account came later is made here (students.services).
        post_save.connect(
            _link_pending_mentor_on_membership,
            sender=Membership,
            dispatch_uid="students.link_pending_mentor.membership",
        )
        post_save.connect(
            _link_pending_mentor_on_user,
            sender=User,
            dispatch_uid="students.link_pending_mentor.user",
        )
        # The stored startkwalificatie date follows every single save or delete of an
        # enrolment or qualification (bulk writers call the service themselves).
        from .models import Enrolment, Qualification

        for model in (Enrolment, Qualification):
            name = model._meta.model_name
            post_save.connect(
                _refresh_startkwalificatie, sender=model, dispatch_uid=f"students.sk.save.{name}"
            )
            post_delete.connect(
                _refresh_startkwalificatie, sender=model, dispatch_uid=f"students.sk.delete.{name}"
            )


def _link_pending_mentor_on_membership(sender, instance, raw=False, **kwargs):  # noqa: ARG001
    from accounts.models import Role

    from .services import student_link_pending_mentor

    if raw or not instance.is_active or instance.role != Role.MENTOR:
        return
    student_link_pending_mentor(mentor=instance.user, organisation_id=instance.organisation_id)


def _link_pending_mentor_on_user(sender, instance, raw=False, **kwargs):  # noqa: ARG001
    """A (re)activated account or a changed address may be the one a student waits for."""
    from accounts.models import Role

    from .models import Student
    from .services import student_link_pending_mentor

    update_fields = kwargs.get("update_fields")
    if update_fields and not {"is_active", "email"} & set(update_fields):
        return  # e.g. last_login on every log-in: nothing a student waits for
    if raw or not instance.is_active or not instance.email:
        return
    if not Student.objects.filter(pending_mentor_email=instance.email.lower()).exists():
        return
    for organisation_id in instance.memberships.filter(
        role=Role.MENTOR, is_active=True
    ).values_list("organisation_id", flat=True):
        student_link_pending_mentor(mentor=instance, organisation_id=organisation_id)


def _refresh_startkwalificatie(sender, instance, raw=False, created=False, **kwargs):  # noqa: ARG001
    """Keep Student.startkwalificatie_on equal to the student's diplomas and
    Student.institution_ids to their enrolments (issue 16)."""
    from .models import Enrolment, Student
    from .services import student_refresh_startkwalificatie

    if raw:
        return
    origin = kwargs.get("origin")  # post_delete: what the delete started from
    if isinstance(origin, Student) or getattr(origin, "model", None) is Student:
        return  # the student goes too (retention): nothing to keep up to date
    if sender is Enrolment and created and instance.end_reason != "diploma":
        # A new enrolment without a diploma changes no date, but may add an institution.
        from .services import student_refresh_institutions

        student_refresh_institutions(student_ids=[instance.student_id])
        return
    student_refresh_startkwalificatie(student_ids=[instance.student_id])
