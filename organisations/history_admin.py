"""Read-only history of reference data in the Django admin (``roles.md`` "Audit": changes
to reference data keep their history — who changed what, from what to what).

django-simple-history records every save of the models below (the admin's forms and
imports included; the signed-in user comes from its request middleware). Each model's
history is listed here, newest first, with the fields that changed; nobody may edit or
delete it. Only superusers see these lists: a history row holds its authority but is not
scoped like the live rows (``organisations.admin_scoping``), so a ``view_historical…``
permission given to anyone else opens nothing.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html_join

from children.models import School
from organisations.models import LocalAuthority, Population, Team, Worker
from scorecards.models import Benchmark, Target

REFERENCE_MODELS_WITH_HISTORY = (
    LocalAuthority,
    Population,
    Team,
    Worker,
    School,
    Target,
    Benchmark,
)


class HistoricalRecordAdmin(admin.ModelAdmin):
    list_display = ["history_date", "history_type", "history_user", "record", "changes"]
    list_filter = ["history_type", "history_date"]
    list_select_related = ["history_user"]
    search_fields = ["history_user__username"]
    date_hierarchy = "history_date"

    @admin.display(description="record")
    def record(self, obj) -> str:
        return str(obj.instance)

    @admin.display(description="changes (from → to)")
    def changes(self, obj) -> str:
        previous = obj.prev_record
        if previous is None:
            return "created" if obj.history_type == "+" else ""
        delta = obj.diff_against(previous)
        return format_html_join(
            "; ", "{}: {} → {}", ((c.field, c.old, c.new) for c in delta.changes)
        )

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


for _model in REFERENCE_MODELS_WITH_HISTORY:
    admin.site.register(_model.history.model, HistoricalRecordAdmin)
