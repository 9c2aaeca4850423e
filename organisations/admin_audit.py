"""Case records read in the Django admin leave an access event (``roles.md``: every
case-level page view is audited).

Superusers can list and open children, episodes (with home and placement postcodes),
reviews, visits, placements, health records, allocations and import row errors (whose
values are child ids and dates of birth) in the Django admin. Those pages showed child
ids, dates of birth and postcodes without a trace; now each list page and each change page
of such a record (and its history and delete-confirmation pages, which name it) writes an
``ADMIN_CASE_VIEW`` row before the page is returned: who, which model, the record (or the
list's filters and page), how many children it showed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from organisations.models import AuditEvent, LocalAuthority
from organisations.services import audit_record


def _children_shown(model: type[Model], rows: list[Model]) -> int | None:
    """Distinct children among the rows: the rows themselves for ``Child``, else by
    ``child_id``; ``None`` for records not kept per child (import row errors)."""
    if model._meta.label == "children.Child":
        return len({row.pk for row in rows})
    if any(f.name == "child" for f in model._meta.get_fields()):
        return len({row.child_id for row in rows if row.child_id is not None})
    return None


def _authority(rows: list[Model], la_path: str) -> LocalAuthority | None:
    """The one authority the rows belong to (through ``la_path``, as the admin scopes
    them), or ``None`` for none or several."""
    *hops, last = la_path.split("__")
    ids = set()
    for row in rows:
        value: Any = row
        for hop in hops:
            value = getattr(value, hop, None) if value is not None else None
        ids.add(getattr(value, f"{last}_id", None) if value is not None else None)
    if len(ids) != 1 or None in ids:
        return None
    return LocalAuthority.objects.filter(pk=ids.pop()).first()


def admin_case_view_record(
    *,
    user: Any,
    model: type[Model],
    rows: list[Model],
    la_path: str,
    object_id: str = "",
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """One ``ADMIN_CASE_VIEW`` row for a list or change page of case records."""
    return audit_record(
        user=user,
        la=_authority(rows, la_path),
        action=AuditEvent.Action.ADMIN_CASE_VIEW,
        object_type=model._meta.object_name,
        object_id=object_id,
        n_children=_children_shown(model, rows),
        detail={"model": model._meta.label, "rows": len(rows), **(detail or {})},
        request=request,
    )


class CaseRecordAuditAdmin:
    """ModelAdmin mixin (before the admin's base): its list and change pages are audited.
    The authority of the rows is read through the admin's own ``la_path``."""

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if response.status_code == 200 and changelist is not None:
            admin_case_view_record(
                user=request.user,
                model=self.model,
                rows=list(changelist.result_list),
                la_path=getattr(self, "la_path", "la"),
                detail={"query": request.GET.urlencode()[:500]},
                request=request,
            )
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        return self._record_one(request, response, "original", "change")

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        return self._record_one(request, response, "object", "history")

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        """The confirmation page lists the record and everything deleted with it."""
        response = super().delete_view(request, object_id, extra_context)
        return self._record_one(request, response, "object", "delete")

    def _record_one(self, request, response, key: str, page: str) -> HttpResponse:
        """One record's page, shown (status 200): its access event."""
        shown = getattr(response, "context_data", {}).get(key)
        if response.status_code == 200 and isinstance(shown, self.model):
            admin_case_view_record(
                user=request.user,
                model=self.model,
                rows=[shown],
                la_path=getattr(self, "la_path", "la"),
                object_id=str(shown.pk),
                detail={"page": page},
                request=request,
            )
        return response
