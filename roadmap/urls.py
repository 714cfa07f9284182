from django.urls import path

app_name = "roadmap"
urlpatterns: list = [
    # path("<str:public_id>/...", views...., name="..."),
]
