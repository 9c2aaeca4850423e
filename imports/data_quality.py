"""What the latest imports left uncertain, per authority (the admins' data quality page).

- **Children with no allocated team** on the day: children looked after, and care leavers
  (eligible, relevant or former relevant at their latest observation), whose team cannot
  be found from their allocations (``organisations.selectors.children_with_team_on``) —
  team managers cannot see them and team breakdowns leave them out.
- **Placements with unknown postcodes**: placements whose location (in or out of the
  authority) is blank because a postcode was blank, partial or not in the ONS directory;
  location indicators count them as unknown.
- **Care histories the returns leave uncertain**: open episodes a later return omits (an
  end of record, ``docs/ssda903.md`` §3), periods of care whose start the data do not
  hold (no RNE S: left out of measures counted from the start of care), and adoptions
  from a placement never coded as placed for adoption (A1 then uses the placement's
  start as the moving-in date).
- **Warnings** of the latest successful import of each format: per indicator they may
  affect (every warning counted, with the rules behind them), then per rule with its
  first message (``imports.issue_summary``).
- **Feeds**: the as-at date of each table's latest import (``FeedStatus``) and whether it
  is older than ``FEED_STALE_AFTER_DAYS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, Subquery

from children.care_history import ADOPTION_PLACEMENTS, ADOPTION_REASONS_CEASED
from children.models import CareLeaverObservation, Child, Episode, PeriodOfCare
from imports.formats.ssd.codes import CARE_LEAVER_ELIGIBILITIES
from imports.issue_summary import IndicatorWarnings, RuleSummary, batches_rules, indicators_warned
from imports.models import FeedStatus, ImportBatch
from organisations.models import LocalAuthority
from organisations.selectors import children_with_team_on
from placements.models import Placement

CHILDREN_LISTED = 50


@dataclass
class Feed:
    feed: str
    format: str
    table: str
    as_at: date
    imported_at: object
    batch_id: int | None
    age_days: int
    stale: bool


@dataclass
class AuthorityQuality:
    la: LocalAuthority
    on: date
    children_in_scope: int = 0
    without_team: list[str] = field(default_factory=list)
    without_team_count: int = 0
    placements_unknown_now: int = 0
    placements_unknown_all: int = 0
    placements_all: int = 0
    ends_of_record: int = 0
    periods_without_start: int = 0
    adoptions_not_placed_for_adoption: int = 0
    warnings: list[RuleSummary] = field(default_factory=list)
    indicators_warned: list[IndicatorWarnings] = field(default_factory=list)
    batches: list[ImportBatch] = field(default_factory=list)
    feeds: list[Feed] = field(default_factory=list)

    @property
    def stale_feeds(self) -> int:
        return sum(1 for feed in self.feeds if feed.stale)


def children_needing_a_team(*, la: LocalAuthority, on: date):
    """Children looked after on ``on`` and care leavers by their latest observation."""
    in_care = PeriodOfCare.objects.filter(la=la, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=on)
    )
    latest = (
        CareLeaverObservation.objects.filter(child=OuterRef("pk"), as_at__lte=on)
        .order_by("-as_at")
        .values("eligibility")[:1]
    )
    return (
        Child.objects.filter(la=la)
        .annotate(_latest_eligibility=Subquery(latest))
        .filter(
            Q(pk__in=in_care.values("child_id"))
            | Q(_latest_eligibility__in=sorted(CARE_LEAVER_ELIGIBILITIES))
        )
    )


def authority_quality(*, la: LocalAuthority, on: date) -> AuthorityQuality:
    """The data quality summary of one authority on ``on``."""
    quality = AuthorityQuality(la=la, on=on)
    children = children_needing_a_team(la=la, on=on)
    quality.children_in_scope = children.count()
    without = children_with_team_on(children, on=on).filter(scope_team_id__isnull=True)
    quality.without_team_count = without.count()
    quality.without_team = list(
        without.order_by("child_id").values_list("child_id", flat=True)[:CHILDREN_LISTED]
    )

    placements = Placement.objects.filter(la=la, is_short_break=False)
    unknown = placements.filter(pl_location="")
    quality.placements_all = placements.count()
    quality.placements_unknown_all = unknown.count()
    quality.placements_unknown_now = (
        unknown.filter(start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
        .count()
    )

    _care_histories_measure(quality)

    latest = (
        ImportBatch.objects.filter(la=la, status=ImportBatch.Status.DONE, dry_run=False)
        .values("format")
        .annotate(last=Max("pk"))
    )
    quality.batches = list(
        ImportBatch.objects.filter(pk__in=[row["last"] for row in latest]).order_by("format")
    )
    quality.warnings = batches_rules(batches=quality.batches, severity="warning")
    quality.indicators_warned = indicators_warned(batches=quality.batches)

    stale_after = settings.FEED_STALE_AFTER_DAYS
    for status in FeedStatus.objects.filter(la=la).order_by("feed"):
        fmt, _, table = status.feed.partition(":")
        age = (on - status.as_at).days
        quality.feeds.append(
            Feed(
                feed=status.feed,
                format=fmt,
                table=table or fmt,
                as_at=status.as_at,
                imported_at=status.imported_at,
                batch_id=status.batch_id,
                age_days=age,
                stale=age > stale_after,
            )  # fmt: skip
        )
    return quality


def _care_histories_measure(quality: AuthorityQuality) -> None:
    """Counts of the care-history readings that rest on missing or inconsistent returns."""
    la = quality.la
    periods = PeriodOfCare.objects.filter(la=la, is_short_break=False)
    quality.ends_of_record = Episode.objects.filter(la=la, end_of_record__isnull=False).count()
    quality.periods_without_start = periods.filter(starts_with_s=False).count()
    adoption_coded = Episode.objects.filter(
        period_of_care=OuterRef("pk"), place__in=sorted(ADOPTION_PLACEMENTS)
    )
    quality.adoptions_not_placed_for_adoption = (
        periods.filter(reason_ceased__in=sorted(ADOPTION_REASONS_CEASED))
        .exclude(Exists(adoption_coded))
        .count()
    )


def data_quality_for_user(*, user, on: date) -> list[AuthorityQuality]:
    """One summary per authority the user may import for: an admin's authorities; for a
    superuser (who may import for any) the authorities that hold data or imports."""
    from imports.selectors import import_authorities_for_user

    authorities = import_authorities_for_user(user=user)
    if user.is_superuser:
        authorities = authorities.filter(
            Q(import_batches__isnull=False) | Q(children__isnull=False)
        ).distinct()
    return [authority_quality(la=la, on=on) for la in authorities.order_by("code")]
