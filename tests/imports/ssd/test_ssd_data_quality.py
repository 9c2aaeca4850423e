"""The data quality page: children with no team, placements with unknown postcodes,
warnings by kind with their indicators, and each feed's as-at date with a stale mark."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from children.models import Child, Episode
from children.services import care_histories_derive
from imports.data_quality import authority_quality
from organisations.roles import ADMIN, TEAM_MANAGER
from tests.access_helpers import roles_give
from tests.imports.ssd.conftest import issues_text, ssd_import


@pytest.fixture
def imported(la, example_folder):
    (example_folder / "ssd_legal_status.csv").unlink()  # a warning by kind
    batch = ssd_import(la, example_folder, as_at=date(2025, 3, 31))
    assert batch.status == "done", issues_text(batch)
    # A girl in care with no allocation and an unknown placement postcode.
    child = Child.objects.create(la=la, child_id="C2001", sex="F", dob=date(2012, 1, 1))
    Episode.objects.create(la=la, child=child, decom=date(2024, 6, 1), rne="S", ls="C2",
                           place="U4", pl_post="ZZ9 9ZZ", collection_year=2025)  # fmt: skip
    care_histories_derive(la=la)
    return la


def test_the_summary_of_an_authority(imported, settings):
    settings.FEED_STALE_AFTER_DAYS = 45

    quality = authority_quality(la=imported, on=date(2025, 4, 30))

    assert (quality.children_in_scope, quality.without_team) == (3, ["C2001"])
    assert (quality.placements_unknown_now, quality.placements_unknown_all) == (1, 1)
    warnings = {w.kind: w for w in quality.warnings}
    assert warnings["no_legal_status"].count == 2
    assert "long_term_stability" in warnings["no_legal_status"].indicators
    feeds = {f.table: f for f in quality.feeds}
    assert feeds["ssd_cla_visits"].as_at == date(2025, 3, 31)
    assert (feeds["ssd_cla_visits"].age_days, feeds["ssd_cla_visits"].stale) == (30, False)

    later = authority_quality(la=imported, on=date(2025, 5, 16))
    assert all(f.stale for f in later.feeds)  # 46 days old


def test_a_partial_feed_refreshes_only_its_own_as_at_date(imported):
    files = {"visits.csv": "clav_cla_visit_id,clav_person_id,clav_cla_visit_date,"
             "clav_cla_visit_seen\nV9,C1001,2025-04-20,Y\n"}  # fmt: skip
    ssd_import(imported, files=files, as_at=date(2025, 4, 28))

    feeds = {f.table: f.as_at for f in authority_quality(la=imported, on=date(2025, 5, 1)).feeds}

    assert feeds["ssd_cla_visits"] == date(2025, 4, 28)
    assert feeds["ssd_cla_health"] == date(2025, 3, 31)


def _user(name, role, la):
    user = User.objects.create_user(name, password="x")
    roles_give(user, la, role)
    return user


def test_admins_see_the_page_of_their_authorities(client, imported, other_la):
    admin = _user("admin", ADMIN, imported)
    client.force_login(admin)

    response = client.get(reverse("imports:data_quality"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "873 Cambridgeshire" in page and "Peterborough" not in page
    assert "C2001" in page and "no_legal_status" in page
    stale = (timezone.localdate() - date(2025, 3, 31)).days > 45
    assert ("Stale" in page) == stale


def test_others_may_not_see_it(client, imported):
    client.force_login(_user("manager", TEAM_MANAGER, imported))
    assert client.get(reverse("imports:data_quality")).status_code == 403
    client.logout()
    response = client.get(reverse("imports:data_quality"))
    assert response.status_code in (302, 403)


def test_a_fresh_feed_is_not_stale(imported, settings):
    today = timezone.localdate()
    ssd_import(imported, files={"visits.csv": "clav_cla_visit_id,clav_person_id,"
               "clav_cla_visit_date,clav_cla_visit_seen\nV9,C1001,2025-04-20,Y\n"},
               as_at=today - timedelta(days=3))  # fmt: skip
    feeds = {f.table: f for f in authority_quality(la=imported, on=today).feeds}
    assert not feeds["ssd_cla_visits"].stale
