"""``recompute_snapshots`` and ``export_snapshot`` management commands."""

from __future__ import annotations

import json
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from scorecards.models import RecomputeRun, Snapshot
from tests.indicators.builders import child_make, episode_make, la_get, review_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def la():
    authority = la_get()
    child = child_make(authority, "ZQ90817", dob="2012-06-14")
    episode_make(child, "2023-05-02", "S", "C2", "U4")
    review_make(child, "2023-05-30")
    return authority


def test_recompute_snapshots_for_a_range_of_months(la):
    out = StringIO()

    call_command(
        "recompute_snapshots", "--la", "873", "--from", "2023-04", "--to", "2024-03", stdout=out
    )

    assert Snapshot.objects.filter(la=la, is_current=True).count() == 12
    assert "12 months 2023-04..2024-03" in out.getvalue()
    run = RecomputeRun.objects.get(la=la)
    assert (run.status, run.months_done, run.months_total) == ("done", 12, 12)


def test_recompute_snapshots_defaults_to_three_financial_years(la):
    with time_machine.travel("2024-05-10 09:00 +00:00", tick=False):
        call_command("recompute_snapshots", "--la", "873", stdout=StringIO())

    months = Snapshot.objects.filter(la=la).order_by("month").values_list("month", flat=True)
    assert months[0].isoformat() == "2022-04-01"
    assert months.last().isoformat() == "2024-05-01"


def test_recompute_snapshots_rejects_bad_arguments(la):
    with pytest.raises(CommandError, match="no local authority"):
        call_command("recompute_snapshots", "--la", "999")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("recompute_snapshots", "--la", "873", "--from", "March")
    with pytest.raises(CommandError, match="after --to"):
        call_command("recompute_snapshots", "--la", "873", "--from", "2024-03", "--to", "2024-01")


def test_export_snapshot_prints_the_json_of_section_4(la):
    call_command("recompute_snapshots", "--la", "873", "--from", "2024-02", "--to", "2024-02")
    out = StringIO()

    call_command("export_snapshot", "--la", "873", "--month", "2024-02", stdout=out)

    payload = json.loads(out.getvalue())
    assert payload["la"] == "873" and payload["month"] == "2024-02"
    assert payload["indicators"]["cla_count"] == {"at_e": {"value": 1}}
    assert payload["indicators"]["time_in_care_breakdown"]["at_e"]["breakdown"]["6-12 months"] == 1
    text = out.getvalue()
    assert "ZQ90817" not in text and "2012-06-14" not in text  # aggregates only


def test_export_snapshot_without_a_snapshot_says_what_to_do(la):
    with pytest.raises(CommandError, match="recompute_snapshots --la 873"):
        call_command("export_snapshot", "--la", "873", "--month", "2019-01")
