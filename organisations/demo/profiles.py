"""The two demo authorities: sizes, mixes and service levels taken from the seed documents.

Figures are plausible for a county (873, Cambridgeshire-like) and a unitary (874,
Peterborough-like) and come from the seeds in ``/work/shared/seeds``: about 650 and 370
children looked after, UASC about 10%, visits on time 72–88% (873) and ~97% (874), IHA
on time 20–65%, health assessments ~88–90%, dental 66–79%. Nothing here describes a real
child; the populations are synthetic estimates of the right size.
"""

from __future__ import annotations

from dataclasses import dataclass

from organisations.models import WorkerRole


@dataclass(frozen=True)
class TeamSpec:
    """A team of the demo structure; ``role`` is the catalogue role of its workers."""

    suffix: str
    name: str
    role: str
    kind: str  # "service" (parent), "cic", "leaving_care", "fs", "iro"


@dataclass(frozen=True)
class LAProfile:
    code: str
    ons_code: str
    name: str
    region: str
    #: Children looked after at any time (steady state), before ``--scale``.
    target_stock: int
    #: Population aged 0–17 in mid-2022 and its yearly growth.
    population_0_17: int
    population_growth: float
    #: Share of the stock who are unaccompanied asylum-seeking children.
    uasc_stock_share: float
    #: ONS lower-tier codes whose postcodes are "in county".
    districts: tuple[str, ...]
    ethnicity: tuple[tuple[str, float], ...]
    #: Share of visits made on time at the start and at the end of the history.
    visits_on_time: tuple[float, float]
    reviews_on_time: float
    iha_on_time: float
    health_on_time: float
    dental_on_time: float
    supervision_in_month: float
    #: Placement location weights (in county, nearby out of county, 20+ miles away)
    #: for a non-UASC child; ``uasc_location`` for UASC.
    location: tuple[float, float, float]
    uasc_location: tuple[float, float, float]
    teams: tuple[TeamSpec, ...]
    short_break_children: int
    cse_stock: int
    gang_stock: int
    cin_stock: int


def _service_teams(code: str, cic: int, fs: tuple[str, ...]) -> tuple[TeamSpec, ...]:
    teams = [TeamSpec("T00", "Corporate Parenting Service", WorkerRole.OTHER, "service")]
    teams += [
        TeamSpec(f"T1{i}", f"Children in Care Team {i + 1}", WorkerRole.CIC_SOCIAL_WORKER, "cic")
        for i in range(cic)
    ]
    teams.append(TeamSpec("T20", "Leaving Care Team", WorkerRole.LEAVING_CARE_PA, "leaving_care"))
    teams += [
        TeamSpec(
            f"T3{i}",
            name,
            WorkerRole.FAMILY_SAFEGUARDING_SOCIAL_WORKER,
            "fs",
        )
        for i, name in enumerate(fs)
    ]
    iro_name = "Independent Reviewing Service" if code == "873" else "IRO Service"
    teams.append(TeamSpec("T40", iro_name, WorkerRole.IRO, "iro"))
    return tuple(teams)


WHITE_BRITISH_COUNTY = (
    ("WBRI", 74.0), ("WOTH", 5.0), ("WIRI", 0.5), ("WIRT", 1.0), ("WROM", 1.0),
    ("MWBC", 2.5), ("MWBA", 1.0), ("MWAS", 1.5), ("MOTH", 3.0),
    ("AIND", 0.5), ("APKN", 0.5), ("ABAN", 0.5), ("AOTH", 1.0),
    ("BCRB", 1.0), ("BAFR", 2.0), ("BOTH", 1.0),
    ("CHNE", 0.3), ("OOTH", 1.0), ("REFU", 0.4), ("NOBT", 0.6),
)  # fmt: skip

CITY_MIX = (
    ("WBRI", 55.0), ("WOTH", 14.0), ("WIRI", 0.3), ("WIRT", 1.0), ("WROM", 2.0),
    ("MWBC", 4.0), ("MWBA", 1.5), ("MWAS", 2.0), ("MOTH", 4.0),
    ("AIND", 1.0), ("APKN", 5.0), ("ABAN", 0.5), ("AOTH", 1.5),
    ("BCRB", 1.0), ("BAFR", 3.0), ("BOTH", 1.0),
    ("CHNE", 0.2), ("OOTH", 1.5), ("REFU", 0.4), ("NOBT", 0.8),
)  # fmt: skip

#: Unaccompanied children: mostly from the Horn of Africa, Afghanistan and the Middle East.
UASC_ETHNICITY = (
    ("BAFR", 30.0), ("AOTH", 33.0), ("OOTH", 22.0), ("BOTH", 5.0), ("WOTH", 6.0),
    ("NOBT", 4.0),
)  # fmt: skip


PROFILES: dict[str, LAProfile] = {
    "873": LAProfile(
        code="873",
        ons_code="E10000003",
        name="Cambridgeshire",
        region="East of England",
        target_stock=650,
        population_0_17=136_000,
        population_growth=0.004,
        uasc_stock_share=0.10,
        districts=("E07000008", "E07000009", "E07000010", "E07000011", "E07000012"),
        ethnicity=WHITE_BRITISH_COUNTY,
        visits_on_time=(0.72, 0.88),
        reviews_on_time=0.975,
        iha_on_time=0.42,
        health_on_time=0.78,
        dental_on_time=0.45,
        supervision_in_month=0.93,
        location=(0.56, 0.22, 0.22),
        uasc_location=(0.25, 0.65, 0.10),
        teams=_service_teams(
            "873", 4, ("Family Safeguarding Team A", "Family Safeguarding Team B")
        ),
        short_break_children=14,
        cse_stock=90,
        gang_stock=26,
        cin_stock=170,
    ),
    "874": LAProfile(
        code="874",
        ons_code="E06000031",
        name="Peterborough",
        region="East of England",
        target_stock=370,
        population_0_17=52_000,
        population_growth=0.01,
        uasc_stock_share=0.08,
        districts=("E06000031",),
        ethnicity=CITY_MIX,
        visits_on_time=(0.90, 0.96),
        reviews_on_time=0.985,
        iha_on_time=0.30,
        health_on_time=0.77,
        dental_on_time=0.50,
        supervision_in_month=0.94,
        location=(0.50, 0.22, 0.28),
        uasc_location=(0.45, 0.45, 0.10),
        teams=_service_teams("874", 2, ("Family Safeguarding Team",)),
        short_break_children=8,
        cse_stock=50,
        gang_stock=15,
        cin_stock=95,
    ),
}
