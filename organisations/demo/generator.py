"""Generate one demo authority in memory: every record as an unsaved model instance.

Random streams are ``random.Random`` seeded with a string naming the seed, the authority
and the purpose, so each part of the data is reproducible on its own and nothing depends
on hash or dict ordering or the clock (``today`` is a parameter).
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from children.models import (
    Child,
    Episode,
    PreviousPermanence,
    Source,
    UASCRecord,
)
from organisations.models import AllocationRole, Population
from placements.models import AdoptionRecord, PlacementDecision
from scorecards.periods import add_months, collection_year_of, financial_year_start

from . import care, casework, community, leavers
from .care import DAY, ChildPlan, PeriodPlan, birthday, days, weighted
from .names import SURNAMES, forenames_for
from .postcodes import postcode_pools_build
from .profiles import UASC_ETHNICITY, LAProfile
from .staff import SpanPlan, Staff

CIN_CODES = (
    ("N1", 62.0), ("N2", 3.0), ("N3", 3.0), ("N4", 8.0), ("N5", 12.0), ("N6", 2.0), ("N7", 0.5),
    ("N8", 9.5),
)  # fmt: skip
UASC_AGES = (("14", 5.0), ("15", 17.0), ("16", 42.0), ("17", 36.0))
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


@dataclass(frozen=True)
class DemoDates:
    """The dates a run is built around (``indicators.md`` §1 financial years)."""

    today: date
    records_start: date  # 1 April four financial years before the current one
    casework_start: date  # six months earlier: lead-in for the visit and review schedules
    burn_in: date  # arrivals start here so the stock is steady by the records start
    snapshots_from: date  # April three financial years back

    @classmethod
    def for_today(cls, today: date) -> DemoDates:
        fy = financial_year_start(today).year
        return cls(
            today=today,
            records_start=date(fy - 4, 4, 1),
            casework_start=date(fy - 5, 10, 1),
            burn_in=add_months(today, -12 * 19),
            snapshots_from=date(fy - 3, 4, 1),
        )


@dataclass
class LABundle:
    """Everything generated for one authority, in write order."""

    populations: list = field(default_factory=list)
    teams: list = field(default_factory=list)
    workers: list = field(default_factory=list)
    memberships: list = field(default_factory=list)
    establishments: list = field(default_factory=list)
    schools: list = field(default_factory=list)
    children: list = field(default_factory=list)
    rows: dict[str, list] = field(default_factory=dict)  # model label → instances
    stats: dict = field(default_factory=dict)


def _rng(seed: int, code: str, purpose: str) -> random.Random:
    return random.Random(f"demo:{seed}:{code}:{purpose}")


def upn_build(rng: random.Random, code: str) -> str:
    """A pupil number in the DfE pattern whose check letter is deliberately wrong.

    The 12 digits follow the real layout (LA, school, year, serial) but the leading
    check letter is not the one the digits give, so no demo UPN can be a real pupil's.
    """
    digits = f"{code}{rng.randint(2000, 7999):04d}{rng.randint(5, 24):02d}{rng.randint(1, 999):03d}"
    total = sum(int(ch) * w for ch, w in zip(digits, range(2, 14), strict=True))
    right = UPN_LETTERS[total % 23]
    wrong = UPN_LETTERS[(UPN_LETTERS.index(right) + 1 + rng.randrange(21)) % 23]
    return f"{wrong}{digits}"


class LAGenerator:
    def __init__(
        self, *, seed: int, profile: LAProfile, la, scale: float, dates: DemoDates, la_index: int
    ) -> None:
        self.seed = seed
        self.profile = profile
        self.la = la
        self.scale = scale
        self.dates = dates
        self.la_index = la_index
        self.code = profile.code
        self.children: list[ChildPlan] = []
        self.bundle = LABundle()
        self._n_child = 0

    # -- children ------------------------------------------------------------------------

    def new_child(
        self,
        *,
        sex: str,
        dob: date,
        ethnicity: str | None = None,
        uasc: bool = False,
        disability: bool | None = None,
        rng: random.Random | None = None,
    ) -> ChildPlan:
        rng = rng or self.rng_names
        self._n_child += 1
        if ethnicity is None:
            ethnicity = weighted(rng, UASC_ETHNICITY if uasc else self.profile.ethnicity)
        if disability is None:
            disability = rng.random() < 0.09
        child = ChildPlan(
            index=self._n_child,
            child_id=f"{self.code}C{self._n_child:06d}",
            sex=sex,
            dob=dob,
            ethnicity=ethnicity,
            uasc=uasc,
            disability=disability,
            forename=rng.choice(forenames_for(sex)),
            surname=rng.choice(SURNAMES),
        )
        child.obj = Child(
            la=self.la,
            child_id=child.child_id,
            forename=child.forename,
            surname=child.surname,
            sex=sex,
            dob=dob,
            ethnicity=ethnicity,
            disability=disability,
        )
        self.children.append(child)
        return child

    def _child_finish(self, child: ChildPlan) -> None:
        """Header fields that depend on the child's care history."""
        rng = self.rng_names
        today = self.dates.today
        age_now = child.age_on(today)
        if child.uasc:
            upn = "UN2"
        elif age_now < 5:
            upn = "UN1"
        else:
            upn = upn_build(rng, self.code)
        mother = mc_dob = None
        if child.sex == "F" and child.periods:
            mother = False
            if age_now >= 15 and rng.random() < 0.03:
                mother = True
                mc_dob = birthday(child.dob, 15) + days(
                    rng, 0, max(0, (today - birthday(child.dob, 15)).days)
                )
        obj = child.obj
        obj.upn = upn
        obj.mother = mother
        obj.mc_dob = mc_dob
        if child.periods:
            obj.header_year = collection_year_of(child.periods[-1].end or today)

    def arrivals_plan(self) -> list[tuple[ChildPlan, list[care.Draw]]]:
        """The stream of entrants and the pathway of each of their periods of care."""
        rng = self.rng_children
        dates = self.dates
        target = self.profile.target_stock * self.scale
        pilot = _rng(self.seed, self.code, "pilot")
        dn = self._mean_days(pilot, uasc=False, n=4000)
        du = self._mean_days(pilot, uasc=True, n=1000)
        s = self.profile.uasc_stock_share
        u = s * dn / (s * dn + (1 - s) * du)
        per_day = target / (u * du + (1 - u) * dn)
        self.bundle.stats["uasc_entry_share"] = round(u, 3)
        self.bundle.stats["starts_per_month_expected"] = round(per_day * 30.44, 1)
        out: list[tuple[ChildPlan, list[care.Draw]]] = []
        month = date(dates.burn_in.year, dates.burn_in.month, 1)
        uasc_due = 0.0
        open_ends: list[date] = []  # heap: ends of the periods under way
        later: list[tuple[date, date]] = []  # heap: (start, end) of re-entries to come
        while month <= dates.today:
            nxt = add_months(month, 1)
            length = (nxt - month).days
            while later and later[0][0] <= month:
                heapq.heappush(open_ends, heapq.heappop(later)[1])
            while open_ends and open_ends[0] <= month:
                heapq.heappop(open_ends)
            # Demand management: entries rise a little when the number in care is below
            # the authority's usual level and fall when above (edge-of-care work), so the
            # stock wanders like a real one but stays near its level.
            gap = (target - len(open_ends)) / target
            pressure = min(1.6, max(0.5, 1.0 + gap))
            # Unaccompanied children arrive steadily (transfer-scheme quotas), the rest as
            # a Poisson stream.
            uasc_due += per_day * u * length
            n_uasc = int(uasc_due)
            uasc_due -= n_uasc
            n = care.poisson(rng, per_day * (1 - u) * length * pressure)
            for uasc in [True] * n_uasc + [False] * n:
                start = month + timedelta(days=rng.randrange(length))
                if start > dates.today:
                    continue
                entrant = self._entrant(rng, start, uasc)
                out.append(entrant)
                for i, (s_start, draw) in enumerate(entrant[1]):
                    if i == 0:
                        heapq.heappush(open_ends, draw.end)
                    else:
                        heapq.heappush(later, (s_start, draw.end))
            month = nxt
        out.sort(key=lambda item: (item[1][0][0], item[0].index))
        return out

    def _entrant(self, rng: random.Random, start: date, uasc: bool):
        if uasc:
            age = int(weighted(rng, UASC_AGES))
            sex = "M" if rng.random() < 0.94 else "F"
        else:
            band = weighted(rng, care.AGE_AT_ENTRY)
            age = {
                "0": 0,
                "1-4": rng.randint(1, 4),
                "5-9": rng.randint(5, 9),
                "10-15": int(
                    weighted(
                        rng,
                        (
                            ("10", 10.0),
                            ("11", 12.0),
                            ("12", 15.0),
                            ("13", 19.0),
                            ("14", 22.0),
                            ("15", 22.0),
                        ),
                    )
                ),
                "16-17": rng.randint(16, 17),
            }[band]
            sex = "M" if rng.random() < 0.55 else "F"
        if age == 0:
            offset = rng.randint(0, 7) if rng.random() < 0.4 else rng.randint(8, 364)
            dob = start - timedelta(days=offset)
        else:
            dob = add_months(start, -12 * age) - timedelta(days=rng.randint(0, 364))
        child = ChildPlan(
            index=0, child_id="", sex=sex, dob=dob, ethnicity="", uasc=uasc, disability=False
        )
        draws = [(start, care.pathway_draw(rng, dob=dob, start=start, uasc=uasc))]
        # Some children who go home come back into care.
        while True:
            last_start, last = draws[-1]
            if last.pathway != "home" or rng.random() >= 0.12:
                break
            again = last.end + days(rng, 60, 900)
            if again > self.dates.today or age_of(dob, again) >= 17:
                break
            draws.append((again, care.pathway_draw(rng, dob=dob, start=again, uasc=False)))
        return child, draws

    def _mean_days(self, rng: random.Random, *, uasc: bool, n: int) -> float:
        base = date(2000, 6, 1)
        total = 0
        for _ in range(n):
            _, draws = self._entrant(rng, base, uasc)
            total += sum((d.end - s).days for s, d in draws)
        return total / n

    # -- periods ---------------------------------------------------------------------------

    def periods_build(self) -> None:
        dates = self.dates
        keep_from = dates.casework_start
        leaver_keep_from = add_months(dates.records_start, -12 * 7)
        pctx = self.placement_ctx
        rng_periods = self.rng_periods
        n_period = 0
        for plan_child, draws in self.arrivals_plan():
            ends = [d.end if d.end <= dates.today else None for _, d in draws]
            last_end = ends[-1]
            keep = last_end is None or last_end >= keep_from
            if not keep and last_end >= leaver_keep_from:
                # A possible care leaver: left at 16+ (the exit reason is drawn later).
                keep = age_of(plan_child.dob, last_end) >= 16
            if not keep:
                continue
            ethnicity = weighted(
                self.rng_names, UASC_ETHNICITY if plan_child.uasc else self.profile.ethnicity
            )
            child = self.new_child(
                sex=plan_child.sex,
                dob=plan_child.dob,
                ethnicity=ethnicity,
                uasc=plan_child.uasc,
                disability=self.rng_names.random() < 0.09,
            )
            home_post = pctx.pools.pick(rng_periods, "in")
            cin_first = "N8" if child.uasc else weighted(rng_periods, CIN_CODES)
            for (start, draw), end in zip(draws, ends, strict=True):
                n_period += 1
                cin = cin_first if start == draws[0][0] else weighted(rng_periods, CIN_CODES)
                if draw.pathway == "remand":
                    cin = "N6"
                period = PeriodPlan(
                    start=start,
                    end=end,
                    planned_end=draw.end,
                    rec="",
                    pathway=draw.pathway,
                    cin=cin,
                    home_post=home_post,
                    uasc=child.uasc,
                    adoption=draw.adoption,
                    ssd_cla_id=f"{self.code}L{n_period:07d}",
                )
                limit = min(draw.end, dates.today + DAY)
                care.legal_statuses_build(rng_periods, period=period, limit=limit)
                care.carers_build(pctx, child=child, period=period, limit=limit)
                self._long_term_confirm(rng_periods, child, period, limit)
                care.temporaries_build(pctx, period, limit)
                care.segments_build(period, limit)
                if end is not None:
                    period.rec = care.leaving_rec(rng_periods, period=period, child=child)
                period.missing_rate = casework.missing_rate_draw(self.rng_casework, child, period)
                child.periods.append(period)

    def _long_term_confirm(self, rng, child: ChildPlan, period: PeriodPlan, limit: date) -> None:
        """Foster placements confirmed as long-term (U6→U4, U3→U1): a T episode, not a move."""
        if period.pathway not in ("long", "sgo"):
            return
        for i, carer in enumerate(period.carers):
            if carer.places[-1][1] not in ("U6", "U3") or len(carer.places) > 1:
                continue
            nxt = period.carers[i + 1].start if i + 1 < len(period.carers) else limit
            if rng.random() >= 0.6:
                continue
            confirm = carer.start + days(rng, 200, 700)
            if confirm < nxt - timedelta(days=2) and child.age_on(confirm) < 17:
                carer.places.append((confirm, "U4" if carer.places[-1][1] == "U6" else "U1"))

    def short_breaks_build(self) -> None:
        """Disabled children on agreed series of short breaks (V3): excluded from counts."""
        rng = self.rng_periods
        dates = self.dates
        n = max(1, round(self.profile.short_break_children * self.scale))
        homes = self.placement_ctx.homes
        for _ in range(n):
            start = dates.casework_start + days(rng, 0, 700)
            age = rng.randint(5, 14)
            dob = add_months(start, -12 * age) - days(rng, 0, 364)
            child = self.new_child(sex="M" if rng.random() < 0.6 else "F", dob=dob, disability=True)
            home = rng.choice(homes)
            t = start
            eighteen = birthday(dob, 18)
            year_days: dict[int, int] = {}
            while t <= dates.today and t < eighteen:
                length = rng.randint(1, 4)
                year = collection_year_of(t)
                if year_days.get(year, 0) + length > 70:
                    t = date(year, 4, 1) + days(rng, 0, 20)
                    continue
                year_days[year] = year_days.get(year, 0) + length
                end = t + timedelta(days=length)
                period = PeriodPlan(
                    start=t,
                    end=end if end <= dates.today else None,
                    planned_end=end,
                    rec="E4A",
                    pathway="short_break",
                    cin="N2",
                    home_post="",
                    uasc=False,
                    short_break=True,
                )
                period.ls_changes = [(t, "V3")]
                period.segments = [
                    care.Segment(t, "V3", "K2", home.provider, "", home.urn, 0, False)
                ]
                period.reasons = [""]
                child.periods.append(period)
                t = end + days(rng, 10, 40)

    # -- records -----------------------------------------------------------------------------

    def episodes_build(self) -> None:
        rows = self.bundle.rows
        episodes, uasc_rows, ad1, decisions, prev_perm = [], [], [], [], []
        today = self.dates.today
        n_episode = 0
        rng = self.rng_periods
        for child in self.children:
            uasc_years: set[int] = set()
            prev_years: set[int] = set()
            for period in child.periods:
                segs = period.segments
                for i, seg in enumerate(segs):
                    last = i == len(segs) - 1
                    if last:
                        dec = period.end
                        rec = period.rec if period.end is not None else ""
                    else:
                        dec = segs[i + 1].start
                        rec = "X1"
                    n_episode += 1
                    episodes.append(
                        Episode(
                            la=self.la,
                            child=child.obj,
                            decom=seg.start,
                            rne=care.rne_for(segs[i - 1] if i else None, seg),
                            ls=seg.ls,
                            cin=period.cin,
                            place=seg.place,
                            place_provider=seg.provider,
                            dec=dec,
                            rec=rec,
                            reason_place_change=period.reasons[i] if not last else "",
                            home_post="" if period.short_break else period.home_post,
                            pl_post="" if period.short_break else seg.pl_post,
                            urn=seg.urn,
                            source=Source.DEMO,
                            collection_year=collection_year_of(dec or today),
                            ssd_episode_id=f"{self.code}E{n_episode:07d}",
                            ssd_cla_id=period.ssd_cla_id,
                            ssd_placement_id=f"{self.code}PL{seg.carer:06d}" if seg.carer else "",
                        )
                    )
                if period.short_break:
                    continue
                if child.uasc:
                    eighteen = birthday(child.dob, 18)
                    last_day = min(period.last_day(today), eighteen - DAY)
                    for year in range(
                        collection_year_of(period.start), collection_year_of(last_day) + 1
                    ):
                        if year not in uasc_years:
                            uasc_years.add(year)
                            uasc_rows.append(
                                UASCRecord(la=self.la, child=child.obj, year=year, duc=eighteen)
                            )
                year = collection_year_of(period.start)
                if (
                    period.start >= self.dates.casework_start - timedelta(days=365)
                    and year not in prev_years
                ):
                    prev_years.add(year)
                    prev = weighted(
                        rng, (("Z1", 88.0), ("P4", 5.0), ("P1", 2.0), ("P2", 3.0), ("P3", 2.0))
                    )
                    date_perm = ""
                    if prev in ("P1", "P2", "P3"):
                        perm = period.start - days(rng, 200, 3000)
                        date_perm = (
                            perm.strftime("%d/%m/%Y")
                            if rng.random() < 0.7
                            else f"ZZ/ZZ/{perm.year}"
                        )
                    prev_perm.append(
                        PreviousPermanence(
                            la=self.la,
                            child=child.obj,
                            year=year,
                            prev_perm=prev,
                            date_perm=date_perm,
                        )
                    )
                adoption = period.adoption
                if adoption and adoption.decision <= today:
                    ceased = (
                        adoption.decision_ceased
                        if adoption.decision_ceased and adoption.decision_ceased <= today
                        else None
                    )
                    decisions.append(
                        PlacementDecision(
                            la=self.la,
                            child=child.obj,
                            date_placed=adoption.decision,
                            date_placed_ceased=ceased,
                            reason_placed_ceased=adoption.reason_ceased if ceased else "",
                            year=collection_year_of(adoption.decision),
                        )
                    )
                if period.end is not None and period.rec in ("E11", "E12") and adoption:
                    last_place = segs[-1].place
                    couple = rng.random() < 0.82
                    sex_adoptr = (
                        weighted(rng, (("MF", 80.0), ("FF", 11.0), ("MM", 9.0)))
                        if couple
                        else weighted(rng, (("F1", 85.0), ("M1", 15.0)))
                    )
                    if not couple:
                        ls_adoptr = "L0"
                    elif sex_adoptr == "MF":
                        ls_adoptr = weighted(rng, (("L11", 72.0), ("L3", 28.0)))
                    else:
                        ls_adoptr = weighted(rng, (("L12", 50.0), ("L2", 30.0), ("L4", 20.0)))
                    ad1.append(
                        AdoptionRecord(
                            la=self.la,
                            child=child.obj,
                            year=collection_year_of(period.end),
                            date_int=adoption.decision,
                            date_match=adoption.match,
                            foster_care=last_place in ("A3", "A5"),
                            nb_adoptr=2 if couple else 1,
                            sex_adoptr=sex_adoptr,
                            ls_adoptr=ls_adoptr,
                        )
                    )
        rows["episodes"] = episodes
        rows["uasc"] = uasc_rows
        rows["ad1"] = ad1
        rows["placement_decisions"] = decisions
        rows["prev_perm"] = prev_perm

    def casework_build(self) -> casework.CaseworkContext:
        schools, urns_in, urns_out = casework.schools_reference_build(
            self.rng_schools, profile=self.profile, la_index=self.la_index, scale=self.scale
        )
        self.bundle.schools = schools
        ctx = casework.CaseworkContext(
            rng=self.rng_casework,
            profile=self.profile,
            la=self.la,
            today=self.dates.today,
            records_start=self.dates.records_start,
            casework_start=self.dates.casework_start,
            counters=casework.Counters(code=self.code),
            schools_in=urns_in,
            schools_out=urns_out,
            school_names={s.urn: s.name for s in schools},
        )
        for child in self.children:
            for period in child.periods:
                if period.short_break:
                    continue
                if period.end is not None and period.end < self.dates.casework_start:
                    continue
                casework.visits_build(ctx, child, period)
                casework.reviews_build(ctx, child, period)
                casework.health_build(ctx, child, period)
                casework.peps_build(ctx, child, period)
                casework.school_placements_build(ctx, child, period)
                casework.missing_build(ctx, child, period)
        rows = self.bundle.rows
        rows["visits"] = ctx.visits
        rows["reviews"] = ctx.reviews
        rows["health"] = ctx.health
        rows["immunisations"] = list(ctx.immunisations.values())
        rows["peps"] = ctx.peps
        rows["school_placements"] = ctx.school_placements
        rows["missing"] = ctx.missing
        self.bundle.stats["visits_due"] = ctx.counters.visits_due
        self.bundle.stats["visits_on_time"] = ctx.counters.visits_on_time
        self.bundle.stats["reviews_due"] = ctx.counters.reviews_due
        self.bundle.stats["reviews_on_time"] = ctx.counters.reviews_on_time
        return ctx

    def staff_and_community_build(self) -> None:
        dates = self.dates
        staff = Staff(
            rng=self.rng_staff,
            la=self.la,
            profile=self.profile,
            today=dates.today,
            casework_start=dates.casework_start,
        )
        staff.teams_build()
        looked_after = list(self.children)
        # Children in care: family safeguarding first for most, then a children in care team.
        for child in looked_after:
            cic_team = staff.team_for("cic")
            for period in child.periods:
                if period.short_break or (
                    period.end is not None and period.end < dates.casework_start
                ):
                    continue
                fs_days = (
                    0
                    if child.uasc or self.rng_staff.random() >= 0.65
                    else self.rng_staff.randint(30, 150)
                )
                cic_from = period.start + timedelta(days=fs_days)
                if fs_days and (period.end is None or cic_from < period.end):
                    staff.plan(
                        SpanPlan(
                            child,
                            "fs",
                            staff.team_for("fs"),
                            period.start,
                            cic_from,
                            AllocationRole.ALLOCATED_SW,
                            "CW",
                            cla=True,
                        )
                    )
                else:
                    cic_from = period.start
                staff.plan(
                    SpanPlan(
                        child,
                        "cic",
                        cic_team,
                        cic_from,
                        period.end,
                        AllocationRole.ALLOCATED_SW,
                        "CW",
                        cla=True,
                    )
                )
                staff.plan(
                    SpanPlan(child, "iro", 0, period.start, period.end, AllocationRole.OTHER, "IRO")
                )
        # Care leavers and eligible young people: a personal adviser.
        journeys = []
        for child in looked_after:
            journey = leavers.journey_plan(self.rng_leavers, child, dates.today)
            if journey is None:
                continue
            if journey.service_end < dates.records_start:
                continue
            journeys.append(journey)
            end = journey.service_end if journey.service_end <= dates.today else None
            staff.plan(
                SpanPlan(child, "leaving_care", 0, journey.start, end, AllocationRole.PA, "16PLUS")
            )
        # Children in need and exploitation risks.
        cctx = community.CommunityContext(
            rng=self.rng_community,
            la=self.la,
            today=dates.today,
            start=dates.casework_start - timedelta(days=365),
            casework_start=dates.casework_start,
            new_child=lambda **kw: self.new_child(rng=self.rng_community, **kw),
            staff=staff,
        )
        ratio = self.scale
        cin_episodes, _ = community.cin_children_build(cctx, stock=self.profile.cin_stock * ratio)
        index = community.looked_after_index(looked_after, start=cctx.start, today=dates.today)
        risks, cin_more, _ = community.exploitation_build(
            cctx,
            stocks={"CSE": self.profile.cse_stock * ratio, "GANG": self.profile.gang_stock * ratio},
            cla_index=index,
        )
        sizes = staff.posts_size()
        staff.workers_build()
        staff.allocations_build()
        staff.establishments_build()
        self.bundle.stats["posts"] = sizes
        # Monthly management supervision of children in care.
        supervision = self._supervision(staff, looked_after)
        # Care leaver observations and OC3.
        as_at = leavers.observation_dates(dates.records_start, dates.today)
        leaving_team = staff.by_kind["leaving_care"][0].team.team_id
        observations, oc3 = [], []
        first_year = collection_year_of(dates.records_start)
        for journey in journeys:
            leavers.journey_fill(self.rng_leavers, journey, dates.today)
            observations += leavers.observations_build(
                self.rng_leavers,
                la=self.la,
                journey=journey,
                as_at_dates=as_at,
                staff=staff,
                leaving_team_id=leaving_team,
            )
            oc3 += leavers.oc3_build(
                la=self.la, journey=journey, first_year=first_year, today=dates.today
            )
        b = self.bundle
        b.teams = [t.team for t in staff.teams]
        b.workers = staff.workers
        b.memberships = staff.memberships
        b.establishments = staff.establishments
        b.rows["allocations"] = staff.allocations
        b.rows["sw_episodes"] = staff.sw_episodes
        b.rows["supervision"] = supervision
        b.rows["cin_episodes"] = cin_episodes + cin_more
        b.rows["exploitation"] = risks
        b.rows["care_leavers"] = observations
        b.rows["oc3"] = oc3
        self.staff = staff

    def _supervision(self, staff: Staff, children: list[ChildPlan]) -> list:
        from children.models import SupervisionRecord

        rng = self.rng_staff
        dates = self.dates
        share = self.profile.supervision_in_month
        out = []
        n = 0
        for child in children:
            for period in child.periods:
                if period.short_break:
                    continue
                lo = max(period.start, dates.records_start)
                hi = period.last_day(dates.today)
                if hi < lo:
                    continue
                month = date(lo.year, lo.month, 1)
                while month <= hi:
                    first = max(month, lo)
                    last = min(add_months(month, 1) - DAY, hi)
                    month = add_months(month, 1)
                    if last < first or rng.random() >= share:
                        continue
                    d = first + days(rng, 0, (last - first).days)
                    span = staff.span_at(child.index, AllocationRole.ALLOCATED_SW, d)
                    if span is None:
                        continue
                    n += 1
                    out.append(
                        SupervisionRecord(
                            la=self.la,
                            record_id=f"{self.code}SU{n:07d}",
                            child=child.obj,
                            supervision_date=d,
                            supervisor_id=span.team.manager.professional_id,
                            professional_id=span.worker.professional_id,
                        )
                    )
        return out

    def populations_build(self) -> None:
        p = self.profile
        for year in range(self.dates.burn_in.year, self.dates.today.year + 1):
            value = p.population_0_17 * (1 + p.population_growth) ** (year - 2022) * self.scale
            self.bundle.populations.append(
                Population(
                    la=self.la,
                    year=year,
                    population_0_17=int(round(value)),
                    source="synthetic demo estimate",
                )
            )

    # -- whole run -------------------------------------------------------------------------

    def generate(self) -> LABundle:
        seed, code = self.seed, self.code
        self.rng_children = _rng(seed, code, "children")
        self.rng_names = _rng(seed, code, "names")
        self.rng_periods = _rng(seed, code, "periods")
        self.rng_casework = _rng(seed, code, "casework")
        self.rng_schools = _rng(seed, code, "schools")
        self.rng_staff = _rng(seed, code, "staff")
        self.rng_community = _rng(seed, code, "community")
        self.rng_leavers = _rng(seed, code, "leavers")
        rng_places = _rng(seed, code, "placements")
        pools = postcode_pools_build(
            districts=self.profile.districts, rng=_rng(seed, code, "postcodes")
        )
        homes, supported, secure = care.provisions_build(
            rng_places, profile=self.profile, pools=pools, scale=self.scale
        )
        self.placement_ctx = care.PlacementContext(
            rng=rng_places,
            profile=self.profile,
            pools=pools,
            today=self.dates.today,
            homes=homes,
            supported=supported,
            secure=secure,
            fostering_urn=f"SC96{code}0",
            ifa_urns=[f"SC95{code[-1]}{i:03d}" for i in range(12)],
        )
        self.periods_build()
        self.short_breaks_build()
        self.casework_build()
        self.staff_and_community_build()
        for child in self.children:
            self._child_finish(child)
        self.episodes_build()
        self.populations_build()
        self.bundle.children = [c.obj for c in self.children]
        return self.bundle


def age_of(dob: date, d: date) -> int:
    return d.year - dob.year - ((d.month, d.day) < (dob.month, dob.day))
