"""/api/v1/: plural nouns, no trailing slashes (REST API Design Rules)."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import (
    SpectacularJSONAPIView,
    SpectacularYAMLAPIView,
)
from oauth2_provider.views import TokenView

from . import views

app_name = "api"

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi_json"),
    path("openapi.yaml", SpectacularYAMLAPIView.as_view(), name="openapi_yaml"),
    path("docs", views.DocsView.as_view(url_name="api:openapi_json"), name="docs"),
    path("oauth/token", csrf_exempt(TokenView.as_view()), name="token"),
    path("students", views.StudentList.as_view(), name="students"),
    path("students/search", views.StudentSearch.as_view(), name="students_search"),
    path("students/<str:public_id>", views.StudentDetail.as_view(), name="student"),
    path(
        "students/<str:public_id>/roadmap-steps",
        views.RoadmapSteps.as_view(),
        name="student_roadmap_steps",
    ),
    path(
        "administration-imports",
        views.AdministrationImports.as_view(),
        name="administration_imports",
    ),
    path("signals", views.SignalList.as_view(), name="signals"),
    path("signals/<int:pk>", views.SignalDetail.as_view(), name="signal"),
    path("signals/<int:pk>/resolution", views.SignalResolution.as_view(), name="signal_resolve"),
    path("signals/<int:pk>/dismissal", views.SignalDismissal.as_view(), name="signal_dismiss"),
    path("referrals", views.ReferralList.as_view(), name="referrals"),
    path("referrals/<str:public_id>", views.ReferralDetail.as_view(), name="referral"),
    path(
        "referrals/<str:public_id>/acceptance",
        views.ReferralAcceptance.as_view(),
        name="referral_accept",
    ),
    path(
        "referrals/<str:public_id>/rejection",
        views.ReferralRejection.as_view(),
        name="referral_reject",
    ),
    path(
        "referrals/<str:public_id>/completion",
        views.ReferralCompletion.as_view(),
        name="referral_complete",
    ),
    path(
        "referrals/<str:public_id>/instruments",
        views.ReferralInstruments.as_view(),
        name="referral_instruments",
    ),
    path("meetings", views.MeetingList.as_view(), name="meetings"),
    path("meetings/<str:public_id>", views.MeetingDetail.as_view(), name="meeting"),
    path("subscriptions", views.SubscriptionList.as_view(), name="subscriptions"),
    path(
        "subscriptions/<str:public_id>",
        views.SubscriptionDetail.as_view(),
        name="subscription",
    ),
]
