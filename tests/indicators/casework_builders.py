"""Hand-made casework rows (SSD tables and project extensions) for indicator tests.

Companions of ``tests.indicators.builders`` (children, episodes, reviews): one line per row,
dates written out, so every test reads as its own worked example.
"""

from __future__ import annotations

from decimal import Decimal

from children.models import (
    CareLeaverObservation,
    Child,
    CINAssessment,
    CINEpisode,
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
    AllocationRole,
    LocalAuthority,
    StaffEstablishment,
    Team,
    TeamMembership,
    Worker,
)
from reviews.models import StatutoryVisit
from tests.indicators.builders import d


def _next_id(prefix: str) -> str:
    _next_id.n = getattr(_next_id, "n", 0) + 1  # type: ignore[attr-defined]
    return f"{prefix}{_next_id.n}"  # type: ignore[attr-defined]


def visit_make(child: Child, when: str, *, seen: bool = True) -> StatutoryVisit:
    return StatutoryVisit.objects.create(
        la=child.la, visit_id=_next_id("V"), child=child, visit_date=d(when), seen=seen
    )


def health_make(
    child: Child, when: str, kind: str = "RHA", status: str = "COMPLETED"
) -> HealthAssessment:
    return HealthAssessment.objects.create(
        la=child.la,
        check_id=_next_id("H"),
        child=child,
        kind=kind,
        check_date=d(when),
        status=status,
    )


def pep_make(child: Child, when: str, status: str = "COMPLETE") -> PersonalEducationPlan:
    return PersonalEducationPlan.objects.create(
        la=child.la, record_id=_next_id("P"), child=child, pep_date=d(when), status=status
    )


def school_make(urn: str, rating: int | None) -> School:
    return School.objects.create(urn=urn, name=f"School {urn}", ofsted_rating=rating)


def school_placement_make(
    child: Child, urn: str, start: str, end: str | None = None
) -> SchoolPlacement:
    return SchoolPlacement.objects.create(
        la=child.la,
        record_id=_next_id("S"),
        child=child,
        school_urn=urn,
        start_date=d(start),
        end_date=d(end) if end else None,
    )


def missing_rhi_make(
    child: Child,
    start: str,
    end: str | None,
    *,
    accepted: str = "Y",
    completed: str | None = None,
    kind: str = "M",
    source: str = "ssd",
) -> MissingEpisode:
    return MissingEpisode.objects.create(
        la=child.la,
        child=child,
        missing_type=kind,
        start_date=d(start),
        end_date=d(end) if end else None,
        rhi_offered="Y",
        rhi_accepted=accepted,
        rhi_completed_date=d(completed) if completed else None,
        source=source,
    )


def leaver_make(
    child: Child,
    as_at: str,
    eligibility: str = "Former Relevant",
    *,
    in_touch: str = "YES",
    accommodation: str = "D",
    suitable: str = "1",
    activity: str = "F2",
    plan: str | None = None,
) -> CareLeaverObservation:
    return CareLeaverObservation.objects.create(
        la=child.la,
        child=child,
        as_at=d(as_at),
        eligibility=eligibility,
        in_touch=in_touch,
        accommodation=accommodation,
        accommodation_suitable=suitable,
        activity=activity,
        pathway_plan_review_date=d(plan) if plan else None,
    )


def oc3_make(
    child: Child, year: int, *, in_touch: str = "YES", activity: str = "F2", accom: str = "D1"
) -> OC3Outcome:
    return OC3Outcome.objects.create(
        la=child.la,
        child=child,
        year=year,
        in_touch=in_touch,
        activity=activity,
        accommodation=accom,
    )


def supervision_make(child: Child, when: str) -> SupervisionRecord:
    return SupervisionRecord.objects.create(
        la=child.la, record_id=_next_id("SU"), child=child, supervision_date=d(when)
    )


def risk_make(
    child: Child, risk_type: str, start: str, end: str | None = None, level: str = "MEDIUM"
) -> ExploitationRisk:
    return ExploitationRisk.objects.create(
        la=child.la,
        record_id=_next_id("R"),
        child=child,
        risk_type=risk_type,
        level=level,
        start_date=d(start),
        end_date=d(end) if end else None,
    )


def assessment_make(
    child: Child, authorised: str, factors: list[str] | dict, referral_id: str = ""
) -> CINAssessment:
    return CINAssessment.objects.create(
        la=child.la,
        assessment_id=_next_id("A"),
        child=child,
        authorised_date=d(authorised),
        factors=factors,
        referral_id=referral_id,
    )


def cin_episode_make(child: Child, referral_id: str, start: str, close: str | None = None):
    return CINEpisode.objects.create(
        la=child.la,
        referral_id=referral_id,
        child=child,
        referral_date=d(start),
        close_date=d(close) if close else None,
    )


def team_make(la: LocalAuthority, team_id: str) -> Team:
    return Team.objects.create(la=la, team_id=team_id, name=f"Team {team_id}")


def allocation_make(
    child: Child,
    team: Team | None,
    start: str,
    end: str | None = None,
    *,
    worker: Worker | None = None,
    role: str = AllocationRole.ALLOCATED_SW,
) -> Allocation:
    return Allocation.objects.create(
        la=child.la,
        involvement_id=_next_id("I"),
        child=child,
        worker=worker,
        team=team,
        role=role,
        start_date=d(start),
        end_date=d(end) if end else None,
    )


def worker_make(
    la: LocalAuthority, professional_id: str, *, fte: str | None = "1.0", role: str = ""
) -> Worker:
    return Worker.objects.create(
        la=la,
        professional_id=professional_id,
        fte=Decimal(fte) if fte is not None else None,
        role=role,
    )


def membership_make(
    worker: Worker, team: Team, role: str, start: str, end: str | None = None
) -> TeamMembership:
    return TeamMembership.objects.create(
        la=worker.la,
        membership_id=_next_id("M"),
        worker=worker,
        team=team,
        role=role,
        start_date=d(start),
        end_date=d(end) if end else None,
    )


def establishment_make(la: LocalAuthority, role: str, as_at: str, fte: str) -> StaffEstablishment:
    return StaffEstablishment.objects.create(
        la=la, role=role, as_at_date=d(as_at), fte_posts=Decimal(fte)
    )
