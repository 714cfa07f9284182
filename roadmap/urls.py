from django.urls import path

from . import views

app_name = "roadmap"
urlpatterns = [
    path("<str:public_id>/", views.route, name="route"),
    path("<str:public_id>/contact/", views.contact_new, name="contact_new"),
    path("<str:public_id>/contacts/", views.contact_list, name="contacts"),
    path("<str:public_id>/<int:enrolment_id>/<str:kind>/", views.step_edit, name="step"),
    path(
        "<str:public_id>/<int:enrolment_id>/<str:kind>/history/",
        views.step_history,
        name="step_history",
    ),
]
