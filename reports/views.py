"""The coordinators' dashboard and its files. Other roles get a 404 (reports.scope)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.pdf import render_pdf
from accounts.security import rate_limited
from students.dates import school_year_label, school_year_of
from students.models import AccessLog
from students.services import access_log

from . import exports, precompute, services
from .figures import REPORT_TABLE_KEYS, REPORTS
from .models import ExportJob
from .scope import filter_choices, report_membership, scope_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _tables(name, tables):
    """The tables of one report (REPORTS' keys; "alles": every one) out of the set."""
    if name == "alles":
        return tables
    keys = REPORT_TABLE_KEYS[name]
    return [table for table in tables if table.key in keys]


def _heading(scope, computed_at):
    computed = timezone.localtime(computed_at).strftime("%d-%m-%Y %H:%M")
    return f"Koers · {scope.describe()} · " + _("berekend op %(when)s") % {"when": computed}


# A POST computes every figure anew: it costs like an export.
@rate_limited(lambda request: "export" if request.method == "POST" else None)
@never_cache
@login_required
def dashboard(request):
    """The figures of the scope, kept from the nightly precompute or an earlier visit
    (reports.precompute); a POST ("Opnieuw berekenen") computes them anew."""
    scope = scope_for(request.user, request.GET)
    if request.method == "POST":
        precompute.tables_for(scope, refresh=True)
        messages.success(request, _("De cijfers zijn opnieuw berekend."))
        query = request.GET.urlencode()
        return redirect(reverse("reports:dashboard") + (f"?{query}" if query else ""))
    run = precompute.tables_for(scope)
    tables = run.tables
    current = school_year_of(scope.today)
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
            "computed_at": run.computed_at,
        },
    )


@never_cache
@login_required
def export(request, name, fmt):
    scope = scope_for(request.user, request.GET)
    if name != "alles" and name not in REPORTS:
        raise Http404("No such report")
    # The same kept tables as the page, so the file matches what the user saw.
    run = precompute.tables_for(scope)
    tables = _tables(name, run.tables)
    heading = _heading(scope, run.computed_at)
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
        pdf = render_pdf(
            "reports/summary_pdf.html",
            {"tables": tables, "scope": scope, "heading": heading},
            user=request.user,
            title=_("Koers: samenvatting rapportages"),
            landscape=True,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
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


# --- Background exports (reports.services): start, follow, download ------------------

RECENT_JOBS = 10


def _own_jobs(request):
    """The requester's jobs in the role they act in now; other roles get a 404."""
    membership = report_membership(request.user)
    return ExportJob.objects.filter(requested_by=request.user, membership=membership)


@never_cache
@login_required
@require_POST
def export_job_start(request, fmt):
    """Queue the person-level list as a background job, for the dashboard's filters
    (the service answers other roles with a 404)."""
    if fmt not in ExportJob.Format.values:
        raise Http404(_("Onbekend formaat"))
    job = services.export_job_create(user=request.user, params=request.GET, fmt=fmt)
    if job.status == ExportJob.Status.FAILED:  # the task queue could not take it
        messages.error(request, _("De export kon nu niet starten. Probeer het zo opnieuw."))
        query = request.GET.urlencode()
        return redirect(reverse("reports:dashboard") + (f"?{query}" if query else ""))
    messages.success(
        request, _("De export is gestart. U kunt deze pagina open laten of later terugkomen.")
    )
    return redirect("reports:job", job_id=job.public_id)


@never_cache
@login_required
def export_job_list(request):
    """The user's recent background exports."""
    return render(
        request,
        "reports/export_jobs.html",
        {"jobs": _own_jobs(request).order_by("-created_at")[:RECENT_JOBS]},
    )


@never_cache
@login_required
def export_job_detail(request, job_id):
    """One background export: status and progress; htmx polls the status part."""
    own = _own_jobs(request)
    job = get_object_or_404(own, public_id=job_id)
    context = {"job": job, "may_download": services.may_download(job)}
    if request.htmx:
        response = render(request, "reports/_export_job_status.html", context)
    else:
        context["jobs"] = own.order_by("-created_at")[:RECENT_JOBS]
        response = render(request, "reports/export_job.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@never_cache
@login_required
def export_job_download(request, job_id):
    """The finished file, for its requester only, while it is kept; logged with every
    student in it, like the export that made it."""
    job = get_object_or_404(_own_jobs(request).select_related("access_log"), public_id=job_id)
    if not services.may_download(job):
        raise Http404("Export not available")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:  # expired between the check and now
        raise Http404("Export not available") from None
    access_log(
        user=request.user,
        action=AccessLog.Action.DOWNLOAD,
        students=job.access_log.student_ids if job.access_log else (),
        detail=f"studentenlijst {job.format} download {job.public_id}: {job.description}",
    )
    content_type = XLSX if job.format == ExportJob.Format.XLSX else "text/csv; charset=utf-8"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"koers-studenten-{job.school_year}-{job.public_id[:8]}.{job.format}",
        content_type=content_type,
    )
