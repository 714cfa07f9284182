from django.urls import path

from . import views

app_name = "doorstroomtafel"
urlpatterns = [
    path("", views.index, name="index"),
    path("tafel/<int:table_id>/overleg/", views.meeting_new, name="meeting_new"),
    path("actie/<int:action_id>/afgerond/", views.action_done, name="action_done"),
    path("voordragen/<str:public_id>/", views.propose, name="propose"),
    path("<str:public_id>/", views.meeting_detail, name="meeting"),
    path("<str:public_id>/agenda.pdf", views.agenda_pdf, name="agenda_pdf"),
    path("<str:public_id>/verslag.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("<str:public_id>/punten/", views.item_add, name="item_add"),
    path("<str:public_id>/punten/<int:item_id>/verplaats/", views.item_move, name="item_move"),
    path("<str:public_id>/punten/<int:item_id>/verwijder/", views.item_remove, name="item_remove"),
    path("<str:public_id>/punten/<int:item_id>/notitie/", views.item_note, name="item_note"),
    path("<str:public_id>/punten/<int:item_id>/verslag/", views.item_minutes, name="item_minutes"),
    path("<str:public_id>/punten/<int:item_id>/actie/", views.item_action, name="item_action"),
    path(
        "<str:public_id>/voorstellen/<int:proposal_id>/<str:decision>/",
        views.proposal_decide,
        name="proposal_decide",
    ),
    path("<str:public_id>/status/<str:step>/", views.meeting_transition, name="transition"),
    path("<str:public_id>/addenda/", views.addendum_add, name="addendum_add"),
]
