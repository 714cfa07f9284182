import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from students.models import AccessLog
from tests.factories import StudentFactory


def test_a_user_opening_far_more_files_than_usual_is_listed(mentor, other_mentor):
    today = timezone.localdate()
    students = [StudentFactory() for _n in range(30)]
    for student in students:
        AccessLog.objects.create(
            user=mentor, role="mentor", action=AccessLog.Action.VIEW_STUDENT, student=student
        )
    for student in students[:2]:
        AccessLog.objects.create(
            user=other_mentor, role="mentor", action=AccessLog.Action.VIEW_STUDENT, student=student
        )
    out = io.StringIO()
    call_command("access_anomalies", "--day", today.isoformat(), stdout=out)
    text = out.getvalue()
    assert f"user {mentor.pk}\t30 files" in text
    assert f"user {other_mentor.pk}\t" not in text
    assert "1 user(s) above their usual" in text
    out = io.StringIO()
    call_command("access_anomalies", "--day", (today + timedelta(days=1)).isoformat(), stdout=out)
    assert "0 user(s)" in out.getvalue()
