"""The demo generator: distributions for a fixed seed, determinism, users, names, snapshots.

One generation at a quarter of the real size (as if today were 31 March 2024) is shared
by the module; each test reads it. The ranges are the ones the generator promises
(``organisations/demo/profiles.py``) with room for the noise of a small sample.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from children.models import (
    CareLeaverObservation,
    Child,
    CINEpisode,
    Episode,
    ExploitationRisk,
    MissingEpisode,
    OC3Outcome,
    PeriodOfCare,
    PersonalEducationPlan,
    School,
    SchoolPlacement,
    SupervisionRecord,
    UASCRecord,
)
from health.models import HealthAssessment
from organisations.demo.generator import DemoDates, LAGenerator
from organisations.demo.names import FORENAMES, SURNAMES
from organisations.demo.postcodes import demo_postcode_directory
from organisations.demo.profiles import PROFILES
from organisations.demo.users import DEMO_USERS
from organisations.models import (
    Allocation,
    LocalAuthority,
    Membership,
    StaffEstablishment,
    Team,
    Worker,
)
from organisations.roles import ADMIN, COMMITTEE_LEAD, TEAM_MANAGER
from placements.models import AdoptionRecord, Placement, PlacementDecision
from reviews.models import Review, StatutoryVisit
from reviews.scheduling.visits import PlacementSpan, visit_schedule
from scorecards.periods import add_months
from tests.demo.cleanup import demo_cleanup

SEED = 7
SCALE = 0.25
TODAY = date(2024, 3, 31)
DATES = DemoDates.for_today(TODAY)


def _run(*extra: str) -> str:
    out = StringIO()
    call_command(
        "make_demo_data",
        "--seed", str(SEED), "--scale", str(SCALE), "--today", TODAY.isoformat(),
        "--no-snapshots", *extra, stdout=out,
    )  # fmt: skip
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Generate once for the module; remove everything afterwards (groups it created too)."""
    from django.contrib.auth.models import Group

    with django_db_blocker.unblock():
        groups_before = set(Group.objects.values_list("name", flat=True))
        demo_cleanup()
        output = _run()
        yield output
        demo_cleanup()
        Group.objects.exclude(name__in=groups_before).delete()


@pytest.fixture
def las(demo, db):
    return {la.code: la for la in LocalAuthority.objects.filter(code__in=["873", "874"])}


def _looked_after_on(la, day: date) -> set[int]:
    return {
        child_id
        for child_id, start, end in PeriodOfCare.objects.filter(
            la=la, is_short_break=False
        ).values_list("child_id", "start_date", "end_date")
        if start <= day and (end is None or end > day)
    }


def _episode_tuples(la) -> list[tuple]:
    return list(
        Episode.objects.filter(la=la)
        .order_by("child__child_id", "decom")
        .values_list(
            "child__child_id", "decom", "rne", "ls", "cin", "place", "place_provider", "dec",
            "rec", "reason_place_change", "home_post", "pl_post", "urn",
        )
    )  # fmt: skip


def test_looked_after_count_near_the_scaled_targets(las):
    for code, la in las.items():
        target = PROFILES[code].target_stock * SCALE
        n = len(_looked_after_on(la, TODAY))
        assert 0.8 * target <= n <= 1.2 * target, (code, n, target)


def test_looked_after_stock_is_steady_across_the_records(las):
    """No build-up or drain: the number in care each 1 April stays within 20% of the level."""
    target = sum(p.target_stock for p in PROFILES.values()) * SCALE
    for year in range(DATES.records_start.year, TODAY.year):
        n = sum(len(_looked_after_on(la, date(year, 4, 1))) for la in las.values())
        assert 0.8 * target <= n <= 1.2 * target, (year, n, target)


def test_uasc_share_between_5_and_15_percent(las):
    total = uasc = 0
    for la in las.values():
        cla = _looked_after_on(la, TODAY)
        total += len(cla)
        uasc += UASCRecord.objects.filter(child_id__in=cla, duc__gt=TODAY).count()
    assert 0.05 <= uasc / total <= 0.15, (uasc, total)
    # UASC are mostly boys aged 15–17 with their status ceasing at 18.
    records = UASCRecord.objects.filter(la__in=las.values()).select_related("child")
    boys = sum(1 for r in records if r.child.sex == "M")
    assert boys / len(records) > 0.8
    assert all(r.duc == add_months(r.child.dob, 18 * 12) for r in records)


def test_share_with_three_or_more_placements_in_12_months(las):
    window = add_months(TODAY, -12)
    total = three_plus = 0
    for la in las.values():
        cla = _looked_after_on(la, TODAY)
        counts: dict[int, int] = defaultdict(int)
        for child_id, start, end in Placement.objects.filter(
            child_id__in=cla, is_short_break=False
        ).values_list("child_id", "start_date", "end_date"):
            if start <= TODAY and (end is None or end > window):
                counts[child_id] += 1
        total += len(cla)
        three_plus += sum(1 for c in cla if counts[c] >= 3)
    assert 0.05 <= three_plus / total <= 0.18, (three_plus, total)


def test_starts_ceases_and_adoptions_per_month(las):
    year_ago = add_months(TODAY, -12)
    for code, la in las.items():
        periods = PeriodOfCare.objects.filter(la=la, is_short_break=False)
        started = periods.filter(start_date__gt=year_ago, start_date__lte=TODAY).count()
        ceased = periods.filter(end_date__gt=year_ago, end_date__lte=TODAY).count()
        # 873: ~20–25 a month at full size; 874 a little over half that.
        per_month = PROFILES[code].target_stock / 650 * 22 * SCALE
        assert 0.6 * per_month * 12 <= started <= 1.5 * per_month * 12, (code, started)
        assert 0.6 * per_month * 12 <= ceased <= 1.5 * per_month * 12, (code, ceased)
    adopted = PeriodOfCare.objects.filter(
        la__in=las.values(), reason_ceased__in=["E11", "E12"], end_date__gte=DATES.records_start
    )
    assert adopted.exists()
    # Every adoption has its AD1 row and a placement decision.
    for period in adopted:
        assert AdoptionRecord.objects.filter(child_id=period.child_id).exists()
        assert PlacementDecision.objects.filter(child_id=period.child_id).exists()


def test_legal_status_and_placement_mix(las):
    ls_counts: dict[str, int] = defaultdict(int)
    group_counts: dict[str, int] = defaultdict(int)
    for la in las.values():
        for ls, group, start, end in Episode.objects.filter(
            la=la, is_short_break=False
        ).values_list("ls", "placement_group", "decom", "dec"):
            if start <= TODAY and (end is None or end > TODAY):
                ls_counts[ls] += 1
                group_counts[group] += 1
    total = sum(ls_counts.values())
    assert max(ls_counts, key=ls_counts.get) == "C2"
    assert ls_counts["V2"] > 0 and ls_counts["C1"] > 0
    foster = group_counts["foster_other"] + group_counts["foster_connected_carer"]
    assert 0.55 <= foster / total <= 0.85
    # Short breaks exist but never count as care.
    assert Episode.objects.filter(la__in=las.values(), ls="V3").exists()
    assert not PeriodOfCare.objects.filter(la__in=las.values(), is_short_break=True).exists()


def test_visits_on_time_by_the_statutory_schedule(las):
    """Run the project's reg. 28 schedule over the demo visits: most on time, some late."""
    due = on_time = 0
    for la in las.values():
        visits: dict[int, list[date]] = defaultdict(list)
        for child_id, day in StatutoryVisit.objects.filter(la=la, seen=True).values_list(
            "child_id", "visit_date"
        ):
            visits[child_id].append(day)
        places: dict[int, list[tuple[date, str]]] = defaultdict(list)
        for child_id, decom, place in Episode.objects.filter(
            la=la, is_short_break=False
        ).values_list("child_id", "decom", "place"):
            places[child_id].append((decom, place))
        spans: dict[int, list[PlacementSpan]] = defaultdict(list)
        for child_id, start, end in Placement.objects.filter(
            la=la, is_short_break=False
        ).values_list("child_id", "start_date", "end_date"):
            codes = tuple(
                (d, p) for d, p in places[child_id] if start <= d and (end is None or d < end)
            )
            spans[child_id].append(PlacementSpan(start=start, end=end, places=codes))
        for child_id, child_spans in spans.items():
            for visit_due in visit_schedule(
                placements=child_spans, seen_visit_dates=visits[child_id], as_of=TODAY
            ):
                if DATES.records_start <= visit_due.due_date <= TODAY:
                    due += 1
                    on_time += visit_due.on_time
    assert due > 500
    assert 0.65 <= on_time / due <= 0.97, (on_time, due)
    assert StatutoryVisit.objects.filter(la__in=las.values(), seen=False).exists()


def test_reviews_health_and_peps(las):
    for la in las.values():
        assert Review.objects.filter(la=la, cancelled=False).count() > 100
        kinds = set(HealthAssessment.objects.filter(la=la).values_list("kind", flat=True))
        assert {"IHA", "RHA", "DENTAL"} <= kinds
        assert HealthAssessment.objects.filter(la=la, status="REFUSED").exists()
        peps = PersonalEducationPlan.objects.filter(la=la)
        assert peps.filter(status="COMPLETE").count() > 100
        assert peps.filter(status="DRAFT").exists()
        assert SchoolPlacement.objects.filter(la=la).exists()
    rated = School.objects.filter(urn__in=SchoolPlacement.objects.values("school_urn")).exclude(
        ofsted_rating=None
    )
    good = rated.filter(ofsted_rating__in=[1, 2]).count()
    assert 0.65 <= good / rated.count() <= 0.95


def test_missing_care_leavers_and_exploitation(las):
    for la in las.values():
        missing = MissingEpisode.objects.filter(la=la)
        assert (
            missing.filter(missing_type="M").exists() and missing.filter(missing_type="A").exists()
        )
        assert missing.filter(rhi_completed_date__isnull=False).exists()
        observations = CareLeaverObservation.objects.filter(la=la)
        as_at = set(observations.values_list("as_at", flat=True))
        assert TODAY in as_at and date(2023, 3, 31) in as_at  # monthly, plus today
        assert {"Eligible", "Former Relevant"} <= set(
            observations.values_list("eligibility", flat=True)
        )
        assert OC3Outcome.objects.filter(la=la).exists()
        risks = ExploitationRisk.objects.filter(la=la)
        assert {"CSE"} <= set(risks.values_list("risk_type", flat=True))
        # Some children at risk have never been looked after (and have a CIN episode).
        never_looked_after = risks.exclude(child__episodes__isnull=False)
        assert never_looked_after.exists()
        assert CINEpisode.objects.filter(child__in=never_looked_after.values("child")).exists()
    cse = ExploitationRisk.objects.filter(la__in=las.values(), risk_type="CSE").select_related(
        "child"
    )
    assert sum(1 for r in cse if r.child.sex == "F") / len(cse) > 0.6


def test_staff_allocations_and_caseloads(las):
    for code, la in las.items():
        names = set(Team.objects.filter(la=la).values_list("name", flat=True))
        assert "Children in Care Team 1" in names and "Leaving Care Team" in names
        assert StaffEstablishment.objects.filter(la=la).exists()
        assert SupervisionRecord.objects.filter(la=la).exists()
        open_sw = Allocation.objects.filter(
            la=la, role="ALLOCATED_SW", start_date__lte=TODAY
        ).exclude(end_date__lte=TODAY)
        per_worker: dict[int, int] = defaultdict(int)
        for worker_id, role in open_sw.values_list("worker_id", "worker__role"):
            if role == "cic_social_worker":
                per_worker[worker_id] += 1
        average = sum(per_worker.values()) / len(per_worker)
        assert 10 <= average <= 25, (code, average)
        cla = _looked_after_on(la, TODAY)
        allocated = set(open_sw.values_list("child_id", flat=True))
        assert len(cla - allocated) <= 0.05 * len(cla)


def test_child_ids_unique_and_names_from_the_built_in_lists(las):
    rows = list(
        Child.objects.filter(la__in=las.values()).values_list("child_id", "forename", "surname")
    )
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"87[34]C\d{6}", i) for i in ids)
    assert all(f in FORENAMES and s in SURNAMES for _, f, s in rows)
    assert all(w.split(" ")[1] in SURNAMES for w in Worker.objects.values_list("name", flat=True))


def test_placement_postcodes_are_real_and_mostly_in_county(las):
    known = demo_postcode_directory()
    for code, la in las.items():
        posts = [
            (pl_post, place)
            for pl_post, place, start, end in Episode.objects.filter(
                la=la, is_short_break=False
            ).values_list("pl_post", "place", "decom", "dec")
            if start <= TODAY and (end is None or end > TODAY)
        ]
        assert all(p in known for p, _ in posts)
        inside = sum(1 for p, _ in posts if known[p] in PROFILES[code].districts)
        assert 0.35 <= inside / len(posts) <= 0.8, (code, inside, len(posts))
        # The project's location derivation filled PL_LOCATION / PL_DISTANCE from them.
        located = Episode.objects.filter(la=la, is_short_break=False)
        assert not located.filter(pl_location="").exists()
        assert located.filter(pl_location="IN").count() == sum(
            1
            for p in located.values_list("pl_post", flat=True)
            if known[p] in PROFILES[code].districts
        )
        assert located.filter(pl_distance__gte=20).exists()


def test_demo_users_one_per_role_and_one_with_different_roles_per_authority(las):
    User = get_user_model()

    def roles(username):
        return {
            m.la.code: (sorted(m.roles), sorted(m.teams.values_list("team_id", flat=True)))
            for m in Membership.objects.filter(user__username=username).select_related("la")
        }

    admin = User.objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser
    assert roles("admin") == {"873": ([ADMIN], []), "874": ([ADMIN], [])}
    assert admin.has_perm("organisations.change_population")
    committee = User.objects.get(username="committee")
    assert not committee.is_staff
    assert roles("committee") == {"873": ([COMMITTEE_LEAD], []), "874": ([COMMITTEE_LEAD], [])}
    for username, team in (("manager", "873T10"), ("manager2", "873T11")):
        manager = User.objects.get(username=username)
        assert roles(username) == {"873": ([TEAM_MANAGER], [team])}
        assert manager.worker.memberships.filter(team__team_id=team, role="team_manager").exists()
    mixed = User.objects.get(username="mixed")
    assert mixed.is_staff and not mixed.is_superuser
    assert roles("mixed") == {"873": ([COMMITTEE_LEAD], []), "874": ([ADMIN], [])}
    assert User.objects.get(username="superuser").is_superuser
    for spec in DEMO_USERS:
        assert User.objects.get(username=spec.username).check_password(spec.password)


def test_second_run_without_force_changes_nothing(las):
    before = Episode.objects.filter(la__in=las.values()).count()
    output = _run()
    assert "already exist" in output
    assert Episode.objects.filter(la__in=las.values()).count() == before


def _generated_tuples(la, code: str, seed: int) -> list[tuple]:
    bundle = LAGenerator(
        seed=seed,
        profile=PROFILES[code],
        la=la,
        scale=SCALE,
        dates=DATES,
        la_index=list(PROFILES).index(code),
    ).generate()
    return sorted(
        (
            e.child.child_id, e.decom, e.rne, e.ls, e.cin, e.place, e.place_provider, e.dec,
            e.rec, e.reason_place_change, e.home_post, e.pl_post, e.urn,
        )
        for e in bundle.rows["episodes"]
    )  # fmt: skip


def test_same_seed_gives_identical_episodes(las):
    """Two runs with one seed: the same episodes, and exactly those the command wrote."""
    for code, la in las.items():
        first = _generated_tuples(la, code, SEED)
        second = _generated_tuples(la, code, SEED)
        assert first == second
        assert first == sorted(_episode_tuples(la))
        assert len(first) > 300
    assert _generated_tuples(las["874"], "874", SEED + 1) != second


DIGEST_SCRIPT = """
import hashlib, django
django.setup()
from datetime import date
from organisations.demo.generator import DemoDates, LAGenerator
from organisations.demo.profiles import PROFILES
from organisations.models import LocalAuthority
bundle = LAGenerator(seed=5, profile=PROFILES["874"], la=LocalAuthority(code="874"), scale=0.05,
                     dates=DemoDates.for_today(date(2024, 3, 31)), la_index=1).generate()
rows = sorted(repr((e.child.child_id, e.decom, e.rne, e.ls, e.place, e.pl_post, e.dec, e.rec))
              for e in bundle.rows["episodes"])
rows += sorted(repr((v.child.child_id, v.visit_date, v.seen)) for v in bundle.rows["visits"])
print(hashlib.sha256("\\n".join(rows).encode()).hexdigest())
"""


def test_same_seed_same_data_whatever_the_hash_seed():
    """Nothing depends on set or hash ordering: two processes, two hash seeds, one result."""
    from django.conf import settings

    digests = set()
    for hash_seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", DIGEST_SCRIPT],
            cwd=settings.BASE_DIR,
            env={**os.environ, "PYTHONHASHSEED": hash_seed,
                 "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )  # fmt: skip
        digests.add(done.stdout.strip().splitlines()[-1])
    assert len(digests) == 1


def test_force_regenerates_with_snapshots_from_april_three_years_back(las):
    """``--force`` replaces the demo data; snapshots exist for every month, no manual step."""
    from scorecards.models import Snapshot

    out = StringIO()
    call_command(
        "make_demo_data", "--seed", "3", "--scale", "0.05", "--today", "2024-03-31", "--force",
        stdout=out,
    )  # fmt: skip
    assert "snapshots 2020-04..2024-03" in out.getvalue()
    expected = set()
    d = date(2020, 4, 1)
    while d <= date(2024, 3, 1):
        expected.add(d)
        d = add_months(d, 1)
    for code, la in las.items():
        months = set(
            Snapshot.objects.filter(la=la, is_current=True).values_list("month", flat=True)
        )
        assert expected <= months, (code, sorted(expected - months)[:3])
        # The smaller run replaced the quarter-size one.
        assert len(_looked_after_on(la, TODAY)) < 0.5 * PROFILES[code].target_stock * SCALE


def test_dates_cover_four_financial_years_and_a_lead_in():
    dates = DemoDates.for_today(date(2026, 11, 23))
    assert dates.records_start == date(2022, 4, 1)
    assert dates.snapshots_from == date(2023, 4, 1)
    assert dates.casework_start < dates.records_start - timedelta(days=150)


def test_readme_documents_every_demo_user_and_password():
    from django.conf import settings

    readme = (settings.BASE_DIR / "README.md").read_text()
    section = readme.split("## Demo users", 1)[1].split("\n## ", 1)[0]
    for spec in DEMO_USERS:
        assert f"| `{spec.username}` | `{spec.password}` |" in section, spec.username
