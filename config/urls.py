from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", account_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("students/", include("students.urls")),
    path("route/", include("roadmap.urls")),
    path("verwijzingen/", include("referrals.urls")),
    path("doorstroomtafel/", include("doorstroomtafel.urls")),
    path("signalen/", include("monitoring.urls")),
    path("rapportages/", include("reports.urls")),
    path("mijn/", include("portal.urls")),
    path("verzoeken/", include("portal.urls_staff")),
    path("journaal/", include("casework.urls")),
    path("beheer/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("api.urls")),
    path("klas/", include("caseload.urls")),
    path("documenten/", include("documents.urls")),
    path("kalender/", include("planner.urls")),
]

# A database that is down is a Dutch 503 page; any other fault the Dutch 500 page.
handler500 = "config.errors.server_error"

admin.site.site_header = "Koers functioneel beheer"
admin.site.site_title = "Koers beheer"
