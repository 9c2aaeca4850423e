"""Periods of care and placements from a child's SSDA903 episodes: one pure function.

The indicator engine, the importer's derive step and the worklists all need the same
reading of a child's episodes, so it lives here, free of the ORM:

- **Overlaps** (messy extracts, validator 501/142): from its start date the
  later-starting episode supersedes the earlier, which is cut short on that day.
- **Short breaks** (LS V3/V4) are respite, not care in the ordinary sense: they are kept
  aside and take no part in periods of care or placements (``ssda903.md`` §3.4).
- **Period of care**: consecutive episodes with no gap, each starting on the day the
  previous ended with REC X1 (or was cut short by an overlap). It should start with RNE
  S; one that does not (the data begin mid-period) is flagged ``starts_with_s=False``.
- **Placement** (``indicators.md`` §1): starts with the first episode of a period or a
  change of carer (RNE P or B); L, T and U continue it. A temporary placement (PLACE
  T0–T4) and the return from it to the same usual placement are not moves; a return to
  a different placement is.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

SHORT_BREAK_LEGAL_STATUSES = frozenset({"V3", "V4"})
TEMPORARY_PLACEMENTS = frozenset({"T0", "T1", "T2", "T3", "T4"})
LONG_TERM_FOSTER_PLACEMENTS = frozenset({"U1", "U4"})
ADOPTION_PLACEMENTS = frozenset({"A3", "A4", "A5", "A6", "A1", "A2"})
MOVE_REASONS = frozenset({"P", "B"})
CONTINUATION_REASON_CEASED = "X1"
ADOPTION_REASONS_CEASED = frozenset({"E11", "E12"})

#: ``ssda903.md`` §3.6 placement groups (scorecard "Type of home"); retired codes are
#: filed with their nearest current group so old years still add up.
PLACEMENT_GROUPS: dict[str, str] = {
    **dict.fromkeys(["U1", "U2", "U3", "Q1"], "foster_connected_carer"),
    **dict.fromkeys(["U4", "U5", "U6", "Q2"], "foster_other"),
    "P1": "placed_with_parents",
    **dict.fromkeys(sorted(ADOPTION_PLACEMENTS), "placed_for_adoption"),
    "K2": "residential_childrens_home",
    **dict.fromkeys(["K1", "R5"], "secure"),
    **dict.fromkeys(["H5", "K3"], "semi_independent_supported"),
    "P2": "independent_living",
    **dict.fromkeys(sorted(TEMPORARY_PLACEMENTS), "temporary"),
}
PLACEMENT_GROUP_LABELS: dict[str, str] = {
    "foster_connected_carer": "Foster care with relatives, friends or connected carers",
    "foster_other": "Other foster care",
    "placed_with_parents": "Placed with parents",
    "placed_for_adoption": "Placed for adoption",
    "residential_childrens_home": "Residential children's home",
    "secure": "Secure unit, children's home or custody",
    "semi_independent_supported": "Semi-independent or supported accommodation",
    "independent_living": "Independent living",
    "other": "Other settings",
    "temporary": "Temporary placement",
}


def placement_group(place: str) -> str:
    """The scorecard group of a PLACE code; anything not listed is "other"."""
    return PLACEMENT_GROUPS.get(place, "other")


@dataclass(frozen=True)
class EpisodeIn:
    """The fields of an episode that the history needs; ``key`` identifies it to the caller."""

    key: Hashable
    decom: date
    dec: date | None
    rne: str
    ls: str
    place: str
    rec: str = ""
    cin: str = ""
    place_provider: str = ""
    home_post: str = ""
    pl_post: str = ""
    urn: str = ""
    pl_la: str = ""
    pl_location: str = ""
    pl_distance: Decimal | None = None
    #: The day the record of an open episode ends because the next loaded return omits
    #: it (``end_of_record_dates``); DEC stays blank, and it is never a ceasing.
    end_of_record: date | None = None

    @property
    def end(self) -> date | None:
        """DEC, else the end of record, else None (still open)."""
        return self.dec if self.dec is not None else self.end_of_record

    @property
    def is_short_break(self) -> bool:
        return self.ls in SHORT_BREAK_LEGAL_STATUSES

    @property
    def is_temporary(self) -> bool:
        return self.place in TEMPORARY_PLACEMENTS

    def same_placement_as(self, other: EpisodeIn) -> bool:
        """True when both describe one placement (the validator's "placement fields")."""
        return (self.place, self.pl_post, self.urn, self.place_provider) == (
            other.place,
            other.pl_post,
            other.urn,
            other.place_provider,
        )


@dataclass
class EffectiveEpisode:
    """An episode with its end as used for counting (cut short by a superseding one)."""

    episode: EpisodeIn
    start: date
    end: date | None
    superseded: bool = False

    def open_on(self, d: date) -> bool:
        """Looked after on D: start ≤ D and (no end or end > D)."""
        return self.start <= d and (self.end is None or self.end > d)


@dataclass
class PlacementOut:
    start: date
    end: date | None
    episodes: list[EffectiveEpisode] = field(default_factory=list)

    @property
    def first(self) -> EpisodeIn:
        return self.episodes[0].episode

    @property
    def usual(self) -> EpisodeIn:
        """The latest non-temporary episode: the child's usual placement."""
        for eff in reversed(self.episodes):
            if not eff.episode.is_temporary:
                return eff.episode
        return self.episodes[-1].episode

    @property
    def place(self) -> str:
        return self.first.place

    @property
    def latest_place(self) -> str:
        return self.usual.place

    @property
    def is_temporary(self) -> bool:
        """Only temporary episodes (T0–T4): a period that starts in hospital, say, before the
        child moves on to their first usual placement (whatever the RNE of that move). It is
        never a placement of its own (``indicators.md`` §1): not counted among placements,
        and a child on it has been in no placement "for 2 years". It is kept, flagged, because
        the child is still looked after and visited there."""
        return all(eff.episode.is_temporary for eff in self.episodes)

    def place_on(self, d: date) -> str:
        """PLACE of the usual placement on D (a temporary stay keeps the usual code)."""
        code = self.first.place
        for eff in self.episodes:
            if eff.start > d:
                break
            if not eff.episode.is_temporary:
                code = eff.episode.place
        return code

    def episode_on(self, d: date) -> EpisodeIn | None:
        """The usual (non-temporary) episode in force on D, for location and type."""
        found: EpisodeIn | None = None
        for eff in self.episodes:
            if eff.start > d:
                break
            if not eff.episode.is_temporary:
                found = eff.episode
        return found or (self.episodes[0].episode if self.episodes[0].start <= d else None)


@dataclass
class PeriodOut:
    start: date
    end: date | None
    reason_ceased: str
    starts_with_s: bool
    episodes: list[EffectiveEpisode] = field(default_factory=list)
    placements: list[PlacementOut] = field(default_factory=list)
    #: The period ends only because a later return omits its open episode: an end of
    #: record, not a ceasing (never counted as leaving care, adopted or a care leaver).
    end_of_record: bool = False

    @property
    def ceased(self) -> bool:
        """True when the child left care at ``end`` (any reason but X1; not an end of record)."""
        return self.end is not None and not self.end_of_record and self.reason_ceased != "X1"

    def open_on(self, d: date) -> bool:
        return self.start <= d and (self.end is None or self.end > d)

    @property
    def first_episode(self) -> EpisodeIn:
        return self.episodes[0].episode

    @property
    def adopted(self) -> bool:
        return self.reason_ceased in ADOPTION_REASONS_CEASED

    def episode_on(self, d: date) -> EffectiveEpisode | None:
        for eff in self.episodes:
            if eff.open_on(d):
                return eff
        return None

    def placement_on(self, d: date) -> PlacementOut | None:
        for placement in self.placements:
            if placement.start <= d and (placement.end is None or placement.end > d):
                return placement
        return None


@dataclass
class CareHistory:
    periods: list[PeriodOut]
    short_breaks: list[EffectiveEpisode]
    superseded_keys: list[Hashable]
    moves: set[Hashable]

    def period_on(self, d: date) -> PeriodOut | None:
        for period in self.periods:
            if period.open_on(d):
                return period
        return None

    def looked_after_on(self, d: date) -> bool:
        return self.period_on(d) is not None

    @property
    def placements(self) -> list[PlacementOut]:
        return [p for period in self.periods for p in period.placements]


def _effective(episodes: list[EpisodeIn]) -> tuple[list[EffectiveEpisode], list[Hashable]]:
    """Cut each episode short where a later-starting one begins before it ends.

    An episode's end is its DEC, else its end of record (``end_of_record_dates``).
    """
    ordered = sorted(episodes, key=lambda e: (e.decom, e.end or date.max))
    effective: list[EffectiveEpisode] = []
    superseded: list[Hashable] = []
    for i, ep in enumerate(ordered):
        end = ep.end
        cut = False
        if i + 1 < len(ordered):
            nxt = ordered[i + 1]
            if end is None or nxt.decom < end:
                end = nxt.decom
                cut = True
                if nxt.decom != ep.dec:
                    superseded.append(ep.key)
        effective.append(EffectiveEpisode(episode=ep, start=ep.decom, end=end, superseded=cut))
    return effective, superseded


def _continues(prev: EffectiveEpisode, nxt: EffectiveEpisode) -> bool:
    """Does ``nxt`` continue the period of care that ``prev`` belongs to?"""
    if prev.end is None or prev.end != nxt.start:
        return False
    if nxt.episode.rne == "S":
        return False
    rec = prev.episode.rec
    return prev.superseded or rec in {"", CONTINUATION_REASON_CEASED}


def _starts_placement(ep: EpisodeIn, *, usual: EpisodeIn | None, after_temporary: bool) -> bool:
    """Does ``ep``, not the period's first episode, start a placement of its own?

    A change of carer (RNE P or B) to a usual placement does, unless it is the return from a
    temporary placement to the same usual one. A temporary episode never does. And while the
    period has had no usual placement yet (it started on a temporary one, e.g. in hospital),
    the first usual episode starts the child's first placement whatever its RNE: the stay
    before it was never a placement of its own (``indicators.md`` §1 "Placement").
    """
    if ep.is_temporary:
        return False
    if usual is None:
        return True
    if ep.rne not in MOVE_REASONS:
        return False
    return not (after_temporary and ep.same_placement_as(usual))


def _placements(
    period_episodes: list[EffectiveEpisode],
) -> tuple[list[PlacementOut], set[Hashable]]:
    placements: list[PlacementOut] = []
    moves: set[Hashable] = set()
    usual: EpisodeIn | None = None
    after_temporary = False
    for eff in period_episodes:
        ep = eff.episode
        if not placements:
            placements.append(PlacementOut(start=eff.start, end=eff.end, episodes=[eff]))
        elif _starts_placement(ep, usual=usual, after_temporary=after_temporary):
            placements.append(PlacementOut(start=eff.start, end=eff.end, episodes=[eff]))
            if ep.rne in MOVE_REASONS:
                moves.add(ep.key)
        else:
            placements[-1].episodes.append(eff)
            placements[-1].end = eff.end
        after_temporary = ep.is_temporary
        if not ep.is_temporary:
            usual = ep
    return placements, moves


@dataclass(frozen=True, slots=True)
class ReturnedEpisode:
    """What the end-of-record rule reads of a stored episode.

    ``collection_year`` is the latest SSDA903 return that holds the episode (later year
    wins on import); None for an episode no 903 return holds (an SSD or demo episode).
    """

    key: Hashable
    decom: date
    dec: date | None
    rne: str
    ls: str
    collection_year: int | None


def end_of_record_dates(
    episodes: Iterable[ReturnedEpisode], *, years_loaded: Collection[int]
) -> dict[Hashable, date]:
    """The end of record of each of one child's open episodes that the next return omits.

    Each return speaks for its own year and none erases another's (``docs/ssda903.md``
    §5; DfE validator 502/562, liia-tools' episode fixes). An episode open on 31 March Y
    whose latest holding return is Y, once return Y+1 has been loaded, was looked after on
    31 March Y; its record ends:

    - on 1 April Y (the start of Y+1) when no later episode of the child follows it;
    - on the earlier of 1 April Y and the next episode's start when that episode starts
      a new period of care (RNE S);
    - on the next episode's start otherwise: that later-starting episode supersedes it
      (the overlap rule), and care continues.

    DEC stays blank: an end of record is never a ceasing. Short breaks follow the same
    rule among short breaks, as they are read apart from care (``care_history_build``).
    """
    ordered = sorted(episodes, key=lambda e: (e.decom, e.dec or date.max))
    ends: dict[Hashable, date] = {}
    for kind in (False, True):
        same_kind = [e for e in ordered if (e.ls in SHORT_BREAK_LEGAL_STATUSES) is kind]
        for i, ep in enumerate(same_kind):
            year = ep.collection_year
            if ep.dec is not None or year is None or year + 1 not in years_loaded:
                continue
            next_year_start = date(year, 4, 1)
            later = next((e for e in same_kind[i + 1 :] if e.decom > ep.decom), None)
            if later is None:
                end = next_year_start
            elif later.rne == "S":
                end = min(next_year_start, later.decom)
            else:
                end = later.decom
            ends[ep.key] = max(end, ep.decom)
    return ends


def care_history_build(episodes: Iterable[EpisodeIn]) -> CareHistory:
    """Build one child's periods of care and placements from their episodes."""
    all_episodes = list(episodes)
    short_break_eps = [e for e in all_episodes if e.is_short_break]
    care_eps = [e for e in all_episodes if not e.is_short_break]
    effective, superseded = _effective(care_eps)
    short_breaks, sb_superseded = _effective(short_break_eps)

    periods: list[PeriodOut] = []
    moves: set[Hashable] = set()
    current: list[EffectiveEpisode] = []

    def close(chain: list[EffectiveEpisode]) -> None:
        last = chain[-1]
        placements, period_moves = _placements(chain)
        moves.update(period_moves)
        ended_by_record = (
            last.end is not None
            and last.episode.dec is None
            and last.episode.end_of_record is not None
            and last.end <= last.episode.end_of_record
        )
        periods.append(
            PeriodOut(
                start=chain[0].start,
                end=last.end,
                reason_ceased="" if last.end is None else (last.episode.rec or ""),
                starts_with_s=chain[0].episode.rne == "S",
                episodes=list(chain),
                placements=placements,
                end_of_record=ended_by_record,
            )
        )

    for eff in effective:
        if current and not _continues(current[-1], eff):
            close(current)
            current = []
        current.append(eff)
    if current:
        close(current)
    return CareHistory(
        periods=periods,
        short_breaks=short_breaks,
        superseded_keys=superseded + sb_superseded,
        moves=moves,
    )
