from django.urls import include, path

from . import views
from .flexservice import urls as flexservice_urls

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("nieuw/<str:public_id>/", views.referral_create, name="create"),
    path(
        "overgangsdocument/<str:public_id>/",
        views.referral_create,
        {"overgangsdocument": True},
        name="create_overgangsdocument",
    ),
    # The Flexservice (referrals.flexservice): before "<str:public_id>/" below.
    path("", include(flexservice_urls)),
    path("<str:public_id>/", views.referral_detail, name="detail"),
    path("<str:public_id>/versturen/", views.referral_send, name="send"),
    path("<str:public_id>/intrekken/", views.referral_withdraw, name="withdraw"),
    path("<str:public_id>/accepteren/", views.referral_accept, name="accept"),
    path("<str:public_id>/afwijzen/", views.referral_reject, name="reject"),
    path("<str:public_id>/afronden/", views.referral_complete, name="complete"),
    path(
        "<str:public_id>/toestemming-intrekken/",
        views.referral_consent_withdraw,
        name="consent_withdraw",
    ),
    path("<str:public_id>/instrumenten/", views.referral_instruments, name="instruments"),
    path("<str:public_id>/overgangsdocument.pdf", views.overgangsdocument_pdf, name="pdf"),
]
