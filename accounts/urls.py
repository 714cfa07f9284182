from django.urls import path

from . import otp, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("tweestaps/instellen/", otp.enrol, name="otp_enrol"),
    path("tweestaps/", otp.verify, name="otp_verify"),
    path("role/", views.switch_membership, name="switch_membership"),
]
