"""The child page: a timeline of care, placements and statutory work, due dates and whether
they were met. Only for a child in the reader's scope (404 otherwise, as for no child);
every view leaves an access event."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from children.selectors import child_get_for_user
from organisations.models import AuditEvent
from organisations.permissions import CASE_LEVEL, la_get_for_capability
from organisations.services import audit_record
from reviews.as_of import as_of_allowed, user_picks_as_of
from reviews.selectors import KINDS_BY_KEY, child_timeline_get
from scorecards.sections import feeds_as_at


@require_GET
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    child = child_get_for_user(user=request.user, pk=pk)
    la_get_for_capability(user=request.user, code=child.la.code, capability=CASE_LEVEL)
    try:
        requested = date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        requested = None
    as_of = as_of_allowed(user=request.user, la=child.la, requested=requested)
    page = child_timeline_get(user=request.user, child=child, as_of=as_of)
    audit_record(
        user=request.user,
        la=child.la,
        action=AuditEvent.Action.CHILD_VIEW,
        object_type="Child",
        object_id=str(child.pk),
        n_children=1,
        detail={"as_of": as_of.isoformat()},
        request=request,
    )
    return render(
        request,
        "children/child_detail.html",
        {
            "current_la": child.la,
            "page": page,
            "child": child,
            "as_of": as_of,
            "is_admin": user_picks_as_of(user=request.user, la=child.la),
            "current": [(KINDS_BY_KEY[row.kind], row) for row in page.current],
            "feeds": feeds_as_at(la=child.la, as_of=as_of),
        },
    )
