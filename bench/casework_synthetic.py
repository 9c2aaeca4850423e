"""Casework rows for the synthetic children of ``bench.synthetic``: the recompute benchmark
runs every indicator, so the casework ones need data of a realistic volume too.

From the care histories already inserted (read back once per authority through the
engine's own loader), per child and from ``CASEWORK_START``: statutory visits along each
placement (mostly within 6 weeks, some late, a few unseen), an initial and yearly health
assessments and dental checks (a few refused), PEPs for school-aged children (some drafts),
a school, management supervision, allocations to social workers in teams, return interviews
on missing incidents, monthly care-leaver observations for young people who left care at
16–18, OC3 rows, exploitation risks and CIN assessments for a few; per authority: workers,
team memberships and a staff establishment. Rows go in by ``COPY`` (``rows_insert``).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from bench.synthetic import PREFIX, WINDOW_END, rows_insert
from children.models import (
    CareLeaverObservation,
    CINAssessment,
    ExploitationRisk,
    MissingEpisode,
    OC3Outcome,
    PersonalEducationPlan,
    School,
    SchoolPlacement,
    SupervisionRecord,
)
from health.models import HealthAssessment
from organisations.models import (
    Allocation,
    LocalAuthority,
    StaffEstablishment,
    Team,
    TeamMembership,
    Worker,
)
from reviews.models import StatutoryVisit
from scorecards.engine import la_data_load
from scorecards.periods import add_months, age_on, collection_year_of

CASEWORK_START = date(2021, 4, 1)
ROLES = (
    ("cic_social_worker", 25),
    ("family_safeguarding_social_worker", 5),
    ("leaving_care_pa", 6),
    ("iro", 4),
)
SCHOOLS = 200


def _days(rng: random.Random, lo: int, hi: int) -> timedelta:
    return timedelta(days=rng.randint(lo, hi))


def _staff(
    la: LocalAuthority, rng: random.Random, tag: str
) -> tuple[dict[str, list[Worker]], dict[int, int]]:
    teams = [
        Team.objects.create(la=la, team_id=f"{tag}T{i}", name=f"Bench team {i}") for i in range(8)
    ]
    by_role: dict[str, list[Worker]] = {}
    team_of: dict[int, int] = {}
    for role, n in ROLES:
        by_role[role] = []
        for k in range(n):
            worker = Worker.objects.create(
                la=la,
                professional_id=f"{tag}{role[:3]}{k}",
                fte=Decimal(rng.choice(["1.0", "1.0", "0.8", "0.6"])),
                role=role,
            )
            TeamMembership.objects.create(
                la=la,
                membership_id=f"{tag}M{role[:3]}{k}",
                worker=worker,
                team=teams[k % len(teams)],
                role=role,
                start_date=date(2020, 1, 1),
            )
            by_role[role].append(worker)
            team_of[worker.pk] = teams[k % len(teams)].pk
        StaffEstablishment.objects.create(
            la=la, role=role, as_at_date=date(2023, 4, 1), fte_posts=Decimal(n + 2)
        )
    return by_role, team_of


def _period_casework(rng, la_id, child, period, staff, team_of, out, ids) -> None:
    start = max(period.start, CASEWORK_START)
    end = min(period.end or WINDOW_END + timedelta(days=400), WINDOW_END + timedelta(days=400))
    if end <= start:
        return
    # Visits along each placement: first within 9 days, then every 4–7 weeks (some late).
    for placement in period.placements:
        p_start = max(placement.start, start)
        p_end = min(placement.end or end, end)
        when = p_start + _days(rng, 1, 9)
        while when < p_end:
            ids["visit"] += 1
            out[StatutoryVisit].append(
                {"la_id": la_id, "visit_id": f"V{ids['visit']}", "child_id": child.pk,
                 "visit_date": when, "seen": rng.random() > 0.03}
            )  # fmt: skip
            when += _days(rng, 28, 50)
    # Health: IHA near the start, yearly reviews, yearly dental checks.
    kinds = [("IHA", period.start + _days(rng, 5, 40))]
    when = kinds[0][1]
    while when < end:
        young = child.dob and age_on(child.dob, when) < 5
        when += _days(rng, 150, 200) if young else _days(rng, 300, 400)
        kinds.append(("RHA", when))
    when = period.start + _days(rng, 30, 200)
    while when < end:
        kinds.append(("DENTAL", when))
        when += _days(rng, 300, 420)
    for kind, when in kinds:
        if start <= when < end:
            ids["health"] += 1
            out[HealthAssessment].append(
                {"la_id": la_id, "check_id": f"H{ids['health']}", "child_id": child.pk,
                 "kind": kind, "check_date": when,
                 "status": "REFUSED" if rng.random() < 0.03 else "COMPLETED"}
            )  # fmt: skip
    # PEPs and a school for school-aged children.
    if child.dob and 4 <= age_on(child.dob, start) <= 16:
        when = start + _days(rng, 10, 60)
        while when < end:
            ids["pep"] += 1
            out[PersonalEducationPlan].append(
                {"la_id": la_id, "record_id": f"P{ids['pep']}", "child_id": child.pk,
                 "pep_date": when, "status": "DRAFT" if rng.random() < 0.1 else "COMPLETE"}
            )  # fmt: skip
            when += _days(rng, 110, 200)
        ids["school"] += 1
        out[SchoolPlacement].append(
            {"la_id": la_id, "record_id": f"S{ids['school']}", "child_id": child.pk,
             "school_urn": f"9{rng.randrange(SCHOOLS):05d}", "start_date": start,
             "end_date": period.end}
        )  # fmt: skip
    # Supervision about monthly; allocations to social workers, handed over now and then.
    when = start + _days(rng, 5, 30)
    while when < end:
        ids["supervision"] += 1
        out[SupervisionRecord].append(
            {"la_id": la_id, "record_id": f"SU{ids['supervision']}", "child_id": child.pk,
             "supervision_date": when}
        )  # fmt: skip
        when += _days(rng, 20, 45)
    when = start
    while when < end:
        until = when + _days(rng, 120, 700)
        worker = rng.choice(staff["cic_social_worker"])
        ids["allocation"] += 1
        out[Allocation].append(
            {"la_id": la_id, "involvement_id": f"I{ids['allocation']}", "child_id": child.pk,
             "worker_id": worker.pk, "team_id": team_of[worker.pk],
             "role": "ALLOCATED_SW", "start_date": when,
             "end_date": until if until < (period.end or date.max) else period.end}
        )  # fmt: skip
        when = until


def _leaver(rng, la_id, child, staff, out, ids) -> None:
    """Monthly observations from leaving care (aged 16–18) to 21, and OC3 rows."""
    last = child.history.periods[-1]
    if child.dob is None or last.end is None or not 16 <= age_on(child.dob, last.end) <= 18:
        return
    stop = min(add_months(child.dob, 21 * 12 + 1), WINDOW_END)
    as_at = max(last.end, CASEWORK_START)
    pa = rng.choice(staff["leaving_care_pa"])
    ids["allocation"] += 1
    out[Allocation].append(
        {"la_id": la_id, "involvement_id": f"I{ids['allocation']}", "child_id": child.pk,
         "worker_id": pa.pk, "role": "PA", "start_date": last.end, "end_date": None}
    )  # fmt: skip
    plan = last.end
    while as_at < stop:
        if add_months(plan, 6) < as_at and rng.random() < 0.9:
            plan = as_at - _days(rng, 0, 20)
        in_touch = rng.choice(["YES"] * 9 + ["NO"])
        out[CareLeaverObservation].append(
            {"la_id": la_id, "child_id": child.pk, "as_at": as_at,
             "eligibility": "Former Relevant" if age_on(child.dob, as_at) >= 18 else "Relevant",
             "in_touch": in_touch,
             "accommodation": rng.choice("DEUZB") if in_touch == "YES" else "",
             "accommodation_suitable": rng.choice("1111112") if in_touch == "YES" else "",
             "activity": rng.choice(["F2", "F5", "P5", "G5", "G6"]) if in_touch == "YES" else "",
             "pathway_plan_review_date": plan}
        )  # fmt: skip
        as_at = add_months(as_at.replace(day=1), 2) - timedelta(days=1)
    for age in range(17, 22):
        bday = add_months(child.dob, 12 * age)
        if last.end <= bday < CASEWORK_START:
            out[OC3Outcome].append(
                {"la_id": la_id, "child_id": child.pk, "year": collection_year_of(bday),
                 "in_touch": "YES", "activity": rng.choice(["F2", "G5"]), "accommodation": "D1"}
            )  # fmt: skip


@transaction.atomic
def synthetic_casework_generate(*, authorities: list[LocalAuthority], seed: int = 44) -> int:
    """Add casework rows for the synthetic children of ``authorities``; rows written."""
    rng = random.Random(seed)
    total = 0
    School.objects.bulk_create(
        [School(urn=f"9{i:05d}", name=f"Bench school {i}", ofsted_rating=1 + i % 4)
         for i in range(SCHOOLS)],
        ignore_conflicts=True,
    )  # fmt: skip
    for la in authorities:
        tag = f"B{la.code}"
        for model in (Allocation, TeamMembership, Worker, Team, StaffEstablishment):
            model.objects.filter(la=la).delete()
        staff, team_of = _staff(la, rng, tag)
        data = la_data_load(la=la)
        out: dict[Any, list[dict]] = {
            m: []
            for m in (StatutoryVisit, HealthAssessment, PersonalEducationPlan, SchoolPlacement,
                      SupervisionRecord, Allocation, CareLeaverObservation, OC3Outcome,
                      ExploitationRisk, CINAssessment)
        }  # fmt: skip
        ids = dict.fromkeys(("visit", "health", "pep", "school", "supervision", "allocation"), 0)
        ids = {k: la.pk * 10**8 for k in ids}
        for child in data.children:
            if not child.child_id.startswith(PREFIX):
                continue
            for period in child.history.periods:
                _period_casework(rng, la.pk, child, period, staff, team_of, out, ids)
            if child.history.periods:
                _leaver(rng, la.pk, child, staff, out, ids)
            if child.dob and rng.random() < 0.05:
                ids["visit"] += 1
                start = CASEWORK_START + _days(rng, 0, 1200)
                out[ExploitationRisk].append(
                    {"la_id": la.pk, "record_id": f"R{ids['visit']}", "child_id": child.pk,
                     "risk_type": rng.choice(["CSE", "CCE", "GANG"]),
                     "level": rng.choice(["LOW", "MEDIUM", "HIGH", "NONE"]), "start_date": start,
                     "end_date": start + _days(rng, 30, 500) if rng.random() < 0.6 else None}
                )  # fmt: skip
        for model, rows in out.items():
            rows_insert(model, rows)
            total += len(rows)
        missing = list(MissingEpisode.objects.filter(la=la, end_date__isnull=False))
        for incident in missing:
            if rng.random() < 0.7:
                incident.rhi_offered = incident.rhi_accepted = "Y"
                incident.rhi_completed_date = incident.end_date + _days(rng, 1, 10)
        MissingEpisode.objects.bulk_update(
            missing, ["rhi_offered", "rhi_accepted", "rhi_completed_date"], batch_size=2000
        )
        total += len(missing)
    return total
