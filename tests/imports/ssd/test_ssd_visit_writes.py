"""How SSD visits are written (issue 6): the checks that replace database foreign keys, and
the PostgreSQL date-range replacement (``imports.formats.ssd.replace``) against
``table_upsert``."""

from __future__ import annotations

from datetime import date

from django.db import connection

import imports.formats.ssd.write as ssd_write
from children.models import Child
from health.models import HealthAssessment
from imports.models import ImportBatch
from reviews.models import StatutoryVisit
from tests.imports.ssd.conftest import issues_text, ssd_import

DONE = ImportBatch.Status.DONE
VISITS_HEADER = (
    "clav_cla_visit_id,clav_cla_id,clav_person_id,clav_cla_visit_date,"
    "clav_cla_visit_seen,clav_cla_visit_seen_alone\n"
)


def test_a_visit_for_a_child_only_another_authority_holds_is_an_error(la, other_la,
                                                                      example_folder):  # fmt: skip
    ssd_import(other_la, example_folder)
    files = {"visits.csv": VISITS_HEADER + "V9,P501,C1001,2025-03-01,Y,N\n"}

    batch = ssd_import(la, files=files)

    assert batch.status == ImportBatch.Status.REJECTED
    issue = batch.issues.get()
    assert (issue.kind, issue.row_number, issue.value) == ("unknown_child", 2, "C1001")
    assert not StatutoryVisit.objects.filter(la=la).exists()


def test_visits_have_no_database_foreign_keys_and_go_with_their_child(la, example_folder):
    ssd_import(la, example_folder)
    constraints = connection.introspection.get_constraints(
        connection.cursor(), StatutoryVisit._meta.db_table
    )
    child = Child.objects.get(la=la, child_id="C1001")

    child.delete()

    assert not [name for name, c in constraints.items() if c["foreign_key"]]
    assert not StatutoryVisit.objects.filter(child_id=child.pk).exists()
    assert not StatutoryVisit.objects.filter(la=la).exists()


def test_a_moved_visit_dates_its_change_from_its_old_date(la, example_folder):
    ssd_import(la, example_folder)
    files = {"visits.csv": VISITS_HEADER + "V2,P501,C1001,2024-03-05,Y,Y\n"}

    batch = ssd_import(la, files=files)

    assert batch.status == DONE, issues_text(batch)
    assert batch.counts["ssd_cla_visits"] == {
        "read": 1, "inserted": 0, "updated": 1, "unchanged": 0, "removed": 0,
    }  # fmt: skip
    assert StatutoryVisit.objects.get(visit_id="V2").visit_date == date(2024, 3, 5)
    assert batch.earliest_changed_date == date(2024, 2, 20)


def test_the_date_range_replacement_matches_table_upsert(la, other_la, example_folder,
                                                         monkeypatch):  # fmt: skip
    """On PostgreSQL a later visits or health file goes through ``event_replace``; it must
    leave the same rows, counts and earliest date as ``table_upsert`` (used on SQLite)."""
    week = {
        "visits_week.csv": VISITS_HEADER + "V2,P501,C1001,2024-02-20,Y,N\n"
        "V5,P501,C1001,2024-03-01,Y,Y\nV6,P501,C1001,2024-04-30,N,\n",
        "health_week.csv": "clah_health_check_id,clah_person_id,clah_health_check_type,"
        "clah_health_check_date,clah_health_check_status\n"
        "H9,C1001,Dental Check,2024-06-01,COMPLETE\n",
    }

    def rows(authority):
        visits = StatutoryVisit.objects.filter(la=authority).values_list(
            "visit_id", "child__child_id", "visit_date", "seen", "seen_alone", "ssd_cla_id"
        )
        checks = HealthAssessment.objects.filter(la=authority).values_list(
            "check_id", "child__child_id", "kind", "check_date", "status", "recorded_type"
        )
        return sorted(visits), sorted(checks)

    ssd_import(other_la, example_folder)
    ssd_import(la, example_folder)
    replaced = ssd_import(la, files=week)
    monkeypatch.setattr(ssd_write, "replace_applies", lambda spec: False)
    upserted = ssd_import(other_la, files=week)

    assert (replaced.status, upserted.status) == (DONE, DONE), issues_text(replaced)
    assert rows(la) == rows(other_la)
    assert replaced.counts == upserted.counts
    assert replaced.counts["ssd_cla_visits"]["removed"] == 1
    assert replaced.earliest_changed_date == upserted.earliest_changed_date
