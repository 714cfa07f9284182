"""The coordinators' dashboard and its files. Other roles get a 404 (reports.scope)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from students.models import AccessLog
from students.services import access_log

from . import exports
from .db import report_transaction
from .figures import REPORTS, all_tables, school_year_label
from .scope import filter_choices, report_membership, scope_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _tables(name, scope):
    if name == "alles":
        return all_tables(scope)
    if name not in REPORTS:
        raise Http404("No such report")
    return REPORTS[name](scope)


def _heading(scope):
    return f"Koers · {scope.describe()}"


@never_cache
@login_required
def dashboard(request):
    scope = scope_for(request.user, request.GET)
    with report_transaction():
        tables = all_tables(scope)
    current = scope.today.year if scope.today.month >= 8 else scope.today.year - 1
    years = [(y, school_year_label(y)) for y in range(current, current - 5, -1)]
    return render(
        request,
        "reports/dashboard.html",
        {
            "scope": scope,
            "tables": tables,
            "charts": [(table.key, table.chart()) for table in tables if table.chart()],
            "choices": filter_choices(request.user, scope),
            "years": years,
            "query": request.GET.urlencode(),
            "report_names": list(REPORTS),
        },
    )


@never_cache
@login_required
def export(request, name, fmt):
    scope = scope_for(request.user, request.GET)
    with report_transaction():
        tables = _tables(name, scope)
    heading = _heading(scope)
    access_log(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        detail=f"rapportage {name} {fmt}: {scope.describe()}",
    )
    filename = f"koers-{name}-{scope.school_year}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.tables_csv_lines(tables, heading=heading),
            content_type="text/csv; charset=utf-8",
        )
    elif fmt == "xlsx":
        response = HttpResponse(exports.tables_xlsx(tables, heading=heading), content_type=XLSX)
    elif fmt == "pdf":
        from weasyprint import HTML

        html = render_to_string(
            "reports/summary_pdf.html", {"tables": tables, "scope": scope, "heading": heading}
        )
        response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    else:
        raise Http404("No such format")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
def students_export(request, fmt):
    """The person-level list (students with their status), logged with every student."""
    report_membership(request.user)
    scope = scope_for(request.user, request.GET)
    queryset = exports.export_students(request.user, scope)
    exports.log_student_export(
        user=request.user, queryset=queryset, detail=f"studentenlijst {fmt}: {scope.describe()}"
    )
    filename = f"koers-studenten-{scope.school_year}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.students_csv_lines(queryset), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = FileResponse(exports.students_xlsx_file(queryset), content_type=XLSX)
    else:
        raise Http404(_("Onbekend formaat"))
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
