from django.contrib import admin

from .models import CaseTable


@admin.register(CaseTable)
class CaseTableAdmin(admin.ModelAdmin):
    """Functional administrators set up the tables: scope and standing members. Meetings
    and minutes are the members' work, in the application itself."""

    list_display = ["name", "scope_kind", "region", "subregion", "school", "is_active"]
    list_filter = ["scope_kind", "region", "is_active"]
    filter_horizontal = ["member_organisations", "member_users", "locations"]
    search_fields = ["name"]
