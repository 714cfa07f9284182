from django.urls import path

from . import views

app_name = "casework"
urlpatterns = [
    path("<str:public_id>/", views.journal, name="journal"),
    path("<str:public_id>/nieuw/", views.note_new, name="note_new"),
    path("<str:public_id>/<int:note_id>/wijzigen/", views.note_edit, name="note_edit"),
    path("<str:public_id>/<int:note_id>/aanvulling/", views.addendum_new, name="addendum_new"),
    path("<str:public_id>/<int:note_id>/delen/", views.note_share_view, name="note_share"),
]
