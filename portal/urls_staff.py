from django.urls import path

from . import views

app_name = "portal_staff"
urlpatterns = [
    path("", views.requests_list, name="requests"),
    path("<int:pk>/", views.request_detail, name="request"),
    path("uitnodigen/<str:public_id>/", views.invite, name="invite"),
]
