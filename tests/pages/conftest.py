"""A hand-checked month for the page tests, and one user per role.

The snapshot rows are written directly with numbers worked by hand (several taken from
the seeds: "1093 out of 1109", "80 out of 655", "148 out of 202", 167.238 days), so a
test can say exactly what the page must print. February 2024 is the month before, for
change arrows; March 2024 is the month shown.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from imports.models import FeedStatus
from organisations.models import LocalAuthority
from organisations.reference import authority_get
from organisations.roles import ADMIN, COMMITTEE_LEAD, TEAM_MANAGER
from scorecards.models import Benchmark, Snapshot, SnapshotCell
from tests.access_helpers import roles_give

PASSWORD = "Pages-Test-Pass-2024!"
MARCH = dt.date(2024, 3, 1)
FEBRUARY = dt.date(2024, 2, 1)

#: March 2024 of the hand-checked authority: {indicator: {period: cell}}.
MARCH_CELLS: dict[str, dict[str, dict[str, Any]]] = {
    "cla_count": {"at_e": {"value": 657}},
    "cla_rate_per_10k": {"at_e": {"numerator": 657, "denominator": 133000}},
    "cla_uasc_count": {"at_e": {"value": 66}},
    "cla_non_uasc_count": {"at_e": {"value": 591}},
    "uasc_pct": {"at_e": {"numerator": 66, "denominator": 657}},
    "cla_started": {"month": {"value": 21}, "ytd": {"value": 230}},
    "cla_ceased": {"month": {"value": 17}, "ytd": {"value": 240}},
    "entry_exit_ratio_6m": {"rolling6": {"numerator": 97, "denominator": 160}},
    "legal_status_breakdown": {"at_e": {"breakdown": {"C2": 400, "V2": 254, "E1": 3}}},
    "time_in_care_breakdown": {
        "at_e": {
            "breakdown": {
                "<6 months": 120,
                "6-12 months": 100,
                "1-2 years": 150,
                "2-5 years": 187,
                "5+ years": 100,
            }
        }
    },
    "gender_breakdown": {"at_e": {"breakdown": {"male": 361, "female": 296, "unknown": 0}}},
    "ethnicity_breakdown": {
        "at_e": {"breakdown": {"White": 532, "Mixed": 53, "Other ethnic group": 72}}
    },
    "age_breakdown": {
        "at_e": {"breakdown": {"under 1": 30, "1-4": 90, "5-9": 150, "10-15": 250, "16-17": 137}}
    },
    "cin_reason_breakdown": {
        "ytd": {"breakdown": {"N1": 150, "N4": 80}},
        "rolling6": {"breakdown": {"N1": 97, "N4": 40}},
    },
    "reviews_on_time": {
        "month": {"numerator": 96, "denominator": 97},
        "ytd": {"numerator": 1093, "denominator": 1109},
    },
    "reviews_late": {"month": {"value": 1}, "ytd": {"value": 16}},
    "placements_3plus_12m": {"rolling12": {"numerator": 80, "denominator": 655}},
    "placements_3plus_ytd": {"ytd": {"numerator": 60, "denominator": 657}},
    "long_term_stability": {"at_e": {"numerator": 148, "denominator": 202}},
    "placement_type_breakdown": {
        "at_e": {
            "breakdown": {"foster_other": 400, "residential_childrens_home": 60, "other": 7},
            "other_codes": {"R1": 2, "S1": 5},
        }
    },
    "missing_incidents": {"month": {"value": 43}, "ytd": {"value": 420}},
    "missing_children": {"month": {"value": 23}, "ytd": {"value": 150}},
    # A casework percentage with nothing to count: "no data", never 0%.
    "return_interviews": {"month": {"numerator": 0, "denominator": 0}},
    "adopted_pct": {
        "quarter": {"numerator": 3, "denominator": 40},
        "ytd": {"numerator": 20, "denominator": 240},
    },
    "adoptions": {"month": {"value": 2}, "ytd": {"value": 20}},
    "a1_days": {"rolling12": {"sum": 10479, "count": 21}},
    # Seed 001 printed "167.238095238095 days"; 3512 / 21 = 167.238…
    "a2_days": {"rolling12": {"sum": 3512, "count": 21}},
    "cse_risk": {
        "at_e": {
            "breakdown": {
                "gender:male": 11,
                "gender:female": 49,
                "gender:unknown": 0,
                "age:0-8": 0,
                "age:9-12": 3,
                "age:13-16": 48,
                "age:17+": 9,
            }
        }
    },
    "staffing": {
        "at_e": {
            "breakdown": {
                "cic_social_worker:establishment_fte": 20,
                "cic_social_worker:in_post_fte": 17.5,
                "cic_social_worker:cases": 385,
                "cic_social_worker:workers": 17,
            }
        }
    },
}

FEBRUARY_CELLS: dict[str, dict[str, dict[str, Any]]] = {
    "cla_count": {"at_e": {"value": 650}},
    "reviews_on_time": {
        "month": {"numerator": 88, "denominator": 90},
        "ytd": {"numerator": 997, "denominator": 1012},
    },
    "placements_3plus_12m": {"rolling12": {"numerator": 80, "denominator": 650}},
    "missing_incidents": {"month": {"value": 41}, "ytd": {"value": 377}},
    "missing_children": {"month": {"value": 27}, "ytd": {"value": 140}},
    "a2_days": {"rolling12": {"sum": 3400, "count": 20}},
    "cse_risk": {"at_e": {"breakdown": {"gender:male": 13, "gender:female": 60, "age:9-12": 4}}},
}


def snapshot_make(
    la: LocalAuthority,
    month: dt.date,
    cells: dict[str, dict[str, dict[str, Any]]],
    *,
    month_to_date: bool = False,
    as_of: dt.date | None = None,
) -> Snapshot:
    """A current snapshot with exactly these cells (the engine's storage shape)."""
    if as_of is None:
        next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        as_of = next_month - dt.timedelta(days=1)
    snapshot = Snapshot.objects.create(
        la=la,
        month=month,
        version=1,
        is_current=True,
        as_of=as_of,
        month_to_date=month_to_date,
        computed_at=timezone.now(),
    )
    SnapshotCell.objects.bulk_create(
        SnapshotCell(snapshot=snapshot, indicator=indicator, period=period, data=data)
        for indicator, periods in cells.items()
        for period, data in periods.items()
    )
    return snapshot


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


@pytest.fixture
def la(db) -> LocalAuthority:
    """Cambridgeshire (873, loaded by migration) with the hand-checked February and March."""
    authority = authority_get("873")
    snapshot_make(authority, FEBRUARY, FEBRUARY_CELLS)
    snapshot_make(authority, MARCH, MARCH_CELLS)
    FeedStatus.objects.create(
        la=authority,
        feed="ssda903:Header",
        as_at=dt.date(2024, 3, 31),
        imported_at=_aware(dt.date(2024, 4, 2)),
    )
    FeedStatus.objects.create(
        la=authority,
        feed="ssd:ssd_cla_visits",
        as_at=dt.date(2024, 3, 31),
        imported_at=_aware(dt.date(2024, 4, 3)),
    )
    FeedStatus.objects.create(
        la=authority,
        feed="ssd:ssd_cla_health",
        as_at=dt.date(2023, 11, 30),
        imported_at=_aware(dt.date(2023, 12, 1)),
    )
    Benchmark.objects.create(
        indicator="placements_3plus_12m",
        year=2023,
        scope=Benchmark.Scope.ENGLAND,
        value="10.0",
        source="DfE CLA 2023",
    )
    return authority


@pytest.fixture
def other_la(db) -> LocalAuthority:
    authority = authority_get("874")
    snapshot_make(authority, MARCH, {"cla_count": {"at_e": {"value": 351}}})
    return authority


def user_make(username: str, *, role: str | None, las: list[LocalAuthority], **extra: Any):
    """A user holding ``role`` in each of ``las`` (``None``: a member with no role)."""
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    for authority in las:
        roles_give(user, authority, role)
    return user


@pytest.fixture
def committee_lead(la):
    return user_make("committee", role=COMMITTEE_LEAD, las=[la])


@pytest.fixture
def team_manager(la):
    """A team manager: scope is one team, but aggregates of the whole authority are theirs."""
    from organisations.models import Team

    team = Team.objects.create(la=la, team_id="T1", name="Children in Care Team 1")
    user = user_make("manager", role=TEAM_MANAGER, las=[la])
    roles_give(user, la, TEAM_MANAGER, teams=[team])
    return user


@pytest.fixture
def admin_user(la):
    return user_make("admin", role=ADMIN, las=[la])


@pytest.fixture
def other_la_lead(other_la):
    """A committee lead of Peterborough only."""
    return user_make("other", role=COMMITTEE_LEAD, las=[other_la])


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the test client signed in as ``user``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def committee_client(client_for, committee_lead):
    return client_for(committee_lead)


class Segments(HTMLParser):
    """Text of the elements carrying an attribute (``data-block``, ``data-indicator``).

    ``Segments("data-block").feed(html)`` then ``parser.text["reviews"]``: the visible text
    of that block, whitespace collapsed, so tests assert on what a reader sees there.
    """

    VOID = {"br", "img", "input", "link", "meta", "hr", "col", "source", "wbr"}

    def __init__(self, attribute: str, *, keyed_by: tuple[str, ...] = ()) -> None:
        super().__init__(convert_charrefs=True)
        self.attribute = attribute
        self.keyed_by = keyed_by
        self.text: dict[str, str] = {}
        self._open: list[tuple[str, int]] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        self._depth += 1
        attributes = dict(attrs)
        if self.attribute in attributes:
            key = "/".join(
                [attributes[self.attribute] or ""]
                + [attributes.get(k) or "" for k in self.keyed_by]
            )
            self.text.setdefault(key, "")
            self._open.append((key, self._depth))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        return

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        while self._open and self._open[-1][1] == self._depth:
            self._open.pop()
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        for key, _ in self._open:
            self.text[key] += " " + data

    def close(self) -> None:
        super().close()
        self.text = {k: " ".join(v.split()) for k, v in self.text.items()}


def segments(html: str, attribute: str, *keyed_by: str) -> dict[str, str]:
    parser = Segments(attribute, keyed_by=keyed_by)
    parser.feed(html)
    parser.close()
    return parser.text


def page_text(html: str) -> str:
    """The visible text of the page's main element, whitespace collapsed."""
    parser = Segments("id")
    parser.feed(html)
    parser.close()
    return parser.text.get("main-content", "")
