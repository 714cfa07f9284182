from django.urls import path

from . import notification_views, otp, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("tweestaps/instellen/", otp.enrol, name="otp_enrol"),
    path("tweestaps/", otp.verify, name="otp_verify"),
    path("role/", views.switch_membership, name="switch_membership"),
    # Notifications in the app (issue 19).
    path("meldingen/", notification_views.notification_list, name="notifications"),
    path("meldingen/bel/", notification_views.bell, name="notification_bell"),
    path(
        "meldingen/<int:notification_id>/",
        notification_views.notification_open,
        name="notification_open",
    ),
    path(
        "meldingen/alles-gelezen/",
        notification_views.notification_read_all,
        name="notifications_read_all",
    ),
    path(
        "meldingen/instellingen/",
        notification_views.notification_settings,
        name="notification_settings",
    ),
]
