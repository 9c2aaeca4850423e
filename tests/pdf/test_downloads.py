"""Downloads come from storage: rendered once, then read (issue 9)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scorecards.models import RenderedPdf, Target
from scorecards.publication import commentary_save, scorecard_publish
from scorecards.tasks import render_scorecard_pdf_task
from tests.pdf.conftest import MARCH, pdf_text

PDF = "/la/873/scorecard/2024-03/scorecard.pdf"


def _content(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_first_request_renders_and_stores_later_ones_read_it(la, committee_client, media_root):
    first = committee_client.get(PDF)
    assert first["Content-Disposition"] == (
        'attachment; filename="scorecard-873-2024-03-draft.pdf"'
    )
    assert first["Cache-Control"] == "private, no-store"
    content = _content(first)
    rendered = RenderedPdf.objects.get()
    assert rendered.kind == "draft" and rendered.snapshot.version == 1
    stored = media_root / rendered.path
    assert stored.read_bytes() == content
    assert rendered.path.startswith("scorecards/873/2024-03/v1-draft-")
    assert _content(committee_client.get(PDF)) == content
    assert RenderedPdf.objects.get().pk == rendered.pk  # not rendered again


def test_a_changed_input_renders_a_new_draft_and_removes_the_old(
    la, committee_lead, client_for, media_root
):
    client = client_for(committee_lead)
    before = _content(client.get(PDF))
    old = RenderedPdf.objects.get()
    commentary_save(
        la=la, month=MARCH, section="homes", text="Moves fell.", acting_user=committee_lead
    )
    after = _content(client.get(PDF))
    assert "Moves fell." in pdf_text(after) and "Moves fell." not in pdf_text(before)
    Target.objects.create(la=la, indicator="cla_count", financial_year=2023, target=700)
    assert "Target: 700 or below" in pdf_text(_content(client.get(PDF)))
    assert RenderedPdf.objects.count() == 1 and not RenderedPdf.objects.filter(pk=old.pk).exists()
    folder = media_root / "scorecards" / "873" / "2024-03"
    assert [p.name for p in folder.iterdir()] == [RenderedPdf.objects.get().path.rsplit("/")[-1]]


def test_a_published_month_serves_the_published_pdf(la, committee_lead, client_for):
    publication, _ = scorecard_publish(la=la, month=MARCH, acting_user=committee_lead)
    response = client_for(committee_lead).get(PDF)
    assert response["Content-Disposition"].endswith('-published.pdf"')
    assert response["X-Content-SHA256"] == publication.pdf.sha256


def test_a_missing_file_is_rendered_again_for_a_draft(la, committee_client, media_root):
    _content(committee_client.get(PDF))
    (media_root / RenderedPdf.objects.get().path).unlink()
    assert _content(committee_client.get(PDF)).startswith(b"%PDF-")


def test_the_command_writes_the_same_pdf(la, committee_client, tmp_path):
    out = tmp_path / "scorecard.pdf"
    stderr = io.StringIO()
    call_command(
        "render_scorecard", "--la", "873", "--month", "2024-03", "-o", str(out), stderr=stderr
    )
    assert out.read_bytes() == _content(committee_client.get(PDF))
    assert "873 2024-03 draft scorecard" in stderr.getvalue()
    assert RenderedPdf.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--la", "999", "--month", "2024-03"], "no local authority"),
        (["--la", "873", "--month", "2019-03"], "no figures for 2019-03"),
        (["--la", "873", "--month", "March"], "month must be YYYY-MM"),
    ],
)
def test_the_command_refuses_what_it_cannot_do(la, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("render_scorecard", *args, "-o", str(tmp_path / "x.pdf"))


def test_the_task_renders_the_latest_month_once(la):
    first = render_scorecard_pdf_task.delay(la.pk, MARCH.isoformat()).get()
    again = render_scorecard_pdf_task.delay(la.pk, MARCH.isoformat()).get()
    assert first == again == RenderedPdf.objects.get().sha256


def test_a_recompute_task_renders_the_latest_months_draft(db):
    """After the recompute an import asks for, the latest month's draft is in storage."""
    import time_machine

    from organisations.models import LocalAuthority
    from scorecards.tasks import recompute_snapshots_task
    from tests.indicators.builders import child_make, episode_make

    la = LocalAuthority.objects.get(code="873")
    episode_make(child_make(la, "T0001"), "2024-01-10", "S", "C2", "U6")
    with time_machine.travel("2024-04-03 12:00 +00:00", tick=False):
        assert recompute_snapshots_task.delay(la.pk, "2024-02-01").get() == "done"
    rendered = RenderedPdf.objects.select_related("snapshot").get()
    assert rendered.kind == "draft"
    assert (rendered.snapshot.month, rendered.snapshot.is_current) == (dt.date(2024, 4, 1), True)
