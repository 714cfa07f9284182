from django.urls import path

from . import views

app_name = "planner"
urlpatterns = [
    path("", views.month, name="month"),
    path("week/", views.week, name="week"),
    path("koppelen/", views.feed_settings, name="feed_settings"),
    path("koppelen/nieuw/", views.feed_create, name="feed_create"),
    path("koppelen/intrekken/", views.feed_revoke, name="feed_revoke"),
    path("feed/<str:token>/", views.feed, name="feed"),
]
