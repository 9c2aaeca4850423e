"""Placement location from postcodes: PL_LA, PL_LOCATION and PL_DISTANCE (``ssda903.md`` §4).

Council files carry HOME_POST and PL_POST; the DfE derives the placement's authority,
whether it is in or out of the placing authority, and the straight-line distance in
miles. ``placement_location`` does that for one episode; ``placement_locations_derive``
does it in bulk for an authority's episodes and then refreshes the placements, which
take their location from their usual (latest non-temporary) episode.

Readings chosen where the specification is silent:

- PL_LA is the 3-digit DfE code of the upper-tier authority (as in DfE's own files),
  ``WAL``/``SCO``/``NIR`` for Wales, Scotland and Northern Ireland, and ``NUK`` for the
  Channel Islands and the Isle of Man (the validator knows ``NUK`` as an outside-England
  value, meaning unverified; these are not in the UK), with a warning saying so.
- A postcode whose lower-tier code the authority table does not know (a code newer than
  ``organisations/data``) leaves PL_LA and PL_LOCATION blank, with a warning: guessing IN
  or OUT would put the child in the wrong column of the location indicators.
- HOME_POST equal to PL_POST is an error in the DfE validator (392d) unless PLACE is P1;
  here it is a warning and the distance (0.0) is kept.
- Supplied values are compared after mapping an ONS PL_LA (``E10000003``) to its DfE
  code; distances within 0.1 mile agree (the centroids move a little between ONS
  editions and rounding conventions differ).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q

from children.models import Episode, UASCRecord
from children.services import care_histories_derive
from organisations.models import LocalAuthority
from organisations.reference import authority_for_ons_code, authority_for_ons_lower_tier
from placements.postcodes import (
    PostcodePoint,
    PostcodeStatus,
    postcode_normalise,
    postcode_status,
    postcodes_lookup,
)

IN = "IN"
OUT = "OUT"
#: PL_LA values for placements outside England, by the first letter of the ONS code.
OUTSIDE_ENGLAND = {"W": "WAL", "S": "SCO", "N": "NIR", "L": "NUK", "M": "NUK"}
OUTSIDE_ENGLAND_CODES = frozenset({*OUTSIDE_ENGLAND.values(), "CON"})
SHORT_BREAK_LEGAL_STATUSES = frozenset({"V3", "V4"})
METRES_PER_MILE_DIVISOR = 1.6093  # √(ΔE²+ΔN²) / 1000 / 1.6093, as the DfE
MAX_DISTANCE = Decimal("999.9")
DISTANCE_TOLERANCE = Decimal("0.1")
LOCATION_FIELDS = ("pl_la", "pl_location", "pl_distance")

#: Scorecard indicators that count a placement's location (``scorecards/indicators``).
LOCATION_INDICATORS = (
    "placed_in_county",
    "out_of_county_non_uasc",
    "out_of_county_20_miles",
    "uasc_out_of_county",
)
DISTANCE_INDICATORS = ("out_of_county_20_miles",)


class IssueKind:
    """Stable machine-readable names of location warnings (``ImportIssue.kind``)."""

    POSTCODE_MISSING = "postcode_missing"
    POSTCODE_PARTIAL = "postcode_partial"
    POSTCODE_INVALID = "postcode_invalid"
    POSTCODE_UNKNOWN = "postcode_unknown"
    NO_GRID_REFERENCE = "postcode_no_grid_reference"
    AUTHORITY_UNMAPPED = "postcode_authority_unmapped"
    OUTSIDE_UK = "placement_outside_uk"
    SAME_POSTCODE = "home_post_equals_pl_post"
    DISAGREEMENT = "location_disagreement"


@dataclass(frozen=True, slots=True)
class LocationIssue:
    """Why part of a location is blank or doubtful.

    ``affects`` names the fields the issue leaves blank; empty for a data-quality note
    that blanks nothing.
    """

    kind: str
    column: str
    value: str
    message: str
    affects: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Location:
    """PL_LA, PL_LOCATION, PL_DISTANCE as derived; blanks are "" / None."""

    pl_la: str
    pl_location: str
    pl_distance: Decimal | None
    issues: tuple[LocationIssue, ...] = ()

    @property
    def warning(self) -> str:
        """The issues in plain English, "" when there are none."""
        return "; ".join(issue.message for issue in self.issues)


def placement_authority(laua: str) -> str | None:
    """PL_LA for an ONS lower-tier code: DfE code, WAL/SCO/NIR/NUK, or None if unknown."""
    code = (laua or "").strip().upper()
    if not code:
        return None
    if code[0] in OUTSIDE_ENGLAND:
        return OUTSIDE_ENGLAND[code[0]]
    return authority_for_ons_lower_tier(code)


def placement_distance(home: PostcodePoint, placement: PostcodePoint) -> Decimal:
    """Straight-line miles between two centroids, 1 dp (half up), within 0.0–999.9."""
    metres = math.hypot(placement.easting - home.easting, placement.northing - home.northing)
    miles = Decimal(metres / 1000 / METRES_PER_MILE_DIVISOR).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return min(miles, MAX_DISTANCE)


def _postcode_issue(
    column: str, value: str, status: PostcodeStatus, affects: tuple[str, ...]
) -> LocationIssue:
    indicators = LOCATION_INDICATORS if "pl_location" in affects else DISTANCE_INDICATORS
    what = "placement authority and distance" if column == "PL_POST" else "distance"
    if status is PostcodeStatus.BLANK:
        kind, text = IssueKind.POSTCODE_MISSING, f"{column} is blank"
    elif status is PostcodeStatus.PARTIAL:
        kind, text = IssueKind.POSTCODE_PARTIAL, f"{column} {value!r} is a partial postcode"
    elif status is PostcodeStatus.INVALID:
        kind, text = IssueKind.POSTCODE_INVALID, f"{column} {value!r} is not a UK postcode"
    else:
        kind = IssueKind.POSTCODE_UNKNOWN
        text = f"{column} {value!r} is not in the ONS Postcode Directory"
    return LocationIssue(
        kind=kind,
        column=column,
        value=value or "",
        message=f"{text}: {what} unknown",
        affects=affects,
        indicators=indicators,
    )


def placement_location(
    *,
    la_code: str,
    home_post: str | None,
    pl_post: str | None,
    place: str = "",
    ls: str = "",
    is_uasc: bool = False,
    points: Mapping[str, PostcodePoint] | None = None,
) -> Location:
    """Derive PL_LA, PL_LOCATION and PL_DISTANCE for one episode, as the DfE does.

    ``la_code`` is the placing authority's DfE code. The distance is left blank for
    short breaks (LS V3/V4, rule 398) and for a child who is or was UASC (406). Never
    raises on bad postcodes: what it cannot derive stays blank with an issue saying why.
    ``points`` are the directory entries of a batch (``postcodes_lookup``); without them
    the two postcodes are looked up here.
    """
    if points is None:
        points = postcodes_lookup([home_post, pl_post])
    issues: list[LocationIssue] = []
    pl_normalised = postcode_normalise(pl_post)
    home_normalised = postcode_normalise(home_post)
    pl_point = points.get(pl_normalised) if pl_normalised else None
    home_point = points.get(home_normalised) if home_normalised else None

    pl_la = pl_location = ""
    if pl_point is None:
        issues.append(
            _postcode_issue("PL_POST", pl_post or "", postcode_status(pl_post), LOCATION_FIELDS)
        )
    else:
        authority = placement_authority(pl_point.laua)
        if authority is None:
            issues.append(
                LocationIssue(
                    kind=IssueKind.AUTHORITY_UNMAPPED,
                    column="PL_POST",
                    value=pl_point.postcode,
                    message=(
                        f"PL_POST {pl_point.postcode} is in ONS authority {pl_point.laua}, "
                        "which the authority table does not know: placement authority unknown"
                        if pl_point.laua
                        else f"PL_POST {pl_point.postcode} has no local authority in the ONS "
                        "Postcode Directory: placement authority unknown"
                    ),
                    affects=("pl_la", "pl_location"),
                    indicators=LOCATION_INDICATORS,
                )
            )
        else:
            pl_la = authority
            pl_location = IN if authority == la_code else OUT
            if authority == "NUK":
                issues.append(
                    LocationIssue(
                        kind=IssueKind.OUTSIDE_UK,
                        column="PL_POST",
                        value=pl_point.postcode,
                        message=(
                            f"PL_POST {pl_point.postcode} is in the Channel Islands or the "
                            "Isle of Man: PL_LA recorded as NUK (outside the UK)"
                        ),
                    )
                )

    distance: Decimal | None = None
    distance_excluded = ls in SHORT_BREAK_LEGAL_STATUSES or is_uasc
    if not distance_excluded and pl_point is not None:
        if home_point is None:
            issues.append(
                _postcode_issue(
                    "HOME_POST", home_post or "", postcode_status(home_post), ("pl_distance",)
                )
            )
        else:
            no_grid = [p.postcode for p in (home_point, pl_point) if not p.has_grid_reference]
            if no_grid:
                issues.append(
                    LocationIssue(
                        kind=IssueKind.NO_GRID_REFERENCE,
                        column="PL_POST" if pl_point.postcode in no_grid else "HOME_POST",
                        value=no_grid[0],
                        message=(
                            f"{' and '.join(no_grid)} has no grid reference in the ONS "
                            "Postcode Directory: distance unknown"
                        ),
                        affects=("pl_distance",),
                        indicators=DISTANCE_INDICATORS,
                    )
                )
            else:
                distance = placement_distance(home_point, pl_point)

    if home_normalised and home_normalised == pl_normalised and place != "P1":
        issues.append(
            LocationIssue(
                kind=IssueKind.SAME_POSTCODE,
                column="PL_POST",
                value=pl_normalised,
                message=(
                    f"HOME_POST and PL_POST are both {pl_normalised} although PLACE is "
                    f"{place or 'blank'}, not P1 (DfE rule 392d)"
                ),
            )
        )
    return Location(pl_la, pl_location, distance, tuple(issues))


# --- Bulk derivation ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LocationWarning:
    """A location issue on one episode, for import logs and the data quality page."""

    child_id: str
    decom: date
    episode_id: int
    kind: str
    column: str
    value: str
    message: str
    indicators: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"Child {self.child_id}, episode from {self.decom:%d/%m/%Y}: {self.message}"


@dataclass
class LocationDeriveResult:
    episodes_checked: int = 0
    episodes_updated: int = 0
    fields_filled: Counter = field(default_factory=Counter)
    placements_written: int = 0
    warnings: list[LocationWarning] = field(default_factory=list)
    #: Episode id → (pl_la, pl_location, pl_distance) to write, and those episodes' children.
    changes: dict[int, tuple] = field(default_factory=dict)
    changed_children: set[int] = field(default_factory=set)

    @property
    def disagreements(self) -> list[LocationWarning]:
        return [w for w in self.warnings if w.kind == IssueKind.DISAGREEMENT]

    def warning_counts(self) -> dict[str, int]:
        return dict(Counter(w.kind for w in self.warnings))


def _supplied_pl_la(value: str) -> str:
    """A supplied PL_LA as a DfE code where it is an English ONS code, for comparison."""
    code = (value or "").strip().upper()
    if code in OUTSIDE_ENGLAND_CODES or code.isdigit():
        return code
    return authority_for_ons_code(code) or code


def _agrees(name: str, supplied, derived) -> bool:
    if name == "pl_la":
        return _supplied_pl_la(supplied) == derived
    if name == "pl_location":
        return (supplied or "").strip().upper() == derived
    if supplied is None or derived is None:
        return supplied is derived
    return abs(Decimal(supplied) - derived) <= DISTANCE_TOLERANCE


def _is_blank(value) -> bool:
    return value is None or value == ""


_COLUMN = {"pl_la": "PL_LA", "pl_location": "PL_LOCATION", "pl_distance": "PL_DISTANCE"}


def _warning(row: dict, issue: LocationIssue) -> LocationWarning:
    return LocationWarning(
        child_id=row["child__child_id"],
        decom=row["decom"],
        episode_id=row["id"],
        kind=issue.kind,
        column=issue.column,
        value=issue.value,
        message=issue.message,
        indicators=issue.indicators,
    )


_LOCATION_READ = (
    "id", "child_id", "child__child_id", "decom", "ls", "place",
    "home_post", "pl_post", "pl_la", "pl_location", "pl_distance",
)  # fmt: skip
_READ_CHUNK_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What a derived location does to an episode's supplied PL_LA, PL_LOCATION, PL_DISTANCE.

    A pure function of the location and the supplied values, so episodes sharing both
    share one outcome; only the warnings are then made per episode.
    """

    final: tuple | None  # the three fields to store, None when nothing changes
    filled: tuple[str, ...]  # the fields that change
    issues: tuple[LocationIssue, ...]  # the warnings each such episode gets


def _location_outcome(
    supplied: Mapping[str, object],
    location: Location,
    *,
    only_missing: bool,
    distance_excluded: bool,
) -> _Outcome:
    """Which fields of an episode to rewrite, and which warnings it gets."""
    derived = {
        "pl_la": location.pl_la,
        "pl_location": location.pl_location,
        "pl_distance": location.pl_distance,
    }
    issues: list[LocationIssue] = []
    new = {}
    for name in LOCATION_FIELDS:
        given, value = supplied[name], derived[name]
        if only_missing:
            if _is_blank(given) and not _is_blank(value):
                new[name] = value
            continue
        known = not _is_blank(value) or (name == "pl_distance" and distance_excluded)
        if not known:
            continue
        if not _is_blank(given) and not _agrees(name, given, value):
            shown = "blank" if _is_blank(value) else value
            reason = " (short break or UASC)" if _is_blank(value) else ""
            issues.append(
                LocationIssue(
                    kind=IssueKind.DISAGREEMENT,
                    column=_COLUMN[name],
                    value=str(given),
                    message=f"{_COLUMN[name]} supplied as {given}, derived from "
                    f"the postcodes as {shown}{reason}",
                    indicators=LOCATION_INDICATORS,
                )
            )
        if value != given:
            new[name] = value

    final = {name: new.get(name, supplied[name]) for name in LOCATION_FIELDS}
    # An issue is worth reporting while a field it blanks is still blank and wanted.
    still_blank = {
        name
        for name in LOCATION_FIELDS
        if _is_blank(final[name]) and not (name == "pl_distance" and distance_excluded)
    }
    issues += [
        issue
        for issue in location.issues
        if not issue.affects or still_blank.intersection(issue.affects)
    ]
    if not new:
        return _Outcome(None, (), tuple(issues))
    return _Outcome(tuple(final[name] for name in LOCATION_FIELDS), tuple(new), tuple(issues))


def placement_locations_find(
    *,
    la: LocalAuthority,
    child_ids: Iterable[int] | None = None,
    only_missing: bool = True,
) -> LocationDeriveResult:
    """What ``placement_locations_derive`` would change, written nowhere.

    The result's ``changes`` go to ``care_histories_derive(episode_locations=…)``, which
    writes them with the episodes' derived flags in one update (the 903 importer does
    this for the children it changed). Postcodes are looked up once for the whole batch,
    grouped by area; each distinct (postcodes, PLACE, LS, UASC) combination is derived
    once, and episodes are read as a stream.
    """
    result = LocationDeriveResult()
    episodes = Episode.objects.filter(la=la)
    if child_ids is not None:
        episodes = episodes.filter(child_id__in=list(child_ids))
    if only_missing:
        episodes = episodes.filter(Q(pl_la="") | Q(pl_location="") | Q(pl_distance__isnull=True))
    postcodes: set[str] = set()
    for home_post, pl_post in episodes.order_by().values_list("home_post", "pl_post").distinct():
        postcodes.update((home_post, pl_post))
    if not postcodes:
        return result
    uasc_children = set(UASCRecord.objects.filter(la=la).values_list("child_id", flat=True))
    rows = episodes.values(*_LOCATION_READ).order_by("child_id", "decom")
    return episode_locations_find(
        la=la,
        rows=rows.iterator(chunk_size=_READ_CHUNK_ROWS),
        points=postcodes_lookup(postcodes),
        uasc_children=uasc_children,
        only_missing=only_missing,
    )


def episode_locations_find(
    *,
    la: LocalAuthority,
    rows: Iterable[Mapping],
    points: Mapping[str, PostcodePoint],
    uasc_children: set[int],
    only_missing: bool = True,
) -> LocationDeriveResult:
    """The location changes of episodes given as rows (the keys of ``_LOCATION_READ``).

    Shared by ``placement_locations_find`` (stored episodes) and the 903 importer's
    first write of a new child's episodes, which are derived before they are stored and
    so are keyed by the caller's row number in ``id``. Each distinct (postcodes, PLACE,
    LS, UASC) combination is derived once.
    """
    result = LocationDeriveResult()
    derived: dict[tuple, Location] = {}
    outcomes: dict[tuple, _Outcome] = {}
    for row in rows:
        result.episodes_checked += 1
        is_uasc = row["child_id"] in uasc_children
        memo = (row["home_post"], row["pl_post"], row["place"], row["ls"], is_uasc)
        location = derived.get(memo)
        if location is None:
            location = derived[memo] = placement_location(
                la_code=la.code,
                home_post=row["home_post"],
                pl_post=row["pl_post"],
                place=row["place"],
                ls=row["ls"],
                is_uasc=is_uasc,
                points=points,
            )
        supplied = (row["pl_la"], row["pl_location"], row["pl_distance"])
        outcome = outcomes.get((memo, supplied))
        if outcome is None:
            outcome = outcomes[(memo, supplied)] = _location_outcome(
                dict(zip(LOCATION_FIELDS, supplied, strict=True)),
                location,
                only_missing=only_missing,
                distance_excluded=row["ls"] in SHORT_BREAK_LEGAL_STATUSES or is_uasc,
            )
        for issue in outcome.issues:
            result.warnings.append(_warning(row, issue))
        if outcome.final is not None:
            result.fields_filled.update(outcome.filled)
            result.changes[row["id"]] = outcome.final
            result.changed_children.add(row["child_id"])
    result.episodes_updated = len(result.changes)
    return result


@transaction.atomic
def placement_locations_derive(
    *,
    la: LocalAuthority,
    child_ids: Iterable[int] | None = None,
    only_missing: bool = True,
) -> LocationDeriveResult:
    """Fill or recompute PL_LA, PL_LOCATION and PL_DISTANCE on an authority's episodes.

    ``only_missing`` (after an import): fill each of the three fields only where the
    file left it blank; supplied values stay. Otherwise (``--all``): recompute every
    episode, replace supplied values with derived ones and report each disagreement; a
    supplied value is kept only where nothing can be derived (unknown postcode), and a
    supplied distance for a short break or a UASC child is cleared and reported.

    Only changed episodes are written, by ``care_histories_derive`` for their children,
    which also copies each placement's location from its usual (latest non-temporary)
    episode, the same rule as on import, so placements and episodes cannot disagree.
    ``child_ids`` are ``Child`` primary keys. Returns counts and the warnings (unknown or
    partial postcodes, disagreements) for the caller to log.
    """
    result = placement_locations_find(la=la, child_ids=child_ids, only_missing=only_missing)
    if result.changes:
        stats = care_histories_derive(
            la=la, child_ids=sorted(result.changed_children), episode_locations=result.changes
        )
        result.placements_written = stats["placements_written"]
    return result
