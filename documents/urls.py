from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("student/<str:public_id>/", views.student_documents, name="student"),
    path("<str:doc_id>/", views.download, name="download"),
    path("<str:doc_id>/verwijderen/", views.remove, name="remove"),
]
