"""The Flexservice pages, included by referrals.urls under its namespace `referrals`
(the URL paths and names are those of before the move)."""

from django.urls import path

from . import views

urlpatterns = [
    path("loket/", views.intake_queue, name="queue"),
    path("loket/aanmelden/", views.registration_create, name="registration_create"),
    path("loket/<str:public_id>/", views.registration_detail, name="registration"),
    path("maatwerk/", views.trajectory_list, name="trajectories"),
    path("maatwerk/nieuw/<str:public_id>/", views.trajectory_create, name="trajectory_create"),
    path("maatwerk/<str:public_id>/", views.trajectory_detail, name="trajectory"),
    path("resultaten/", views.results, name="results"),
]
