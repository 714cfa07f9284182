"""Demo data: the Entree students of the demo schools in two classes per start year
(by the student number), so "Mijn klas" has groups to filter on. Idempotent: only
enrolments without a group get one; one UPDATE per class."""

from collections import defaultdict


def seed_groups(ctx):
    from students.models import Enrolment

    classes = defaultdict(list)
    rows = Enrolment.objects.filter(level="entree", group_name="").values_list(
        "pk", "start_date", "student__student_number"
    )
    for pk, start, number in rows:
        digits = "".join(ch for ch in number if ch.isdigit()) or "0"
        classes[f"Entree {start.year}-{'A' if int(digits) % 2 else 'B'}"].append(pk)
    changed = 0
    for name, pks in sorted(classes.items()):
        changed += Enrolment.objects.filter(pk__in=pks).update(group_name=name)
    ctx.messages.append(f"groups: {changed} enrolments")
