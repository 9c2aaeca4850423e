"""Cached scorecard and dashboard pages: the built sections and their rendered HTML.

Why: building a page (five queries over a year of snapshot cells, then the blocks) and
rendering its sections (hundreds of trend rows and SVG sparklines) cost 150–300 ms of one
core, yet a month's figures only change when its snapshot does. Committee readers all
open the same few months, so each page is built and rendered once per version of what it
shows and then read from the Django cache (Redis in production, shared by every web
process).

What a key names, so that nothing stale is shown:

- the authority, month, page, snapshot version and the snapshot's ``computed_at`` (a
  recompute writes a new version; ``computed_at`` also tells apart a version number that
  a rebuilt database reuses);
- ``page_reference_version``: the newest change to the authority's targets and to any
  benchmark (their history rows), and its small-number setting, which the blocks read
  live rather than from the snapshot;
- with small-number suppression on, the versions of every earlier month (what a month
  withholds depends on them);
- for the HTML only: a digest of the month's commentary and the reader's ``variant``
  (may they write commentary, their roles *in this authority*), so edit links, drill-down
  links and any other part that depends on the role are never served to another role.

The feeds line, publication panel, month picker and navigation stay outside the cache.
``SCORECARD_PAGE_CACHE_SECONDS`` bounds everything else (a release with new templates or
indicator wording); ``0`` turns the cache off.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from organisations.models import LocalAuthority
from organisations.permissions import roles_in
from scorecards.models import Benchmark, Snapshot, Target
from scorecards.sections import PageContext, feeds_as_at, page_build

#: Bump when the cached objects change shape, so old entries are never unpickled.
KEY_PREFIX = "scorecard-page:v2"
SECTIONS_TEMPLATE = "scorecards/includes/_sections.html"


def page_cache_seconds() -> int:
    return int(getattr(settings, "SCORECARD_PAGE_CACHE_SECONDS", 0))


def page_reference_version(*, la: LocalAuthority) -> str:
    """What the blocks read besides the snapshot: targets, benchmarks, suppression (one query)."""
    target, benchmark, suppress = (
        LocalAuthority.objects.filter(pk=la.pk)
        .annotate(
            target=Subquery(
                Target.history.filter(la=OuterRef("pk"))
                .order_by("-history_id")
                .values("history_id")[:1]
            ),
            benchmark=Subquery(Benchmark.history.order_by("-history_id").values("history_id")[:1]),
        )
        .values_list("target", "benchmark", "small_number_suppression")
        .get()
    )
    return f"{target}:{benchmark}:{int(suppress)}"


def page_cache_key(*, page: str, la: LocalAuthority, snapshot: Snapshot) -> str:
    """The key of one page's built sections (see the module docstring)."""
    key = (
        f"{KEY_PREFIX}:{la.code}:{snapshot.month:%Y-%m}:{page}:v{snapshot.version}:"
        f"{snapshot.computed_at.timestamp():.6f}:{page_reference_version(la=la)}"
    )
    if la.small_number_suppression:
        key += f":{_earlier_months_digest(la=la, month=snapshot.month)}"
    return key


def _earlier_months_digest(*, la: LocalAuthority, month) -> str:
    """With suppression on, what a month withholds depends on every month before it
    (``scorecards.suppression``): their versions are part of the key (one query)."""
    stamps = Snapshot.objects.filter(la=la, is_current=True, month__lt=month).values_list(
        "month", "version", "computed_at"
    )
    return hashlib.sha256(repr(sorted(stamps)).encode()).hexdigest()[:16]


def page_build_cached(
    *, page: str, la: LocalAuthority, snapshot: Snapshot
) -> tuple[PageContext, str | None]:
    """``page_build`` reused while its key stands, and the key (``None`` with the cache off).

    The feeds line is read fresh each time: an import that changes no figure still
    changes the date it shows.
    """
    seconds = page_cache_seconds()
    if seconds <= 0:
        return page_build(page=page, la=la, snapshot=snapshot), None
    key = page_cache_key(page=page, la=la, snapshot=snapshot)
    context = cache.get(key)
    if context is None:
        context = page_build(page=page, la=la, snapshot=snapshot)
        cache.set(key, replace(context, feeds=[]), seconds)
    else:
        context = replace(context, la=la, feeds=feeds_as_at(la=la, as_of=snapshot.as_of))
    return context, key


def page_variant(*, user: Any, la: LocalAuthority, may_comment: bool) -> str:
    """What about the reader may change the sections' HTML: edit links, their roles in
    ``la`` (drill-down links are for case-level readers of that authority)."""
    roles = "\x1f".join(sorted(roles_in(user=user, la=la)))
    return f"{int(may_comment)}:{int(user.is_superuser)}:{roles}"


def page_sections_html(
    *, request: HttpRequest, page: PageContext, context: dict[str, Any], key: str | None
) -> SafeString:
    """The page's sections rendered once per commentary and reader variant.

    ``context`` is the page's template context after ``publication_page_context`` filled
    each section's commentary (and ``may_comment``); ``key`` from ``page_build_cached``.
    """
    if key is not None:
        commentary = "\x1e".join(f"{s.key}\x1f{s.commentary}" for s in page.sections)
        variant = page_variant(
            user=request.user, la=page.la, may_comment=bool(context.get("may_comment"))
        )
        digest = hashlib.sha256(f"{commentary}\x1d{variant}".encode()).hexdigest()[:24]
        key = f"{key}:html:{digest}"
        html = cache.get(key)
        if html is not None:
            return mark_safe(html)  # noqa: S308 (our own rendered template)
    html = render_to_string(SECTIONS_TEMPLATE, context, request=request)
    if key is not None:
        cache.set(key, str(html), page_cache_seconds())
    return mark_safe(html)  # noqa: S308 (our own rendered template)
