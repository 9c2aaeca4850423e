"""Synthetic months of snapshot cells for a small authority, with the arithmetic of the
indicator definitions kept exactly, and a reader who tries to undo suppression with it.

A small authority (8 to 40 children in care) so that most counts are small and
suppression has work to do. Every identity of ``indicators.md`` holds in the figures made
here: breakdowns add up to the children in care, UASC and non-UASC children to the same,
late reviews are due less on time, each year to date is the sum of its months (or
quarters), each rolling count the sum of its months, and the location, care-leaver and
adoption counts add up as their definitions say.

``Reader`` is written from the definitions, not from ``scorecards.disclosure_identities``:
it lists what a reader with the indicator catalogue can subtract, checks that each
identity really holds in the figures, then solves for every withheld count from every
published one, with exact fractions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from scorecards.periods import add_months, financial_quarter_start, financial_year_start

Ref = tuple[date, str, str, str]
Cells = dict[str, dict[str, dict[str, Any]]]

LEGAL = ("C1", "C2", "E1", "J2", "V2")
TIME = ("<6 months", "6-12 months", "1-2 years", "2-5 years", "5+ years")
PLACEMENT = ("foster_other", "foster_connected_carer", "residential_childrens_home", "other")
OTHER_CODES = ("R1", "S1", "Z1")
AGE = ("under 1", "1-4", "5-9", "10-15", "16-17")
GENDER = ("male", "female", "unknown")
ETHNICITY = ("White", "Mixed", "Asian or Asian British", "Black or Black British")
REASONS = ("N1", "N2", "N4", "N8")
TEAMS = ("T1", "T2")
RISK_GENDER = ("gender:male", "gender:female", "gender:unknown")
RISK_AGE = ("age:0-8", "age:9-12", "age:13-16", "age:17+")


def split(rng: random.Random, total: int, keys: tuple[str, ...]) -> dict[str, int]:
    """``total`` shared out over ``keys`` at random (small parts likely)."""
    cuts = sorted(rng.randint(0, total) for _ in range(len(keys) - 1))
    bounds = [0, *cuts, total]
    return {k: bounds[i + 1] - bounds[i] for i, k in enumerate(keys)}


def _pair(rng: random.Random, most: int) -> tuple[int, int]:
    d = rng.randint(0, most)
    return rng.randint(0, d), d


@dataclass
class _Month:
    started: int
    ceased: int
    adoptions: int
    a1_sum: int
    wait_under: int


def months_of_cells(*, seed: int, first: date, last: date) -> dict[date, Cells]:
    """Consistent cells for every month from ``first`` to ``last`` (the storage shape)."""
    rng = random.Random(seed)
    out: dict[date, Cells] = {}
    history: dict[date, _Month] = {}
    month = first
    while month <= last:
        out[month] = _month_cells(rng, month, out, history)
        month = add_months(month, 1)
    return out


def _year_to_date(out, history, month, indicator, key, this):
    """This month's figure plus last month's year to date (none before April)."""
    previous = add_months(month, -1)
    if month == financial_year_start(month) or previous not in out:
        return this
    return out[previous][indicator]["ytd"][key] + this


def _month_cells(rng, month, out, history) -> Cells:
    cla = rng.randint(8, 40)
    uasc = rng.randint(0, min(6, cla))
    non = cla - uasc
    cells: Cells = {
        "cla_count": {"at_e": {"value": cla}},
        "cla_uasc_count": {"at_e": {"value": uasc}},
        "cla_non_uasc_count": {"at_e": {"value": non}},
        "cla_rate_per_10k": {"at_e": {"numerator": cla, "denominator": 133000}},
        "uasc_pct": {"at_e": {"numerator": uasc, "denominator": cla}},
        "disability_pct": {
            "at_e": {"numerator": rng.randint(0, cla), "denominator": cla, "unknown": 1}
        },
        "visits_seen_6_weeks": {"at_e": {"numerator": rng.randint(0, cla), "denominator": cla}},
        "supervision_in_month": {"month": {"numerator": rng.randint(0, cla), "denominator": cla}},
        "placements_3plus_12m": {"rolling12": {"numerator": rng.randint(0, 4), "denominator": cla}},
        "placements_3plus_ytd": {"ytd": {"numerator": rng.randint(0, 3), "denominator": cla}},
        "long_term_stability": {
            "at_e": dict(zip(("numerator", "denominator"), _pair(rng, 9), strict=True))
        },
    }
    for indicator, keys in (
        ("legal_status_breakdown", LEGAL),
        ("time_in_care_breakdown", TIME),
        ("age_breakdown", AGE),
        ("gender_breakdown", GENDER),
        ("ethnicity_breakdown", ETHNICITY),
    ):
        cells[indicator] = {"at_e": {"breakdown": split(rng, cla, keys)}}
    homes = split(rng, cla, PLACEMENT)
    cells["placement_type_breakdown"] = {
        "at_e": {"breakdown": homes, "other_codes": split(rng, homes["other"], OTHER_CODES)}
    }
    # Where children live.
    non_in, non_out, non_unknown = split(rng, non, ("in", "out", "unknown")).values()
    u_in, u_out, u_unknown = split(rng, uasc, ("in", "out", "unknown")).values()
    far = rng.randint(0, non_out)
    cells["placed_in_county"] = {
        "at_e": {"value": non_in + u_in, "unknown": non_unknown + u_unknown}
    }
    cells["out_of_county_non_uasc"] = {
        "at_e": {"numerator": non_out, "denominator": non, "unknown": non_unknown}
    }
    cells["out_of_county_20_miles"] = {
        "at_e": {"numerator": far, "denominator": non, "unknown": non_unknown}
    }
    cells["uasc_out_of_county"] = {
        "at_e": {"numerator": u_out, "denominator": uasc, "unknown": u_unknown}
    }
    # Starting and leaving care, adoptions (an adoption is a leaving).
    started, ceased = rng.randint(0, 6), rng.randint(0, 6)
    adoptions = rng.randint(0, min(2, ceased))
    a1 = [rng.randint(200, 900) for _ in range(adoptions)]
    this = _Month(started, ceased, adoptions, sum(a1), sum(1 for d in a1 if d < 426))
    history[month] = this
    for indicator, n in (
        ("cla_started", started),
        ("cla_ceased", ceased),
        ("adoptions", adoptions),
    ):
        ytd = _year_to_date(out, history, month, indicator, "value", n)
        cells[indicator] = {"month": {"value": n}, "ytd": {"value": ytd}}
    six = [history[m] for m in (add_months(month, -k) for k in range(6)) if m in history]
    entry = (sum(h.started for h in six), sum(h.ceased for h in six))
    cells["entry_exit_ratio_6m"] = {"rolling6": {"numerator": entry[0], "denominator": entry[1]}}
    cells["cin_reason_breakdown"] = {
        "ytd": {"breakdown": split(rng, cells["cla_started"]["ytd"]["value"], REASONS)},
        "rolling6": {"breakdown": split(rng, entry[0], REASONS)},
    }
    ytd_adoptions, ytd_ceased = (
        cells["adoptions"]["ytd"]["value"],
        cells["cla_ceased"]["ytd"]["value"],
    )
    cells["adopted_pct"] = {"ytd": {"numerator": ytd_adoptions, "denominator": ytd_ceased}}
    quarter = [
        history[m]
        for m in (add_months(month, -k) for k in range(3))
        if m in history and m >= financial_quarter_start(month)
    ]
    cells["adopted_pct"]["quarter"] = {
        "numerator": sum(h.adoptions for h in quarter),
        "denominator": sum(h.ceased for h in quarter),
    }
    year = [history[m] for m in (add_months(month, -k) for k in range(12)) if m in history]
    cells["a1_days"] = {
        "month": {"sum": this.a1_sum, "count": adoptions},
        "rolling12": {"sum": sum(h.a1_sum for h in year), "count": sum(h.adoptions for h in year)},
    }
    cells["adoption_wait_under_14m"] = {
        "month": {"numerator": this.wait_under, "denominator": adoptions},
        "rolling12": {
            "numerator": sum(h.wait_under for h in year),
            "denominator": sum(h.adoptions for h in year),
        },
    }
    # Reviews, visits, missing, return interviews, initial health assessments.
    for indicator in ("reviews_on_time", "visits_on_time", "return_interviews"):
        teams = {t: list(_pair(rng, 5)) for t in TEAMS}
        n, d = sum(p[0] for p in teams.values()), sum(p[1] for p in teams.values())
        monthly = {"numerator": n, "denominator": d}
        if indicator != "return_interviews":
            monthly["by_team"] = teams
        ytd = {
            k: _year_to_date(out, history, month, indicator, k, monthly[k])
            for k in monthly
            if k != "by_team"
        }
        cells[indicator] = {"month": monthly, "ytd": ytd}
    on_time = cells["reviews_on_time"]
    cells["reviews_late"] = {
        p: {"value": on_time[p]["denominator"] - on_time[p]["numerator"]} for p in ("month", "ytd")
    }
    incidents = rng.randint(0, 9)
    cells["missing_incidents"] = {
        "month": {"value": incidents},
        "ytd": {
            "value": _year_to_date(out, history, month, "missing_incidents", "value", incidents)
        },
    }
    cells["missing_children"] = {"month": {"value": min(incidents, rng.randint(0, 4))}}
    iha_n, iha_d = _pair(rng, 3)
    start = financial_quarter_start(month)
    previous = add_months(month, -1)
    same_quarter = month != start and previous in out
    q = (
        out[previous]["iha_on_time"]["quarter"]
        if same_quarter
        else {"numerator": 0, "denominator": 0}
    )
    quarter_cell = {"numerator": q["numerator"] + iha_n, "denominator": q["denominator"] + iha_d}
    before = add_months(start, -1)
    base = (
        out[before]["iha_on_time"]["ytd"]
        if start != financial_year_start(month) and before in out
        else {"numerator": 0, "denominator": 0}
    )
    cells["iha_on_time"] = {
        "quarter": quarter_cell,
        "ytd": {k: base[k] + quarter_cell[k] for k in quarter_cell},
    }
    # Exploitation risk: one set of children, by gender and by age.
    at_risk = rng.randint(0, 12)
    cells["cse_risk"] = {
        "at_e": {"breakdown": {**split(rng, at_risk, RISK_GENDER), **split(rng, at_risk, RISK_AGE)}}
    }
    # Care leavers turning 19 to 21 this year.
    cohort = rng.randint(0, 10)
    neet, unknown, _ = split(rng, cohort, ("neet", "unknown", "eet")).values()
    touch = split(rng, cohort, ("yes", "returned_home", "no_longer_required", "died", "unknown"))
    bad, unknown_accommodation, _ = split(rng, cohort, ("bad", "unknown", "ok")).values()
    cells["cl_19_21_neet"] = {
        "ytd": {
            "numerator": neet + unknown,
            "denominator": cohort,
            "neet": neet,
            "unknown": unknown,
        }
    }
    cells["cl_19_21_unsuitable_accommodation"] = {
        "ytd": {
            "numerator": bad + unknown_accommodation,
            "denominator": cohort,
            "unsuitable": bad,
            "unknown": unknown_accommodation,
        }
    }
    cells["cl_19_21_in_touch"] = {
        "ytd": {
            "numerator": touch["yes"],
            "denominator": cohort,
            **{k: v for k, v in touch.items() if k != "yes"},
        }
    }
    return cells


# --- the reader ----------------------------------------------------------------------------------


def flatten(cells_by_month: dict[date, Cells]) -> dict[Ref, Any]:
    """Every count a cell shows, as a reader of the API's JSON sees it (``None`` or a
    marker where withheld): value, numerator, denominator, count, the counts beside a
    figure, breakdown parts and total, other codes, team figures. Staffing and day totals
    are not counts of children."""
    out: dict[Ref, Any] = {}
    for month, cells in cells_by_month.items():
        for indicator, periods in cells.items():
            if indicator == "staffing":
                continue
            for period, cell in periods.items():
                for key, value in cell.items():
                    if key in ("breakdown", "other_codes"):
                        for part, n in value.items():
                            out[(month, indicator, period, f"{key}:{part}")] = n
                    elif key == "by_team":
                        for team, (n, d) in value.items():
                            out[(month, indicator, period, f"by_team:{team}:n")] = n
                            out[(month, indicator, period, f"by_team:{team}:d")] = d
                    elif key not in ("sum", "suppressed") and not (
                        key == "value" and ("numerator" in cell or "count" in cell)
                    ):
                        out[(month, indicator, period, key)] = value
    return out


class Reader:
    """A reader with every published figure and the indicator definitions."""

    def __init__(self, *, published: dict[Ref, Any], truth: dict[Ref, int], months: list[date]):
        self.truth = truth
        self.known = {ref: v for ref, v in published.items() if isinstance(v, int)}
        self.hidden = {ref for ref, v in published.items() if not isinstance(v, int)}
        self.months = months
        self.identities = [eq for eq in self._identities() if self._holds(eq)]

    def _holds(self, equation: list[tuple[int, Ref]]) -> bool:
        try:
            return sum(c * self.truth[ref] for c, ref in equation) == 0
        except KeyError:
            return False

    def _identities(self) -> list[list[tuple[int, Ref]]]:
        found = []

        def total_is(total: Ref, *parts: Ref) -> None:
            found.append([(1, total), *((-1, p) for p in parts)])

        for m in self.months:
            cla = (m, "cla_count", "at_e", "value")
            keys_of: dict[tuple[str, str], list[str]] = {}
            for ref in self.truth:
                if ref[0] == m:
                    keys_of.setdefault((ref[1], ref[2]), []).append(ref[3])
            # Breakdowns of the children in care add up to them; each total to its parts.
            for (indicator, period), keys in keys_of.items():
                parts = [(m, indicator, period, k) for k in keys if k.startswith("breakdown:")]
                if "total" in keys:
                    total_is((m, indicator, period, "total"), *parts)
                if indicator.endswith("_breakdown") and period == "at_e":  # children in care
                    total_is(cla, *parts)
                    total_is(cla, (m, indicator, period, "total"))
                codes = [(m, indicator, period, k) for k in keys if k.startswith("other_codes:")]
                if codes:
                    total_is((m, indicator, period, "breakdown:other"), *codes)
                for side, whole in ((":n", "numerator"), (":d", "denominator")):
                    teams = [(m, indicator, period, k) for k in keys if k.endswith(side)]
                    if teams:
                        total_is((m, indicator, period, whole), *teams)
            total_is(
                cla,
                (m, "cla_uasc_count", "at_e", "value"),
                (m, "cla_non_uasc_count", "at_e", "value"),
            )
            for indicator, period in (
                ("uasc_pct", "at_e"), ("disability_pct", "at_e"), ("visits_seen_6_weeks", "at_e"),
                ("supervision_in_month", "month"), ("placements_3plus_12m", "rolling12"),
                ("placements_3plus_ytd", "ytd"),
            ):  # fmt: skip
                total_is(cla, (m, indicator, period, "denominator"))
            total_is((m, "cla_rate_per_10k", "at_e", "numerator"), cla)
            total_is((m, "cla_uasc_count", "at_e", "value"), (m, "uasc_pct", "at_e", "numerator"))
            total_is(
                (m, "cla_uasc_count", "at_e", "value"),
                (m, "uasc_out_of_county", "at_e", "denominator"),
            )
            for i in ("out_of_county_non_uasc", "out_of_county_20_miles"):
                total_is((m, "cla_non_uasc_count", "at_e", "value"), (m, i, "at_e", "denominator"))
            total_is(
                cla,
                (m, "placed_in_county", "at_e", "value"),
                (m, "placed_in_county", "at_e", "unknown"),
                (m, "out_of_county_non_uasc", "at_e", "numerator"),
                (m, "uasc_out_of_county", "at_e", "numerator"),
            )
            total_is(
                (m, "placed_in_county", "at_e", "unknown"),
                (m, "out_of_county_non_uasc", "at_e", "unknown"),
                (m, "uasc_out_of_county", "at_e", "unknown"),
            )
            total_is(
                (m, "out_of_county_non_uasc", "at_e", "unknown"),
                (m, "out_of_county_20_miles", "at_e", "unknown"),
            )
            for p in ("month", "ytd"):
                total_is(
                    (m, "reviews_on_time", p, "denominator"),
                    (m, "reviews_on_time", p, "numerator"),
                    (m, "reviews_late", p, "value"),
                )
            total_is(
                (m, "cla_started", "ytd", "value"),
                *[(m, "cin_reason_breakdown", "ytd", f"breakdown:{r}") for r in REASONS],
            )
            total_is(
                (m, "entry_exit_ratio_6m", "rolling6", "numerator"),
                *[(m, "cin_reason_breakdown", "rolling6", f"breakdown:{r}") for r in REASONS],
            )
            total_is((m, "adopted_pct", "ytd", "numerator"), (m, "adoptions", "ytd", "value"))
            total_is((m, "adopted_pct", "ytd", "denominator"), (m, "cla_ceased", "ytd", "value"))
            for p in ("month", "rolling12"):
                total_is(
                    (m, "adoption_wait_under_14m", p, "denominator"), (m, "a1_days", p, "count")
                )
            gender = [(m, "cse_risk", "at_e", f"breakdown:{k}") for k in RISK_GENDER]
            age = [(m, "cse_risk", "at_e", f"breakdown:{k}") for k in RISK_AGE]
            found.append([*((1, r) for r in gender), *((-1, r) for r in age)])
            leavers = "cl_19_21_"
            total_is(
                (m, f"{leavers}neet", "ytd", "numerator"),
                (m, f"{leavers}neet", "ytd", "neet"),
                (m, f"{leavers}neet", "ytd", "unknown"),
            )
            un = f"{leavers}unsuitable_accommodation"
            total_is(
                (m, un, "ytd", "numerator"), (m, un, "ytd", "unsuitable"), (m, un, "ytd", "unknown")
            )
            touch = f"{leavers}in_touch"
            total_is(
                (m, touch, "ytd", "denominator"),
                *[
                    (m, touch, "ytd", k)
                    for k in ("numerator", "returned_home", "no_longer_required", "died", "unknown")
                ],
            )
            for i in (un, touch):
                total_is((m, f"{leavers}neet", "ytd", "denominator"), (m, i, "ytd", "denominator"))
            # Across periods: year to date from months or quarters, rolling from months.
            previous = add_months(m, -1)
            april = financial_year_start(m)
            for indicator in (
                "cla_started", "cla_ceased", "adoptions", "missing_incidents",
                "reviews_on_time", "reviews_late", "visits_on_time", "return_interviews",
            ):  # fmt: skip
                for key in ("value", "numerator", "denominator"):
                    earlier = [] if m == april else [(previous, indicator, "ytd", key)]
                    total_is((m, indicator, "ytd", key), *earlier, (m, indicator, "month", key))
            quarter_start = financial_quarter_start(m)
            for indicator in ("adopted_pct", "iha_on_time"):
                for key in ("numerator", "denominator"):
                    before = add_months(quarter_start, -1)
                    earlier = [] if quarter_start == april else [(before, indicator, "ytd", key)]
                    total_is((m, indicator, "ytd", key), *earlier, (m, indicator, "quarter", key))
            year = [add_months(m, -k) for k in range(12)]
            for indicator, key in (
                ("a1_days", "count"),
                ("adoption_wait_under_14m", "numerator"),
                ("adoption_wait_under_14m", "denominator"),
            ):
                total_is(
                    (m, indicator, "rolling12", key), *[(y, indicator, "month", key) for y in year]
                )
            six = [add_months(m, -k) for k in range(6)]
            total_is(
                (m, "entry_exit_ratio_6m", "rolling6", "numerator"),
                *[(y, "cla_started", "month", "value") for y in six],
            )
            total_is(
                (m, "entry_exit_ratio_6m", "rolling6", "denominator"),
                *[(y, "cla_ceased", "month", "value") for y in six],
            )
        return found

    def recoverable(self) -> dict[Ref, Fraction]:
        """Each withheld count the identities and the published counts fix, with its value
        (sparse Gauss-Jordan elimination over exact fractions; the last entry of a row,
        under ``None``, is its constant)."""
        pivots: dict[Ref, dict[Any, Fraction]] = {}
        for eq in self.identities:
            row: dict[Any, Fraction] = {None: Fraction(0)}
            for c, ref in eq:
                if ref in self.hidden:
                    row[ref] = row.get(ref, Fraction(0)) + c
                elif ref in self.known:
                    row[None] -= c * self.known[ref]
                else:
                    break  # a count nobody published or withheld: no use to the reader
            else:
                for ref, pivot_row in pivots.items():
                    if row.get(ref):
                        row = _minus(row, pivot_row, row[ref])
                unknowns = sorted(k for k, v in row.items() if k is not None and v)
                if not unknowns:
                    continue
                lead = unknowns[0]
                row = {k: v / row[lead] for k, v in row.items() if v or k is None}
                for ref, pivot_row in pivots.items():
                    if pivot_row.get(lead):
                        pivots[ref] = _minus(pivot_row, row, pivot_row[lead])
                pivots[lead] = row
        return {
            ref: row[None]
            for ref, row in pivots.items()
            if sum(1 for k, v in row.items() if k is not None and v) == 1
        }


def _minus(row: dict, other: dict, factor: Fraction) -> dict:
    out = dict(row)
    for k, v in other.items():
        out[k] = out.get(k, Fraction(0)) - factor * v
    return {k: v for k, v in out.items() if v or k is None}


def with_totals(cells_by_month: dict[date, Cells]) -> dict[date, Cells]:
    """The stored cells with each breakdown's total beside it (a reader sees the total
    through the shares on the pages; the API carries it)."""
    out: dict[date, Cells] = {}
    for month, cells in cells_by_month.items():
        out[month] = {}
        for indicator, periods in cells.items():
            out[month][indicator] = {}
            for period, cell in periods.items():
                cell = dict(cell)
                if indicator.endswith("_breakdown") and "breakdown" in cell:
                    cell["total"] = sum(cell["breakdown"].values())
                out[month][indicator][period] = cell
    return out
