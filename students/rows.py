"""The student list's rows as HTML, built here rather than by the template engine: 25
rows of names, dates, enrolments and a mentor were a quarter of the list's time in
templates (issue 16). The markup is what students/_student_rows.html wrote per row, every
value escaped by format_html; the table around it stays in the template."""

from django.urls import NoReverseMatch, reverse
from django.utils.dateformat import format as format_date
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .names import display_sort_name

_PUBLIC_ID = "student-public-id"


def bulk_students_url():
    """The caseload app's bulk action for students, when that app is installed."""
    try:
        return reverse("caseload:bulk_students")
    except NoReverseMatch:
        return ""


def _enrolments(student):
    rows = format_html_join(
        "",
        '<div>{}{}: {} <span class="text-secondary-strong">({})</span></div>',
        (
            (
                enrolment.institution.name,
                f" {enrolment.location}" if enrolment.location else "",
                enrolment.programme,
                enrolment.get_level_display(),
            )
            for enrolment in student.current_enrolments
        ),
    )
    return rows or format_html(
        '<span class="text-secondary-strong">{}</span>', _("Niet ingeschreven")
    )


def _mentor(student):
    mentor = student.mentor
    if mentor is None:
        return format_html('<span class="text-secondary-strong">{}</span>', _("Geen mentor"))
    return mentor.get_full_name() or mentor.email


def with_list_rows(students, *, shared_only: bool, bulk: bool):
    """Give each student `row_html`: the list's table row. `shared_only`: a partner's
    list, names only; `bulk`: a checkbox per row for the caseload's bulk actions. Reads
    what the list's query selected (students.views.LIST_COLUMNS, the current enrolments
    prefetched): no queries."""
    detail_url = reverse("students:detail", args=[_PUBLIC_ID])
    for student in students:
        public_id = str(student.public_id)
        choose = (
            format_html(
                '<input class="form-check-input me-1" type="checkbox" name="ids" value="{}"'
                ' form="bulk-students" id="kies-{}" aria-label="{}"> ',
                public_id, public_id,
                _("Selecteer %(name)s") % {"name": student.full_name},
            )
            if bulk
            else ""
        )  # fmt: skip
        name = format_html(
            '<th scope="row">{}<a href="{}">{}</a></th>',
            choose,
            detail_url.replace(_PUBLIC_ID, public_id),
            display_sort_name(student.first_name, student.last_name),
        )
        if shared_only:
            student.row_html = format_html("<tr>{}</tr>", name)
            continue
        age = student.age
        born = "{} ({})".format(
            format_date(student.date_of_birth, "d-m-Y"),
            ngettext("%(age)s jaar", "%(age)s jaar", age) % {"age": age},
        )
        municipality = student.municipality.name if student.municipality_id else ""
        student.row_html = format_html(
            "<tr>{}<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            name, student.student_number, born, municipality, _enrolments(student),
            _mentor(student),
        )  # fmt: skip
    return students


def with_my_student_rows(students):
    """Give each of a mentor's students on the start page `row_html`: the row that
    students/_home_my_students.html wrote (25 rows were a tenth of a mentor's start page,
    issue 16). Reads the student's name, age (`student.age`), current enrolments and
    `student.upcoming` ([(date, label)]): no queries."""
    detail_url = reverse("students:detail", args=[_PUBLIC_ID])
    for student in students:
        enrolments = format_html_join(
            "",
            "<div>{}: {} ({})</div>",
            (
                (e.institution.name, e.programme, e.get_level_display())
                for e in student.current_enrolments
            ),
        ) or format_html('<span class="text-secondary-strong">{}</span>', _("Niet ingeschreven"))
        upcoming = (
            format_html(
                '<ul class="list-unstyled mb-0">{}</ul>',
                format_html_join(
                    "",
                    '<li><time datetime="{}">{}</time>: {}</li>',
                    (
                        (format_date(day, "Y-m-d"), format_date(day, "d-m-Y"), label)
                        for day, label in student.upcoming
                    ),
                ),
            )
            if student.upcoming
            else "—"
        )
        student.row_html = format_html(
            '<tr><th scope="row"><a href="{}">{}, {}</a> <span class="text-secondary-strong'
            ' small">({})</span></th><td>{}</td><td>{}</td></tr>',
            detail_url.replace(_PUBLIC_ID, str(student.public_id)),
            student.last_name, student.first_name, student.age, enrolments, upcoming,
        )  # fmt: skip
    return students
