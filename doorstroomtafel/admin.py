from django.contrib import admin
from django.db.models import F

from .forms import CaseTableForm
from .models import CaseTable


@admin.register(CaseTable)
class CaseTableAdmin(admin.ModelAdmin):
    """Functional administrators set up the tables: scope and standing members. Meetings
    and minutes are the members' work, in the application itself. The form keeps the
    standing member users within the member organisations and refuses a stale save."""

    form = CaseTableForm
    list_display = ["name", "scope_kind", "region", "subregion", "school", "is_active"]
    list_filter = ["scope_kind", "region", "is_active"]
    filter_horizontal = ["member_organisations", "member_users", "locations"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            # The form's clean() locked the row and checked the version the user read.
            CaseTable.objects.filter(pk=obj.pk).update(version=F("version") + 1)
