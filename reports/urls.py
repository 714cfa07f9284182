from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/studenten.<str:fmt>", views.students_export, name="students_export"),
    path("export/<slug:name>.<str:fmt>", views.export, name="export"),
]
