from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("<int:pk>/afhandelen/", views.resolve, name="resolve"),
    path("<int:pk>/afwijzen/", views.dismiss, name="dismiss"),
    path("<int:pk>/toewijzen/", views.assign, name="assign"),
    path("<int:pk>/afhandelen/formulier/", views.resolve_form, name="resolve_form"),
    path("<int:pk>/afwijzen/formulier/", views.dismiss_form, name="dismiss_form"),
    path("<int:pk>/toewijzen/kiezen/", views.assign_options, name="assign_options"),
]
