"""Clean-up for test modules that write the demo once, outside a test transaction."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from children.models import School
from organisations.demo.services import demo_data_delete
from organisations.demo.users import DEMO_USERS
from organisations.models import LocalAuthority, Population
from scorecards.models import Benchmark, Publication, RecomputeLock, RecomputeRun, Snapshot


def demo_cleanup() -> None:
    """Remove everything ``make_demo_data`` wrote, so later tests start from migrations."""
    for la in LocalAuthority.objects.filter(code__in=["873", "874"]):
        demo_data_delete(la=la)
        Population.objects.filter(la=la).delete()
        # The snapshots a module recomputed (and their runs and lock): later tests count them.
        Publication.objects.filter(snapshot__la=la).delete()  # protects its snapshot
        Snapshot.objects.filter(la=la).delete()
        RecomputeRun.objects.filter(la=la).delete()
        RecomputeLock.objects.filter(la=la).delete()
    Benchmark.objects.filter(la=None, scope=Benchmark.Scope.ENGLAND).delete()
    School.objects.all().delete()  # reference rows: only the demo writes them in tests
    get_user_model().objects.filter(username__in=[u.username for u in DEMO_USERS]).delete()
