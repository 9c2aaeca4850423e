"""A record whose date moves later dates its change from its old date (issue 5's as-of rule:
every month from the earliest date a change touches is recomputed), whichever write path a
table takes (``table_upsert`` on PostgreSQL and SQLite)."""

from __future__ import annotations

from datetime import date

from children.models import CINAssessment
from imports.models import ImportBatch
from tests.imports.ssd.conftest import issues_text, ssd_import

ASSESSMENTS_HEADER = (
    "cina_assessment_id,cina_person_id,cina_assessment_start_date,cina_assessment_auth_date\n"
)


def test_an_assessment_authorised_later_dates_its_change_from_the_old_authorisation(
    la, example_folder
):
    ssd_import(la, example_folder)
    files = {"ssd_cin_assessments.csv": ASSESSMENTS_HEADER + "A77,C1001,2024-06-05,2024-09-20\n"}

    batch = ssd_import(la, files=files)

    assert batch.status == ImportBatch.Status.DONE, issues_text(batch)
    assert batch.counts["ssd_cin_assessments"]["updated"] == 1
    assert CINAssessment.objects.get(la=la, assessment_id="A77").authorised_date == date(
        2024, 9, 20
    )
    assert batch.earliest_changed_date == date(2024, 6, 20)


def test_an_unchanged_assessment_dates_no_change(la, example_folder):
    ssd_import(la, example_folder)
    files = {"ssd_cin_assessments.csv": ASSESSMENTS_HEADER + "A77,C1001,2024-06-05,2024-06-20\n"}

    batch = ssd_import(la, files=files)

    assert batch.status == ImportBatch.Status.DONE, issues_text(batch)
    assert batch.counts["ssd_cin_assessments"]["unchanged"] == 1
    assert batch.earliest_changed_date is None
