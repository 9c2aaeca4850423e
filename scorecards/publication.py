"""Commentary on a month's scorecard, its publication, and the PDF each reader downloads.

``roles.md``: admins and committee leads write the commentary of each section for a
month; only a committee lead publishes (signs off) a month; every reader of the
authority's aggregates downloads the PDF; superusers do all of it. Each commentary edit,
publication and PDF download leaves an access event, in the same transaction as the
write (or, for a download, before the file is returned).

A publication records the snapshot version and the commentary the board received, and
that version is then kept for ever (``indicators.md`` §1: the foreign key protects it
from ``snapshots_prune``). When a later recompute changes the month's figures, pages say
"figures changed since publication" and the published PDF stays exactly as it was.

Why publishing renders the PDF in the request rather than in a Celery task: the PDF must
show the version being recorded. A task running after the commit could meet a recompute
that had already swapped in newer figures; rendering while holding the authority's
recompute lock (``scorecards.services.recompute_lock``) guarantees the figures cannot
move between the snapshot recorded and the PDF stored. A cold render takes under three
seconds, which a sign-off can afford. Drafts are rendered by a task after each recompute
(``scorecards.tasks``) and otherwise on first request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from organisations.models import AuditEvent, LocalAuthority
from organisations.permissions import COMMENTARY, PUBLISH, user_can
from organisations.services import audit_record
from scorecards import pdf
from scorecards.commentary_guard import CommentaryIdentifiesChild
from scorecards.commentary_guard import (
    commentary_check_identifiers as commentary_identifiers_refuse,
)
from scorecards.indicators import SECTIONS
from scorecards.models import (
    Commentary,
    CommentaryRevision,
    Publication,
    RenderedPdf,
    Snapshot,
)
from scorecards.periods import month_first
from scorecards.sections import SCORECARD_SECTIONS
from scorecards.services import RecomputeBusy, recompute_lock

#: Longest commentary of one section (about a page of the PDF).
COMMENTARY_MAX_CHARS = 4000
#: How long publishing waits for a running recompute of the authority to finish.
PUBLISH_LOCK_WAIT_SECONDS = 20

ERROR_NO_FIGURES = "There are no figures for this month."
ERROR_UNKNOWN_SECTION = "There is no such section on the scorecard."
ERROR_TOO_LONG = f"Commentary must be {COMMENTARY_MAX_CHARS:,} characters or fewer."
ERROR_FIGURES_MOVED = (
    "The figures changed while you were reading them. Check the page, then publish again."
)
ERROR_MONTH_TO_DATE = (
    "The month to date cannot be published: publish it once the month has closed and its "
    "figures are recomputed to the month end."
)
ERROR_RECOMPUTE_RUNNING = (
    "The figures are being recomputed. Publish again when the recompute has finished."
)


class CommentaryRejected(ValueError):
    """The commentary cannot be saved (message for the form)."""


class PublishRefused(Exception):
    """The month cannot be published now (message for the page)."""


# --- who may do what ---------------------------------------------------------------------


@dataclass(frozen=True)
class Capabilities:
    """What a reader of an authority's scorecard may do besides reading and downloading it."""

    may_comment: bool
    may_publish: bool


def scorecard_capabilities(*, user: Any, la: LocalAuthority) -> Capabilities:
    """Commentary and publishing rights in ``la`` (``roles.md`` "Roles"), from the roles
    the user holds in that authority (``organisations.permissions``)."""
    return Capabilities(
        may_comment=user_can(user=user, capability=COMMENTARY, la=la),
        may_publish=user_can(user=user, capability=PUBLISH, la=la),
    )


# --- commentary --------------------------------------------------------------------------


def commentary_sections() -> list[tuple[str, str]]:
    """(key, title) of the sections that take commentary, in the scorecard's order."""
    return [(key, title or SECTIONS[key].title) for key, title, _ in SCORECARD_SECTIONS]


def commentary_texts(*, la: LocalAuthority, month: date) -> dict[str, str]:
    """The month's commentary as section key → text (sections without any are absent)."""
    return dict(
        Commentary.objects.filter(la=la, month=month_first(month))
        .exclude(text="")
        .values_list("section", "text")
    )


def commentary_get(*, la: LocalAuthority, month: date, section: str) -> Commentary | None:
    return Commentary.objects.filter(la=la, month=month_first(month), section=section).first()


def commentary_history(*, commentary: Commentary | None) -> list[CommentaryRevision]:
    """Every edit of a section's commentary, newest first, with who made it."""
    if commentary is None:
        return []
    return list(commentary.revisions.select_related("edited_by"))


def commentary_normalise(text: str) -> str:
    """One line-ending convention and no trailing spaces, so equal texts compare equal."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def commentary_check_identifiers(*, la: LocalAuthority, text: str) -> None:
    """Refuse commentary that identifies a child of the authority (``roles.md``); what is
    looked for, and why, is ``scorecards.commentary_guard``'s."""
    try:
        commentary_identifiers_refuse(la=la, text=text)
    except CommentaryIdentifiesChild as refused:
        raise CommentaryRejected(str(refused)) from refused


def _commentary_check_before_publishing(*, la: LocalAuthority, commentary: dict[str, str]) -> None:
    """Check each section again: a child imported after the text was written (or a text
    saved before the check knew a pattern) must not reach the board's PDF."""
    titles = dict(commentary_sections())
    for section, text in commentary.items():
        try:
            commentary_identifiers_refuse(la=la, text=text)
        except CommentaryIdentifiesChild as refused:
            raise PublishRefused(f"{titles.get(section, section)}: {refused}") from refused


def commentary_save(
    *,
    la: LocalAuthority,
    month: date,
    section: str,
    text: str,
    acting_user: Any,
    request: Any = None,
) -> tuple[Commentary | None, bool]:
    """Write a section's commentary for a month; (commentary, changed?).

    The previous text goes into the history with who changed it and when, and an access
    event is written in the same transaction. Saving the text already there changes
    nothing and writes nothing. An empty text clears the commentary (kept in history).
    """
    month = month_first(month)
    if section not in dict(commentary_sections()):
        raise CommentaryRejected(ERROR_UNKNOWN_SECTION)
    text = commentary_normalise(text)
    if len(text) > COMMENTARY_MAX_CHARS:
        raise CommentaryRejected(ERROR_TOO_LONG)
    if not Snapshot.objects.filter(la=la, month=month, is_current=True).exists():
        raise CommentaryRejected(ERROR_NO_FIGURES)
    commentary_check_identifiers(la=la, text=text)
    now = timezone.now()
    with transaction.atomic():
        commentary = (
            Commentary.objects.select_for_update()
            .filter(la=la, month=month, section=section)
            .first()
        )
        previous = commentary.text if commentary is not None else ""
        if previous == text:
            return commentary, False
        if commentary is None:
            commentary = Commentary.objects.create(
                la=la,
                month=month,
                section=section,
                text=text,
                updated_by=acting_user,
                updated_at=now,
            )
        else:
            commentary.text = text
            commentary.updated_by = acting_user
            commentary.updated_at = now
            commentary.save(update_fields=["text", "updated_by", "updated_at"])
        CommentaryRevision.objects.create(
            commentary=commentary,
            previous_text=previous,
            text=text,
            edited_by=acting_user,
            edited_at=now,
        )
        audit_record(
            user=acting_user,
            action=AuditEvent.Action.COMMENTARY_EDIT,
            la=la,
            object_type="Commentary",
            object_id=f"{la.code}/{month:%Y-%m}/{section}",
            detail={
                "month": f"{month:%Y-%m}",
                "section": section,
                "characters": len(text),
                "previous_characters": len(previous),
            },
            request=request,
        )
    return commentary, True


# --- publication -------------------------------------------------------------------------


def publication_latest(*, la: LocalAuthority, month: date) -> Publication | None:
    """The month's published scorecard (its newest publication), with who published it."""
    return (
        Publication.objects.filter(la=la, month=month_first(month))
        .select_related("published_by", "snapshot")
        .order_by("-published_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class PublicationStatus:
    """Where a month stands: never published, published as shown, or changed since."""

    publication: Publication | None
    figures_changed: bool
    commentary_changed: bool

    @property
    def is_published(self) -> bool:
        return self.publication is not None


def publication_latest_with_current(
    *, la: LocalAuthority, month: date
) -> tuple[Publication | None, str | None]:
    """The month's newest publication and the current snapshot's fingerprint, one query."""
    current = Snapshot.objects.filter(la=la, month=month_first(month), is_current=True)
    latest = (
        Publication.objects.filter(la=la, month=month_first(month))
        .select_related("published_by")
        .annotate(current_fingerprint=Subquery(current.values("fingerprint")[:1]))
        .order_by("-published_at", "-id")
        .first()
    )
    return latest, (latest.current_fingerprint if latest is not None else None)


def publication_status(
    *,
    publication: Publication | None,
    current_version: int | None,
    current_fingerprint: str | None,
    commentary: dict[str, str],
) -> PublicationStatus:
    """Compare the month's publication with its current figures and commentary.

    Reading of "figures changed since publication": the current snapshot is another
    version *and* its fingerprint (a hash of every cell) differs from the published
    one's. A recompute that writes a new version with identical cells (a new import
    batch, the same figures) is not a change: the board's figures are still right.
    """
    if publication is None:
        return PublicationStatus(None, figures_changed=False, commentary_changed=False)
    figures_changed = current_fingerprint is None or (
        current_version != publication.snapshot_version
        and current_fingerprint != publication.fingerprint
    )
    return PublicationStatus(
        publication,
        figures_changed=figures_changed,
        commentary_changed=commentary != publication.commentary,
    )


def scorecard_publish(
    *,
    la: LocalAuthority,
    month: date,
    acting_user: Any,
    expected_version: int | None = None,
    request: Any = None,
) -> tuple[Publication, bool]:
    """Publish the month's current figures and commentary; (publication, new?).

    ``expected_version`` is the snapshot version the publisher was reading: if the
    figures moved since, nothing is published (``ERROR_FIGURES_MOVED``). Publishing what
    is already published (same version, same commentary) changes nothing. The PDF is
    rendered under the authority's recompute lock and stored with the publication, in
    one transaction with its access event.
    """
    month = month_first(month)
    try:
        with recompute_lock(la=la, wait_seconds=PUBLISH_LOCK_WAIT_SECONDS):
            snapshot = Snapshot.objects.filter(la=la, month=month, is_current=True).first()
            if snapshot is None:
                raise PublishRefused(ERROR_NO_FIGURES)
            if snapshot.month_to_date:
                raise PublishRefused(ERROR_MONTH_TO_DATE)
            if expected_version is not None and snapshot.version != expected_version:
                raise PublishRefused(ERROR_FIGURES_MOVED)
            commentary = commentary_texts(la=la, month=month)
            _commentary_check_before_publishing(la=la, commentary=commentary)
            latest = publication_latest(la=la, month=month)
            if (
                latest is not None
                and latest.snapshot_id == snapshot.pk
                and latest.commentary == commentary
                and RenderedPdf.objects.filter(publication=latest).exists()
            ):
                return latest, False
            published_at = timezone.now()
            page = pdf.scorecard_page_for_pdf(la=la, snapshot=snapshot, commentary=commentary)
            status = pdf.pdf_status_published(
                published_at=published_at,
                published_by_name=pdf.user_display_name(acting_user),
            )
            output = pdf.scorecard_pdf_render(page=page, status=status)
            with transaction.atomic():
                publication = Publication.objects.create(
                    la=la,
                    month=month,
                    snapshot=snapshot,
                    snapshot_version=snapshot.version,
                    fingerprint=snapshot.fingerprint,
                    published_by=acting_user,
                    published_at=published_at,
                    commentary=commentary,
                )
                rendered = pdf.scorecard_pdf_published_store(publication=publication, output=output)
                audit_record(
                    user=acting_user,
                    action=AuditEvent.Action.PUBLISH,
                    la=la,
                    object_type="Publication",
                    object_id=str(publication.pk),
                    detail={
                        "month": f"{month:%Y-%m}",
                        "snapshot_version": snapshot.version,
                        "sections_with_commentary": sorted(commentary),
                        "pdf_sha256": rendered.sha256,
                    },
                    request=request,
                )
    except RecomputeBusy as exc:
        raise PublishRefused(ERROR_RECOMPUTE_RUNNING) from exc
    return publication, True


# --- the PDF a reader downloads ----------------------------------------------------------

PDF_PUBLISHED = "published"
PDF_DRAFT = "draft"


@dataclass(frozen=True)
class PdfChoice:
    rendered: RenderedPdf
    kind: str
    filename: str


def scorecard_pdf_draft_for_month(
    *, la: LocalAuthority, month: date, wait_seconds: float | None = None
) -> RenderedPdf | None:
    """The current figures' draft PDF of a month, rendered now if not stored yet.

    ``None`` when the month has no figures. Used by the download, the task that runs
    after each recompute and ``render_scorecard`` (those two wait as long as a render
    can take). ``pdf.PdfBeingPrepared`` when another process is still rendering the month
    after ``wait_seconds`` (default ``pdf.RENDER_WAIT_SECONDS``).
    """
    month = month_first(month)
    snapshot = Snapshot.objects.filter(la=la, month=month, is_current=True).first()
    if snapshot is None:
        return None
    commentary = commentary_texts(la=la, month=month)
    latest = publication_latest(la=la, month=month)
    status = publication_status(
        publication=latest,
        current_version=snapshot.version,
        current_fingerprint=snapshot.fingerprint,
        commentary=commentary,
    )
    return pdf.scorecard_pdf_draft_ensure(
        la=la,
        snapshot=snapshot,
        commentary=commentary,
        publication=latest,
        figures_changed=status.figures_changed,
        wait_seconds=wait_seconds,
    )


def scorecard_pdf_choose(
    *, la: LocalAuthority, month: date, kind: str, wait_seconds: float | None = None
) -> PdfChoice | None:
    """The PDF to send: the month's published PDF, or the draft of its current figures.

    ``kind="published"`` falls back to the draft while the month is unpublished, so one
    link always gives the board's copy when there is one. ``None`` without figures;
    ``pdf.PdfBeingPrepared`` while another process is still rendering the draft.
    """
    month = month_first(month)
    if kind == PDF_PUBLISHED:
        latest = publication_latest(la=la, month=month)
        rendered = (
            RenderedPdf.objects.filter(publication=latest).select_related("snapshot").first()
            if latest is not None
            else None
        )
        if rendered is not None:
            return PdfChoice(
                rendered,
                PDF_PUBLISHED,
                pdf.pdf_filename(la=la, month=month, kind=PDF_PUBLISHED),
            )
    rendered = scorecard_pdf_draft_for_month(la=la, month=month, wait_seconds=wait_seconds)
    if rendered is None:
        return None
    return PdfChoice(rendered, PDF_DRAFT, pdf.pdf_filename(la=la, month=month, kind=PDF_DRAFT))


def scorecard_pdf_download_record(
    *, la: LocalAuthority, month: date, choice: PdfChoice, acting_user: Any, request: Any = None
) -> AuditEvent:
    """The access event of a PDF download (written before the file is sent)."""
    rendered = choice.rendered
    return audit_record(
        user=acting_user,
        action=AuditEvent.Action.PDF_DOWNLOAD,
        la=la,
        object_type="RenderedPdf",
        object_id=str(rendered.pk),
        detail={
            "month": f"{month_first(month):%Y-%m}",
            "kind": choice.kind,
            "snapshot_version": rendered.snapshot.version,
            "sha256": rendered.sha256,
        },
        request=request,
    )
