"""Writes to children's care histories."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from children.care_history import EpisodeIn, care_history_build, placement_group
from children.models import Episode, PeriodOfCare
from organisations.models import LocalAuthority
from placements.models import Placement

_EPISODE_FIELDS = (
    "id", "child_id", "decom", "dec", "rne", "ls", "place", "rec", "cin", "place_provider",
    "home_post", "pl_post", "urn", "pl_la", "pl_location", "pl_distance", "source",
    "period_of_care_id", "is_short_break", "is_temporary", "is_move", "placement_group",
)  # fmt: skip


def episode_in_from_values(row: dict) -> EpisodeIn:
    """The pure-history view of an Episode ``values()`` row (key = episode id)."""
    return EpisodeIn(
        key=row["id"],
        decom=row["decom"],
        dec=row["dec"],
        rne=row["rne"],
        ls=row["ls"],
        place=row["place"],
        rec=row["rec"],
        cin=row["cin"],
        place_provider=row["place_provider"],
        home_post=row["home_post"],
        pl_post=row["pl_post"],
        urn=row["urn"],
        pl_la=row["pl_la"],
        pl_location=row["pl_location"],
        pl_distance=row["pl_distance"],
    )


_FLAG_FIELDS = ["is_short_break", "is_temporary", "is_move", "placement_group", "period_of_care_id"]


def _episode_flags_update(changed: list[Episode]) -> None:
    """Write derived episode flags with ``UPDATE … FROM (VALUES …)`` (PostgreSQL, SQLite).

    ``bulk_update`` builds one CASE per field per row, which costs minutes for a fresh
    import of 200,000 episodes; a VALUES join is one pass. Other databases use it as is.
    """
    if connection.vendor == "postgresql":
        row = "(%s::bigint, %s::boolean, %s::boolean, %s::boolean, %s::varchar, %s::bigint)"
        values = "(VALUES {rows}) AS v(id, sb, tmp, mv, grp, poc)"
    elif connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 33):
        # SQLite (3.33+) has UPDATE … FROM too; its VALUES columns are column1…column6.
        row = "(%s, %s, %s, %s, %s, %s)"
        values = (
            "(SELECT column1 AS id, column2 AS sb, column3 AS tmp, column4 AS mv, "
            "column5 AS grp, column6 AS poc FROM (VALUES {rows})) AS v"
        )
    else:
        Episode.objects.bulk_update(changed, _FLAG_FIELDS, batch_size=2000)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(changed), 5000):
            chunk = changed[start : start + 5000]
            params = []
            for e in chunk:
                params += [e.id, e.is_short_break, e.is_temporary, e.is_move,
                           e.placement_group, e.period_of_care_id]  # fmt: skip
            cursor.execute(
                f"UPDATE {Episode._meta.db_table} AS e SET is_short_break = v.sb, "
                "is_temporary = v.tmp, is_move = v.mv, placement_group = v.grp, "
                "period_of_care_id = v.poc "
                f"FROM {values.format(rows=', '.join([row] * len(chunk)))} "
                "WHERE e.id = v.id",
                params,
            )


@transaction.atomic
def care_histories_derive(*, la: LocalAuthority, child_ids: Iterable[int] | None = None) -> dict:
    """Refresh periods of care, placements and the derived episode flags of an authority.

    Called after every import that touches episodes. Rows are matched on their natural
    keys (child, start date) and only changed rows are written, so re-deriving an
    unchanged history writes nothing and ids stay stable.
    """
    episodes_qs = Episode.objects.filter(la=la)
    periods_qs = PeriodOfCare.objects.filter(la=la)
    placements_qs = Placement.objects.filter(la=la)
    if child_ids is not None:
        ids = list(child_ids)
        episodes_qs = episodes_qs.filter(child_id__in=ids)
        periods_qs = periods_qs.filter(child_id__in=ids)
        placements_qs = placements_qs.filter(child_id__in=ids)

    by_child: dict[int, list[dict]] = defaultdict(list)
    for row in episodes_qs.values(*_EPISODE_FIELDS).order_by("child_id", "decom"):
        by_child[row["child_id"]].append(row)
    existing_periods = {(p.child_id, p.start_date): p for p in periods_qs}
    existing_placements = {(p.child_id, p.start_date): p for p in placements_qs}

    wanted_periods: dict[tuple[int, object], dict] = {}
    wanted_placements: dict[tuple[int, object], dict] = {}
    episode_flags: dict[int, dict] = {}
    episode_period: dict[int, tuple[int, object]] = {}

    for child_pk, rows in by_child.items():
        history = care_history_build(episode_in_from_values(r) for r in rows)
        source = rows[0]["source"]
        for period in history.periods:
            pkey = (child_pk, period.start)
            wanted_periods[pkey] = {
                "end_date": period.end,
                "reason_ceased": period.reason_ceased,
                "starts_with_s": period.starts_with_s,
                "is_short_break": False,
            }
            for eff in period.episodes:
                episode_period[eff.episode.key] = pkey
            for placement in period.placements:
                usual = placement.usual
                wanted_placements[(child_pk, placement.start)] = {
                    "period_key": pkey,
                    "end_date": placement.end,
                    "place": placement.place,
                    "latest_place": placement.latest_place,
                    "placement_group": placement_group(placement.latest_place),
                    "place_provider": usual.place_provider,
                    "is_temporary": placement.is_temporary,
                    "is_short_break": False,
                    "home_post": usual.home_post,
                    "pl_post": usual.pl_post,
                    "urn": usual.urn,
                    "pl_la": usual.pl_la,
                    "pl_location": usual.pl_location,
                    "pl_distance": usual.pl_distance,
                    "source": source,
                }
        for row in rows:
            episode_flags[row["id"]] = {
                "is_short_break": row["ls"] in ("V3", "V4"),
                "is_temporary": row["place"] in ("T0", "T1", "T2", "T3", "T4"),
                "is_move": row["id"] in history.moves,
                "placement_group": placement_group(row["place"]),
            }

    stats = {"periods_written": 0, "placements_written": 0, "episodes_updated": 0}

    # Periods of care: delete vanished, update changed, create new.
    stale = [p.pk for k, p in existing_periods.items() if k not in wanted_periods]
    if stale:
        PeriodOfCare.objects.filter(pk__in=stale).delete()
    to_create, to_update = [], []
    for key, values in wanted_periods.items():
        current = existing_periods.get(key)
        if current is None:
            to_create.append(PeriodOfCare(la=la, child_id=key[0], start_date=key[1], **values))
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            to_update.append(current)
    PeriodOfCare.objects.bulk_create(to_create, batch_size=2000)
    PeriodOfCare.objects.bulk_update(
        to_update, ["end_date", "reason_ceased", "starts_with_s", "is_short_break"], batch_size=2000
    )
    stats["periods_written"] = len(to_create) + len(to_update)
    period_ids = {
        (p.child_id, p.start_date): p.pk
        for p in PeriodOfCare.objects.filter(la=la, child_id__in=list(by_child))
    }

    # Placements.
    stale = [p.pk for k, p in existing_placements.items() if k not in wanted_placements]
    if stale:
        Placement.objects.filter(pk__in=stale).delete()
    to_create, to_update = [], []
    placement_fields = [f for f in next(iter(wanted_placements.values()), {}) if f != "period_key"]
    for key, values in wanted_placements.items():
        values = dict(values)
        values["period_of_care_id"] = period_ids[values.pop("period_key")]
        current = existing_placements.get(key)
        if current is None:
            to_create.append(Placement(la=la, child_id=key[0], start_date=key[1], **values))
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            to_update.append(current)
    Placement.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        Placement.objects.bulk_update(
            to_update, [*placement_fields, "period_of_care_id"], batch_size=2000
        )
    stats["placements_written"] = len(to_create) + len(to_update)

    # Episode flags and period links.
    changed: list[Episode] = []
    for rows in by_child.values():
        for row in rows:
            flags = dict(episode_flags[row["id"]])
            pkey = episode_period.get(row["id"])
            flags["period_of_care_id"] = period_ids.get(pkey) if pkey else None
            if any(row[f] != v for f, v in flags.items()):
                changed.append(Episode(id=row["id"], **flags))
    if changed:
        _episode_flags_update(changed)
    stats["episodes_updated"] = len(changed)
    return stats
