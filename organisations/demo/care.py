"""Children and their SSDA903 episodes: the demo's care histories.

Children enter care as a Poisson stream from long before the records begin (so the
stock is in steady state by the first reported month) and each period of care follows a
pathway drawn by age: return home, special guardianship, adoption, remand, or staying
until 18 (unaccompanied children arrive at 14–17 and stay until 18). Along the way the
child's legal status changes (C1 → C2, placement orders), carers change (most children
are stable, a minority move often), foster placements are confirmed as long-term (a T
episode, not a move), carers take short temporary breaks (T0–T4 episodes, not moves),
adopters may be the foster carers (U5 → A5, not a move). The episodes are then read off
that timeline with the RNE each change needs (``ssda903.md`` §3.3).

The rates are set so that the seed figures come out: ~20–25 starts a month for ~650
children (873), ~10% of children with 3+ placements in a year, ~70% long-term stability.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from scorecards.periods import add_months, age_on, collection_year_of

from .postcodes import PostcodePools
from .profiles import LAProfile

DAY = timedelta(days=1)

FOSTER = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})
CONNECTED = frozenset({"U1", "U2", "U3"})
SEMI = "SEMI"  # resolved to H5 or K3 by the placement's dates (K3 from 2024/25)
K3_FROM = date(2024, 4, 1)
H5_DROPPED = date(2025, 4, 1)

LEAVING_CARE_RECS = ("E5", "E6", "E8", "E17", "E7")


def weighted(rng: random.Random, table: tuple[tuple[str, float], ...] | list) -> str:
    total = sum(w for _, w in table)
    x = rng.random() * total
    for key, w in table:
        x -= w
        if x < 0:
            return key
    return table[-1][0]


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth for small means, normal approximation beyond 30)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def days(rng: random.Random, lo: int, hi: int) -> timedelta:
    return timedelta(days=rng.randint(lo, hi))


def birthday(dob: date, years: int) -> date:
    return add_months(dob, 12 * years)


@dataclass
class Carer:
    """One placement with one set of carers (a change of carer starts another)."""

    key: int
    start: date
    places: list[tuple[date, str]]  # (from date, PLACE) — a T/U change keeps the carer
    provider: str
    pl_post: str
    urn: str
    where: str  # in / near / far
    reason_started: str = ""  # reason the previous placement ended (REASON_PLACE_CHANGE)

    def place_on(self, d: date) -> str:
        code = self.places[0][1]
        for since, place in self.places:
            if since <= d:
                code = place
        return code


@dataclass
class Temporary:
    start: date
    end: date
    place: str
    pl_post: str


@dataclass
class AdoptionPlan:
    decision: date
    placement_order: date | None
    match: date | None
    placed: date | None
    order: date | None
    by_foster_carer: bool
    decision_ceased: date | None = None
    reason_ceased: str = ""


@dataclass
class Segment:
    start: date
    ls: str
    place: str
    provider: str
    pl_post: str
    urn: str
    carer: int
    temporary: bool


@dataclass
class PeriodPlan:
    start: date
    end: date | None  # None: still looked after today
    planned_end: date  # end as drawn (may lie after today)
    rec: str
    pathway: str
    cin: str
    home_post: str
    uasc: bool
    ls_changes: list[tuple[date, str]] = field(default_factory=list)
    carers: list[Carer] = field(default_factory=list)
    temporaries: list[Temporary] = field(default_factory=list)
    adoption: AdoptionPlan | None = None
    segments: list[Segment] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # REASON_PLACE_CHANGE per segment
    missing_rate: float = 0.0  # missing/away episodes a year while a teenager
    short_break: bool = False
    ssd_cla_id: str = ""

    def open_on(self, d: date) -> bool:
        return self.start <= d and (self.end is None or self.end > d)

    def last_day(self, today: date) -> date:
        """The last day looked after (today when still open)."""
        return today if self.end is None else self.end - DAY


@dataclass
class ChildPlan:
    index: int
    child_id: str
    sex: str
    dob: date
    ethnicity: str
    uasc: bool
    disability: bool
    forename: str = ""
    surname: str = ""
    periods: list[PeriodPlan] = field(default_factory=list)
    obj: object = None  # the Child instance once built

    def age_on(self, d: date) -> int:
        return age_on(self.dob, d)


# --------------------------------------------------------------------------------------
# Pathways and durations
# --------------------------------------------------------------------------------------

AGE_AT_ENTRY = (("0", 20.0), ("1-4", 15.0), ("5-9", 16.0), ("10-15", 35.0), ("16-17", 14.0))

PATHWAYS = {
    "0": (("adoption", 42.0), ("home", 28.0), ("sgo", 16.0), ("long", 14.0)),
    "1-4": (("adoption", 24.0), ("home", 40.0), ("sgo", 18.0), ("long", 18.0)),
    "5-9": (("adoption", 2.0), ("home", 42.0), ("sgo", 14.0), ("long", 42.0)),
    "10-15": (("home", 48.0), ("long", 45.0), ("remand", 3.0), ("sgo", 2.0), ("transfer", 2.0)),
    "16-17": (("home", 33.0), ("long", 62.0), ("remand", 5.0)),
}

HOME_MEDIAN_DAYS = {"0": 200, "1-4": 240, "5-9": 300, "10-15": 170, "16-17": 110}


def _age_band(age: int) -> str:
    if age < 1:
        return "0"
    if age < 5:
        return "1-4"
    if age < 10:
        return "5-9"
    if age < 16:
        return "10-15"
    return "16-17"


def _lognormal_days(rng: random.Random, median: float, sigma: float, lo: int = 1) -> int:
    return max(lo, int(median * math.exp(rng.gauss(0.0, sigma))))


@dataclass
class Draw:
    """The first decisions about a period: pathway, its planned end and adoption dates."""

    pathway: str
    end: date
    adoption: AdoptionPlan | None


def pathway_draw(rng: random.Random, *, dob: date, start: date, uasc: bool) -> Draw:
    """Pathway and planned end of a period; never past the 18th birthday."""
    eighteen = birthday(dob, 18)
    age = age_on(dob, start)
    band = _age_band(age)
    if uasc:
        if rng.random() < 0.05:
            return Draw("uasc_early", min(eighteen, start + days(rng, 20, 240)), None)
        return Draw("long", eighteen, None)
    pathway = weighted(rng, PATHWAYS[band])
    adoption = None
    if pathway == "home":
        if rng.random() < 0.08:
            end = start + days(rng, 1, 10)
        else:
            end = start + timedelta(days=_lognormal_days(rng, HOME_MEDIAN_DAYS[band], 0.9, 14))
    elif pathway == "sgo":
        end = start + days(rng, 330, 1100)
    elif pathway == "remand":
        end = start + days(rng, 14, 120)
    elif pathway == "transfer":
        end = start + days(rng, 60, 900)
    elif pathway == "adoption":
        decision = start + days(rng, 110, 280)
        placement_order = start + days(rng, 230, 400)
        match = placement_order + timedelta(days=_lognormal_days(rng, 130, 0.55, 20))
        placed = match + days(rng, 7, 45)
        order = placed + days(rng, 140, 330)
        adoption = AdoptionPlan(
            decision=min(decision, placement_order - days(rng, 0, 40)),
            placement_order=placement_order,
            match=match,
            placed=placed,
            order=order,
            by_foster_carer=rng.random() < 0.18,
        )
        end = order
        if rng.random() < 0.10:
            # The plan changes: the decision is reversed and the child stays in care
            # (later a special guardianship order or long-term fostering).
            adoption.decision_ceased = adoption.decision + days(rng, 150, 500)
            adoption.reason_ceased = weighted(
                rng, (("RD1", 45.0), ("RD2", 20.0), ("RD3", 25.0), ("RD4", 10.0))
            )
            adoption.placement_order = None
            adoption.match = adoption.placed = adoption.order = None
            pathway = "sgo" if rng.random() < 0.5 else "long"
            end = adoption.decision_ceased + days(rng, 200, 900)
            if pathway == "long":
                end = eighteen if rng.random() < 0.6 else end + days(rng, 365, 2000)
    else:  # long
        to_eighteen = {"0": 0.35, "1-4": 0.40, "5-9": 0.50, "10-15": 0.70, "16-17": 1.0}[band]
        end = eighteen if rng.random() < to_eighteen else start + days(rng, 700, 2600)
    return Draw(pathway, min(end, eighteen), adoption)


# --------------------------------------------------------------------------------------
# Placements
# --------------------------------------------------------------------------------------

PLACE_BY_AGE = {
    "0": (("U6", 52.0), ("U3", 25.0), ("U5", 6.0), ("P1", 10.0), ("R3", 2.0)),
    "1-4": (("U6", 56.0), ("U3", 27.0), ("U5", 4.0), ("P1", 11.0)),
    "5-9": (("U6", 58.0), ("U3", 25.0), ("K2", 4.0), ("P1", 10.0), ("S1", 1.0)),
    "10-15": (("U6", 54.0), ("U3", 15.0), ("K2", 20.0), ("P1", 5.0), ("S1", 2.0), ("K1", 0.6)),
    "16-17": (("U6", 25.0), ("U3", 8.0), ("K2", 20.0), (SEMI, 42.0), ("P1", 3.0), ("R5", 0.8)),
}
UASC_PLACE = {
    "young": (("U6", 72.0), ("K2", 18.0), ("U3", 4.0)),
    "16-17": ((SEMI, 66.0), ("U6", 28.0), ("K2", 6.0)),
}

#: Move rate (moves a year) of the three stability classes, and their shares.
STABILITY = (("stable", 70.0), ("moderate", 20.0), ("unstable", 10.0))
MOVE_RATE = {"stable": 0.05, "moderate": 0.5, "unstable": 3.0}
EARLY_MOVE = 0.40  # an emergency first placement followed by a planned one

PLACE_CHANGE_REASONS = (
    ("CARPL", 45.0), ("CREQB", 15.0), ("CREQO", 10.0), ("CHILD", 7.0), ("LAREQ", 5.0),
    ("CLOSE", 3.0), ("STAND", 2.0), ("ALLEG", 2.0), ("APPRR", 1.0), ("OTHER", 10.0),
)  # fmt: skip


@dataclass
class Provision:
    """A children's home or supported accommodation provider the authority uses."""

    urn: str
    pl_post: str
    provider: str
    where: str


@dataclass
class PlacementContext:
    """What placement choices need about the authority."""

    rng: random.Random
    profile: LAProfile
    pools: PostcodePools
    today: date
    homes: list[Provision]
    supported: list[Provision]
    secure: list[Provision]
    fostering_urn: str
    ifa_urns: list[str]
    next_carer: int = 0

    def carer_key(self) -> int:
        self.next_carer += 1
        return self.next_carer


def provisions_build(rng: random.Random, *, profile: LAProfile, pools: PostcodePools, scale: float):
    """Children's homes, supported accommodation and secure homes with fixed postcodes."""
    n_homes = max(4, round(profile.target_stock * scale / 22))
    n_supported = max(3, round(profile.target_stock * scale / 40))
    code_digit = profile.code[-1]
    homes = [
        Provision(
            urn=f"SC99{code_digit}{i:03d}",
            pl_post="",
            provider=weighted(rng, (("PR4", 75.0), ("PR1", 15.0), ("PR5", 10.0))),
            where=weighted(rng, (("in", 30.0), ("near", 22.0), ("far", 48.0))),
        )
        for i in range(n_homes)
    ]
    supported = [
        Provision(
            urn=f"SC98{code_digit}{i:03d}",
            pl_post="",
            provider=weighted(rng, (("PR4", 70.0), ("PR1", 20.0), ("PR5", 10.0))),
            where=weighted(rng, (("in", 55.0), ("near", 30.0), ("far", 15.0))),
        )
        for i in range(n_supported)
    ]
    secure = [
        Provision(urn=f"SC97{code_digit}{i:03d}", pl_post="", provider="PR2", where="far")
        for i in range(3)
    ]
    for p in homes + supported + secure:
        p.pl_post = pools.pick(rng, p.where)
    return homes, supported, secure


def _place_draw(
    ctx: PlacementContext, *, age: int, uasc: bool, stability: str, prev: str | None
) -> str:
    rng = ctx.rng
    if uasc:
        return weighted(rng, UASC_PLACE["16-17" if age >= 16 else "young"])
    table = list(PLACE_BY_AGE[_age_band(age)])
    if stability == "unstable" and age >= 11:
        table = [(k, w * (3.0 if k == "K2" else 1.0)) for k, w in table]
    if prev == "K2" and age >= 11:
        table = [(k, w * (3.0 if k == "K2" else 1.0)) for k, w in table]
    if prev == "P1":
        table = [(k, w * (0.2 if k == "P1" else 1.0)) for k, w in table]
    return weighted(rng, tuple(table))


def _where(ctx: PlacementContext, uasc: bool, bias: tuple[float, float, float]) -> str:
    base = ctx.profile.uasc_location if uasc else ctx.profile.location
    weights = tuple(b * w for b, w in zip(base, bias, strict=True))
    return weighted(ctx.rng, (("in", weights[0]), ("near", weights[1]), ("far", weights[2])))


def carer_build(
    ctx: PlacementContext,
    *,
    start: date,
    place: str,
    uasc: bool,
    home_post: str,
    reason: str = "",
    previous: Carer | None = None,
) -> Carer:
    """Provider, postcode and URN of a new placement of type ``place``.

    A move never lands in the very home the child is leaving (that would be no move).
    """
    rng = ctx.rng
    key = ctx.carer_key()
    if place == "P1":
        return Carer(key, start, [(start, "P1")], "PR0", home_post, "", "in", reason)
    if place in FOSTER:
        if place in CONNECTED:
            provider = "PR1"
            where = _where(ctx, uasc, (0.9, 1.0, 1.5))
        else:
            provider = weighted(rng, (("PR1", 58.0), ("PR4", 37.0), ("PR5", 5.0)))
            bias = (1.3, 1.0, 0.5) if provider == "PR1" else (0.9, 1.1, 1.2)
            where = _where(ctx, uasc, bias)
        urn = ctx.fostering_urn if provider == "PR1" else rng.choice(ctx.ifa_urns)
        post = home_post
        while post == home_post:
            if where == "near":
                post = ctx.pools.pick_near_to(rng, where, home_post)
            else:
                post = ctx.pools.pick(rng, where)
        return Carer(key, start, [(start, place)], provider, post, urn, where, reason)
    if place in ("K2", SEMI, "K1"):
        source = {"K2": ctx.homes, SEMI: ctx.supported, "K1": ctx.secure}[place]
        bias = {"K2": (0.6, 1.0, 1.6), SEMI: (1.1, 1.2, 0.6), "K1": (0.0, 0.0, 1.0)}[place]
        where = _where(ctx, uasc, bias)
        others = [
            p
            for p in source
            if (previous is None or p.urn != previous.urn) and p.pl_post != home_post
        ] or source
        matching = [p for p in others if p.where == where] or others
        prov = rng.choice(matching)
        return Carer(
            key, start, [(start, place)], prov.provider, prov.pl_post, prov.urn, prov.where, reason
        )
    if place in ("A3", "A4", "A5", "A6"):
        where = _where(ctx, False, (0.8, 1.2, 1.0))
        provider = weighted(rng, (("PR1", 60.0), ("PR2", 20.0), ("PR5", 20.0)))
        return Carer(
            key,
            start,
            [(start, place)],
            provider,
            ctx.pools.pick(rng, where),
            "XXXXXXX",
            where,
            reason,
        )
    # Other settings: secure/custody, residential school, mother-and-baby unit.
    provider = {"R5": "PR3", "S1": "PR4", "R3": "PR4", "R1": "PR4", "R2": "PR3"}.get(place, "PR4")
    urn = "" if place in ("R5", "R1", "R2") else "XXXXXXX"
    where = _where(ctx, uasc, (0.5, 1.0, 2.0))
    return Carer(
        key, start, [(start, place)], provider, ctx.pools.pick(rng, where), urn, where, reason
    )


def _semi_code(carer: Carer, end: date | None, today: date) -> str:
    """H5 before 2024/25; K3 for placements starting from then or still open in 2025/26."""
    if carer.start >= K3_FROM:
        return "K3"
    if today >= H5_DROPPED and (end is None or end > H5_DROPPED):
        return "K3"
    return "H5"


def carers_build(
    ctx: PlacementContext, *, child: ChildPlan, period: PeriodPlan, limit: date
) -> None:
    """The period's placements up to ``limit`` (its end, or the day after today)."""
    rng = ctx.rng
    start = period.start
    uasc = child.uasc
    stability = weighted(rng, STABILITY)
    rate = MOVE_RATE[stability]
    if child.age_on(start) >= 12:
        rate *= 1.4
    if period.pathway in ("sgo",) or period.pathway == "adoption":
        rate *= 0.5

    # Forced changes: adoption placement, a final placement with parents, 16+ moves.
    forced: list[tuple[date, str]] = []
    adoption = period.adoption
    if adoption and adoption.placed:
        forced.append((adoption.placed, "adopt"))
    if period.pathway == "home" and (period.planned_end - start).days > 200 and rng.random() < 0.2:
        forced.append((period.planned_end - days(rng, 60, 150), "P1"))
    if period.pathway == "sgo" and rng.random() < 0.45 and (period.planned_end - start).days > 300:
        forced.append((period.planned_end - days(rng, 120, 280), "U3"))
    sixteen = birthday(child.dob, 16)
    if (
        not uasc
        and period.pathway == "long"
        and start < sixteen < period.planned_end
        and rng.random() < 0.35
    ):
        forced.append((sixteen + days(rng, 0, 300), SEMI))
    forced = sorted((d, k) for d, k in forced if start < d < limit)

    place = _place_draw(ctx, age=child.age_on(start), uasc=uasc, stability=stability, prev=None)
    if adoption and place not in FOSTER:
        place = "U5" if adoption.by_foster_carer else "U6"
    if adoption and adoption.by_foster_carer:
        place = "U5"
    if period.pathway == "remand":
        place = weighted(rng, (("K2", 50.0), ("U6", 35.0), ("K1", 15.0)))
    carer = carer_build(ctx, start=start, place=place, uasc=uasc, home_post=period.home_post)
    period.carers.append(carer)
    t = start
    early = (
        rng.random() < EARLY_MOVE
        and period.pathway not in ("remand",)
        and not (adoption and adoption.by_foster_carer)
    )
    next_move = t + (days(rng, 2, 60) if early else _move_gap(rng, rate))
    while True:
        nxt_forced = forced[0] if forced else None
        event_date = min(next_move, nxt_forced[0]) if nxt_forced else next_move
        if event_date >= limit:
            break
        t = event_date
        if nxt_forced and event_date == nxt_forced[0]:
            forced.pop(0)
            kind = nxt_forced[1]
            if kind == "adopt":
                if adoption.by_foster_carer and carer.places[-1][1] in FOSTER:
                    carer.places.append((t, "A5"))
                else:
                    carer = carer_build(
                        ctx,
                        start=t,
                        place="A6",
                        uasc=False,
                        home_post=period.home_post,
                        reason="CARPL",
                    )
                    period.carers.append(carer)
                forced = []
                next_move = limit  # no more moves once placed for adoption
                continue
            new_place = kind
        else:
            new_place = _place_draw(
                ctx,
                age=child.age_on(t),
                uasc=uasc,
                stability=stability,
                prev=carer.places[-1][1],
            )
            if adoption and adoption.placed and new_place not in FOSTER:
                new_place = "U6"
        if new_place == "P1" and carer.places[-1][1] == "P1":
            new_place = "U6"
        reason = "CARPL" if new_place in ("P1", SEMI) else weighted(rng, PLACE_CHANGE_REASONS)
        carer = carer_build(
            ctx,
            start=t,
            place=new_place,
            uasc=uasc,
            home_post=period.home_post,
            reason=reason,
            previous=carer,
        )
        period.carers.append(carer)
        next_move = t + _move_gap(rng, rate)
    # Resolve supported accommodation codes and drop H5 URNs (none before 2024/25).
    for i, c in enumerate(period.carers):
        if any(p == SEMI for _, p in c.places):
            nxt = period.carers[i + 1].start if i + 1 < len(period.carers) else period.end
            code = _semi_code(c, nxt, ctx.today)
            c.places = [(d, code if p == SEMI else p) for d, p in c.places]
            if code == "H5":
                c.urn = ""


def _move_gap(rng: random.Random, rate: float) -> timedelta:
    return timedelta(days=max(7, int(rng.expovariate(rate) * 365.25)))


def temporaries_build(ctx: PlacementContext, period: PeriodPlan, limit: date) -> None:
    """Short temporary placements (T0–T4) inside long foster placements, with a return."""
    rng = ctx.rng
    busy = sorted(
        {d for d, _ in period.ls_changes}
        | {c.start for c in period.carers}
        | {d for c in period.carers for d, _ in c.places}
    )
    for i, carer in enumerate(period.carers):
        if carer.places[0][1] not in FOSTER:
            continue
        end = period.carers[i + 1].start if i + 1 < len(period.carers) else limit
        span = (end - carer.start).days
        if span < 90:
            continue
        n = poisson(rng, span / 365.25 * 0.12)
        for _ in range(n):
            t0 = carer.start + days(rng, 20, span - 30)
            length = rng.randint(2, 12)
            t1 = t0 + timedelta(days=length)
            j = bisect_right(busy, t0 - 2 * DAY)
            if j < len(busy) and busy[j] <= t1 + 2 * DAY:
                continue
            if any(not (t1 + DAY < tp.start or tp.end + DAY < t0) for tp in period.temporaries):
                continue
            code = weighted(rng, (("T3", 45.0), ("T1", 20.0), ("T2", 15.0), ("T4", 20.0)))
            if code == "T4":
                t1 = t0 + timedelta(days=min(length, 7))
            where = "far" if code == "T2" else "in"
            post = ctx.pools.pick(rng, where)
            while post == period.home_post:
                post = ctx.pools.pick(rng, where)
            period.temporaries.append(Temporary(t0, t1, code, post))
    period.temporaries.sort(key=lambda tp: tp.start)


# --------------------------------------------------------------------------------------
# Legal status
# --------------------------------------------------------------------------------------


def legal_statuses_build(rng: random.Random, *, period: PeriodPlan, limit: date) -> None:
    start, pathway = period.start, period.pathway
    changes: list[tuple[date, str]] = []
    if period.uasc or pathway == "uasc_early":
        changes = [(start, "V2")]
    elif pathway == "remand":
        changes = [(start, "J1")]
    else:
        first = weighted(rng, (("V2", 30.0), ("C1", 58.0), ("L2", 4.0), ("L1", 3.0), ("C2", 5.0)))
        if pathway == "adoption" and first == "V2" and rng.random() < 0.7:
            first = "C1"
        changes = [(start, first)]
        t = start
        ls = first
        if ls in ("L1", "L2"):
            t = start + (days(rng, 1, 3) if ls == "L1" else days(rng, 4, 20))
            ls = "C1" if rng.random() < 0.75 else "V2"
            changes.append((t, ls))
        if ls == "V2" and pathway in ("long", "sgo", "adoption") and rng.random() < 0.65:
            t = t + days(rng, 30, 240)
            ls = "C1"
            changes.append((t, ls))
        adoption = period.adoption
        if ls == "C1":
            if adoption and adoption.placement_order:
                changes.append((max(adoption.placement_order, t + DAY), "E1"))
            else:
                changes.append((t + days(rng, 120, 280), "C2"))
        elif ls == "V2" and adoption and adoption.placement_order and rng.random() < 0.5:
            changes.append((max(adoption.placement_order, t + DAY), "E1"))
    # Keep changes strictly inside the period and before the limit; one per day.
    seen: dict[date, str] = {}
    for d, ls in changes:
        if d == start or start < d < limit:
            seen[d] = ls
    period.ls_changes = sorted(seen.items())
    adoption = period.adoption
    if adoption and adoption.placement_order and all(ls != "E1" for _, ls in period.ls_changes):
        # An adoption placement with consent (V2 throughout) uses A3/A4.
        adoption.placement_order = None


# --------------------------------------------------------------------------------------
# Episodes
# --------------------------------------------------------------------------------------


def segments_build(period: PeriodPlan, limit: date) -> None:
    """Read the episodes off the timeline: one segment per distinct state."""
    boundaries = {period.start}
    boundaries.update(d for d, _ in period.ls_changes)
    for c in period.carers:
        boundaries.add(c.start)
        boundaries.update(d for d, _ in c.places)
    for tp in period.temporaries:
        boundaries.add(tp.start)
        boundaries.add(tp.end)
    ordered = sorted(d for d in boundaries if period.start <= d < limit)
    ls_dates = [d for d, _ in period.ls_changes]
    carer_dates = [c.start for c in period.carers]
    segments: list[Segment] = []
    for d in ordered:
        ls = period.ls_changes[bisect_right(ls_dates, d) - 1][1]
        carer = period.carers[bisect_right(carer_dates, d) - 1]
        temp = next((tp for tp in period.temporaries if tp.start <= d < tp.end), None)
        place = carer.place_on(d)
        if place in ("A3", "A4", "A5", "A6") and ls != "E1":
            place = {"A5": "A3", "A6": "A4"}.get(place, place)
        if temp:
            seg = Segment(d, ls, temp.place, "", temp.pl_post, "", carer.key, True)
        else:
            seg = Segment(d, ls, place, carer.provider, carer.pl_post, carer.urn, carer.key, False)
        if segments and _same_state(segments[-1], seg):
            continue
        segments.append(seg)
    period.segments = segments
    reasons = [""] * len(segments)
    carer_by_key = {c.key: c for c in period.carers}
    for i in range(len(segments) - 1):
        a, b = segments[i], segments[i + 1]
        if a.temporary or b.temporary:
            continue
        if b.carer != a.carer:
            reasons[i] = carer_by_key[b.carer].reason_started or "CARPL"
        elif b.place != a.place:
            reasons[i] = "PLACE"
    period.reasons = reasons


def _same_state(a: Segment, b: Segment) -> bool:
    return (a.ls, a.place, a.provider, a.pl_post, a.urn, a.carer, a.temporary) == (
        b.ls,
        b.place,
        b.provider,
        b.pl_post,
        b.urn,
        b.carer,
        b.temporary,
    )


def rne_for(prev: Segment | None, seg: Segment) -> str:
    if prev is None:
        return "S"
    ls_changed = prev.ls != seg.ls
    if seg.temporary or prev.temporary:
        return "B" if ls_changed else "P"
    if seg.carer != prev.carer:
        return "B" if ls_changed else "P"
    if seg.place != prev.place:
        return "U" if ls_changed else "T"
    return "L"


def leaving_rec(rng: random.Random, *, period: PeriodPlan, child: ChildPlan) -> str:
    """REC of the last episode for the period's pathway."""
    pathway = period.pathway
    if pathway == "adoption":
        return "E11" if rng.random() < 0.3 else "E12"
    if pathway == "home":
        return weighted(rng, (("E4A", 80.0), ("E4B", 6.0), ("E13", 9.0), ("E41", 5.0)))
    if pathway == "sgo":
        last = period.carers[-1].place_on(period.planned_end - DAY) if period.carers else "U6"
        if last in CONNECTED:
            return weighted(rng, (("E45", 75.0), ("E47", 25.0)))
        if last in FOSTER:
            return weighted(rng, (("E46", 40.0), ("E47", 45.0), ("E48", 15.0)))
        return weighted(rng, (("E47", 80.0), ("E48", 20.0)))
    if pathway == "remand":
        return "E9" if rng.random() < 0.15 else "E14"
    if pathway == "transfer":
        return "E3"
    if pathway == "uasc_early":
        return "E15" if rng.random() < 0.5 else "E8"
    # long: until 18 or an earlier exit
    if period.planned_end == birthday(child.dob, 18):
        last = period.carers[-1].place_on(period.planned_end - DAY) if period.carers else "U6"
        if last in FOSTER and not child.uasc:
            return weighted(
                rng,
                (
                    ("E17", 40.0),
                    ("E5", 35.0),
                    ("E6", 8.0),
                    ("E8", 12.0),
                    ("E7", 5.0 if child.disability else 0.5),
                ),
            )
        return weighted(
            rng,
            (("E5", 60.0), ("E6", 14.0), ("E8", 22.0), ("E7", 4.0 if child.disability else 0.5)),
        )
    return weighted(rng, (("E4A", 55.0), ("E47", 20.0), ("E41", 10.0), ("E13", 15.0)))


def is_care_leaver_exit(child: ChildPlan, period: PeriodPlan) -> bool:
    """Left care at 16+ in a way that makes them a relevant / former relevant young person."""
    if period.end is None or period.rec not in LEAVING_CARE_RECS:
        return False
    if child.age_on(period.end) < 16:
        return False
    fourteen = birthday(child.dob, 14)
    return (period.end - max(period.start, fourteen)).days >= 91


def collection_year(d: date) -> int:
    return collection_year_of(d)
