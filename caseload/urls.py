from django.urls import path

from . import views

app_name = "caseload"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("school/", views.school, name="school"),
    path("mentor/<int:mentor_id>/", views.mentor_caseload, name="mentor"),
    path("bulk/studenten/", views.bulk_students, name="bulk_students"),
    path("bulk/signalen/", views.bulk_signals, name="bulk_signals"),
    path("bulk/<str:token>/", views.bulk_confirm, name="bulk_confirm"),
]
