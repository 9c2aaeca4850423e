"""SSDA903 code lists (``ssda903.md`` §3) with the collection years each code was valid in.

Years are collection years ending 31 March (2025 = 2024/25). A code valid in no year is
unreadable — an error for RNE and LS, otherwise a warning and stored as unknown (§6); one
valid only in other years is a warning: kept when not yet introduced, stored as unknown
when retired before the year (an alias such as SEX ``1`` still maps to its current code).
Where the DfE change year is taken from the validator only, or not known at all, the
comment says **unverified**.
"""

from __future__ import annotations

from imports.formats.base import CodeList

# SEX: 1/2 up to 2023/24, M/F/U from 2024/25 (validator only: unverified with the DfE guide).
SEX = CodeList(
    codes={"M": (2025, None), "F": (2025, None), "U": (2025, None)},
    aliases={"1": ("M", None, 2024), "2": ("F", None, 2024)},
)

ETHNIC = CodeList.of(
    "WBRI", "WIRI", "WIRT", "WROM", "WOTH",
    "MWBC", "MWBA", "MWAS", "MOTH",
    "AIND", "APKN", "ABAN", "AOTH",
    "BCRB", "BAFR", "BOTH",
    "CHNE", "OOTH", "REFU", "NOBT",
)  # fmt: skip

RNE = CodeList.of("S", "L", "P", "T", "B", "U")
LS = CodeList.of(
    "C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"
)  # fmt: skip
CIN = CodeList.of("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8")

_PLACE_ALWAYS = (
    "A3", "A4", "A5", "A6", "K1", "K2", "P1", "P3", "R1", "R2", "R3", "R5", "S1",
    "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6",
)  # fmt: skip
PLACE = CodeList(
    codes={
        **dict.fromkeys(_PLACE_ALWAYS, (None, None)),
        # K3 added in 2024/25; H5, P2, Z1 dropped and Z11–Z14 added in 2025/26 (rule 146).
        "K3": (2025, None),
        **dict.fromkeys(("H5", "P2", "Z1"), (None, 2025)),
        **dict.fromkeys(("Z11", "Z12", "Z13", "Z14"), (2026, None)),
        # Placement codes replaced when U1–U6 and A3–A6 came in: last valid year unverified.
        **dict.fromkeys(("Q1", "Q2", "A1", "A2", "M2", "M3"), (None, 2014)),
    }
)
TEMPORARY_PLACES = frozenset({"T0", "T1", "T2", "T3", "T4"})
NO_PROVIDER_PLACES = TEMPORARY_PLACES | {"Z1", "Z11", "Z12", "Z13", "Z14"}

PLACE_PROVIDER = CodeList.of("PR0", "PR1", "PR2", "PR3", "PR4", "PR5")
REC = CodeList.of(
    "X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48",
    "E5", "E6", "E7", "E8", "E9", "E14", "E15", "E16", "E17",
)  # fmt: skip
REASON_PLACE_CHANGE = CodeList.of(
    "CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ",
    "PLACE", "CUSTOD", "OTHER",
)  # fmt: skip
PL_LOCATION = CodeList.of("IN", "OUT")
REVIEW_CODE = CodeList.of("PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7")
SDQ_REASON = CodeList.of("SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5")
IN_TOUCH = CodeList.of("YES", "NO", "DIED", "REFU", "NREQ", "RHOM")
# F3/P3 are historic (superseded by F4/F5, P4/P5): in old returns they count as EET; after
# their retirement they are stored as unknown (§6). The validator's rule 132 rejects them in
# every ruleset it holds; 2018/19 is taken as the last year they are read in (**unverified**:
# the DfE year of the change is not known here).
ACTIV = CodeList(
    codes={
        **dict.fromkeys(("F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0"),
                        (None, None)),
        **dict.fromkeys(("F3", "P3"), (None, 2019)),
    }
)  # fmt: skip
ACCOM = CodeList.of(
    "0",
    *(
        f"{letter}{suffix}"
        for letter in "BCDEGHKRSTUVWXYZ"
        for suffix in "12"
        if f"{letter}{suffix}" not in {"S1", "X1"}
    ),
)
MISSING = CodeList.of("M", "A")
PREV_PERM = CodeList.of("P1", "P2", "P3", "P4", "Z1")
REASON_PLACED_CEASED = CodeList.of("RD1", "RD2", "RD3", "RD4")
SW_REASON = CodeList.of(
    "MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "SWDIED",
    "OTHERS",
)  # fmt: skip
NB_ADOPTR = CodeList.of("1", "2")
SEX_ADOPTR = CodeList.of("M1", "F1", "MM", "FF", "MF")
LS_ADOPTR = CodeList.of("L0", "L11", "L12", "L2", "L3", "L4")

UPN_RE = r"^([A-HJ-NP-RT-Z][0-9]{12}|[A-HJ-NP-RT-Z][0-9]{11}[A-Z]|UN[1-5])$"
