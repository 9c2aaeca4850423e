"""Scorecard, dashboard and demographics pages and their spreadsheets (issue 8).

Thin: check the reader's scope (``la_get_for_capability``, aggregates), find the month's
current snapshot, build the page with ``scorecards.sections.page_build`` and render it or
write it to a workbook. Team
managers, admins and committee leads of the authority all read these aggregates; any
other authority answers 404 (``roles.md``).
"""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from organisations.models import AuditEvent, LocalAuthority
from organisations.permissions import AGGREGATES, la_get_for_capability
from organisations.services import audit_record
from reviews.selectors import drilldown_links_for
from scorecards.exports import XLSX_CONTENT_TYPE, page_workbook, workbook_filename
from scorecards.models import Snapshot
from scorecards.page_cache import page_build_cached, page_sections_html
from scorecards.publication_views import publication_page_context
from scorecards.sections import (
    PAGE_DASHBOARD,
    PAGE_SCORECARD,
    PAGE_TITLES,
    PAGES,
    MonthOption,
    PageContext,
    nav_items,
    snapshots_current,
)
from scorecards.selectors import authorities_to_switch_to


def _month_param(value: str | None) -> date | None:
    """``?month=2024-03`` from the month picker (a GET form, no script needed)."""
    try:
        year, month = (value or "").split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def _snapshot_for(snapshots: list[Snapshot], month: date) -> Snapshot:
    snapshot = next((s for s in snapshots if s.month == month), None)
    if snapshot is None:
        raise Http404("No figures for this month.")
    return snapshot


@require_GET
def page_latest(request: HttpRequest, code: str, page: str) -> HttpResponse:
    """The latest month (or the month picked with ``?month=``), by redirect."""
    la = la_get_for_capability(user=request.user, code=code, capability=AGGREGATES)
    snapshots = snapshots_current(la=la)
    if not snapshots:
        return render(
            request,
            "scorecards/no_figures.html",
            {
                "current_la": la,
                "authorities": authorities_to_switch_to(user=request.user, current=la),
                "page": page,
                "page_title": PAGE_TITLES[page],
                "nav_items": nav_items(la=la, month=None, current=page),
            },
        )
    wanted = _month_param(request.GET.get("month"))
    month = next((s.month for s in snapshots if s.month == wanted), snapshots[0].month)
    return redirect(f"scorecards:{page}", code=la.code, month=month)


def _build(request: HttpRequest, code: str, month: date, page: str):
    if page not in PAGES:
        raise Http404
    la = la_get_for_capability(user=request.user, code=code, capability=AGGREGATES)
    snapshots = snapshots_current(la=la)
    snapshot = _snapshot_for(snapshots, month)
    context, cache_key = page_build_cached(page=page, la=la, snapshot=snapshot)
    return context, cache_key, snapshots


@require_GET
def page_month(request: HttpRequest, code: str, month: date, page: str) -> HttpResponse:
    context, cache_key, snapshots = _build(request, code, month, page)
    readable = authorities_to_switch_to(user=request.user, current=context.la)
    template_context = _template_context(context, snapshots, readable)
    if page in (PAGE_SCORECARD, PAGE_DASHBOARD):  # commentary and publication (issue 9)
        template_context.update(publication_page_context(request=request, page=context))
    # Links to the children behind case-level figures (issue 10): per reader, not built.
    template_context["drill"] = drilldown_links_for(
        user=request.user, la=context.la, month=context.month
    )
    template_context["with_commentary"] = page == PAGE_SCORECARD
    template_context["sections_html"] = page_sections_html(
        request=request, page=context, context=template_context, key=cache_key
    )
    return render(request, f"scorecards/{page}.html", template_context)


def _template_context(
    page: PageContext, snapshots: list[Snapshot], readable: list[LocalAuthority]
) -> dict:
    return {
        "page": page,
        "current_la": page.la,
        "nav_items": nav_items(la=page.la, month=page.month, current=page.page),
        "months": [MonthOption(s.month, s.month_to_date) for s in snapshots],
        "authorities": readable,
        "xlsx_url": reverse(
            f"scorecards:{page.page}_xlsx", kwargs={"code": page.la.code, "month": page.month}
        ),
        "picker_url": reverse(f"scorecards:{page.page}_latest", kwargs={"code": page.la.code}),
    }


@require_GET
def page_workbook_download(request: HttpRequest, code: str, month: date, page: str) -> HttpResponse:
    """The page's figures as XLSX, one sheet per section; the download is audited."""
    context, _, _ = _build(request, code, month, page)
    content = page_workbook(page=context)
    audit_record(
        user=request.user,
        la=context.la,
        action=AuditEvent.Action.SCORECARD_EXPORT,
        object_type="Snapshot",
        object_id=f"{context.la.code}/{context.month:%Y-%m}/v{context.version}",
        detail={"page": page, "month": f"{context.month:%Y-%m}", "format": "xlsx"},
        request=request,
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{workbook_filename(page=context)}"'
    return response


@require_GET
def authority_switch(request: HttpRequest) -> HttpResponse:
    """The authority switcher (a GET form): the same page and month for another authority."""
    page = request.GET.get("page")
    if page not in PAGES:
        page = PAGE_SCORECARD
    la = la_get_for_capability(
        user=request.user, code=request.GET.get("la", ""), capability=AGGREGATES
    )
    url = reverse(f"scorecards:{page}_latest", kwargs={"code": la.code})
    month = _month_param(request.GET.get("month"))
    return redirect(f"{url}?month={month:%Y-%m}" if month else url)
