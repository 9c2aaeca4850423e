"""Teams, workers, allocations, supervision, staffing establishment for a demo authority.

Each team has a number of posts ("slots") sized from the caseload the team will carry
(children in care and family safeguarding social workers about 15–22 cases each,
personal advisers about 20, IROs about 60). A post is held by a succession of workers;
when one leaves, their children pass to the successor (reason LEFTRL), sometimes after a
short unallocated gap, and children are also reallocated within the team from time to
time. A child's allocation history is the sequence of posts and holders it touched.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from organisations.models import (
    Allocation,
    AllocationRole,
    SocialWorkerEpisode,
    StaffEstablishment,
    Team,
    TeamMembership,
    Worker,
    WorkerRole,
)
from scorecards.periods import add_months

from .care import DAY, days, weighted
from .names import FORENAMES, SURNAMES
from .profiles import LAProfile, TeamSpec

TARGET_CASELOAD = {"cic": 17.5, "fs": 17.0, "leaving_care": 20.0, "iro": 62.0}
JOB_TITLES = {
    "cic": (
        ("Social Worker", 60.0),
        ("Senior Social Worker", 30.0),
        ("Advanced Practitioner", 10.0),
    ),
    "fs": (("Social Worker", 65.0), ("Senior Social Worker", 35.0)),
    "leaving_care": (("Personal Adviser", 85.0), ("Senior Personal Adviser", 15.0)),
    "iro": (("Independent Reviewing Officer", 100.0),),
}
REALLOCATION_REASONS = (
    ("MANAGE", 35.0), ("ORGRST", 20.0), ("CHCHAN", 10.0), ("PCCHAN", 8.0), ("ABSENC", 12.0),
    ("FCONTA", 5.0), ("OTHERS", 10.0),
)  # fmt: skip
#: SWEpisodes are collected from 2023/24.
SW_EPISODES_FROM = date(2023, 4, 1)


@dataclass
class Tenure:
    start: date
    end: date | None
    worker: Worker | None = None


@dataclass
class Slot:
    tenures: list[Tenure]
    starts: list[date] = field(default_factory=list)

    def tenure_at(self, d: date) -> Tenure:
        return self.tenures[max(0, bisect_right(self.starts, d) - 1)]


@dataclass
class TeamState:
    spec: TeamSpec
    team: Team
    slots: list[Slot] = field(default_factory=list)
    manager: Worker | None = None


@dataclass
class SpanPlan:
    """A child's involvement with one kind of team, before a worker is chosen."""

    child: object  # ChildPlan
    kind: str
    team_index: int
    start: date
    end: date | None
    role: str
    local_role: str
    referral_id: str = ""
    cla: bool = False


@dataclass
class Span:
    start: date
    end: date | None
    team: TeamState
    worker: Worker


class Staff:
    """Builds the authority's teams, posts and workers and allocates children to them."""

    def __init__(
        self,
        *,
        rng: random.Random,
        la,
        profile: LAProfile,
        today: date,
        casework_start: date,
    ) -> None:
        self.rng = rng
        self.la = la
        self.profile = profile
        self.today = today
        self.casework_start = casework_start
        self.teams: list[TeamState] = []
        self.by_kind: dict[str, list[TeamState]] = {}
        self.workers: list[Worker] = []
        self.memberships: list[TeamMembership] = []
        self.allocations: list[Allocation] = []
        self.sw_episodes: list[SocialWorkerEpisode] = []
        self.establishments: list[StaffEstablishment] = []
        self.plans: list[SpanPlan] = []
        self.spans: dict[tuple[int, str], list[Span]] = {}
        self._n_worker = 0
        self._n_alloc = 0
        self._n_membership = 0

    # -- teams and posts ----------------------------------------------------------------

    def teams_build(self) -> None:
        code = self.la.code
        parent = None
        for spec in self.profile.teams:
            team = Team(la=self.la, team_id=f"{code}{spec.suffix}", name=spec.name)
            state = TeamState(spec=spec, team=team)
            if spec.kind == "service":
                parent = team
            else:
                team.parent = parent
            self.teams.append(state)
            self.by_kind.setdefault(spec.kind, []).append(state)

    def team_for(self, kind: str) -> int:
        """A team of this kind for a new child (posts are spread evenly)."""
        return self.rng.randrange(len(self.by_kind[kind]))

    def plan(self, plan: SpanPlan) -> None:
        if plan.end is not None and plan.end <= plan.start:
            return
        self.plans.append(plan)

    def posts_size(self) -> dict[str, int]:
        """Posts per team from the average number of open involvements per kind."""
        sample_dates = []
        d = self.casework_start
        while d <= self.today:
            sample_dates.append(d)
            d = add_months(d, 3)
        sample_dates.append(self.today)
        load: dict[tuple[str, int], float] = {}
        for p in self.plans:
            for d in sample_dates:
                if p.start <= d and (p.end is None or p.end > d):
                    key = (p.kind, p.team_index)
                    load[key] = load.get(key, 0.0) + 1.0 / len(sample_dates)
        sizes = {}
        for kind, teams in self.by_kind.items():
            if kind == "service":
                continue
            for i, state in enumerate(teams):
                n = max(2, math.ceil(load.get((kind, i), 0.0) / TARGET_CASELOAD[kind]))
                state.slots = [self._slot() for _ in range(n)]
                sizes[state.team.name] = n
        return sizes

    def _slot(self) -> Slot:
        rng = self.rng
        t = self.casework_start - days(rng, 365 * 6, 365 * 9)
        tenures: list[Tenure] = []
        while True:
            length = max(240, int(rng.expovariate(1 / 1300.0)))
            end = t + timedelta(days=length)
            if end > self.today:
                tenures.append(Tenure(t, None))
                break
            tenures.append(Tenure(t, end))
            t = end
        return Slot(tenures=tenures, starts=[x.start for x in tenures])

    def _worker(self, kind: str, role: str, *, title: str | None = None) -> Worker:
        rng = self.rng
        self._n_worker += 1
        n = self._n_worker
        registered = kind in ("cic", "fs", "iro", "manager")
        fte = weighted(rng, (("1.00", 80.0), ("0.80", 12.0), ("0.60", 8.0)))
        return Worker(
            la=self.la,
            professional_id=f"{self.la.code}W{n:05d}",
            staff_id=f"HR{self.la.code}{n:05d}",
            name=f"{rng.choice(FORENAMES)} {rng.choice(SURNAMES)}",
            registration_no=f"SW{900000 + int(self.la.code) * 1000 + n}" if registered else "",
            job_title=title or weighted(rng, JOB_TITLES[kind]),
            fte=Decimal(fte),
            is_agency=rng.random() < 0.08,
            role=role,
        )

    def workers_build(self) -> None:
        """A worker for every post holder in the window, managers, and their memberships."""
        window_start = self.casework_start - timedelta(days=365)
        for state in self.teams:
            spec = state.spec
            manager = self._worker("manager", WorkerRole.TEAM_MANAGER, title="Team Manager")
            if spec.kind == "service":
                manager.job_title = "Head of Service"
            manager.department = spec.name
            state.manager = manager
            self.workers.append(manager)
            self._membership(
                manager,
                state,
                WorkerRole.TEAM_MANAGER,
                self.casework_start - days(self.rng, 400, 2000),
                None,
            )
            for slot in state.slots:
                for tenure in slot.tenures:
                    if tenure.end is not None and tenure.end < window_start:
                        continue
                    worker = self._worker(spec.kind, spec.role)
                    worker.department = spec.name
                    tenure.worker = worker
                    self.workers.append(worker)
                    self._membership(worker, state, spec.role, tenure.start, tenure.end)

    def _membership(self, worker, state: TeamState, role: str, start: date, end) -> None:
        self._n_membership += 1
        self.memberships.append(
            TeamMembership(
                la=self.la,
                membership_id=f"{self.la.code}M{self._n_membership:06d}",
                worker=worker,
                team=state.team,
                role=role,
                start_date=start,
                end_date=end,
            )
        )

    # -- allocations -----------------------------------------------------------------

    def allocations_build(self) -> None:
        for p in self.plans:
            state = self.by_kind[p.kind][p.team_index]
            spans = self._allocate(p, state)
            self.spans.setdefault((p.child.index, p.role), []).extend(spans)
        for spans in self.spans.values():
            spans.sort(key=lambda s: s.start)

    def _allocate(self, p: SpanPlan, state: TeamState) -> list[Span]:
        rng = self.rng
        stop = p.end if p.end is not None else self.today + DAY
        mean_stay = 900.0 if p.kind == "iro" else 430.0
        t = p.start
        slot = rng.choice(state.slots)
        planned = t + timedelta(days=60 + int(rng.expovariate(1 / mean_stay)))
        spans: list[Span] = []
        while t < stop:
            if planned <= t:
                planned = t + timedelta(days=60 + int(rng.expovariate(1 / mean_stay)))
            tenure = slot.tenure_at(t)
            tenure_end = tenure.end or date.max
            seg_end = min(stop, tenure_end, planned)
            if seg_end == stop:
                reason = ""
            elif seg_end == tenure_end:
                reason = "LEFTRL"
            else:
                reason = weighted(rng, REALLOCATION_REASONS)
            end = None if (seg_end == stop and p.end is None) else seg_end
            if tenure.worker is not None and (end is None or end >= self.casework_start):
                spans.append(Span(t, end, state, tenure.worker))
                self._allocation(p, state, tenure.worker, t, end, reason)
            if end is None:
                break
            t = seg_end
            if reason == "LEFTRL":
                if rng.random() < 0.2:
                    t = t + days(rng, 3, 20)  # unallocated until the post is covered
            elif reason:
                slot = rng.choice(state.slots)
                planned = t + timedelta(days=60 + int(rng.expovariate(1 / mean_stay)))
        return spans

    def _allocation(self, p: SpanPlan, state, worker, start, end, reason) -> None:
        self._n_alloc += 1
        self.allocations.append(
            Allocation(
                la=self.la,
                involvement_id=f"{self.la.code}I{self._n_alloc:07d}",
                child=p.child.obj,
                worker=worker,
                team=state.team,
                role=p.role,
                local_role=p.local_role,
                start_date=start,
                end_date=end,
                change_reason=reason,
                referral_id=p.referral_id,
            )
        )
        if (
            p.cla
            and p.role == AllocationRole.ALLOCATED_SW
            and (end is None or end > SW_EPISODES_FROM)
        ):
            self.sw_episodes.append(
                SocialWorkerEpisode(
                    la=self.la,
                    child=p.child.obj,
                    sw_id=worker.registration_no or f"XX{worker.professional_id}",
                    start_date=start,
                    end_date=end,
                    reason=reason if end is not None else "",
                )
            )

    def span_at(self, child_index: int, role: str, d: date) -> Span | None:
        spans = self.spans.get((child_index, role))
        if not spans:
            return None
        for s in reversed(spans):
            if s.start <= d and (s.end is None or s.end > d):
                return s
            if s.start <= d:
                return None
        return None

    # -- establishment -----------------------------------------------------------------

    def establishments_build(self) -> None:
        """Funded posts per catalogue role each quarter: posts plus a few vacancies."""
        rng = self.rng
        role_posts: dict[str, int] = {}
        for state in self.teams:
            if state.spec.kind == "service":
                continue
            role_posts[state.spec.role] = role_posts.get(state.spec.role, 0) + len(state.slots)
        role_posts[WorkerRole.TEAM_MANAGER] = len(self.teams)
        vacancies = {role: max(1, round(0.09 * n)) for role, n in role_posts.items()}
        d = date(self.casework_start.year, self.casework_start.month, 1)
        while d <= self.today:
            for role in sorted(role_posts):
                if rng.random() < 0.15:
                    vacancies[role] = max(0, vacancies[role] + rng.choice((-1, 1)))
                posts = role_posts[role] + (
                    vacancies[role] if role != WorkerRole.TEAM_MANAGER else 0
                )
                self.establishments.append(
                    StaffEstablishment(
                        la=self.la, role=role, as_at_date=d, fte_posts=Decimal(posts)
                    )
                )
            d = add_months(d, 3)
