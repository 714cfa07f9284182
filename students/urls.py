from django.urls import path

from . import views, views_guardians

app_name = "students"
urlpatterns = [
    path("", views.student_list, name="list"),
    path("import/", views.import_upload, name="import"),
    path("import/<str:batch_id>/", views.import_preview, name="import_preview"),
    path("<str:public_id>/", views.student_detail, name="detail"),
    # Parents, guardians and network (issue 19).
    path(
        "<str:public_id>/contactpersonen/nieuw/",
        views_guardians.guardian_new,
        name="guardian_new",
    ),
    path(
        "<str:public_id>/contactpersonen/<int:guardian_id>/",
        views_guardians.guardian_edit,
        name="guardian_edit",
    ),
    path(
        "<str:public_id>/contactpersonen/<int:guardian_id>/verwijderen/",
        views_guardians.guardian_remove,
        name="guardian_remove",
    ),
]
