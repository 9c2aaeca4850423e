"""Sample figures for the presentation tests and the style guide (synthetic, seed-shaped).

The numbers echo the seeds' layout (000, 001, 003) but describe no real authority.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any

import pytest

MONTHS = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]


class PageParser(HTMLParser):
    """Collects what the tests assert on: scripts, event-handler attributes, ids, links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict[str, Any]] = []
        self.event_handlers: list[tuple[str, str]] = []
        self.ids: list[str] = []
        self.stylesheets: list[dict[str, str | None]] = []
        self.style_attributes: list[str] = []
        self._in_script: dict[str, Any] | None = None
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        for name, value in attrs:
            if name.startswith("on"):
                self.event_handlers.append((tag, name))
            if name == "id" and value:
                self.ids.append(value)
            if name == "style":
                self.style_attributes.append(tag)
            if name.startswith("hx-on"):
                self.event_handlers.append((tag, name))
        if tag == "script":
            self._in_script = {"attrs": attributes, "content": ""}
            self.scripts.append(self._in_script)
        if tag == "link" and attributes.get("rel") == "stylesheet":
            self.stylesheets.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            self._in_script["content"] += data


def parse_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


class FakeLA:
    """Stands in for a LocalAuthority in template context (only ``name`` is read)."""

    def __init__(self, name: str) -> None:
        self.name = name


@pytest.fixture
def months() -> list[str]:
    return list(MONTHS)


@pytest.fixture
def styleguide_context() -> dict[str, Any]:
    return sample_context()


def sample_context() -> dict[str, Any]:
    """The style guide's context: one of everything the includes and charts take."""
    visits_values = [70.3, 80.3, 82.2, 86.9, 79.1, 81.6, 88.3, None, 84.0]
    return {
        "current_la": FakeLA("Northshire"),
        "nav_items": [
            {"label": "Scorecard", "href": "/scorecard/", "current": True},
            {"label": "Dashboard", "href": "/dashboard/"},
            {"label": "Demographics", "href": "/demographics/"},
        ],
        "as_at": dt.date(2024, 3, 31),
        "feeds": [
            {"label": "SSDA903", "imported_at": dt.date(2024, 4, 2), "stale": False},
            {"label": "visits", "imported_at": dt.date(2024, 4, 3), "stale": False},
            {"label": "health", "imported_at": dt.date(2023, 12, 1), "stale": True},
        ],
        "figures": [
            {
                "title": "Children in care on the last day of the month",
                "kind": "count",
                "value": 657,
                "target": 546,
                "polarity": "lower",
                "rag": "poor",
                "change": "deteriorated",
                "benchmark": 71,
                "benchmark_label": "England rate per 10,000, 2023",
            },
            {
                "title": "% of statutory visits carried out on time (year to date)",
                "kind": "pct",
                "numerator": 461,
                "denominator": 637,
                "target": 98,
                "polarity": "higher",
                "rag": "poor",
                "change": "improved",
                "sentence": "461 of the 637 visits due this year were on time.",
            },
            {
                "title": "3 or more homes in the last 12 months",
                "kind": "pct",
                "numerator": 80,
                "denominator": 655,
                "target": 9,
                "polarity": "lower",
                "rag": "acceptable",
                "change": "same",
                "benchmark": 10.0,
                "sentence": (
                    "12.2% of children in Northshire's care had 3 or more different homes "
                    "in the last 12 months."
                ),
            },
            {
                "title": "Average days from placement order to match",
                "kind": "days",
                "value": (3512, 21),
                "target": 120,
                "polarity": "lower",
                "rag": "poor",
            },
            {
                "title": "Care leavers aged 19 to 21 in unsuitable accommodation",
                "kind": "pct",
                "numerator": 0,
                "denominator": 0,
                "target": 10,
                "polarity": "lower",
            },
            {
                "title": "Children adopted (year to date)",
                "kind": "pct",
                "numerator": 3,
                "denominator": 41,
                "suppress": True,
                "rag": "strong",
            },
        ],
        "visits_pair": (461, 637),
        "months": MONTHS,
        "visits_by_month": list(zip(MONTHS, visits_values, strict=False)),
        "legal_status": [
            ("C2 Full care order", 412),
            ("V2 Single period of accommodation under section 20", 120),
            ("E1 Placement order granted", 40),
            ("J1 Remanded to local authority accommodation", 3),
            ("L1 Under police protection", 0),
        ],
        "missing_series": [
            ("Missing incidents", [43, 41, 54, 65, 31, 41, 38, 47, 29]),
            ("Children missing", [23, 27, 30, 36, 21, 23, 20, 24, None]),
        ],
        "rate_by_month": list(zip(MONTHS, [51.5, 50.7, 51.2, 51.8, None, 52.4], strict=False)),
        "sparkline_values": [685, 675, 681, 689, 687, 697, 695, 701, 703, 702],
        "population": {
            "caption": "Looked after children: population",
            "heading": "Looked after children",
            "months": MONTHS,
            "kind": "count",
            "rows": [
                {"label": "Children in care", "values": [685, 675, 681, 689, 687, 697, 695]},
                {"label": "Unaccompanied asylum-seeking children", "values": [66, 61, 67, 66]},
                {
                    "label": "UASC %",
                    "kind": "pct",
                    "values": [(66, 685), (61, 675), (67, 681), (66, 689)],
                },
                {"label": "Rate per 10,000", "kind": "rate", "values": [51.5, 50.7, None, 51.8]},
            ],
        },
        "exploitation": {
            "caption": "Children at risk of child sexual exploitation",
            "heading": "Child sexual exploitation (all children)",
            "months": MONTHS,
            "kind": "count",
            "suppress": True,
            "groups": [
                {
                    "heading": "Gender",
                    "rows": [
                        {"label": "Male", "values": [11, 13, 12, 6, 25]},
                        {"label": "Female", "values": [49, 60, 56, 60, 69]},
                    ],
                },
                {
                    "heading": "Age of children",
                    "rows": [
                        {"label": "0-8", "values": [0, 0, 0, 0, 0]},
                        {"label": "9-12", "values": [4, 4, 4, 5, 4]},
                    ],
                },
            ],
        },
    }
