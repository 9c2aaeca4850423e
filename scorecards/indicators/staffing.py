"""Staffing: establishment, staff in post and average caseload per role (casework feeds)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from scorecards.engine import LAData, MonthContext, WorkerIn
from scorecards.indicators.registry import (
    LOWER,
    UNIT_PER_ROLE,
    Cells,
    Indicator,
    Section,
    indicator_register,
    section_register,
)
from scorecards.periods import PERIOD_AT_E

SECTION = section_register(
    Section(
        key="staffing",
        title="Staffing",
        order=20,
        notes=(
            "Staff are counted per role: children in care qualified social workers, family "
            "safeguarding social workers, leaving care personal advisers and independent "
            "reviewing officers.",
            "'Establishment' is the number of full-time-equivalent posts and 'Staff' the "
            "full-time-equivalent staff in post at the end of the month.",
            "'Average caseload' is the number of open cases allocated to workers in the role "
            "divided by the number of those workers with at least one case. The change is "
            "measured from the end of the previous quarter.",
        ),
    )
)

STAFFING_ROLES = (
    "cic_social_worker",
    "family_safeguarding_social_worker",
    "leaving_care_pa",
    "iro",
)

#: FTE of a worker whose extract gives none: full time.
DEFAULT_FTE = Decimal("1")


def worker_role_on(worker: WorkerIn, e: date) -> str | None:
    """The worker's catalogue role at E, ``None`` when not in post.

    With dated team memberships (``ext_team_membership``) the role is that of the membership
    open at E (start ≤ E, no end or end after E; latest start wins) and a worker with none
    open is not in post. A worker with no membership rows at all takes the role recorded on
    the worker (from the job title, ``ssd-extracts.md`` §3.9) and is counted as in post.
    """
    if not worker.memberships:
        return worker.role or None
    role: str | None = None
    for start, end, member_role, _team in worker.memberships:  # sorted by start
        if start > e:
            break
        if end is None or end > e:
            role = member_role
    return role


def worker_cases_on(data: LAData, e: date) -> dict[int, int]:
    """Worker pk → distinct children with an allocation to that worker open at E (any role)."""
    children: dict[int, set[int]] = defaultdict(set)
    for worker_pk, child_pk, start, end in data.worker_allocations:
        if start <= e and (end is None or end > e):
            children[worker_pk].add(child_pk)
    return {pk: len(kids) for pk, kids in children.items()}


def establishment_on(data: LAData, role: str, e: date) -> Decimal | None:
    """FTE posts of the role in the latest establishment dated on or before E (``None``: none)."""
    latest: tuple[date, Decimal] | None = None
    for est_role, as_at, fte in data.establishments:
        if est_role == role and as_at <= e and (latest is None or as_at > latest[0]):
            latest = (as_at, fte)
    return latest[1] if latest else None


def fte_json(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value, 2))


def _staffing(ctx: MonthContext) -> Cells:
    e = ctx.as_of
    data = ctx.data
    cases = worker_cases_on(data, e)
    in_post: dict[str, Decimal] = defaultdict(Decimal)
    role_cases: dict[str, int] = defaultdict(int)
    role_workers: dict[str, int] = defaultdict(int)
    for worker in data.workers:
        role = worker_role_on(worker, e)
        if role not in STAFFING_ROLES:
            continue
        in_post[role] += worker.fte if worker.fte is not None else DEFAULT_FTE
        n = cases.get(worker.pk, 0)
        if n:
            role_cases[role] += n
            role_workers[role] += 1
    breakdown: dict[str, float | int | None] = {}
    for role in STAFFING_ROLES:
        breakdown[f"{role}:establishment_fte"] = fte_json(establishment_on(data, role, e))
        breakdown[f"{role}:in_post_fte"] = fte_json(in_post.get(role, Decimal(0)))
        breakdown[f"{role}:cases"] = role_cases.get(role, 0)
        breakdown[f"{role}:workers"] = role_workers.get(role, 0)
    return {PERIOD_AT_E: {"breakdown": breakdown}}


indicator_register(
    Indicator(
        id="staffing",
        title="Staff, establishment and average caseload",
        section="staffing",
        unit=UNIT_PER_ROLE,
        polarity=LOWER,
        periods=(PERIOD_AT_E,),
        definition=(
            "Per role at the month end: establishment (FTE posts), staff in post (FTE), "
            "allocated open cases and workers with at least one case; average caseload = "
            "cases / workers. Lower caseloads are better; the caseload target is set per role."
        ),
        breakdown_labels={
            f"{role}:{part}": f"{role} {part}"
            for role in STAFFING_ROLES
            for part in ("establishment_fte", "in_post_fte", "cases", "workers")
        },
        compute=_staffing,
        source="seed 000, seed 001, seed 004",
        readings=(
            "Role and 'in post' at E from the team membership open at E (ext_team_membership);"
            " workers with no membership rows at all take the role recorded on the worker "
            "and count as in post. A worker with no FTE counts as 1.0.",
            "Cases: distinct children with an allocation (ssd_involvements, any allocation "
            "role) to the worker open at E; workers: those of the role with at least one. "
            "Average caseload = cases / workers; the change since the previous quarter is "
            "read from the snapshot of the quarter's last month.",
            "Establishment: the latest ext_staff_establishment row of the role dated on or "
            "before E; none gives no value (null).",
        ),
    )
)
