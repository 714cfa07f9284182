from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.route, name="route"),
    path("inloggen/", views.signin, name="signin"),
    path("uitloggen/", views.signout, name="signout"),
    path("inloggen/wachtwoord/", views.signin_password, name="signin_password"),
    path("inloggen/passkey/opties/", views.passkey_auth_options, name="passkey_auth_options"),
    path("inloggen/passkey/", views.passkey_auth_verify, name="passkey_auth_verify"),
    # `public_id` here is the invitation's secret token (sent once, kept as a hash).
    path("uitnodiging/<str:public_id>/", views.invite_accept, name="invite_accept"),
    path("passkey/opties/", views.passkey_register_options, name="passkey_register_options"),
    path("passkey/", views.passkey_register_verify, name="passkey_register_verify"),
    path("inzage/", views.access, name="access"),
    path("gedeeld/", views.shared, name="shared"),
    path("gedeeld/<int:pk>/intrekken/", views.consent_withdraw, name="consent_withdraw"),
    path("rechten/", views.rights, name="rights"),
    path("rechten/kopie/", views.copy_start, name="copy_start"),
    path("rechten/kopie/<str:job_id>/", views.copy_status, name="copy_status"),
    path("rechten/kopie/<str:job_id>/<str:fmt>/", views.copy_download, name="copy_download"),
    path("rechten/correctie/", views.correction, name="correction"),
    path("rechten/bezwaar/", views.objection, name="objection"),
]
