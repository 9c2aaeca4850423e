"""``{% drilldown_link %}``: the link from a scorecard figure to the children behind it.

Whether a reader gets links at all is decided per request by the view
(``reviews.selectors.drilldown_links_for``, passed as ``drill``), never in the page build,
which holds no user and may be shared; the PDF's context has no ``drill``, so it never
links to a case list.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from reviews.selectors import DRILLDOWNS, drilldown_available
from scorecards.suppression import is_small, is_withheld

register = template.Library()


@register.inclusion_tag("includes/_drilldown_link.html")
def drilldown_link(
    drill: dict[str, Any] | None,
    indicator_id: str,
    period: str,
    count: Any,
    title: str,
    suppress: bool = False,
) -> dict[str, Any]:
    """ "List the 637 due visits behind this figure" (figure named for screen readers), or
    nothing: no ``drill`` (committee leads, the PDF), no list behind the figure, or nothing
    counted. A count the page withholds (``scorecards.suppression``) is not printed here
    either: "List the due visits behind this figure"."""
    if (
        not drill
        or not indicator_id
        or not drilldown_available(indicator_id=indicator_id, period=period)
    ):
        return {"url": ""}
    withheld = is_withheld(count)
    try:
        n = None if withheld else int(count)
    except (TypeError, ValueError):
        return {"url": ""}
    if n is not None and n <= 0:
        return {"url": ""}
    spec = DRILLDOWNS[indicator_id]
    url = reverse(
        "worklists:drilldown",
        kwargs={"code": drill["code"], "indicator": indicator_id, "month": drill["month"],
                "period": period},
    )  # fmt: skip
    shown = "" if n is None or (suppress and is_small(n)) else f"{n:,} "
    items = spec.item if shown and n == 1 else spec.items  # "the due visit" would say 1
    return {
        "url": url,
        "text": f"List the {shown}{items} behind this figure",
        "figure": f"{title}, {drill['month_label']}",
    }
