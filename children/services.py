"""Writes to children's care histories."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from itertools import groupby

import polars as pl
from django.db import connection, models, transaction

from children.care_history import (
    EpisodeIn,
    ReturnedEpisode,
    care_history_build,
    end_of_record_dates,
    placement_group,
)
from children.models import Episode, PeriodOfCare
from children.selectors import return_years_loaded
from imports.bulk import (
    CopyPipeline,
    frame_insert,
    ids_reserve,
    polars_dtype,
    rows_frame,
    rows_insert,
    rows_update,
)
from organisations.models import LocalAuthority
from placements.models import Placement

#: Episode columns read by the derive: first the ``EpisodeIn`` fields in its order (the
#: episode id is its key), then the stored derived values they are compared with.
_EPISODE_COLUMNS = (
    "id", "decom", "dec", "rne", "ls", "place", "rec", "cin", "place_provider",
    "home_post", "pl_post", "urn", "pl_la", "pl_location", "pl_distance",
    "child_id", "source", "collection_year",
    *("is_short_break", "is_temporary", "is_move", "placement_group", "end_of_record",
      "period_of_care_id"),
)  # fmt: skip
_N_IN = 15  # EpisodeIn fields at the head of a row
_CHILD, _SOURCE, _YEAR = 15, 16, 17
_STORED_FLAGS_AT = 18
_EPISODE_FLAGS = ("is_short_break", "is_temporary", "is_move", "placement_group",
                  "end_of_record", "period_of_care_id")  # fmt: skip
_LOCATION_FIELDS = ("pl_la", "pl_location", "pl_distance")
_LOCATION_AT = 12  # pl_la, pl_location, pl_distance are row[12:15]
_PERIOD_FIELDS = ("end_date", "reason_ceased", "starts_with_s", "is_short_break",
                  "end_of_record")  # fmt: skip
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
    """The derived rows of a chunk of children, as plain tuples keyed on (child, start).

    A row is ``_EPISODE_COLUMNS`` up to ``collection_year``: the ``EpisodeIn`` fields
    (the episode id as key), the child, the source and the 903 return that holds it.
    """

    __slots__ = (
        "periods", "placements", "placement_period", "flags", "flag_period", "years_loaded",
        "followed_years",
    )  # fmt: skip

    def __init__(self, *, years_loaded: frozenset[int]) -> None:
        self.periods: dict[Key, tuple] = {}
        self.placements: dict[Key, tuple] = {}  # values after period_of_care_id
        self.placement_period: dict[Key, Key] = {}
        self.flags: dict[int, tuple] = {}  # episode id → flags without the period
        self.flag_period: dict[int, Key] = {}
        self.years_loaded = years_loaded
        #: Years whose open episodes a loaded next return may have omitted.
        self.followed_years = frozenset(year - 1 for year in years_loaded)

    def _ends_of_record(self, rows: list[tuple]) -> dict[int, date]:
        """``end_of_record_dates`` of one child, skipped when no episode can have one."""
        followed = self.followed_years
        if not any(row[2] is None and row[_YEAR] in followed for row in rows):
            return {}
        return end_of_record_dates(
            (
                ReturnedEpisode(
                    key=row[0], decom=row[1], dec=row[2], rne=row[3], ls=row[4],
                    collection_year=row[_YEAR] if row[_SOURCE] == "903" else None,
                )
                for row in rows
            ),
            years_loaded=self.years_loaded,
        )  # fmt: skip

    def add_child(self, child_pk: int, rows: list[tuple]) -> None:
        """One child's periods, placements and episode flags (``care_history_build``)."""
        ends = self._ends_of_record(rows)
        history = care_history_build(
            EpisodeIn(*row[:_N_IN], end_of_record=ends.get(row[0])) for row in rows
        )
        source = rows[0][_SOURCE]
        for period in history.periods:
            pkey = (child_pk, period.start)
            self.periods[pkey] = (
                period.end, period.reason_ceased, period.starts_with_s, False,
                period.end_of_record,
            )  # fmt: skip
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
                ends.get(episode_id),
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
    return len(updates) + len(inserts), ids


def _chunk_derive(
    *,
    la: LocalAuthority,
    child_ids: Sequence[int],
    stats: dict,
    episode_locations: Mapping[int, tuple],
    loaded: frozenset[int],
) -> None:
    """Derive and write the histories of one chunk of children."""
    episodes = (
        Episode.objects.filter(la=la, child_id__in=child_ids)
        .order_by("child_id", "decom")
        .values_list(*_EPISODE_COLUMNS)
    )
    wanted = _Wanted(years_loaded=loaded)
    stored_flags: dict[int, tuple] = {}
    located: dict[int, tuple] = {}  # episode id → its new location, to write
    for child_pk, group in groupby(episodes.iterator(chunk_size=10_000), key=lambda r: r[_CHILD]):
        rows = list(group)
        for i, row in enumerate(rows):
            stored_flags[row[0]] = row[_STORED_FLAGS_AT:]
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
    eor_at = _EPISODE_FLAGS.index("end_of_record")
    for episode_id, flags in wanted.flags.items():
        pkey = wanted.flag_period.get(episode_id)
        new = (*flags, period_ids[pkey] if pkey else None)
        old_end, new_end = stored_flags[episode_id][eor_at], new[eor_at]
        if old_end != new_end:
            # An end of record appeared, moved or went: the months from it change.
            for moved in (old_end, new_end):
                if moved is not None and (stats["earliest"] is None or moved < stats["earliest"]):
                    stats["earliest"] = moved
            stats["ends_of_record_changed"] += 1
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
    changed (``None``: every child). The stats' ``earliest`` is the earliest date whose
    history changed through an end of record (``end_of_record_dates``) appearing, moving
    or going: the importer recomputes the months from there. Rows are matched on their
    natural keys (child, start date) and only changed rows are written, so re-deriving
    an unchanged history writes nothing and ids stay stable. Children are handled a
    chunk at a time from plain tuples, so memory stays flat whatever the authority's size.

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
    stats = {
        "periods_written": 0, "placements_written": 0, "episodes_updated": 0,
        "ends_of_record_changed": 0, "earliest": None,
    }  # fmt: skip
    size = _chunk_size()
    loaded = return_years_loaded(la=la)
    for start in range(0, len(ordered), size):
        _chunk_derive(
            la=la,
            child_ids=ordered[start : start + size],
            stats=stats,
            episode_locations=episode_locations or {},
            loaded=loaded,
        )
    return stats


#: Episode fields the derive fills in, in the order ``care_histories_insert`` adds them.
_DERIVED_EPISODE_FIELDS = (*_EPISODE_FLAGS, *_LOCATION_FIELDS)


def children_with_history(*, la: LocalAuthority) -> set[int]:
    """The children of an authority with any stored episode, period of care or placement."""
    ids: set[int] = set()
    for model in (Episode, PeriodOfCare, Placement):
        ids.update(model.objects.filter(la=la).order_by().values_list("child_id", flat=True))
    return ids


@transaction.atomic
def care_histories_insert(
    *,
    la: LocalAuthority,
    episodes: pl.DataFrame,
    locate: Callable[[pl.DataFrame, int], Mapping[int, tuple]] | None = None,
) -> dict:
    """Store the first episodes of children with no history yet, each written once.

    ``care_histories_derive`` reads episodes back after they are stored and rewrites
    them with their flags and period of care: two writes of every episode. For a child
    the authority holds nothing of (every child of a first import, most of a new year's)
    the file's episodes are the whole history, so it is derived from the frame, with
    the same ``care_history_build``, and the periods of care, placements and episodes
    are each inserted once, complete. Children go a chunk at a time through a
    ``CopyPipeline``: PostgreSQL stores and checks one chunk while the next is derived.

    ``episodes``: Episode attnames (``child_id`` the Child pk), sorted by child and
    DECOM, none of whose children has a stored episode, period or placement.
    ``locate(chunk, offset)`` gives the (PL_LA, PL_LOCATION, PL_DISTANCE) to store by row
    number in ``episodes`` (``placements.location.episode_locations_find``); other rows
    keep the frame's own location columns, or blanks. It must not use the database.
    """
    stats = {"periods_written": 0, "placements_written": 0, "episodes_inserted": 0}
    child = episodes["child_id"].to_list()
    rows_per_chunk = _chunk_size() * 4  # about as many children as the derive's chunks
    start = 0
    loaded = return_years_loaded(la=la)
    with CopyPipeline() as pipeline:
        while start < len(child):
            end = min(start + rows_per_chunk, len(child))
            while end < len(child) and child[end] == child[end - 1]:
                end += 1  # a child's episodes stay in one chunk
            chunk = episodes.slice(start, end - start)
            _first_chunk_insert(
                la=la,
                episodes=chunk,
                offset=start,
                episode_locations=locate(chunk, start) if locate else {},
                pipeline=pipeline,
                stats=stats,
                loaded=loaded,
            )
            start = end
    return stats


def _first_chunk_insert(
    *,
    la: LocalAuthority,
    episodes: pl.DataFrame,
    offset: int,
    episode_locations: Mapping[int, tuple],
    pipeline: CopyPipeline,
    stats: dict,
    loaded: frozenset[int],
) -> None:
    """``care_histories_insert`` of one chunk of whole children (row ``offset`` onwards)."""
    col = {name: i for i, name in enumerate(episodes.columns)}
    supplied = "pl_la" in col
    blank_location = ("", "", None)
    inputs = [col[name] for name in _EPISODE_COLUMNS[1:12]]  # decom … urn
    child_at = col["child_id"]
    source = episodes["source"][0] if "source" in col else ""
    year_at = col.get("collection_year")

    wanted = _Wanted(years_loaded=loaded)
    derived: list[list] = [[] for _ in _DERIVED_EPISODE_FIELDS]
    numbered = enumerate(episodes.iter_rows(), start=offset)
    for child_pk, group in groupby(numbered, key=lambda item: item[1][child_at]):
        rows = []
        for n, row in group:
            location = episode_locations.get(n)
            if location is None:
                location = (
                    (row[col["pl_la"]], row[col["pl_location"]], row[col["pl_distance"]])
                    if supplied
                    else blank_location
                )
            year = row[year_at] if year_at is not None else None
            rows.append((n, *(row[i] for i in inputs), *location, child_pk, source, year))
        wanted.add_child(child_pk, rows)
        for row in rows:
            for i, value in enumerate(
                (*wanted.flags[row[0]], None, *row[_LOCATION_AT : _LOCATION_AT + 3])
            ):
                derived[i].append(value)

    periods, placements = wanted.periods, wanted.placements
    placement_period, period_of = wanted.placement_period, wanted.flag_period
    dropped = [name for name in _LOCATION_FIELDS if name in col]

    def store(conn) -> None:
        """Keys, frames and COPY: in the pipeline's thread, off the derive's path."""
        ids = ids_reserve(PeriodOfCare, len(periods), conn)
        period_ids = dict(zip(periods, ids, strict=True))
        frame_insert(
            model=PeriodOfCare,
            frame=rows_frame(
                PeriodOfCare,
                ("id", "la_id", "child_id", "start_date", *_PERIOD_FIELDS),
                [(period_ids[key], la.pk, *key, *values) for key, values in periods.items()],
            ),
            conn=conn,
        )
        frame_insert(
            model=Placement,
            frame=rows_frame(
                Placement,
                ("la_id", "child_id", "start_date", *_PLACEMENT_FIELDS),
                [
                    (la.pk, *key, period_ids[placement_period[key]], *values)
                    for key, values in placements.items()
                ],
            ),
            conn=conn,
        )
        derived[_EPISODE_FLAGS.index("period_of_care_id")] = [
            period_ids[period_of[n]] if n in period_of else None
            for n in range(offset, offset + episodes.height)
        ]
        frame = episodes.drop(dropped).with_columns(
            pl.Series(name, values, dtype=polars_dtype(Episode._meta.get_field(name)))
            for name, values in zip(_DERIVED_EPISODE_FIELDS, derived, strict=True)
        )
        frame_insert(model=Episode, frame=frame, conn=conn)

    pipeline.submit(store)
    stats["periods_written"] += len(wanted.periods)
    stats["placements_written"] += len(wanted.placements)
    stats["episodes_inserted"] += episodes.height
