from django.contrib import admin

from .models import OrganisationPortalPolicy


@admin.register(OrganisationPortalPolicy)
class OrganisationPortalPolicyAdmin(admin.ModelAdmin):
    list_display = ("organisation", "show_person_names")
    autocomplete_fields = ()
