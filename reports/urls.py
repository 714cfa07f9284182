from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/studenten.<str:fmt>", views.students_export, name="students_export"),
    path("export/<slug:name>.<str:fmt>", views.export, name="export"),
    # Background exports. The names of the pages htmx polls avoid "export": those
    # requests must not count against the export rate limit (accounts.security).
    path("exports/", views.export_job_list, name="jobs"),
    path("exports/nieuw/<str:fmt>/", views.export_job_start, name="export_job_start"),
    path("exports/<str:job_id>/", views.export_job_detail, name="job"),
    path("exports/<str:job_id>/download/", views.export_job_download, name="job_download"),
]
