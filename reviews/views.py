"""Team managers' worklists, their exports, and the drill-down behind scorecard figures.

Thin views: check the reader (``la_get_for_capability`` with ``CASE_LEVEL``: 404 for another
authority, 403 for a member whose roles there are not case level), parse the filter, call
one selector, write the access event, render. The lists' partial serves both the full page
and the htmx refresh of the filter form.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from organisations.models import AuditEvent
from organisations.permissions import CASE_LEVEL, la_get_for_capability
from organisations.services import audit_record
from reviews.as_of import as_of_allowed, user_picks_as_of
from reviews.exports import EXPORT_FORMATS, worklist_export
from reviews.selectors import (
    KINDS_BY_KEY,
    SORT_OVERDUE,
    WORKLIST_KINDS,
    WORKLIST_SORTS,
    drilldown_get,
    worklist_authorities_for_user,
    worklist_cache_key,
    worklist_filter,
    worklist_for_team,
    worklist_team_choice_get,
    worklist_team_choices,
)
from scorecards.periods import PERIOD_LABELS
from scorecards.sections import feeds_as_at

#: Rows of each list shown when every list is on the page (``kind`` picks one list in full).
PREVIEW_ROWS = 10
#: Items per page of a drill-down list (a year's due visits run to thousands).
DRILL_PAGE_ROWS = 250


def _date_param(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class WorklistFilter:
    """The team page's query string: ``team``, ``worker``, ``kind``, ``sort`` and (admins)
    ``as_of``; in the URL so a reload or a shared link shows the same lists."""

    team: str
    worker: str
    kind: str
    as_of: date | None
    sort: str = SORT_OVERDUE

    @classmethod
    def from_request(cls, request: HttpRequest) -> WorklistFilter:
        kind = request.GET.get("kind", "")
        sort = request.GET.get("sort", "")
        return cls(
            team=request.GET.get("team", "")[:100],
            worker=request.GET.get("worker", "")[:20],
            kind=kind if kind in KINDS_BY_KEY else "",
            as_of=_date_param(request.GET.get("as_of")),
            sort=sort if sort in WORKLIST_SORTS else SORT_OVERDUE,
        )

    @property
    def sort_param(self) -> str:
        """``sort`` for a link's query string ("" for the default order)."""
        return "" if self.sort == SORT_OVERDUE else self.sort


@require_GET
def my_team(request: HttpRequest) -> HttpResponse:
    """The team manager's landing page: their first authority's team page."""
    authorities = worklist_authorities_for_user(user=request.user)
    if not authorities:
        raise PermissionDenied("Worklists are for team managers and admins.")
    return redirect("worklists:team", code=authorities[0].code)


def _query(**params: object) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


@require_GET
def team_page(request: HttpRequest, code: str) -> HttpResponse:
    """The lists of one team (or the whole authority) as of a day; htmx gets the partial.

    The partial is rendered once per cached worklist and filter (``_results_key``): a repeat
    view costs the scope checks, the access event and a cache read.
    """
    la = la_get_for_capability(user=request.user, code=code, capability=CASE_LEVEL)
    wanted = WorklistFilter.from_request(request)
    choices = worklist_team_choices(user=request.user, la=la)
    choice = worklist_team_choice_get(user=request.user, la=la, key=wanted.team, choices=choices)
    as_of = as_of_allowed(user=request.user, la=la, requested=wanted.as_of)
    is_admin = user_picks_as_of(user=request.user, la=la)
    feeds = feeds_as_at(la=la, as_of=as_of)
    worklist_key = worklist_cache_key(la=la, choice=choice, as_of=as_of)
    results_key = _results_key(worklist_key, wanted, is_admin, choices, feeds)
    local = caches["local"]
    cached = local.get(results_key) if results_key else None
    if cached is not None:
        html, shown = cached
    else:
        context = _results_context(
            request, la, wanted, choices, choice, as_of, is_admin, feeds, worklist_key
        )
        html = render_to_string("worklists/_results.html", context, request=request)
        shown = context["shown"]
        if results_key:
            local.set(results_key, (str(html), shown), settings.WORKLIST_CACHE_SECONDS)
    audit_record(
        user=request.user,
        la=la,
        action=AuditEvent.Action.WORKLIST_VIEW,
        object_type="Team",
        object_id=choice.key,
        n_children=shown,
        detail={
            "team": choice.key,
            "worker": wanted.worker,
            "kind": wanted.kind,
            "as_of": as_of.isoformat(),
            "partial": bool(getattr(request, "htmx", False)),
        },
        request=request,
    )
    html = mark_safe(html)  # noqa: S308 - our own template's output
    if getattr(request, "htmx", False):
        return HttpResponse(html)
    return render(
        request,
        "worklists/team.html",
        {"current_la": la, "la": la, "choice": choice, "results_html": html},
    )


def _results_key(worklist_key, wanted, is_admin, choices, feeds) -> str | None:
    """The cached partial's key: the worklist's, the filter, the picker and the feeds (the
    partial holds nothing else: no token, no user name)."""
    if worklist_key is None:
        return None
    parts = (
        worklist_key,
        repr(wanted),
        is_admin,
        tuple(c.key for c in choices),
        tuple((f.label, str(f.imported_at), f.stale) for f in feeds),
    )
    return "worklist-html:v2:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _results_context(
    request, la, wanted, choices, choice, as_of, is_admin, feeds, worklist_key
) -> dict:
    worklist = worklist_for_team(
        user=request.user, la=la, choice=choice, as_of=as_of, cache_key=worklist_key
    )
    full = worklist_filter(
        worklist=worklist,
        kinds=[wanted.kind] if wanted.kind else None,
        worker=wanted.worker,
        sort=wanted.sort,
    )
    lists = full
    if not wanted.kind:  # all lists at once: the first rows of each, the rest one click away
        lists = {key: rows[:PREVIEW_ROWS] for key, rows in lists.items()}
    counts = worklist.counts()
    workers = sorted(
        {(c.worker_pk, c.worker_name) for c in worklist.caseloads},
        key=lambda w: (w[0] is None, w[1].lower()),
    )
    return {
        "la": la,
        "choice": choice,
        "choices": choices,
        "filter": wanted,
        "as_of": as_of,
        "is_admin": is_admin,
        "worklist": worklist,
        "count_items": [(kind, counts[kind.key]) for kind in WORKLIST_KINDS],
        "kinds": WORKLIST_KINDS,
        "lists": [(KINDS_BY_KEY[key], rows, len(full[key])) for key, rows in lists.items()],
        "shown": len({row.child_pk for rows in lists.values() for row in rows}),
        "workers": workers,
        "feeds": feeds,
        "page_url": reverse("worklists:team", kwargs={"code": la.code}),
        "export_query": _query(
            team=choice.key,
            worker=wanted.worker,
            sort=wanted.sort_param,
            as_of=as_of.isoformat() if as_of != timezone.localdate() else "",
        ),
        "sorts": WORKLIST_SORTS,
        "sort_label": WORKLIST_SORTS[wanted.sort],
        "export_formats": EXPORT_FORMATS,
    }


@require_GET
def team_export(request: HttpRequest, code: str, kind: str, fmt: str) -> HttpResponse:
    """One list as CSV or XLSX (formulas neutralised); the export is audited."""
    if kind not in KINDS_BY_KEY or fmt not in EXPORT_FORMATS:
        raise Http404("No such list.")
    la = la_get_for_capability(user=request.user, code=code, capability=CASE_LEVEL)
    wanted = WorklistFilter.from_request(request)
    choice = worklist_team_choice_get(user=request.user, la=la, key=wanted.team)
    as_of = as_of_allowed(user=request.user, la=la, requested=wanted.as_of)
    worklist = worklist_for_team(user=request.user, la=la, choice=choice, as_of=as_of)
    rows = worklist_filter(worklist=worklist, kinds=[kind], worker=wanted.worker, sort=wanted.sort)[
        kind
    ]
    export = worklist_export(
        kind=KINDS_BY_KEY[kind], rows=rows, fmt=fmt, la=la, team_name=choice.name, as_of=as_of
    )
    audit_record(
        user=request.user,
        la=la,
        action=AuditEvent.Action.WORKLIST_EXPORT,
        object_type="Team",
        object_id=choice.key,
        n_children=len({row.child_pk for row in rows}),
        detail={
            "team": choice.key,
            "worker": wanted.worker,
            "kind": kind,
            "sort": wanted.sort,
            "format": fmt,
            "as_of": as_of.isoformat(),
            "rows": len(rows),
        },
        request=request,
    )
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def drilldown(
    request: HttpRequest, code: str, indicator: str, month: str, period: str
) -> HttpResponse:
    """The children behind a case-level scorecard figure of one month, in the reader's scope."""
    la = la_get_for_capability(user=request.user, code=code, capability=CASE_LEVEL)
    try:
        year, mon = month.split("-")
        first = date(int(year), int(mon), 1)
    except ValueError as exc:
        raise Http404("No such month.") from exc
    result = drilldown_get(
        user=request.user, la=la, indicator_id=indicator, month=first, period=period
    )
    # What needs looking at first (not met; NEET …), then the rest; DRILL_PAGE_ROWS a page.
    page = Paginator(result.items_attention_first(), DRILL_PAGE_ROWS).get_page(
        request.GET.get("page")
    )
    audit_record(
        user=request.user,
        la=la,
        action=AuditEvent.Action.DRILLDOWN_VIEW,
        object_type="Indicator",
        object_id=f"{indicator}/{month}/{period}",
        n_children=len({item.child_pk for item in page.object_list}),
        detail={
            "indicator": indicator,
            "month": month,
            "period": period,
            "page": page.number,
            "children_in_list": result.children,
        },
        request=request,
    )
    return render(
        request,
        "worklists/drilldown.html",
        {
            "current_la": la,
            "la": la,
            "result": result,
            "page": page,
            "period_label": PERIOD_LABELS.get(period, period),
            "feeds": feeds_as_at(la=la, as_of=result.as_of),
        },
    )
