"""A fast bulk generator of synthetic care histories for the recompute benchmark.

Not the demo generator: it aims at volume with realistic shapes, not at a story. Per
child: 1–3 periods of care of 1–5 episodes (moves, legal-status changes, temporary
placements and returns, some adoptions with AD1 rows, some short breaks), reviews roughly
on the reg. 33 schedule (some late, some missed), missing incidents for about one child
in five, UASC rows for about one in twelve. Rows go in with PostgreSQL ``COPY`` (plain
``bulk_create`` elsewhere), with primary keys assigned here so no row is read back.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import connection, models, transaction

from children.models import Child, Episode, MissingEpisode, UASCRecord
from organisations.models import LocalAuthority, Population
from placements.models import AdoptionRecord
from reviews.models import Review

PREFIX = "BENCH-"
FOSTER = ["U1", "U3", "U4", "U6", "U6", "U6", "U5", "U2"]
OTHER_PLACES = ["K2", "K2", "P1", "K3", "H5", "R1", "S1", "K1", "P2"]
LEGAL = ["C1", "C2", "C2", "C2", "V2", "V2", "E1", "J1"]
ETHNIC = ["WBRI"] * 6 + ["WOTH", "MWBC", "MWAS", "AIND", "APKN", "BAFR", "BCRB", "CHNE",
                          "OOTH", "REFU", "NOBT"]  # fmt: skip
ENDINGS = ["E4A", "E4A", "E13", "E45", "E46", "E5", "E8", "E17", "E3", "E41"]
WINDOW_START = date(2014, 4, 1)
WINDOW_END = date(2025, 3, 1)


def _values(model: type[models.Model], row: dict[str, Any]) -> list[Any]:
    out = []
    for field in model._meta.concrete_fields:
        name = field.attname
        if name in row:
            out.append(row[name])
        elif field.primary_key:
            continue
        else:
            out.append(field.get_default())
    return out


def _columns(model: type[models.Model], with_pk: bool) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if with_pk or not f.primary_key]


def rows_insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert dict rows (missing fields take their defaults), by COPY on PostgreSQL."""
    if not rows:
        return
    with_pk = model._meta.pk.attname in rows[0]
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**r) for r in rows], batch_size=2000)
        return
    columns = ", ".join(f'"{c}"' for c in _columns(model, with_pk))
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(_values(model, row))


def _sequence_reset(model: type[models.Model]) -> None:
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
        )


def _next_id(model: type[models.Model]) -> int:
    last = model.objects.aggregate(m=models.Max("id"))["m"]
    return (last or 0) + 1


def _child_history(rng: random.Random, child_pk: int, la_id: int, out: dict[str, list]) -> None:
    entry = WINDOW_START + timedelta(days=rng.randrange((WINDOW_END - WINDOW_START).days))
    dob = entry - timedelta(days=rng.randrange(0, 17 * 365))
    out["children"].append(
        {
            "id": child_pk,
            "la_id": la_id,
            "child_id": f"{PREFIX}{child_pk}",
            "sex": rng.choice("MMMFFU") if rng.random() < 0.02 else rng.choice("MF"),
            "dob": dob,
            "ethnicity": rng.choice(ETHNIC),
        }
    )
    if rng.random() < 0.08:
        out["uasc"].append({"la_id": la_id, "child_id": child_pk, "year": 2024, "duc": None})
    cursor = entry
    for period_no in range(rng.choice([1, 1, 1, 1, 2, 2, 3])):
        period_start = cursor
        cin = rng.choice(["N1", "N1", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"])
        home = f"HB{rng.randrange(1, 99)} {rng.randrange(1, 9)}AA"
        ls = rng.choice(LEGAL)
        place = rng.choice(FOSTER)
        carer = rng.randrange(10**6)
        n_episodes = rng.choice([1, 1, 2, 2, 3, 3, 4, 5])
        adopt = rng.random() < 0.06 and dob > period_start - timedelta(days=5 * 365)
        ended = True
        for i in range(n_episodes):
            length = max(1, int(rng.expovariate(1 / 260)))
            decom = cursor
            dec = decom + timedelta(days=length)
            last = i == n_episodes - 1
            if i == 0:
                rne = "S" if rng.random() > 0.02 else "P"
            else:
                rne = rng.choice(["P", "P", "P", "L", "B", "T", "U"])
                if rne in ("P", "B"):
                    place = rng.choice(FOSTER + OTHER_PLACES)
                    carer = rng.randrange(10**6)
                if rne in ("L", "B", "U"):
                    ls = rng.choice(LEGAL)
                if rne == "T":
                    place = rng.choice(FOSTER)
            if adopt and last:
                place, ls = rng.choice(["A5", "A6"]), "E1"
                rne = "T" if place == "A5" else "P"
            open_ended = last and dec > WINDOW_END and not adopt
            rec = "X1"
            if last:
                rec = rng.choice(["E11", "E12"]) if adopt else rng.choice(ENDINGS)
            episode = {
                "la_id": la_id, "child_id": child_pk, "decom": decom, "rne": rne, "ls": ls,
                "cin": cin, "place": place, "place_provider": "PR1" if place != "P1" else "PR0",
                "dec": None if open_ended else dec, "rec": "" if open_ended else rec,
                "home_post": home, "pl_post": f"PL{carer % 97} {carer % 9}BB",
                "urn": f"SC{carer:06d}"[:8], "pl_location": rng.choice(["IN", "IN", "OUT"]),
                "pl_distance": round(rng.uniform(0, 60), 1), "collection_year": None,
            }  # fmt: skip
            out["episodes"].append(episode)
            if not last and length >= 8 and rng.random() < 0.04:  # in hospital, then back
                back = decom + timedelta(days=max(1, length // 2))
                episode["dec"] = back
                out["episodes"].append(
                    {
                        **episode,
                        "decom": back,
                        "rne": "P",
                        "place": "T1",
                        "urn": "",
                        "pl_post": "HOS 1PT",
                        "place_provider": "",
                        "dec": back + timedelta(days=3),
                        "rec": "X1",
                    }  # fmt: skip
                )
                out["episodes"].append(
                    {
                        **episode,
                        "decom": back + timedelta(days=3),
                        "rne": "P",
                        "dec": dec,
                        "rec": "X1",
                    }  # fmt: skip
                )
            if open_ended:
                ended = False
                break
            cursor = dec
        # Reviews: first within ~20 working days, then ~3 and ~6 months, sometimes late.
        period_end = cursor if ended else WINDOW_END + timedelta(days=400)
        when = period_start + timedelta(days=rng.randrange(14, 40))
        gap = 90
        while when < period_end:
            if rng.random() > 0.03:
                out["reviews"].append({"la_id": la_id, "child_id": child_pk, "review_date": when})
            when += timedelta(days=gap + rng.randrange(-20, 15))
            gap = 182
        if adopt and ended:
            out["adoptions"].append(
                {
                    "la_id": la_id,
                    "child_id": child_pk,
                    "year": 2000 + period_no,
                    "date_match": period_start + timedelta(days=rng.randrange(120, 400)),
                    "foster_care": rng.random() < 0.2,
                    "nb_adoptr": 2,
                }  # fmt: skip
            )
        if rng.random() < 0.2:
            for _ in range(rng.randrange(1, 6)):
                start = period_start + timedelta(days=rng.randrange(0, 700))
                out["missing"].append(
                    {"la_id": la_id, "child_id": child_pk, "missing_type": rng.choice("MMMA"),
                     "start_date": start, "end_date": start + timedelta(days=rng.randrange(3))}
                )  # fmt: skip
        if not ended:
            break
        cursor = cursor + timedelta(days=rng.randrange(30, 900))
        if cursor > WINDOW_END:
            break
    if rng.random() < 0.03:  # an agreed series of short breaks
        start = WINDOW_END - timedelta(days=rng.randrange(30, 700))
        for k in range(3):
            out["episodes"].append(
                {
                    "la_id": la_id,
                    "child_id": child_pk,
                    "decom": start + timedelta(days=40 * k),
                    "rne": "S",
                    "ls": "V3",
                    "cin": "N2",
                    "place": "U6",
                    "dec": start + timedelta(days=40 * k + 2),
                    "rec": "E8",
                }  # fmt: skip
            )


def _dedupe(rows: Iterable[dict], *keys: str) -> list[dict]:
    seen: dict[tuple, dict] = {}
    for row in rows:
        seen[tuple(row[k] for k in keys)] = row
    return list(seen.values())


@transaction.atomic
def synthetic_authorities_generate(
    *, authorities: list[LocalAuthority], children_per_la: int, seed: int = 33
) -> int:
    """Replace the synthetic children of ``authorities`` with fresh ones; rows written."""
    Child.objects.filter(la__in=authorities, child_id__startswith=PREFIX).delete()
    rng = random.Random(seed)
    next_pk = _next_id(Child)
    out: dict[str, list] = {k: [] for k in ("children", "episodes", "reviews", "missing",
                                             "adoptions", "uasc")}  # fmt: skip
    for la in authorities:
        Population.objects.update_or_create(
            la=la, year=2023, defaults={"population_0_17": 130 * children_per_la}
        )
        for _ in range(children_per_la):
            _child_history(rng, next_pk, la.pk, out)
            next_pk += 1
    rows_insert(Child, out["children"])
    _sequence_reset(Child)
    rows_insert(Episode, _dedupe(out["episodes"], "child_id", "decom"))
    rows_insert(Review, _dedupe(out["reviews"], "child_id", "review_date"))
    rows_insert(MissingEpisode, _dedupe(out["missing"], "child_id", "start_date"))
    rows_insert(AdoptionRecord, _dedupe(out["adoptions"], "child_id", "year"))
    rows_insert(UASCRecord, out["uasc"])
    return sum(len(v) for v in out.values())
