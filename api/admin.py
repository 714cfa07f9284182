"""The functional administrator registers API clients here and sees their last use."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from accounts.models import Role

from .models import ApiClient, Delivery, Scope, Subscription
from .services import api_client_register, api_client_update


class ApiClientForm(forms.ModelForm):
    role = forms.ChoiceField(
        label=gettext_lazy("rol"),
        choices=[(role.value, role.label) for role in Role if policy.api_client_role_allowed(role)],
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("toegestane scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ApiClient
        fields = ["name", "organisation", "role", "scopes", "is_active"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "organisation", "role", "is_active", "last_used_at", "client_id"]
    list_filter = ["is_active", "role"]
    search_fields = ["name", "organisation__name", "application__client_id"]
    readonly_fields = ["client_id", "last_used_at", "created_at"]

    @admin.display(description=gettext_lazy("client-id"))
    def client_id(self, obj):
        return obj.application.client_id if obj.pk else ""

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields += ["organisation", "role"]
        return fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            api_client_update(
                client=obj, name=data["name"], is_active=data["is_active"], scopes=data["scopes"]
            )
            return
        client, secret = api_client_register(
            name=data["name"],
            organisation=data["organisation"],
            role=data["role"],
            scopes=data["scopes"],
        )
        obj.pk = client.pk
        obj._state.adding = False
        messages.warning(
            request,
            _("Client-id: %(id)s. Geheim (alleen nu zichtbaar): %(secret)s")
            % {"id": client.application.client_id, "secret": secret},
        )


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["client", "callback_url", "is_active", "created_at"]
    list_filter = ["is_active"]
    readonly_fields = ["client", "callback_url", "events", "created_at"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "subscription", "status", "attempts", "last_status_code", "created_at"]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False
