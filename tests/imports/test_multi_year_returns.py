"""Five consecutive linked returns with real exports' artefacts import and count right.

The returns come from ``synthetic_returns`` (floats in MOTHER, OC3 codes in no year's
list, repeated reviews, open episodes the next return omits, an overlap). They must
import without an error, and the children looked after at four month ends must be, child
by child, what the contract's reading gives (docs/ssda903.md "How years meet"): worked
by hand for the six story children, and for everyone by ``expected_looked_after`` below —
a deliberately plain reading of the rows as written, independent of the app's code.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from children.models import Child, OC3Outcome
from scorecards.engine import MonthContext, la_data_load
from scorecards.periods import ReportingDates
from tests.imports.conftest import import_903
from tests.imports.synthetic_returns import returns_generate, year_bounds

TODAY = date(2026, 12, 7)
MONTH_ENDS = (date(2021, 3, 31), date(2021, 4, 30), date(2023, 3, 31), date(2024, 12, 31))
#: Worked by hand from the stories in ``synthetic_returns._story_children``.
STORIES_LOOKED_AFTER = {
    date(2021, 3, 31): {"S1", "S2", "S3", "S4", "S5"},
    date(2021, 4, 30): {"S3", "S4", "S5"},  # S1, S2: omitted from 2021-22, ended 1 April
    date(2023, 3, 31): {"S2", "S3", "S4"},  # S2 back in care; S5 home in January 2023
    date(2024, 12, 31): {"S2", "S3"},  # S4 left care on 30 November 2024
}


def _day(text: str) -> date | None:
    if not text:
        return None
    day, month, year = text.split("/")
    return date(int(year), int(month), int(day))


def expected_looked_after(returns, on: date) -> set[str]:
    """Children looked after on ``on`` by the contract's reading of the rows as written.

    Later years win per (CHILD, DECOM); short breaks (V3/V4) never count; an episode
    open on 31 March Y that the loaded return Y+1 omits ends on 1 April Y, or at the
    start of the child's next episode if that comes first (RNE S) or continues the care
    (any other RNE); an overlapping episode ends when the next one starts.
    """
    held: dict[tuple[str, date], tuple[dict, int]] = {}
    for year in returns.years:
        for row in returns.episodes[year]:
            held[(row["CHILD"], _day(row["DECOM"]))] = (row, year)
    by_child: dict[str, list[tuple[date, dict, int]]] = {}
    for (child, decom), (row, year) in held.items():
        if row["LS"] not in ("V3", "V4"):
            by_child.setdefault(child, []).append((decom, row, year))
    looked_after = set()
    for child, episodes in by_child.items():
        episodes.sort(key=lambda e: e[0])
        for i, (decom, row, year) in enumerate(episodes):
            end = _day(row["DEC"])
            later = episodes[i + 1] if i + 1 < len(episodes) else None
            if end is None and year + 1 in returns.years:
                end = year_bounds(year + 1)[0]
                if later is not None and later[1]["RNE"] != "S":
                    end = later[0]
                elif later is not None:
                    end = min(end, later[0])
            if later is not None and (end is None or later[0] < end):
                end = later[0]
            if decom <= on and (end is None or end > on):
                looked_after.add(child)
    return looked_after


@pytest.fixture
def returns():
    return returns_generate(seed=3, children=200, first_year=2021, years=5)


def looked_after(la, data, on: date) -> set[str]:
    ctx = MonthContext(data, ReportingDates.for_month(on, today=TODAY))
    return {entry.child.child_id for entry in ctx.cla}


@pytest.mark.parametrize("order", ["forward", "reverse"])
def test_five_linked_years_import_and_count_as_the_contract_reads_them(la, returns, order):
    years = returns.years if order == "forward" else list(reversed(returns.years))
    warned: Counter = Counter()
    for year in years:
        batch = import_903(la, returns.files[year], year=year)
        assert batch.status == "done", (year, batch.message, list(batch.issues.filter(
            severity="error").values_list("message", flat=True)[:5]))  # fmt: skip
        assert batch.error_count == 0
        warned.update(batch.issue_summary["by_kind"])

    # Every artefact was met, and imported with a warning rather than refused.
    assert warned["warning:duplicate_row"] == warned["warning:duplicate_key"] == 5  # Reviews
    assert warned["warning:invalid_code"] >= 1  # OC3 ACCOM 01 / 02 / S1, stored unknown
    assert warned["warning:overlap"] >= 1
    omitted = "warning:not_carried" if order == "forward" else "warning:not_in_next_return"
    assert warned[omitted] >= 3  # S1, S2, S3 at least
    s4 = OC3Outcome.objects.get(la=la, child__child_id="S4")
    assert (s4.accommodation, s4.in_touch) == ("", "YES")  # ACCOM 01: not known
    mothers = Child.objects.filter(la=la, sex="F").values_list("mother", flat=True)
    assert set(mothers) == {True, False}  # 1.0 and 0.0 read as the flags they are

    data = la_data_load(la=la)
    for on in MONTH_ENDS:
        counted = looked_after(la, data, on)
        stories = {c for c in counted if c.startswith("S")}
        assert stories == STORIES_LOOKED_AFTER[on], on
        assert counted == expected_looked_after(returns, on), on


def test_reimporting_every_year_changes_nothing(la, returns):
    for year in returns.years:
        import_903(la, returns.files[year], year=year)

    for year in returns.years:
        batch = import_903(la, returns.files[year], year=year)
        for table, counts in batch.counts.items():
            assert counts["inserted"] == counts["updated"] == counts["removed"] == 0, (year, table)
