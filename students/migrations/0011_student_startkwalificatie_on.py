"""The stored startkwalificatie date (issue 16), filled for the students there are."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Least


def fill(apps, schema_editor):
    # The rule of students.services.SK_ENROLMENT / SK_QUALIFICATION at this migration.
    Student = apps.get_model("students", "Student")
    Enrolment = apps.get_model("students", "Enrolment")
    Qualification = apps.get_model("students", "Qualification")
    enrolment = Subquery(
        Enrolment.objects.filter(
            end_reason="diploma", level__in=["2", "3", "4"], end_date__isnull=False,
            student=OuterRef("pk"),
        ).order_by("end_date").values("end_date")[:1]
    )  # fmt: skip
    qualification = Subquery(
        Qualification.objects.filter(
            Q(type__in=["havo", "vwo"]) | Q(type="mbo", level__in=[2, 3, 4]),
            student=OuterRef("pk"),
        ).order_by("date").values("date")[:1]
    )  # fmt: skip
    since = Least(Coalesce(enrolment, qualification), Coalesce(qualification, enrolment))
    Student.objects.filter(
        Q(Exists(Enrolment.objects.filter(
            end_reason="diploma", level__in=["2", "3", "4"], student=OuterRef("pk")
        ))) | Q(Exists(Qualification.objects.filter(student=OuterRef("pk"))))
    ).update(startkwalificatie_on=since)  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0010_guardian"),
    ]

    operations = [
        migrations.AddField(
            model_name="student",
            name="startkwalificatie_on",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="startkwalificatie sinds"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
