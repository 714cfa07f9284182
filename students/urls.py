from django.urls import path

from . import views

app_name = "students"
urlpatterns = [
    path("", views.student_list, name="list"),
    path("import/", views.import_upload, name="import"),
    path("import/<str:batch_id>/", views.import_preview, name="import_preview"),
    path("<str:public_id>/", views.student_detail, name="detail"),
]
