"""Writes to children's care histories."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from itertools import groupby

from django.db import connection, models, transaction

from children.care_history import EpisodeIn, care_history_build, placement_group
from children.models import Episode, PeriodOfCare
from imports.bulk import rows_insert, rows_update
from organisations.models import LocalAuthority
from placements.models import Placement

#: Episode columns read by the derive: first the ``EpisodeIn`` fields in its order (the
#: episode id is its key), then the stored derived values they are compared with.
_EPISODE_COLUMNS = (
    "id", "decom", "dec", "rne", "ls", "place", "rec", "cin", "place_provider",
    "home_post", "pl_post", "urn", "pl_la", "pl_location", "pl_distance",
    "child_id", "source", *("is_short_break", "is_temporary", "is_move", "placement_group",
                            "period_of_care_id"),
)  # fmt: skip
_N_IN = 15  # EpisodeIn fields at the head of a row
_CHILD, _SOURCE = 15, 16
_EPISODE_FLAGS = ("is_short_break", "is_temporary", "is_move", "placement_group",
                  "period_of_care_id")  # fmt: skip
_LOCATION_FIELDS = ("pl_la", "pl_location", "pl_distance")
_LOCATION_AT = 12  # pl_la, pl_location, pl_distance are row[12:15]
_PERIOD_FIELDS = ("end_date", "reason_ceased", "starts_with_s", "is_short_break")
_PLACEMENT_FIELDS = (
    "period_of_care_id", "end_date", "place", "latest_place", "placement_group",
    "place_provider", "is_temporary", "is_short_break", "home_post", "pl_post", "urn",
    "pl_la", "pl_location", "pl_distance", "source",
)  # fmt: skip
_SHORT_BREAK_LS = ("V3", "V4")
_TEMPORARY_PLACE = ("T0", "T1", "T2", "T3", "T4")

Key = tuple[int, date]  # (child id, start date): the natural key of periods and placements


def _chunk_size() -> int:
    """Children per round trip: bounded memory; SQLite also bounds bound parameters."""
    return 5000 if connection.vendor == "postgresql" else 900


class _Wanted:
    """The derived rows of a chunk of children, as plain tuples keyed on (child, start)."""

    __slots__ = ("periods", "placements", "placement_period", "flags", "flag_period")

    def __init__(self) -> None:
        self.periods: dict[Key, tuple] = {}
        self.placements: dict[Key, tuple] = {}  # values after period_of_care_id
        self.placement_period: dict[Key, Key] = {}
        self.flags: dict[int, tuple] = {}  # episode id → flags without the period
        self.flag_period: dict[int, Key] = {}

    def add_child(self, child_pk: int, rows: list[tuple]) -> None:
        """One child's periods, placements and episode flags (``care_history_build``)."""
        history = care_history_build(EpisodeIn(*row[:_N_IN]) for row in rows)
        source = rows[0][_SOURCE]
        for period in history.periods:
            pkey = (child_pk, period.start)
            self.periods[pkey] = (period.end, period.reason_ceased, period.starts_with_s, False)
            for eff in period.episodes:
                self.flag_period[eff.episode.key] = pkey
            for placement in period.placements:
                usual = placement.usual
                key = (child_pk, placement.start)
                self.placement_period[key] = pkey
                self.placements[key] = (
                    placement.end, placement.place, placement.latest_place,
                    placement_group(placement.latest_place), usual.place_provider,
                    placement.is_temporary, False, usual.home_post, usual.pl_post, usual.urn,
                    usual.pl_la, usual.pl_location, usual.pl_distance, source,
                )  # fmt: skip
        moves = history.moves
        for row in rows:
            episode_id, place = row[0], row[5]
            self.flags[episode_id] = (
                row[4] in _SHORT_BREAK_LS,
                place in _TEMPORARY_PLACE,
                episode_id in moves,
                placement_group(place),
            )


def _keyed_sync(
    *,
    model: type[models.Model],
    la: LocalAuthority,
    child_ids: Sequence[int],
    fields: Sequence[str],
    wanted: dict[Key, tuple],
) -> tuple[int, dict[Key, int]]:
    """Make ``model``'s rows of these children exactly ``wanted``, keyed on (child, start).

    Vanished keys are deleted (through the ORM, so cascades apply), changed rows updated
    and new ones inserted, set-based. Returns the rows written (inserted + updated) and
    the id of every wanted key.
    """
    existing: dict[Key, tuple[int, tuple]] = {}
    stored = model.objects.filter(la=la, child_id__in=child_ids).order_by()
    for pk, child_pk, start, *values in stored.values_list(
        "id", "child_id", "start_date", *fields
    ).iterator(chunk_size=10_000):
        existing[(child_pk, start)] = (pk, tuple(values))
    stale = [pk for key, (pk, _) in existing.items() if key not in wanted]
    if stale:
        model.objects.filter(pk__in=stale).delete()
    updates, inserts = [], []
    ids: dict[Key, int] = {}
    for key, values in wanted.items():
        current = existing.get(key)
        if current is None:
            inserts.append((la.pk, key[0], key[1], *values))
            continue
        ids[key] = current[0]
        if current[1] != values:
            updates.append((current[0], *values))
    rows_update(model=model, columns=fields, rows=updates)
    new_ids = rows_insert(
        model=model, columns=("la_id", "child_id", "start_date", *fields), rows=inserts
    )
    for row, pk in zip(inserts, new_ids, strict=True):
        ids[(row[1], row[2])] = pk
    if None in new_ids:  # a database that cannot return inserted keys
        stored = model.objects.filter(la=la, child_id__in=child_ids).order_by()
        for pk, child_pk, start in stored.values_list("id", "child_id", "start_date"):
            if ids.get((child_pk, start)) is None:
                ids[(child_pk, start)] = pk
    return len(updates) + len(inserts), ids


def _chunk_derive(
    *,
    la: LocalAuthority,
    child_ids: Sequence[int],
    stats: dict,
    episode_locations: Mapping[int, tuple],
) -> None:
    """Derive and write the histories of one chunk of children."""
    episodes = (
        Episode.objects.filter(la=la, child_id__in=child_ids)
        .order_by("child_id", "decom")
        .values_list(*_EPISODE_COLUMNS)
    )
    wanted = _Wanted()
    stored_flags: dict[int, tuple] = {}
    located: dict[int, tuple] = {}  # episode id → its new location, to write
    for child_pk, group in groupby(episodes.iterator(chunk_size=10_000), key=lambda r: r[_CHILD]):
        rows = list(group)
        for i, row in enumerate(rows):
            stored_flags[row[0]] = row[_SOURCE + 1 :]
            location = episode_locations.get(row[0])
            if location is not None:
                located[row[0]] = location
                rows[i] = (*row[:_LOCATION_AT], *location, *row[_LOCATION_AT + 3 :])
        wanted.add_child(child_pk, rows)

    written, period_ids = _keyed_sync(
        model=PeriodOfCare, la=la, child_ids=child_ids, fields=_PERIOD_FIELDS,
        wanted=wanted.periods,
    )  # fmt: skip
    stats["periods_written"] += written
    placements = {
        key: (period_ids[wanted.placement_period[key]], *values)
        for key, values in wanted.placements.items()
    }
    del wanted.placements
    written, _ = _keyed_sync(
        model=Placement, la=la, child_ids=child_ids, fields=_PLACEMENT_FIELDS,
        wanted=placements,
    )  # fmt: skip
    stats["placements_written"] += written
    del placements

    changed, changed_located = [], []
    for episode_id, flags in wanted.flags.items():
        pkey = wanted.flag_period.get(episode_id)
        new = (*flags, period_ids[pkey] if pkey else None)
        location = located.get(episode_id)
        if location is not None:
            changed_located.append((episode_id, *new, *location))
        elif new != stored_flags[episode_id]:
            changed.append((episode_id, *new))
    stats["episodes_updated"] += rows_update(
        model=Episode, columns=_EPISODE_FLAGS, rows=changed
    ) + rows_update(
        model=Episode, columns=(*_EPISODE_FLAGS, *_LOCATION_FIELDS), rows=changed_located
    )


@transaction.atomic
def care_histories_derive(
    *,
    la: LocalAuthority,
    child_ids: Iterable[int] | None = None,
    episode_locations: Mapping[int, tuple] | None = None,
) -> dict:
    """Refresh periods of care, placements and the derived episode flags of an authority.

    Called after every import that touches episodes, with the children whose episodes
    changed (``None``: every child). Rows are matched on their natural keys (child, start
    date) and only changed rows are written, so re-deriving an unchanged history writes
    nothing and ids stay stable. Children are handled a chunk at a time from plain
    tuples, so memory stays flat whatever the authority's size.

    ``episode_locations`` (episode id → PL_LA, PL_LOCATION, PL_DISTANCE, from
    ``placements.location.placement_locations_find``) are written to those episodes in
    the same update as their flags and used for the placements; each must belong to one
    of ``child_ids``.
    """
    if child_ids is None:
        ids: set[int] = set()
        for model in (Episode, PeriodOfCare, Placement):
            stored = model.objects.filter(la=la).order_by().values_list("child_id", flat=True)
            ids.update(stored.distinct())
        ordered = sorted(ids)
    else:
        ordered = sorted(set(child_ids))
    stats = {"periods_written": 0, "placements_written": 0, "episodes_updated": 0}
    size = _chunk_size()
    for start in range(0, len(ordered), size):
        _chunk_derive(
            la=la,
            child_ids=ordered[start : start + size],
            stats=stats,
            episode_locations=episode_locations or {},
        )
    return stats
