"""The monthly scorecard PDF (issue 9): render with WeasyPrint, store, find again.

Why this shape:

- **One page, two outputs.** The PDF is the scorecard page's own context
  (``scorecards.sections.page_build``) laid out by the page's own section partials
  (``style.md`` rule 14), inside ``templates/scorecards/pdf/scorecard.html`` with a
  cover, contents with page numbers, and each section's commentary. So the board reads
  exactly the figures the page shows, and nothing but aggregates: the context holds no
  child's name, id, date of birth or postcode.
- **Rendered once, served many times.** A rendered PDF is a file under ``MEDIA_ROOT``
  (outside the web root, served only by the download view) with a ``RenderedPdf`` row:
  path, SHA-256, pages, time taken. A *draft* is keyed by the snapshot version and an
  inputs key, a hash of everything else the page reads (the year's other months, targets,
  benchmarks, feeds, commentary, the latest publication), so any change renders a new
  draft and an unchanged month is never rendered twice. A *published* PDF belongs to its
  publication and is never rendered again: its bytes are what the board received.
- **Fonts embedded.** WeasyPrint embeds a subset of every font it uses; ``pdf.css`` asks
  for Liberation Sans (Arial's metrics; installed by ``scripts/bootstrap.sh``) and DejaVu
  Sans for symbols, so no reader's machine substitutes a font.
- **Fast enough to render on request** (goal: under 3 s cold). A cold render of the
  23-page demo month split, before this shape: WeasyPrint's layout about 60%, drawing
  about 30% (nearly half of it the charts' SVG text), HTML parsing 7%, our page build and
  template 2%; parsing GOV.UK Frontend's 130 KB stylesheet took another 0.3 s once per
  process. So: the parsed stylesheets are kept per process, GOV.UK's part is the dozen
  rules the PDF uses (``pdf-govuk.css``), and SVG text is drawn a run at a time
  (``_svg_text_by_runs``). Nothing is fetched from the network (``_url_fetcher``).
- **One render of a month at a time.** A recompute makes new snapshot versions, after
  which every reader of the month would find no stored draft and render it at once (each
  a WeasyPrint run holding the GIL of its web process). ``pdf_render_single_flight``
  lets one process render a month while the others wait for its file, sleeping.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from imports.models import FeedStatus
from organisations.models import LocalAuthority
from scorecards.models import Benchmark, Publication, RenderedPdf, Snapshot, Target
from scorecards.periods import add_months
from scorecards.sections import PAGE_SCORECARD, PageContext, page_build
from scorecards.sentences import long_date

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/pdf"
#: Bump when the PDF's layout changes, so every stored draft is rendered afresh.
#: Published PDFs are never re-rendered whatever this says. (3: secondary suppression.)
PDF_LAYOUT_VERSION = "3"
#: The GOV.UK rules the PDF uses, the page's own stylesheets in the page's order, then the
#: PDF's. (``pdf-govuk.css`` stands in for GOV.UK Frontend's whole stylesheet, whose
#: selectors WeasyPrint would match against every element of a 23-page document.)
STYLESHEETS = (
    "css/pdf-govuk.css",
    "css/app.css",
    "css/pages.css",
    "css/print.css",
    "css/pdf.css",
)
#: Folder under ``MEDIA_ROOT`` holding the PDFs, one sub-folder per authority and month.
STORAGE_FOLDER = "scorecards"
#: A draft file without a row is an orphan once it is older than this (a render in
#: progress writes its file a moment before its row).
ORPHAN_AFTER_SECONDS = 600

#: How long a download waits for another process's render of the same month (then the
#: reader gets the "being prepared" page, which asks again).
RENDER_WAIT_SECONDS = 20
#: A render lock outlives a crashed holder by no more than this (a render takes seconds;
#: the Celery task's hard limit is 180 s).
RENDER_LOCK_SECONDS = 180
#: How often a waiting download looks for the file another process is rendering.
RENDER_POLL_SECONDS = 0.25

STATUS_DRAFT = RenderedPdf.Kind.DRAFT.value
STATUS_PUBLISHED = RenderedPdf.Kind.PUBLISHED.value


@dataclass(frozen=True)
class PdfStatus:
    """What the cover and the running head say about the PDF's standing."""

    kind: str
    label: str
    text: str
    no_commentary_text: str


def pdf_status_published(*, published_at: datetime, published_by_name: str) -> PdfStatus:
    """The status of a publication's PDF: signed off, by whom and when."""
    day = long_date(timezone.localtime(published_at).date())
    by = f" by {published_by_name}" if published_by_name else ""
    return PdfStatus(
        kind=STATUS_PUBLISHED,
        label="Published",
        text=f"Published{by} on {day}.",
        no_commentary_text="No commentary.",
    )


def pdf_status_draft(*, publication: Publication | None, figures_changed: bool) -> PdfStatus:
    """A draft of the current figures; says so when a published version exists."""
    if publication is None:
        text = "Not yet published: figures and commentary may change."
    else:
        day = long_date(timezone.localtime(publication.published_at).date())
        if figures_changed:
            text = (
                f"Current figures, which have changed since the scorecard was published "
                f"on {day}. The published scorecard is unchanged."
            )
        else:
            text = f"Current figures and commentary; the scorecard was published on {day}."
    return PdfStatus(
        kind=STATUS_DRAFT, label="Draft", text=text, no_commentary_text="No commentary yet."
    )


def user_display_name(user) -> str:
    """A staff member's name as the cover prints it (full name, else username)."""
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username()).strip()


# --- rendering ---------------------------------------------------------------------------


@functools.cache
def _stylesheets() -> tuple:
    """The parsed stylesheets, once per process: parsing GOV.UK Frontend's CSS is most of
    a small document's render time, and the files only change with a deploy."""
    from weasyprint import CSS

    sheets = []
    # WeasyPrint warns about every rule it does not support (GOV.UK Frontend's
    # min-width media queries, box-shadow…); pdf.css lays out what matters instead, so
    # those warnings would only bury real ones in the logs.
    weasy_logger = logging.getLogger("weasyprint")
    level = weasy_logger.level
    weasy_logger.setLevel(logging.ERROR)
    try:
        for name in STYLESHEETS:
            path = finders.find(name)
            if path is None:
                raise FileNotFoundError(f"static file {name} not found")
            sheets.append(CSS(filename=path))
    finally:
        weasy_logger.setLevel(level)
    return tuple(sheets)


def scorecard_page_for_pdf(
    *, la: LocalAuthority, snapshot: Snapshot, commentary: dict[str, str]
) -> PageContext:
    """The scorecard page's context with ``commentary`` (section key → text) in its sections.

    Each figure's definition is left out: the board's copy follows the seeds, which
    print the figures, charts and commentary; the section's notes stay.
    """
    page = page_build(page=PAGE_SCORECARD, la=la, snapshot=snapshot)
    for section in page.sections:
        section.commentary = commentary.get(section.key, "")
        section.definitions = []
    return page


def scorecard_pdf_html(*, page: PageContext, status: PdfStatus) -> str:
    return render_to_string("scorecards/pdf/scorecard.html", {"page": page, "status": status})


@dataclass(frozen=True)
class RenderOutput:
    content: bytes
    pages: int
    seconds: float


def _url_fetcher(url: str, *args, **kwargs) -> dict:
    """Only files under ``static/`` (none are linked today): never the network, so a
    render cannot stall on, or leak anything to, a remote host.

    The URL is decoded the way the fetch would decode it (``%2e%2e`` is ``..``) and the
    path resolved (links followed) before the folder is checked, and the file fetched is
    the resolved path itself, so what is checked is what is read.
    """
    from weasyprint import default_url_fetcher

    static = (settings.BASE_DIR / "static").resolve()
    parts = urlsplit(url)
    if parts.scheme == "file" and parts.netloc in ("", "localhost"):
        path = Path(url2pathname(parts.path)).resolve()
        if static in path.parents and path.is_file():
            return default_url_fetcher(path.as_uri(), *args, **kwargs)
    raise ValueError(f"the scorecard PDF fetches nothing outside static/: {url}")


class _TextRun(str):
    """A string that iterates as one item: WeasyPrint's SVG text loop then shapes and draws
    the whole run once instead of once per character."""

    def __iter__(self) -> Iterator[str]:
        yield str(self)


#: SVG text attributes that position characters one by one (then per-character it is).
_PER_CHARACTER = ("dx", "dy", "rotate", "letter-spacing", "textLength")


@functools.cache
def _svg_text_by_runs() -> None:
    """Draw each SVG ``<text>`` as one run (once per process).

    WeasyPrint 66 lays out and draws SVG text one code point at a time, in case glyphs
    are positioned one by one: the charts' 1,650 label characters cost 1,650 Pango
    layouts, a third of drawing the PDF (Kozea/WeasyPrint#2249; fixed upstream the same
    way by PR #2754). Our labels have one x and one y, so each is drawn whole: the same
    glyphs where they were, with the font's kerning. Texts that do place characters one
    by one keep WeasyPrint's own path. Skipped, and harmless, if WeasyPrint changes.
    """
    from weasyprint import svg as weasy_svg

    original = getattr(weasy_svg, "text", None)
    if original is None or weasy_svg.TAGS.get("text") is not original:
        logger.warning("WeasyPrint's SVG text drawing has changed: per-character it stays")
        return

    def text_by_runs(svg, node, font_size):
        content = node.text
        single_position = all(
            len(str(node.attrib.get(name, "")).replace(",", " ").split()) <= 1
            for name in ("x", "y")
        )
        if (
            content
            and len(content) > 1
            and single_position
            and not any(name in node.attrib for name in _PER_CHARACTER)
        ):
            node._etree_node.text = _TextRun(content)
        return original(svg, node, font_size)

    # draw_node compares TAGS[tag] with the module's ``text`` to anchor text: set both.
    weasy_svg.TAGS["text"] = weasy_svg.text = text_by_runs


def scorecard_pdf_render(*, page: PageContext, status: PdfStatus) -> RenderOutput:
    """Lay the scorecard out on A4 and write the PDF (WeasyPrint, fonts embedded)."""
    from weasyprint import HTML

    _svg_text_by_runs()
    started = time.perf_counter()
    html = scorecard_pdf_html(page=page, status=status)
    document = HTML(
        string=html, base_url=str(settings.BASE_DIR / "static"), url_fetcher=_url_fetcher
    ).render(stylesheets=list(_stylesheets()), presentational_hints=True)
    content = document.write_pdf()
    return RenderOutput(
        content=content, pages=len(document.pages), seconds=time.perf_counter() - started
    )


# --- what a draft depends on -------------------------------------------------------------


def pdf_inputs_key(
    *,
    la: LocalAuthority,
    snapshot: Snapshot,
    commentary: dict[str, str],
    publication: Publication | None,
) -> str:
    """A hash of everything the scorecard of ``snapshot``'s month reads besides its cells.

    The page reads the current version of every month of the financial year up to this
    one, the previous month (change arrows) and the previous quarter (staffing), so the
    twelve months before are covered (every month before, with small-number suppression
    on: what a month withholds depends on all of them, ``scorecards.suppression``); then
    the authority's targets, benchmarks and feed dates, its name and suppression setting,
    the commentary and the latest publication (the draft's cover mentions it). Four small
    queries.
    """
    months = Snapshot.objects.filter(la=la, is_current=True, month__lte=snapshot.month)
    if not la.small_number_suppression:
        months = months.filter(month__gte=add_months(snapshot.month, -12))
    months = months.values_list("month", "version", "fingerprint", "as_of")
    targets = Target.objects.filter(la=la).values_list(
        "indicator", "financial_year", "target", "tolerance"
    )
    benchmarks = Benchmark.objects.filter(Q(la=la) | Q(la__isnull=True)).values_list(
        "indicator", "year", "scope", "value", "source"
    )
    feeds = FeedStatus.objects.filter(la=la).values_list("feed", "as_at", "imported_at")
    blob = json.dumps(
        {
            "layout": PDF_LAYOUT_VERSION,
            "la": [la.code, la.name, la.small_number_suppression],
            "snapshot": [snapshot.pk, snapshot.version, snapshot.fingerprint],
            "months": sorted(months),
            "targets": sorted(targets),
            "benchmarks": sorted(benchmarks),
            "feeds": sorted(feeds),
            "commentary": commentary,
            "publication": publication.pk if publication else None,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


# --- storage -----------------------------------------------------------------------------


def pdf_file_path(*, relative: str) -> Path:
    """The absolute path of a stored PDF; refuses anything outside the storage folder."""
    root = (Path(settings.MEDIA_ROOT) / STORAGE_FOLDER).resolve()
    path = (Path(settings.MEDIA_ROOT) / relative).resolve()
    if root not in path.parents:
        raise ValueError(f"{relative} is not under {root}")
    return path


def _relative_path(*, snapshot: Snapshot, name: str) -> str:
    return (
        f"{STORAGE_FOLDER}/{snapshot.la.code}/{snapshot.month:%Y-%m}/v{snapshot.version}-{name}.pdf"
    )


def pdf_file_write(*, relative: str, content: bytes) -> str:
    """Write a PDF atomically (a reader never sees half a file); its SHA-256."""
    path = pdf_file_path(relative=relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o640)
    os.replace(temporary, path)
    return hashlib.sha256(content).hexdigest()


def pdf_file_delete(*, relative: str) -> None:
    try:
        pdf_file_path(relative=relative).unlink()
    except FileNotFoundError:
        return


def rendered_pdf_exists(rendered: RenderedPdf) -> bool:
    return pdf_file_path(relative=rendered.path).is_file()


# --- one render of a month at a time ------------------------------------------------------


class PdfBeingPrepared(Exception):
    """Another process was still rendering the month's PDF when the wait ran out."""


def pdf_render_lock_name(*, snapshot: Snapshot) -> str:
    """The cache key held while a process renders ``snapshot``'s month."""
    return f"scorecard-pdf-render:{snapshot.la_id}:{snapshot.month:%Y-%m}"


def _render_lock_take(*, name: str) -> str | None:
    """The lock's token if this process may render now (an atomic add in the shared cache,
    Redis in production, so it holds across web and worker processes), else ``None``."""
    token = secrets.token_hex(8)
    return token if cache.add(name, token, timeout=RENDER_LOCK_SECONDS) else None


def _render_lock_release(*, name: str, token: str) -> None:
    if cache.get(name) == token:  # not a lock that expired and was taken by another
        cache.delete(name)


def pdf_render_single_flight(
    *,
    snapshot: Snapshot,
    stored: Callable[[], RenderedPdf | None],
    render: Callable[[], RenderedPdf],
    wait_seconds: float,
) -> RenderedPdf:
    """``stored()`` if there, else ``render()``, with one render of a month at a time.

    While another process renders the month, this one sleeps (no CPU, no GIL) and looks
    for the file every ``RENDER_POLL_SECONDS``; once the lock is free it looks once more
    before rendering, so N readers arriving together cause one render. After
    ``wait_seconds`` it gives up with ``PdfBeingPrepared``.
    """
    name = pdf_render_lock_name(snapshot=snapshot)
    deadline = time.monotonic() + wait_seconds
    while (token := _render_lock_take(name=name)) is None:
        found = stored()
        if found is not None:
            return found
        if time.monotonic() >= deadline:
            raise PdfBeingPrepared(name)
        time.sleep(RENDER_POLL_SECONDS)
    try:
        found = stored()
        return found if found is not None else render()
    finally:
        _render_lock_release(name=name, token=token)


# --- drafts and published PDFs -----------------------------------------------------------


def scorecard_pdf_draft_get(*, snapshot: Snapshot, inputs_key: str) -> RenderedPdf | None:
    """The stored draft of these inputs, if its file is still there."""
    rendered = (
        RenderedPdf.objects.filter(snapshot=snapshot, kind=STATUS_DRAFT, inputs_key=inputs_key)
        .select_related("snapshot__la")
        .first()
    )
    if rendered is not None and rendered_pdf_exists(rendered):
        return rendered
    return None


def scorecard_pdf_draft_ensure(
    *,
    la: LocalAuthority,
    snapshot: Snapshot,
    commentary: dict[str, str],
    publication: Publication | None,
    figures_changed: bool,
    wait_seconds: float | None = None,
) -> RenderedPdf:
    """The draft PDF of the current figures: from storage, else rendered and stored now.

    Renders go through ``pdf_render_single_flight``: readers of a month that is being
    rendered wait for that render (``PdfBeingPrepared`` after ``wait_seconds``). Should
    two renders of one draft still meet (a lock that expired), both succeed: the second
    to insert its row finds the first's and removes its own file. Older drafts of the
    month are deleted once a newer one is stored.
    """
    key = pdf_inputs_key(la=la, snapshot=snapshot, commentary=commentary, publication=publication)
    existing = scorecard_pdf_draft_get(snapshot=snapshot, inputs_key=key)
    if existing is not None:
        return existing
    return pdf_render_single_flight(
        snapshot=snapshot,
        stored=lambda: scorecard_pdf_draft_get(snapshot=snapshot, inputs_key=key),
        render=lambda: _scorecard_pdf_draft_render(
            la=la,
            snapshot=snapshot,
            key=key,
            commentary=commentary,
            publication=publication,
            figures_changed=figures_changed,
        ),
        wait_seconds=RENDER_WAIT_SECONDS if wait_seconds is None else wait_seconds,
    )


def _scorecard_pdf_draft_render(
    *,
    la: LocalAuthority,
    snapshot: Snapshot,
    key: str,
    commentary: dict[str, str],
    publication: Publication | None,
    figures_changed: bool,
) -> RenderedPdf:
    """Render the draft of these inputs, store its file and row, prune older drafts."""
    RenderedPdf.objects.filter(snapshot=snapshot, kind=STATUS_DRAFT, inputs_key=key).delete()
    page = scorecard_page_for_pdf(la=la, snapshot=snapshot, commentary=commentary)
    status = pdf_status_draft(publication=publication, figures_changed=figures_changed)
    output = scorecard_pdf_render(page=page, status=status)
    relative = _relative_path(snapshot=snapshot, name=f"draft-{key[:16]}-{secrets.token_hex(4)}")
    digest = pdf_file_write(relative=relative, content=output.content)
    try:
        with transaction.atomic():
            rendered = RenderedPdf.objects.create(
                snapshot=snapshot,
                kind=STATUS_DRAFT,
                inputs_key=key,
                path=relative,
                sha256=digest,
                size=len(output.content),
                pages=output.pages,
                rendered_at=timezone.now(),
                render_seconds=output.seconds,
            )
    except IntegrityError:
        pdf_file_delete(relative=relative)
        return RenderedPdf.objects.get(snapshot=snapshot, kind=STATUS_DRAFT, inputs_key=key)
    logger.info(
        "rendered draft scorecard %s %s v%s: %d pages in %.2fs",
        la.code,
        f"{snapshot.month:%Y-%m}",
        snapshot.version,
        output.pages,
        output.seconds,
    )
    scorecard_pdf_drafts_prune(la=la, month=snapshot.month, keep=rendered)
    return rendered


def scorecard_pdf_drafts_prune(*, la: LocalAuthority, month: date, keep: RenderedPdf) -> int:
    """Delete the month's other drafts and their files (superseded by ``keep``).

    Draft files whose row went with a pruned snapshot version (``snapshots_prune``
    deletes rows, not files) are swept from the month's folder too, once they are older
    than any render still writing its row could be. Published files are never touched.
    """
    old = list(
        RenderedPdf.objects.filter(
            snapshot__la=la, snapshot__month=month, kind=STATUS_DRAFT
        ).exclude(pk=keep.pk)
    )
    for rendered in old:
        rendered.delete()
        pdf_file_delete(relative=rendered.path)
    folder = pdf_file_path(relative=keep.path).parent
    known = set(
        RenderedPdf.objects.filter(snapshot__la=la, snapshot__month=month).values_list(
            "path", flat=True
        )
    )
    swept = 0
    settled = time.time() - ORPHAN_AFTER_SECONDS
    for path in folder.glob("v*-draft-*.pdf"):
        relative = f"{STORAGE_FOLDER}/{la.code}/{month:%Y-%m}/{path.name}"
        if relative not in known and path.stat().st_mtime < settled:
            path.unlink(missing_ok=True)
            swept += 1
    return len(old) + swept


def scorecard_pdf_published_store(*, publication: Publication, output: RenderOutput) -> RenderedPdf:
    """Store a publication's PDF (called once, inside the publishing transaction)."""
    relative = _relative_path(snapshot=publication.snapshot, name=f"published-{publication.pk}")
    digest = pdf_file_write(relative=relative, content=output.content)
    return RenderedPdf.objects.create(
        snapshot=publication.snapshot,
        kind=STATUS_PUBLISHED,
        publication=publication,
        inputs_key=hashlib.sha256(
            json.dumps(publication.commentary, sort_keys=True).encode()
        ).hexdigest(),
        path=relative,
        sha256=digest,
        size=len(output.content),
        pages=output.pages,
        rendered_at=timezone.now(),
        render_seconds=output.seconds,
    )


def pdf_filename(*, la: LocalAuthority, month: date, kind: str) -> str:
    """``scorecard-873-2024-03-published.pdf``: authority, month and standing at a glance."""
    return f"scorecard-{la.code}-{month:%Y-%m}-{kind}.pdf"
