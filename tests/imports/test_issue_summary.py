"""Warnings summarised per rule (batch page, API) and per indicator (data quality page).

Every warning is counted, not only the ``IMPORT_MAX_ISSUES_REPORTED`` kept row by row: with
a limit of 2, five care leavers with ACCOM ``01`` are five warnings of rule 133 on OC3's
ACCOM, first rows 2–6, and five warnings against each indicator ACCOM feeds.
"""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from imports.data_quality import authority_quality
from imports.issue_summary import batch_rules
from organisations.roles import ADMIN
from tests.access_helpers import roles_give
from tests.imports.conftest import import_903

CHILDREN = [f"K{n}" for n in range(1, 6)]
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n" + "".join(
    f"{c},M,15/03/2006,WBRI,UN2,,\n" for c in CHILDREN
)
OC3 = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n" + "".join(f"{c},15/03/2006,YES,F1,01\n" for c in CHILDREN)
MESSAGE = "ACCOM '01' is not a valid code (expected one of 0, B1, B2"


@pytest.fixture
def batch(la, settings):
    settings.IMPORT_MAX_ISSUES_REPORTED = 2
    batch = import_903(la, {"Header.csv": HEADER, "OC3.csv": OC3})
    assert batch.status == "done" and batch.warning_count == 5
    assert batch.issues.count() == 2  # only two kept row by row
    return batch


@pytest.fixture
def admin_client(client, la):
    user = User.objects.create_user("admin", password="x")
    roles_give(user, la, ADMIN)
    client.force_login(user)
    return client


def test_every_warning_is_counted_per_rule_with_its_first_rows(batch):
    (rule,) = batch_rules(batch=batch)

    assert (rule.severity, rule.rule_code, rule.table, rule.column, rule.count) == (
        "warning", "133", "OC3", "ACCOM", 5,
    )  # fmt: skip
    assert rule.rows == [2, 3, 4, 5, 6]
    assert rule.message.startswith(MESSAGE) and rule.message.endswith("stored as unknown.")
    assert "cl_19_21_unsuitable_accommodation" in rule.indicators


def test_the_batch_page_shows_the_rules_before_the_row_by_row_list(batch, admin_client):
    html = admin_client.get(reverse("imports:batch", args=[batch.pk])).content.decode()

    summary = html.index("Warnings by rule (every warning counted)")
    assert summary < html.index("Errors and warnings (the first 2 are listed; 3 more")
    row = unescape(html[summary : html.index("</table>", summary)])
    assert '<th scope="row" class="govuk-table__header">133</th>' in row
    assert "OC3 · ACCOM" in row and MESSAGE in row
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">5</td>' in row
    assert "2, 3, 4, 5, 6" in row


def test_the_api_batch_resource_carries_the_same_summary(batch, admin_client):
    body = admin_client.get(f"/api/imports/{batch.pk}/").json()

    (rule,) = body["issues_by_rule"]
    assert (rule["rule_code"], rule["column"], rule["count"], rule["rows"]) == (
        "133", "ACCOM", 5, [2, 3, 4, 5, 6],
    )  # fmt: skip
    assert body["warnings_by_indicator"]["cl_19_21_unsuitable_accommodation"] == 5


def test_the_data_quality_page_counts_them_per_indicator_they_may_affect(batch, la, admin_client):
    quality = authority_quality(la=la, on=date(2025, 4, 30))

    affected = {w.indicator: (w.count, w.rules) for w in quality.indicators_warned}
    assert affected == {
        "cl_19_21_unsuitable_accommodation": (5, [("133", 5)]),
        "cl_birthday_cohort": (5, [("133", 5)]),
    }
    html = admin_client.get(reverse("imports:data_quality")).content.decode()
    table = html[html.index("Warnings per indicator they may affect") :]
    assert "19–21 year old care leavers in unsuitable accommodation" in table
    assert "133 (5)" in table
