"""Write the demo authorities to the database, derive their care histories, snapshot them.

``demo_data_generate`` is what ``manage.py make_demo_data`` runs: for 873 and 874 it
generates every record in memory (``generator``), bulk-inserts them, derives periods of
care and placements with the project's one derive service, loads the England
benchmarks, then recomputes the monthly snapshots from April three financial years
back, so a fresh demo shows scorecards without further steps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from children.models import (
    CareLeaverObservation,
    Child,
    ChildHeader,
    CINAssessment,
    CINEpisode,
    DeprivationOfLiberty,
    Episode,
    ExploitationRisk,
    MissingEpisode,
    OC2Outcome,
    OC3Outcome,
    PeriodOfCare,
    PersonalEducationPlan,
    PreviousPermanence,
    School,
    SchoolPlacement,
    SupervisionRecord,
    UASCRecord,
)
from children.services import care_histories_derive
from health.models import HealthAssessment, ImmunisationStatus
from organisations.benchmarks import benchmarks_load
from organisations.models import (
    Allocation,
    LocalAuthority,
    Population,
    SocialWorkerEpisode,
    StaffEstablishment,
    Team,
    TeamMembership,
    Worker,
)
from placements.location import placement_location
from placements.models import AdoptionRecord, Placement, PlacementDecision
from placements.postcodes import postcodes_lookup
from reviews.models import Review, StatutoryVisit
from scorecards.periods import add_months
from scorecards.services import snapshots_recompute

from .generator import DemoDates, LABundle, LAGenerator
from .profiles import PROFILES
from .users import DemoUser, demo_users_ensure

DEMO_CODES = ("873", "874")
BATCH = 2000
POPULATION_SOURCE = "synthetic demo estimate"

#: Bundle row lists and their models, in write order (children exist by then).
ROW_MODELS = (
    ("episodes", Episode),
    ("uasc", UASCRecord),
    ("ad1", AdoptionRecord),
    ("placement_decisions", PlacementDecision),
    ("prev_perm", PreviousPermanence),
    ("visits", StatutoryVisit),
    ("reviews", Review),
    ("health", HealthAssessment),
    ("immunisations", ImmunisationStatus),
    ("peps", PersonalEducationPlan),
    ("school_placements", SchoolPlacement),
    ("missing", MissingEpisode),
    ("allocations", Allocation),
    ("sw_episodes", SocialWorkerEpisode),
    ("supervision", SupervisionRecord),
    ("cin_episodes", CINEpisode),
    ("exploitation", ExploitationRisk),
    ("care_leavers", CareLeaverObservation),
    ("oc3", OC3Outcome),
)

#: Case data removed by ``--force`` (leaves first, so deletes stay single queries).
CASE_MODELS = (
    Episode, Placement, PeriodOfCare, UASCRecord, AdoptionRecord, PlacementDecision,
    PreviousPermanence, StatutoryVisit, Review, HealthAssessment, ImmunisationStatus,
    PersonalEducationPlan, SchoolPlacement, MissingEpisode, Allocation, SocialWorkerEpisode,
    SupervisionRecord, CINEpisode, CINAssessment, ExploitationRisk, CareLeaverObservation,
    OC2Outcome, OC3Outcome, DeprivationOfLiberty,
)  # fmt: skip


@dataclass
class DemoResult:
    created: bool
    summaries: dict[str, dict] = field(default_factory=dict)
    users: list[DemoUser] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    snapshot_months: int = 0


def demo_authorities_ensure() -> dict[str, LocalAuthority]:
    """873 and 874 (normally loaded by migration; created here if that has not run)."""
    out = {}
    for code in DEMO_CODES:
        p = PROFILES[code]
        la, _ = LocalAuthority.objects.get_or_create(
            code=code, defaults={"ons_code": p.ons_code, "name": p.name, "region": p.region}
        )
        out[code] = la
    return out


def demo_data_exists(*, las: dict[str, LocalAuthority]) -> bool:
    return Child.objects.filter(la__in=list(las.values())).exists()


def demo_data_delete(*, la: LocalAuthority) -> None:
    """Remove an authority's case data, teams and staff (reference data stays)."""
    ChildHeader.objects.filter(child__la=la).delete()
    for model in CASE_MODELS:
        model.objects.filter(la=la).delete()
    Child.objects.filter(la=la).delete()
    TeamMembership.objects.filter(la=la).delete()
    StaffEstablishment.objects.filter(la=la).delete()
    Worker.objects.filter(la=la).delete()
    Team.objects.filter(la=la, parent__isnull=False).delete()
    Team.objects.filter(la=la).delete()
    Population.objects.filter(la=la, source=POPULATION_SOURCE).delete()


@transaction.atomic
def demo_bundle_write(*, la: LocalAuthority, bundle: LABundle) -> None:
    """Bulk-insert one authority's generated records (parents before children)."""
    existing_years = set(Population.objects.filter(la=la).values_list("year", flat=True))
    Population.objects.bulk_create(
        [p for p in bundle.populations if p.year not in existing_years], batch_size=BATCH
    )
    Team.objects.bulk_create([t for t in bundle.teams if t.parent is None], batch_size=BATCH)
    Team.objects.bulk_create([t for t in bundle.teams if t.parent is not None], batch_size=BATCH)
    Worker.objects.bulk_create(bundle.workers, batch_size=BATCH)
    TeamMembership.objects.bulk_create(bundle.memberships, batch_size=BATCH)
    StaffEstablishment.objects.bulk_create(bundle.establishments, batch_size=BATCH)
    known = set(
        School.objects.filter(urn__in=[s.urn for s in bundle.schools]).values_list("urn", flat=True)
    )
    School.objects.bulk_create([s for s in bundle.schools if s.urn not in known], batch_size=BATCH)
    Child.objects.bulk_create(bundle.children, batch_size=BATCH)
    for key, model in ROW_MODELS:
        model.objects.bulk_create(bundle.rows.get(key, []), batch_size=BATCH)


def demo_locations_fill(*, la: LocalAuthority, bundle: LABundle) -> int:
    """PL_LA, PL_LOCATION and PL_DISTANCE on the generated episodes, before they are written.

    Uses the project's placement-location derivation (``placements.location``, the DfE
    rule from the postcodes) on the unsaved episodes, so nothing needs updating after the
    insert and the derive copies each placement's location in its one pass. Returns the
    number of episodes given a location.
    """
    episodes = [e for e in bundle.rows.get("episodes", []) if e.ls not in ("V3", "V4")]
    points = postcodes_lookup(p for e in episodes for p in (e.home_post, e.pl_post))
    uasc = {r.child.child_id for r in bundle.rows.get("uasc", [])}
    located = 0
    for e in episodes:
        found = placement_location(
            la_code=la.code,
            home_post=e.home_post,
            pl_post=e.pl_post,
            place=e.place,
            ls=e.ls,
            is_uasc=e.child.child_id in uasc,
            points=points,
        )
        e.pl_la, e.pl_location, e.pl_distance = found.pl_la, found.pl_location, found.pl_distance
        located += bool(found.pl_location)
    return located


def snapshot_months(dates: DemoDates) -> list[date]:
    months = []
    d = dates.snapshots_from
    while d <= dates.today:
        months.append(d)
        d = add_months(d, 1)
    return months


def snapshots_recompute_all(
    *, las: list[LocalAuthority], dates: DemoDates, log: Callable[[str], None]
) -> int:
    """Recompute every month from April three financial years back for each authority."""
    months = snapshot_months(dates)
    for la in las:
        started = time.monotonic()
        snapshots_recompute(la=la, months=months, today=dates.today)
        log(
            f"  {la.code}: snapshots {months[0]:%Y-%m}..{months[-1]:%Y-%m} "
            f"({len(months)} months) in {time.monotonic() - started:.1f}s"
        )
    return len(months) * len(las)


def demo_data_generate(
    *,
    seed: int,
    scale: float = 1.0,
    today: date | None = None,
    force: bool = False,
    snapshots: bool = True,
    log: Callable[[str], None] = print,
) -> DemoResult:
    """Generate the demo authorities 873 and 874, their users and (optionally) snapshots.

    Does nothing but refresh the demo users when demo case data already exist, unless
    ``force``, which deletes both authorities' case data first.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    today = today or date.today()
    dates = DemoDates.for_today(today)
    las = demo_authorities_ensure()
    if demo_data_exists(las=las) and not force:
        log("Demo data already exist for 873 and 874 (use --force to regenerate).")
        return DemoResult(created=False, users=demo_users_ensure())
    result = DemoResult(created=True)
    for index, code in enumerate(DEMO_CODES):
        la = las[code]
        if force:
            started = time.monotonic()
            demo_data_delete(la=la)
            result.timings[f"{code}_delete"] = time.monotonic() - started
        started = time.monotonic()
        generator = LAGenerator(
            seed=seed, profile=PROFILES[code], la=la, scale=scale, dates=dates, la_index=index
        )
        bundle = generator.generate()
        demo_locations_fill(la=la, bundle=bundle)
        generated = time.monotonic()
        demo_bundle_write(la=la, bundle=bundle)
        written = time.monotonic()
        care_histories_derive(la=la)
        derived = time.monotonic()
        result.timings[f"{code}_generate"] = generated - started
        result.timings[f"{code}_write"] = written - generated
        result.timings[f"{code}_derive"] = derived - written
        summary = demo_summary(la=la, today=today)
        summary.update(
            {
                k: bundle.stats[k]
                for k in ("visits_due", "visits_on_time", "reviews_due", "reviews_on_time")
            }
        )
        summary["posts"] = bundle.stats.get("posts", {})
        result.summaries[code] = summary
        log(
            f"{code} {la.name}: {summary['children']} children, {summary['looked_after']} looked "
            f"after on {today} (generated {generated - started:.1f}s, written "
            f"{written - generated:.1f}s, derived {derived - written:.1f}s)"
        )
    result.users = demo_users_ensure()
    benchmarks_load()
    if snapshots:
        started = time.monotonic()
        result.snapshot_months = snapshots_recompute_all(
            las=[las[c] for c in DEMO_CODES], dates=dates, log=log
        )
        result.timings["snapshots"] = time.monotonic() - started
    return result


def demo_summary(*, la: LocalAuthority, today: date) -> dict:
    """Headline distributions of an authority's data on ``today`` (printed and tested)."""
    year_ago = add_months(today, -12)
    periods = list(
        PeriodOfCare.objects.filter(la=la, is_short_break=False).values_list(
            "child_id", "start_date", "end_date", "reason_ceased"
        )
    )
    open_children = {c for c, s, e, _ in periods if s <= today and (e is None or e > today)}
    uasc_children = set(
        UASCRecord.objects.filter(la=la, child_id__in=open_children, duc__gt=today).values_list(
            "child_id", flat=True
        )
    )
    started_12m = sum(1 for _, s, _, _ in periods if year_ago < s <= today)
    ceased_12m = sum(1 for _, _, e, _ in periods if e is not None and year_ago < e <= today)
    adopted_12m = sum(
        1
        for _, _, e, r in periods
        if e is not None and year_ago < e <= today and r in ("E11", "E12")
    )
    placements: dict[int, list[tuple]] = {}
    for child_id, start, end, place in Placement.objects.filter(
        la=la, child_id__in=open_children, is_short_break=False
    ).values_list("child_id", "start_date", "end_date", "latest_place"):
        placements.setdefault(child_id, []).append((start, end, place))
    three_plus = sum(
        1
        for child_id in open_children
        if sum(
            1
            for s, e, _ in placements.get(child_id, [])
            if s <= today and (e is None or e > year_ago)
        )
        >= 3
    )
    dob = dict(Child.objects.filter(la=la, id__in=open_children).values_list("id", "dob"))
    start_by_child = {
        c: s for c, s, e, _ in periods if c in open_children and (e is None or e > today)
    }
    stability_den = stability_num = 0
    for child_id in open_children:
        born = dob.get(child_id)
        if born is None or add_months(born, 16 * 12) <= today:
            continue
        if start_by_child[child_id] > add_months(today, -30):
            continue
        stability_den += 1
        current = [
            s for s, e, _ in placements.get(child_id, []) if s <= today and (e is None or e > today)
        ]
        if current and max(current) <= add_months(today, -24):
            stability_num += 1
    last_month_end = today.replace(day=1) - timedelta(days=1)
    last_month_start = last_month_end.replace(day=1)
    missing = list(
        MissingEpisode.objects.filter(
            la=la,
            missing_type="M",
            start_date__gte=last_month_start,
            start_date__lte=last_month_end,
        ).values_list("child_id", flat=True)
    )
    cse_open = (
        ExploitationRisk.objects.filter(la=la, risk_type="CSE", start_date__lte=today)
        .exclude(end_date__lte=today)
        .exclude(level="NONE")
    )
    gang_open = (
        ExploitationRisk.objects.filter(la=la, risk_type__in=["GANG", "CCE"], start_date__lte=today)
        .exclude(end_date__lte=today)
        .exclude(level="NONE")
    )
    n_open = len(open_children)
    return {
        "children": Child.objects.filter(la=la).count(),
        "episodes": Episode.objects.filter(la=la).count(),
        "looked_after": n_open,
        "uasc": len(uasc_children),
        "uasc_pct": round(100 * len(uasc_children) / n_open, 1) if n_open else None,
        "started_12m": started_12m,
        "ceased_12m": ceased_12m,
        "adopted_12m": adopted_12m,
        "three_plus_12m": three_plus,
        "three_plus_pct": round(100 * three_plus / n_open, 1) if n_open else None,
        "stability_num": stability_num,
        "stability_den": stability_den,
        "missing_incidents_last_month": len(missing),
        "missing_children_last_month": len(set(missing)),
        "cse_open": cse_open.values("child_id").distinct().count(),
        "gang_open": gang_open.values("child_id").distinct().count(),
        "visits": StatutoryVisit.objects.filter(la=la).count(),
        "reviews": Review.objects.filter(la=la).count(),
        "health_checks": HealthAssessment.objects.filter(la=la).count(),
        "peps": PersonalEducationPlan.objects.filter(la=la).count(),
        "care_leaver_observations": CareLeaverObservation.objects.filter(la=la).count(),
        "allocations": Allocation.objects.filter(la=la).count(),
        "workers": Worker.objects.filter(la=la).count(),
    }
