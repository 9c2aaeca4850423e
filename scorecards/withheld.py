"""The marker that stands in a published cell for a count withheld by suppression.

Kept apart from ``scorecards.suppression`` (which decides what is withheld) so that the
low-level readers of cells (``scorecards.cells``, the figure filters) can recognise it
without importing the indicator registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PRIMARY_TEXT = "<5"
SECONDARY_TEXT = "suppressed"


@dataclass(frozen=True)
class Withheld:
    """A count (or a figure built on one) not shown: "<5" (a count of 1 to 4, primary) or
    "suppressed" (withheld so that another cannot be worked out, or built on a withheld
    count)."""

    primary: bool = False

    @property
    def text(self) -> str:
        return PRIMARY_TEXT if self.primary else SECONDARY_TEXT

    def __str__(self) -> str:
        return self.text


PRIMARY = Withheld(primary=True)
SECONDARY = Withheld(primary=False)


def is_withheld(value: Any) -> bool:
    """True for a ``Withheld`` marker, or a pair (numerator, denominator) holding one."""
    if isinstance(value, Withheld):
        return True
    return isinstance(value, tuple | list) and any(isinstance(v, Withheld) for v in value)


def withheld_text(value: Any) -> str | None:
    """ "<5" or "suppressed" for a withheld value (or a pair holding one), else ``None``."""
    if isinstance(value, Withheld):
        return value.text
    if is_withheld(value):
        return SECONDARY_TEXT
    return None
