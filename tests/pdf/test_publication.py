"""Publish a month, then let the figures move: the board's PDF must not (issue 9).

The whole path from records: children and episodes, a recompute, commentary, publish
(as a committee lead, through the page's form), download; then a new child enters care,
a recompute writes a new version, and the page says "figures changed since publication"
while the published PDF stays byte for byte what the board received.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from organisations.models import AuditEvent, LocalAuthority
from scorecards.models import Publication, RenderedPdf, Snapshot
from scorecards.publication import (
    ERROR_FIGURES_MOVED,
    ERROR_MONTH_TO_DATE,
    PublishRefused,
    commentary_save,
    scorecard_publish,
)
from scorecards.services import VERSIONS_KEPT, snapshots_recompute
from tests.indicators.builders import LATER, child_make, episode_make
from tests.pages.conftest import page_text, segments
from tests.pdf.conftest import pdf_text, user_make

MARCH = dt.date(2024, 3, 1)
PAGE = "/la/873/scorecard/2024-03/"
DASHBOARD = "/la/873/dashboard/2024-03/"
PDF = "/la/873/scorecard/2024-03/scorecard.pdf"
PDF_DRAFT = "/la/873/scorecard/2024-03/scorecard-draft.pdf"
COMMENTARY_TEXT = "Three children in care at the end of March, all on full care orders."


def _content(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def _recompute(la: LocalAuthority) -> None:
    snapshots_recompute(la=la, months=[dt.date(2024, 2, 1), MARCH], today=LATER)


@pytest.fixture
def records_la(db) -> LocalAuthority:
    """Three children in care on 31 March 2024 (a hand count), one with a name and id."""
    la = LocalAuthority.objects.get(code="873")
    for n, start in enumerate(["2023-05-02", "2023-09-12", "2024-03-04"]):
        child = child_make(la, f"CHILDID{n:05d}", dob="2013-02-17")
        child.forename, child.surname = "Jessamine", f"Quillfeather{n}"
        child.save()
        episode_make(child, start, "S", "C2", "U6")
    _recompute(la)
    return la


@pytest.fixture
def lead(records_la):
    return user_make("lead", role="committee_lead", las=[records_la])


def _publish(client, la) -> None:
    version = Snapshot.objects.get(la=la, month=MARCH, is_current=True).version
    response = client.post(
        "/la/873/scorecard/2024-03/publish/", {"version": str(version), "return_to": "scorecard"}
    )
    assert response.status_code == 302 and response["Location"] == PAGE


def test_publish_then_a_recompute_that_changes_a_figure(client, records_la, lead):
    la = records_la
    client.force_login(lead)
    response = client.post(
        "/la/873/scorecard/2024-03/commentary/headline/",
        {"text": COMMENTARY_TEXT, "return_to": "scorecard"},
    )
    assert response.status_code == 302 and response["Location"] == f"{PAGE}#section-headline"
    assert "Not yet published" in page_text(client.get(PAGE).content.decode())
    _publish(client, la)
    html = client.get(PAGE).content.decode()
    panel = segments(html, "data-publication")
    assert list(panel) == ["published"] and "Published on" in panel["published"]
    published = _content(client.get(PDF))
    text = pdf_text(published)
    assert "PUBLISHED" in text and COMMENTARY_TEXT in text
    assert "Number of children in care on the last day of March 3 " in text
    publication = Publication.objects.get()
    assert publication.snapshot_version == 1 and publication.pdf.kind == "published"
    assert hashlib.sha256(published).hexdigest() == publication.pdf.sha256

    # A fourth child enters care in March; the nightly recompute writes version 2.
    late = child_make(la, "CHILDID00009", dob="2012-01-01")
    episode_make(late, "2024-03-20", "S", "C2", "U6")
    _recompute(la)
    current = Snapshot.objects.get(la=la, month=MARCH, is_current=True)
    assert current.version == 2 and current.fingerprint != publication.fingerprint

    html = client.get(PAGE).content.decode()
    assert "Figures changed since publication." in page_text(html)
    assert list(segments(html, "data-publication")) == ["changed"]
    assert "Figures changed since publication." in page_text(client.get(DASHBOARD).content.decode())
    # The board's copy is untouched, byte for byte; the draft shows the new figure.
    assert _content(client.get(PDF)) == published
    draft = pdf_text(_content(client.get(PDF_DRAFT)))
    assert "DRAFT" in draft and "changed since the scorecard was published" in draft
    assert "Number of children in care on the last day of March 4 " in draft
    assert RenderedPdf.objects.filter(kind="published").count() == 1

    # Later recomputes prune old versions, never the published one (indicators.md §1).
    for n in range(VERSIONS_KEPT + 2):
        extra = child_make(la, f"CHILDID0010{n}", dob="2012-01-01")
        episode_make(extra, "2024-03-21", "S", "C2", "U6")
        _recompute(la)
    versions = set(Snapshot.objects.filter(la=la, month=MARCH).values_list("version", flat=True))
    assert 1 in versions and 2 not in versions
    assert _content(client.get(PDF)) == published

    # Publishing again signs off the new figures; the first publication stays on record.
    _publish(client, la)
    assert Publication.objects.count() == 2
    republished = pdf_text(_content(client.get(PDF)))
    assert "PUBLISHED" in republished
    assert "Number of children in care on the last day of March 8 " in republished
    html = client.get(PAGE).content.decode()
    assert list(segments(html, "data-publication")) == ["published"]
    assert RenderedPdf.objects.get(publication=publication).sha256 == publication.pdf.sha256


def test_audit_rows_of_commentary_publish_and_download(client, records_la, lead):
    client.force_login(lead)
    client.post(
        "/la/873/scorecard/2024-03/commentary/health/",
        {"text": "Health checks are on track."},
        REMOTE_ADDR="10.0.0.7",
    )
    _publish(client, records_la)
    _content(client.get(PDF, REMOTE_ADDR="10.0.0.8"))
    events = list(AuditEvent.objects.order_by("at", "id"))
    assert [e.action for e in events] == [
        AuditEvent.Action.COMMENTARY_EDIT,
        AuditEvent.Action.PUBLISH,
        AuditEvent.Action.PDF_DOWNLOAD,
    ]
    edit, publish, download = events
    assert all(e.user == lead and e.la == records_la for e in events)
    assert edit.client_address == "10.0.0.7" and download.client_address == "10.0.0.8"
    assert edit.object_id == "873/2024-03/health"
    assert edit.detail["section"] == "health" and edit.detail["characters"] == 27
    publication = Publication.objects.get()
    assert publication.commentary == {"health": "Health checks are on track."}
    assert publish.object_id == str(publication.pk)
    assert publish.detail["snapshot_version"] == 1
    assert publish.detail["pdf_sha256"] == publication.pdf.sha256
    assert download.detail == {
        "month": "2024-03",
        "kind": "published",
        "snapshot_version": 1,
        "sha256": publication.pdf.sha256,
    }


def test_no_child_is_identified_in_the_pdf(records_la, lead):
    publication, _ = scorecard_publish(la=records_la, month=MARCH, acting_user=lead)
    from scorecards import pdf

    text = pdf_text(pdf.pdf_file_path(relative=publication.pdf.path).read_bytes())
    assert "3" in text  # the figures are there
    for secret in (
        "CHILDID",
        "Jessamine",
        "Quillfeather",
        "2013-02-17",
        "17 February 2013",
        "17/02/2013",
    ):
        assert secret not in text, secret


def test_publishing_what_is_already_published_changes_nothing(records_la, lead):
    first, new = scorecard_publish(la=records_la, month=MARCH, acting_user=lead)
    again, new_again = scorecard_publish(la=records_la, month=MARCH, acting_user=lead)
    assert new and not new_again and again == first
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PUBLISH).count() == 1


def test_commentary_edited_after_publication_offers_publish_again(client, records_la, lead):
    scorecard_publish(la=records_la, month=MARCH, acting_user=lead)
    commentary_save(
        la=records_la, month=MARCH, section="homes", text="Two moves.", acting_user=lead
    )
    client.force_login(lead)
    text = page_text(client.get(PAGE).content.decode())
    assert "The commentary has been edited since." in text
    assert "Publish the March 2024 scorecard again" in text
    assert "Download a draft with the current figures and commentary (PDF)" in text


def test_figures_that_moved_while_reading_are_not_published(client, records_la, lead):
    with pytest.raises(PublishRefused, match=ERROR_FIGURES_MOVED):
        scorecard_publish(la=records_la, month=MARCH, acting_user=lead, expected_version=7)
    client.force_login(lead)
    response = client.post("/la/873/scorecard/2024-03/publish/", {"version": "7"}, follow=True)
    assert ERROR_FIGURES_MOVED in page_text(response.content.decode())
    assert not Publication.objects.exists()


def test_the_month_to_date_cannot_be_published(records_la, lead):
    snapshots_recompute(la=records_la, months=[dt.date(2029, 12, 1)], today=dt.date(2029, 12, 10))
    with pytest.raises(PublishRefused, match=ERROR_MONTH_TO_DATE):
        scorecard_publish(la=records_la, month=dt.date(2029, 12, 1), acting_user=lead)


def test_a_recompute_with_identical_figures_is_not_a_change(client, records_la, lead):
    scorecard_publish(la=records_la, month=MARCH, acting_user=lead)
    _recompute(records_la)
    client.force_login(lead)
    html = client.get(PAGE).content.decode()
    assert list(segments(html, "data-publication")) == ["published"]
