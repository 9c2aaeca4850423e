"""The indicator registry: one entry per catalogue id of ``indicators.md`` §2.

Pages, PDFs, the API, exports and worklists read titles, units, polarity, targets and
definitions from here, and the engine calls each entry's ``compute``. An indicator whose
``compute`` is ``None`` is catalogued but not yet fed: the engine writes no cell for it
and readers show "no data", never 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from scorecards.units import (
    CELL_SHAPES,
    HIGHER,
    LOWER,
    UNIT_BREAKDOWN,
    UNIT_COUNT,
    UNIT_COUNTS,
    UNIT_DAYS,
    UNIT_PER_ROLE,
    UNIT_PERCENT,
    UNIT_RATE,
    UNIT_RATIO,
    UNITS,
)

if TYPE_CHECKING:
    from scorecards.engine import MonthContext

__all__ = [
    "HIGHER",
    "INDICATORS",
    "LOWER",
    "SECTIONS",
    "UNIT_BREAKDOWN",
    "UNIT_COUNT",
    "UNIT_COUNTS",
    "UNIT_DAYS",
    "UNIT_PER_ROLE",
    "UNIT_PERCENT",
    "UNIT_RATE",
    "UNIT_RATIO",
    "Cells",
    "Indicator",
    "Section",
    "indicator_register",
    "section_register",
]

Cells = dict[str, dict[str, Any]]
ComputeFn = Callable[["MonthContext"], Cells]


@dataclass(frozen=True)
class Section:
    """A scorecard section with the "Notes on data and definitions" printed under it."""

    key: str
    title: str
    order: int
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Indicator:
    """Metadata and compute function of one catalogue id.

    ``default_target`` is Cambridgeshire's (seed 000) and applies when an authority has
    set no target of its own for the financial year. ``benchmark`` names the published
    DfE figure an England, regional or statistical-neighbour value should be taken from.
    """

    id: str
    title: str
    section: str
    unit: str
    polarity: str | None
    periods: tuple[str, ...]
    definition: str
    default_target: Decimal | None = None
    target_text: str = ""
    compute: ComputeFn | None = None
    breakdown_labels: dict[str, str] = field(default_factory=dict)
    benchmark: str = ""
    source: str = ""
    readings: tuple[str, ...] = ()

    @property
    def implemented(self) -> bool:
        return self.compute is not None

    @property
    def cell_shape(self) -> str:
        return CELL_SHAPES[self.unit]


SECTIONS: dict[str, Section] = {}
INDICATORS: dict[str, Indicator] = {}


def section_register(section: Section) -> Section:
    if section.key in SECTIONS and SECTIONS[section.key] != section:
        raise ValueError(f"section {section.key!r} registered twice")
    SECTIONS[section.key] = section
    return section


def indicator_register(indicator: Indicator) -> Indicator:
    """Add an indicator; ids are unique and units, sections and periods are checked."""
    from scorecards.periods import PERIODS

    if indicator.id in INDICATORS:
        raise ValueError(f"indicator {indicator.id!r} registered twice")
    if indicator.unit not in UNITS:
        raise ValueError(f"{indicator.id}: unknown unit {indicator.unit!r}")
    if indicator.section not in SECTIONS:
        raise ValueError(f"{indicator.id}: unknown section {indicator.section!r}")
    if indicator.polarity not in (HIGHER, LOWER, None):
        raise ValueError(f"{indicator.id}: polarity must be higher, lower or None")
    unknown = set(indicator.periods) - set(PERIODS)
    if unknown or not indicator.periods:
        raise ValueError(f"{indicator.id}: bad periods {indicator.periods!r}")
    INDICATORS[indicator.id] = indicator
    return indicator
