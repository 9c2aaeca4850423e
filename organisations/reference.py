"""Reference data: English local authorities with children's services and ONS code lookups.

The tables live as CSV files in ``organisations/data`` (sources in its README) because the
codes are facts that must not drift: migration ``0002_load_local_authorities`` copies them
into ``LocalAuthority`` and ``LowerTierAuthority``, and the ONS lookups below read the same
files directly, so placement location (``ssda903.md`` §4) needs no database round trip per
postcode and keeps working in tests whose transactional teardown emptied the tables.

Codes:

- **DfE LA code** — the 3-digit number DfE uses in its collections and files (873).
- **ONS code** — the GSS code of the area (E10000003). Lower-tier codes (districts E07,
  unitaries E06, metropolitan districts E08, London boroughs E09) are what the ONS
  Postcode Directory gives; children's services sit with the upper tier.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from organisations.models import LocalAuthority

DATA_DIR = Path(__file__).resolve().parent / "data"
LOCAL_AUTHORITIES_CSV = DATA_DIR / "local_authorities.csv"
LOWER_TIER_AUTHORITIES_CSV = DATA_DIR / "lower_tier_authorities.csv"
FORMER_UPPER_TIER_CODES_CSV = DATA_DIR / "former_upper_tier_codes.csv"

DFE_CODE_RE = re.compile(r"^\d{3}$")
ENGLISH_UPPER_TIER_ONS_RE = re.compile(r"^E(06|08|09|10)\d{6}$")

UNKNOWN_AUTHORITY_MESSAGE = (
    "Unknown local authority code {code}: expected a DfE 3-digit code such as 873 (Cambridgeshire)"
)


class UnknownLocalAuthority(LocalAuthority.DoesNotExist):
    """Raised for a code that names no authority in the DfE list.

    A subclass of ``LocalAuthority.DoesNotExist`` so callers that already catch
    ``ObjectDoesNotExist`` keep working, with a message a person can act on.
    """


@dataclass(frozen=True, slots=True)
class AuthorityRow:
    code: str
    ons_code: str
    name: str
    region: str
    is_current: bool


@dataclass(frozen=True, slots=True)
class LowerTierRow:
    ons_code: str
    name: str
    upper_tier_code: str
    is_current: bool


@dataclass(frozen=True, slots=True)
class FormerUpperTierRow:
    ons_code: str
    name: str
    successor_code: str
    replaced_on: str


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _as_bool(value: str) -> bool:
    if value not in ("True", "False"):
        raise ValueError(f"Expected True or False, got {value!r}")
    return value == "True"


@cache
def authority_rows() -> tuple[AuthorityRow, ...]:
    """Every authority in ``local_authorities.csv``: the 153 current ones and abolished ones."""
    return tuple(
        AuthorityRow(
            code=row["code"],
            ons_code=row["ons_code"],
            name=row["name"],
            region=row["region"],
            is_current=_as_bool(row["is_current"]),
        )
        for row in _read_csv(LOCAL_AUTHORITIES_CSV)
    )


@cache
def lower_tier_rows() -> tuple[LowerTierRow, ...]:
    """English lower-tier ONS codes with the DfE code of their children's services authority.

    ``is_current`` is False for codes no longer in the ONS Postcode Directory (districts
    merged in 2023, codes replaced after boundary changes); they stay so older files match.
    """
    return tuple(
        LowerTierRow(
            ons_code=row["ons_code"],
            name=row["name"],
            upper_tier_code=row["upper_tier_code"],
            is_current=_as_bool(row["is_current"]),
        )
        for row in _read_csv(LOWER_TIER_AUTHORITIES_CSV)
    )


@cache
def former_upper_tier_rows() -> tuple[FormerUpperTierRow, ...]:
    """Upper-tier ONS codes retired while the authority kept its DfE code (e.g. North Yorkshire)."""
    return tuple(
        FormerUpperTierRow(
            ons_code=row["ons_code"],
            name=row["name"],
            successor_code=row["successor_code"],
            replaced_on=row["replaced_on"],
        )
        for row in _read_csv(FORMER_UPPER_TIER_CODES_CSV)
    )


@cache
def _lower_tier_index() -> dict[str, str]:
    return {row.ons_code: row.upper_tier_code for row in lower_tier_rows()}


@cache
def _ons_index() -> dict[str, str]:
    index = {row.ons_code: row.code for row in authority_rows()}
    for row in former_upper_tier_rows():
        index.setdefault(row.ons_code, row.successor_code)
    return index


def _normalise_ons(code: str | None) -> str:
    return (code or "").strip().upper()


def authority_for_ons_lower_tier(code: str | None) -> str | None:
    """DfE code of the children's services authority for an ONS lower-tier code.

    ``E07000008`` (Cambridge) gives ``"873"`` (Cambridgeshire); a unitary gives itself.
    Welsh, Scottish, Northern Irish and unknown codes give ``None``: they are not English
    authorities (the caller maps them to ``WAL``/``SCO``/``NIR``).
    """
    return _lower_tier_index().get(_normalise_ons(code))


def authority_for_ons_code(code: str | None) -> str | None:
    """DfE code for any English ONS local authority code, upper or lower tier, current or former.

    Accepts what a 903 file may carry as PL_LA (an upper-tier code such as ``E10000003``,
    including retired ones such as ``E10000023`` for North Yorkshire before 2023) as well
    as lower-tier codes from a postcode lookup. ``None`` when the code is not English.
    """
    normalised = _normalise_ons(code)
    return _ons_index().get(normalised) or _lower_tier_index().get(normalised)


def _authority_defaults(row: AuthorityRow) -> dict[str, Any]:
    return {
        "ons_code": row.ons_code,
        "name": row.name,
        "region": row.region,
        "is_current": row.is_current,
    }


def reference_data_load(
    *, local_authority_model: Any = LocalAuthority, lower_tier_model: Any = None
) -> tuple[int, int]:
    """Create or update every authority and lower-tier mapping from the CSV files.

    Idempotent: keyed on the DfE code and the lower-tier ONS code, and it only writes the
    reference fields, never an authority's own settings (suppression, visit standard).
    The migration passes its historical models; other callers use the defaults.
    Returns (authorities, lower-tier mappings) written.
    """
    if lower_tier_model is None:
        from organisations.models import LowerTierAuthority

        lower_tier_model = LowerTierAuthority
    by_code = {}
    for row in authority_rows():
        authority, _ = local_authority_model.objects.update_or_create(
            code=row.code, defaults=_authority_defaults(row)
        )
        by_code[row.code] = authority
    for row in lower_tier_rows():
        lower_tier_model.objects.update_or_create(
            ons_code=row.ons_code,
            defaults={"name": row.name, "upper_tier": by_code[row.upper_tier_code]},
        )
    return len(by_code), len(lower_tier_rows())


def authority_get(code: str | int) -> LocalAuthority:
    """The authority with this DfE code, e.g. ``authority_get("873")`` for Cambridgeshire.

    Raises ``UnknownLocalAuthority`` (with a message naming a valid example) for a code
    that is not in the DfE list. A code that is in the list but missing from the database
    (a transactional test emptied the tables) is reloaded from the CSV files, so ``--la
    873`` works on any database that has been migrated.
    """
    normalised = str(code).strip()
    known = DFE_CODE_RE.match(normalised) and any(
        row.code == normalised for row in authority_rows()
    )
    if not known:
        raise UnknownLocalAuthority(UNKNOWN_AUTHORITY_MESSAGE.format(code=normalised or "''"))
    try:
        return LocalAuthority.objects.get(code=normalised)
    except LocalAuthority.DoesNotExist:
        reference_data_load()
        return LocalAuthority.objects.get(code=normalised)
