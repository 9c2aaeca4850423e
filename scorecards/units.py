"""Units and polarities of indicators, and the cell shape each unit is stored in."""

from __future__ import annotations

UNIT_COUNT = "count"
UNIT_PERCENT = "percent"
UNIT_RATE = "rate"  # per 10,000
UNIT_RATIO = "ratio"
UNIT_DAYS = "days"  # an average, stored as sum and count
UNIT_BREAKDOWN = "breakdown"
UNIT_COUNTS = "counts"  # several named counts, exported as a breakdown
UNIT_PER_ROLE = "per_role"  # staffing: several named figures per role
UNITS = (
    UNIT_COUNT,
    UNIT_PERCENT,
    UNIT_RATE,
    UNIT_RATIO,
    UNIT_DAYS,
    UNIT_BREAKDOWN,
    UNIT_COUNTS,
    UNIT_PER_ROLE,
)

HIGHER = "higher"
LOWER = "lower"

#: The cell shape each unit is stored and exported in (``indicators.md`` §4).
CELL_SHAPES = {
    UNIT_COUNT: "count",
    UNIT_PERCENT: "fraction",
    UNIT_RATE: "fraction",
    UNIT_RATIO: "fraction",
    UNIT_DAYS: "average",
    UNIT_BREAKDOWN: "breakdown",
    UNIT_COUNTS: "breakdown",
    UNIT_PER_ROLE: "breakdown",
}
