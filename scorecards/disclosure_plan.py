"""Deciding the complementary (secondary) suppression of an authority's months, in order.

``scorecards.suppression`` says what is withheld and why; this module does the work:

- every count of 1 to 4 is withheld from the start (primary);
- months are taken in order from the authority's first, each adding the identities of
  ``scorecards.disclosure_identities`` whose latest month it is;
- after each month, any withheld count that the identities now fix (given every published
  count) is protected by withholding counts **of that month** — published months stand —
  the cheapest set found (one, two or three of the ``COMPLEMENT_CHOICES`` cheapest nearby).

"Fix" is decided exactly: an unknown is determined when, in the reduced row echelon form
of the identities restricted to the withheld counts, a row holds it alone. The
elimination is in integers (rows scaled, never divided), so no rounding decides anything.
Only the withheld counts linked to the ones that changed are looked at, so a month costs
little however long the history.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from datetime import date

from scorecards.disclosure_identities import Equation, Ref, identities_for_month
from scorecards.withheld import PRIMARY, SECONDARY, Withheld

#: Counts 1..SMALL_MAX are withheld (``roles.md``: "<5").
SMALL_MAX = 4
#: How many of a month's cheapest nearby counts are tried, alone or in twos and threes.
COMPLEMENT_CHOICES = 12
#: Counts to withhold last: the headline number of children in care.
HEADLINE = frozenset({("cla_count", "at_e", "value")})


def reduced_determined(rows: list[dict[Ref, int]], order: Mapping[Ref, int]) -> set[Ref]:
    """The columns a system of rows fixes: integer Gauss–Jordan elimination, each row
    kept in lowest terms; a column is fixed when a reduced row holds it alone."""
    pivots: list[tuple[Ref, dict[Ref, int]]] = []
    for row in rows:
        row = dict(row)
        for column, pivot_row in pivots:
            if column in row:
                row = _combine(row, pivot_row, column)
        if not row:
            continue
        column = min(row, key=order.__getitem__)
        for i, (other, other_row) in enumerate(pivots):
            if column in other_row:
                pivots[i] = (other, _combine(other_row, row, column))
        pivots.append((column, row))
    return {column for column, row in pivots if len(row) == 1}


def _combine(row: dict[Ref, int], pivot_row: dict[Ref, int], column: Ref) -> dict[Ref, int]:
    """``row`` with ``column`` eliminated by ``pivot_row``, in lowest terms."""
    a, b = pivot_row[column], row[column]
    out = {ref: a * c for ref, c in row.items()}
    for ref, c in pivot_row.items():
        out[ref] = out.get(ref, 0) - b * c
    out = {ref: c for ref, c in out.items() if c}
    divisor = math.gcd(*out.values()) if out else 1
    return {ref: c // divisor for ref, c in out.items()} if divisor > 1 else out


def cost(ref: Ref, values: Mapping[Ref, int]) -> tuple:
    """Which complement to withhold first: a positive count before a 0 (withholding a 0
    protects little), anything before a headline total or a breakdown's total, then the
    smallest; ties broken by name, so the choice is the same every time."""
    headline = ref[1:] in HEADLINE or ref[3] == "total"
    return (values[ref] == 0, headline, values[ref], ref[1], ref[2], ref[3])


class Planner:
    """The withheld counts of an authority, decided month by month in order."""

    def __init__(self, values: Mapping[Ref, int]) -> None:
        self.values = values
        self.withheld: dict[Ref, Withheld] = {
            ref: PRIMARY for ref, value in values.items() if 1 <= value <= SMALL_MAX
        }
        self.equations: list[Equation] = []
        self.by_ref: dict[Ref, list[int]] = {}

    def decide(self, months: Iterable[date]) -> dict[Ref, Withheld]:
        for month in sorted(set(months)):
            self._month(month)
        return self.withheld

    def _month(self, month: date) -> None:
        new = identities_for_month(month, self.values)
        for equation in new:
            for _, ref in equation:
                self.by_ref.setdefault(ref, []).append(len(self.equations))
            self.equations.append(equation)
        seeds = {ref for eq in new for _, ref in eq if ref in self.withheld}
        while seeds:
            exposed = self._determined(seeds)
            added: set[Ref] = set()
            for target in sorted(exposed):
                # Protected already by an earlier group of this round (checked near it;
                # the next round checks the whole again).
                if added and target not in self._local(target, frozenset()):
                    continue
                group = self._protection(target, month)
                for ref in group:
                    self.withheld[ref] = SECONDARY
                added.update(group)
            if not added:
                return  # nothing exposed, or nothing of this month is near (see tests)
            seeds = exposed | added

    def _component(self, seeds: Iterable[Ref], extra: frozenset[Ref] = frozenset()):
        """The withheld counts linked to ``seeds`` (with ``extra`` taken as withheld too)
        and the identities linking them."""
        hidden = self.withheld.keys()
        found = set(seeds)
        frontier = list(found)
        indices: set[int] = set()
        while frontier:
            ref = frontier.pop()
            for index in self.by_ref.get(ref, ()):
                if index in indices:
                    continue
                indices.add(index)
                for _, other in self.equations[index]:
                    if other not in found and (other in hidden or other in extra):
                        found.add(other)
                        frontier.append(other)
        return found, indices

    def _determined(self, seeds: Iterable[Ref], extra: frozenset[Ref] = frozenset()) -> set[Ref]:
        unknowns, indices = self._component(seeds, extra)
        rows = []
        for index in sorted(indices):
            row = {ref: c for c, ref in self.equations[index] if ref in unknowns}
            if row:
                rows.append(row)
        order = {ref: i for i, ref in enumerate(sorted(unknowns))}
        return reduced_determined(rows, order)

    def _near(self, target: Ref, month: date) -> dict[Ref, int]:
        """This month's published counts within two identities of ``target`` and the
        withheld counts linked to it (1: in an identity with them)."""
        unknowns, indices = self._component([target])
        near: dict[Ref, int] = {}
        frontier: set[Ref] = set()
        for index in indices:
            for _, ref in self.equations[index]:
                if ref not in unknowns and ref not in near:
                    near[ref] = 1
                    frontier.add(ref)
        for ref in frontier:
            for index in self.by_ref.get(ref, ()):
                for _, other in self.equations[index]:
                    if other not in unknowns and other not in near:
                        near[other] = 2
        return {
            ref: step
            for ref, step in near.items()
            if ref[0] == month and ref not in self.withheld and ref in self.values
        }

    def _local(self, target: Ref, extra: frozenset[Ref]) -> set[Ref]:
        """What the identities within two of ``target`` fix (a part of the whole system:
        cheap, and necessary for the whole to leave ``target`` free, not sufficient; the
        caller checks the whole again)."""
        hidden = self.withheld.keys()
        indices = set(self.by_ref.get(target, ()))
        for index in list(indices):
            for _, ref in self.equations[index]:
                indices.update(self.by_ref.get(ref, ()))
        rows, unknowns = [], set()
        for index in sorted(indices):
            row = {r: c for c, r in self.equations[index] if r in hidden or r in extra}
            if row:
                rows.append(row)
                unknowns.update(row)
        order = {ref: i for i, ref in enumerate(sorted(unknowns))}
        return reduced_determined(rows, order)

    def _protection(self, target: Ref, month: date) -> tuple[Ref, ...]:
        """The cheapest set of this month's counts to withhold so that ``target`` is no
        longer determined near it; failing that, the cheapest in an identity with it;
        ``()`` when none of this month's counts is near it."""
        near = self._near(target, month)
        if not near:
            return ()
        cheapest = sorted(near, key=lambda ref: cost(ref, self.values))[:COMPLEMENT_CHOICES]
        for size in (1, 2, 3):
            groups = sorted(
                itertools.combinations(cheapest, size),
                key=lambda group: (
                    tuple(map(sum, zip(*(cost(r, self.values)[:3] for r in group), strict=True))),
                    group,
                ),
            )
            for group in groups:
                if target not in self._local(target, frozenset(group)):
                    return group
        direct = [ref for ref in cheapest if near[ref] == 1]
        return tuple((direct or cheapest)[:1])
