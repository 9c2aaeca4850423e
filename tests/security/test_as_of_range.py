"""``?as_of=`` outside the range is a 400 with a message, on the pages and the API alike
(issue #21 item 8: ``?as_of=0001-01-02`` was a server error on the team page, and the API
worked out lists "as of" year 1).

The range: 1 January 2000 (``reviews.as_of.AS_OF_EARLIEST``) to today; a later day reads as
today, as before.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews.as_of import AS_OF_EARLIEST
from tests.security.conftest import ADMIN_ROLE, MANAGER

pytestmark = pytest.mark.django_db
TOO_EARLY = ("0001-01-01", "0001-01-02", "1999-12-31")
MESSAGE = "The date to show the lists as of must be between 1 January 2000 and today"


def _pages(cast) -> list[str]:
    team = reverse("worklists:team", kwargs={"code": "873"})
    export = reverse(
        "worklists:export", kwargs={"code": "873", "kind": "visits_overdue", "fmt": "csv"}
    )
    child = reverse("children:detail", kwargs={"pk": cast.child_own.pk})
    return [team, export, child]


@pytest.mark.parametrize("day", TOO_EARLY)
@pytest.mark.parametrize("role", [ADMIN_ROLE, MANAGER])
def test_a_day_before_2000_is_a_400_with_a_message_on_every_page(client, cast, day, role):
    client.force_login(cast.users[role])
    for url in _pages(cast):
        response = client.get(url, {"as_of": day})
        assert response.status_code == 400, url
        text = response.content.decode()
        assert MESSAGE in text and "There is a problem with the request" in text


@pytest.mark.parametrize("day", TOO_EARLY)
def test_a_day_before_2000_is_a_400_naming_the_field_in_the_api(client, cast, day):
    client.force_login(cast.users[ADMIN_ROLE])
    lists = "/api/authorities/873/worklists/"
    for url in (lists, lists + "visits_overdue/"):
        response = client.get(url, {"as_of": day})
        assert response.status_code == 400, url
        assert response.json()["as_of"][0].startswith(MESSAGE)


def test_the_first_day_of_the_range_is_read(client, cast):
    assert AS_OF_EARLIEST.isoformat() == "2000-01-01"
    client.force_login(cast.users[ADMIN_ROLE])
    for url in _pages(cast):
        assert client.get(url, {"as_of": "2000-01-01"}).status_code == 200, url
    api = client.get("/api/authorities/873/worklists/", {"as_of": "2000-01-01"})
    assert api.status_code == 200 and api.json()["as_of"] == "2000-01-01"


def test_a_later_day_still_reads_as_today(client, cast):
    client.force_login(cast.users[ADMIN_ROLE])
    response = client.get("/api/authorities/873/worklists/", {"as_of": "9999-12-31"})
    assert response.status_code == 200
