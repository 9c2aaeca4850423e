"""Commentary per section and month: history, no-op saves, limits, no child identified."""

from __future__ import annotations

import pytest

from children.models import Child
from organisations.models import AuditEvent
from scorecards.commentary_guard import ERROR_CHILD_NAME
from scorecards.models import Commentary, CommentaryRevision
from scorecards.publication import (
    COMMENTARY_MAX_CHARS,
    ERROR_NO_FIGURES,
    ERROR_TOO_LONG,
    ERROR_UNKNOWN_SECTION,
    CommentaryRejected,
    commentary_history,
    commentary_save,
    commentary_texts,
)
from tests.pages.conftest import page_text, segments
from tests.pdf.conftest import FEBRUARY, MARCH

URL = "/la/873/scorecard/2024-03/commentary/health/"


def test_each_edit_keeps_who_when_and_the_text_it_replaced(la, committee_lead, admin_user):
    commentary_save(la=la, month=MARCH, section="health", text="First.", acting_user=admin_user)
    commentary_save(
        la=la, month=MARCH, section="health", text="Second.", acting_user=committee_lead
    )
    commentary = Commentary.objects.get()
    assert (commentary.text, commentary.updated_by) == ("Second.", committee_lead)
    history = commentary_history(commentary=commentary)
    assert [(r.previous_text, r.text, r.edited_by) for r in history] == [
        ("First.", "Second.", committee_lead),
        ("", "First.", admin_user),
    ]
    assert history[0].edited_at >= history[1].edited_at
    assert AuditEvent.objects.filter(action=AuditEvent.Action.COMMENTARY_EDIT).count() == 2


def test_saving_the_same_text_writes_nothing(la, committee_lead):
    commentary_save(la=la, month=MARCH, section="health", text="Same.", acting_user=committee_lead)
    _, changed = commentary_save(
        la=la, month=MARCH, section="health", text="Same.\r\n", acting_user=committee_lead
    )
    assert not changed
    assert CommentaryRevision.objects.count() == 1
    assert AuditEvent.objects.count() == 1


def test_commentary_belongs_to_its_month_and_section(la, committee_lead):
    commentary_save(la=la, month=MARCH, section="health", text="March.", acting_user=committee_lead)
    commentary_save(
        la=la, month=FEBRUARY, section="health", text="Feb.", acting_user=committee_lead
    )
    commentary_save(la=la, month=MARCH, section="homes", text="Homes.", acting_user=committee_lead)
    assert commentary_texts(la=la, month=MARCH) == {"health": "March.", "homes": "Homes."}


def test_an_empty_text_clears_it_and_stays_in_history(la, committee_lead):
    commentary_save(
        la=la, month=MARCH, section="health", text="Gone soon.", acting_user=committee_lead
    )
    commentary_save(la=la, month=MARCH, section="health", text="  ", acting_user=committee_lead)
    assert commentary_texts(la=la, month=MARCH) == {}
    assert CommentaryRevision.objects.first().previous_text == "Gone soon."


@pytest.mark.parametrize(
    ("section", "text", "month", "error"),
    [
        ("nowhere", "x", MARCH, ERROR_UNKNOWN_SECTION),
        ("health", "x" * (COMMENTARY_MAX_CHARS + 1), MARCH, ERROR_TOO_LONG),
        ("health", "x", MARCH.replace(year=2020), ERROR_NO_FIGURES),
    ],
)
def test_refused_commentary(la, committee_lead, section, text, month, error):
    with pytest.raises(CommentaryRejected, match=error):
        commentary_save(la=la, month=month, section=section, text=text, acting_user=committee_lead)
    assert not Commentary.objects.exists()


def test_commentary_naming_or_numbering_a_child_is_refused(la, committee_lead):
    Child.objects.create(la=la, child_id="A1234567", forename="Rowan", surname="Ashdown")
    Child.objects.create(la=la, child_id="12", forename="", surname="")
    for text in ("Placement for A1234567 broke down.", "rowan  ashdown moved home twice."):
        with pytest.raises(CommentaryRejected) as refused:
            commentary_save(
                la=la, month=MARCH, section="homes", text=text, acting_user=committee_lead
            )
        assert "must not identify a child" in str(refused.value)
    assert ERROR_CHILD_NAME.startswith("Commentary must not identify a child")
    # A forename alone, or a short id that is really a number, is fine.
    for text in ("Rowan House opened in March.", "12 children moved home."):
        commentary_save(la=la, month=MARCH, section="homes", text=text, acting_user=committee_lead)
    assert commentary_texts(la=la, month=MARCH) == {"homes": "12 children moved home."}


def test_the_form_shows_the_text_and_its_history(la, committee_client):
    committee_client.post(URL, {"text": "Dental checks are behind."})
    html = committee_client.get(URL).content.decode()
    text = page_text(html)
    assert "Commentary: Health – service standards" in text
    assert "Dental checks are behind." in html
    assert "committee: first written" in text
    assert len(segments(html, "data-revision")) == 1


def test_a_refused_text_comes_back_with_the_error(la, committee_client):
    Child.objects.create(la=la, child_id="B7654321")
    response = committee_client.post(URL, {"text": "B7654321 missed a check."})
    assert response.status_code == 400
    assert "must not identify a child" in page_text(response.content.decode())
    assert not Commentary.objects.exists()


def test_pages_show_the_commentary_and_the_link_to_change_it(la, committee_client):
    committee_client.post(URL, {"text": "Dental checks are behind.\n\nA new practice opens."})
    for page in ("scorecard", "dashboard"):
        html = committee_client.get(f"/la/873/{page}/2024-03/").content.decode()
        commentary = segments(html, "data-commentary")
        assert commentary["health"] == (
            "Commentary Dental checks are behind. A new practice opens."
        ), page
        assert commentary["homes"] == "Commentary No commentary yet."
        assert "Change the commentary : Health – service standards, March 2024" in page_text(html)
        assert "Write commentary : Homes, March 2024" in page_text(html)


def test_team_managers_read_commentary_without_links_to_change_it(
    la, committee_lead, client_for, team_manager
):
    commentary_save(
        la=la, month=MARCH, section="health", text="Behind.", acting_user=committee_lead
    )
    html = client_for(team_manager).get("/la/873/dashboard/2024-03/").content.decode()
    assert segments(html, "data-commentary")["health"] == "Commentary Behind."
    assert "Change the commentary" not in html and "Write commentary" not in html
    assert "Publish the" not in html
