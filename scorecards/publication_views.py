"""Commentary form, publish and PDF download (issue 9): thin shells over
``scorecards.publication``.

Access on every view is one call to ``organisations.permissions.la_get_for_capability``
with the capability of the action: another authority is 404, a member whose roles *in that
authority* lack it 403. Commentary is for admins and committee leads, publishing for
committee leads, downloads for every reader; superusers all.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from organisations.permissions import COMMENTARY, PDF_DOWNLOAD, PUBLISH, la_get_for_capability
from scorecards import pdf
from scorecards.models import Snapshot
from scorecards.publication import (
    COMMENTARY_MAX_CHARS,
    PDF_DRAFT,
    PDF_PUBLISHED,
    CommentaryRejected,
    PublishRefused,
    commentary_get,
    commentary_history,
    commentary_save,
    commentary_sections,
    commentary_texts,
    publication_latest_with_current,
    publication_status,
    scorecard_capabilities,
    scorecard_pdf_choose,
    scorecard_pdf_download_record,
    scorecard_publish,
)
from scorecards.sections import PAGE_DASHBOARD, PAGE_SCORECARD, nav_items

#: Pages the commentary form may send the writer back to.
RETURN_PAGES = (PAGE_SCORECARD, PAGE_DASHBOARD)


class CommentaryForm(forms.Form):
    text = forms.CharField(
        label="Commentary",
        required=False,
        strip=True,
        max_length=COMMENTARY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 10, "class": "govuk-textarea"}),
    )


def _current_snapshot(la, month: date) -> Snapshot:
    snapshot = Snapshot.objects.filter(la=la, month=month, is_current=True).first()
    if snapshot is None:
        raise Http404("No figures for this month.")
    return snapshot


def _return_page(request: HttpRequest) -> str:
    page = request.POST.get("return_to") or request.GET.get("return_to")
    return page if page in RETURN_PAGES else PAGE_DASHBOARD


@require_http_methods(["GET", "POST"])
def commentary_edit(request: HttpRequest, code: str, month: date, section: str) -> HttpResponse:
    """The commentary of one section for a month: the form, then back to the section."""
    la = la_get_for_capability(user=request.user, code=code, capability=COMMENTARY)
    titles = dict(commentary_sections())
    if section not in titles:
        raise Http404("No such section.")
    _current_snapshot(la, month)
    return_to = _return_page(request)
    commentary = commentary_get(la=la, month=month, section=section)
    form = CommentaryForm(
        request.POST or None, initial={"text": commentary.text if commentary else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            _, changed = commentary_save(
                la=la,
                month=month,
                section=section,
                text=form.cleaned_data["text"],
                acting_user=request.user,
                request=request,
            )
        except CommentaryRejected as exc:
            form.add_error("text", str(exc))
        else:
            if changed:
                messages.success(request, f"Commentary saved: {titles[section]}.")
            url = reverse(f"scorecards:{return_to}", kwargs={"code": la.code, "month": month})
            return redirect(f"{url}#section-{section}")
    back = reverse(f"scorecards:{return_to}", kwargs={"code": la.code, "month": month})
    return render(
        request,
        "scorecards/commentary_form.html",
        {
            "current_la": la,
            "nav_items": nav_items(la=la, month=month, current=return_to),
            "month": month,
            "section_key": section,
            "section_title": titles[section],
            "form": form,
            "history": commentary_history(commentary=commentary),
            "return_to": return_to,
            "back_url": f"{back}#section-{section}",
            "max_chars": COMMENTARY_MAX_CHARS,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def scorecard_publish_view(request: HttpRequest, code: str, month: date) -> HttpResponse:
    """Publish (sign off) the month: committee leads and superusers only."""
    la = la_get_for_capability(user=request.user, code=code, capability=PUBLISH)
    _current_snapshot(la, month)
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        expected = None
    return_to = _return_page(request)
    try:
        publication, new = scorecard_publish(
            la=la, month=month, acting_user=request.user, expected_version=expected, request=request
        )
    except PublishRefused as exc:
        messages.error(request, str(exc))
    else:
        label = f"{month:%B %Y}"
        if new:
            messages.success(request, f"The {label} scorecard is published.")
        else:
            messages.info(request, f"The {label} scorecard was already published as it stands.")
    return redirect("scorecards:" + return_to, code=la.code, month=month)


def scorecard_pdf_download(request: HttpRequest, code: str, month: date, kind: str) -> HttpResponse:
    """The month's PDF from storage (rendered now if it is not stored yet); audited.

    ``kind="published"``: the board's copy, or the draft while the month is unpublished;
    ``kind="draft"``: always the current figures.
    """
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    la = la_get_for_capability(user=request.user, code=code, capability=PDF_DOWNLOAD)
    if kind not in (PDF_PUBLISHED, PDF_DRAFT):
        raise Http404
    try:
        choice = scorecard_pdf_choose(la=la, month=month, kind=kind)
    except pdf.PdfBeingPrepared:
        return _pdf_being_prepared(request, la=la, month=month)
    if choice is None:
        raise Http404("No figures for this month.")
    path = pdf.pdf_file_path(relative=choice.rendered.path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except FileNotFoundError as exc:
        raise Http404("The PDF is missing from storage.") from exc
    scorecard_pdf_download_record(
        la=la, month=month, choice=choice, acting_user=request.user, request=request
    )
    response = FileResponse(
        handle, as_attachment=True, filename=choice.filename, content_type=pdf.CONTENT_TYPE
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-SHA256"] = choice.rendered.sha256
    return response


#: Seconds before the "being prepared" page asks for the PDF again.
PDF_RETRY_SECONDS = 5


def _pdf_being_prepared(request: HttpRequest, *, la: Any, month: date) -> HttpResponse:
    """202 and a page that asks again in a few seconds (Retry-After, a meta refresh: no
    script), for the rare reader who arrives while a long render of the month runs."""
    response = render(
        request,
        "scorecards/pdf_preparing.html",
        {
            "current_la": la,
            "nav_items": nav_items(la=la, month=month, current=PAGE_SCORECARD),
            "month": month,
            "retry_seconds": PDF_RETRY_SECONDS,
            "pdf_url": request.get_full_path(),
            "back_url": reverse("scorecards:scorecard", kwargs={"code": la.code, "month": month}),
        },
        status=202,
    )
    response["Retry-After"] = str(PDF_RETRY_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def publication_page_context(*, request: HttpRequest, page: Any) -> dict[str, Any]:
    """What the scorecard and dashboard pages add for commentary and publication.

    Fills each section's commentary, and gives the publication panel its status, the
    reader's rights and the PDF links. Three queries: rights, commentary, publication.
    """
    rights = scorecard_capabilities(user=request.user, la=page.la)
    texts = commentary_texts(la=page.la, month=page.month)
    for section in page.sections:
        section.commentary = texts.get(section.key, "")
    latest, current_fingerprint = publication_latest_with_current(la=page.la, month=page.month)
    status = publication_status(
        publication=latest,
        current_version=page.version,
        current_fingerprint=current_fingerprint,
        commentary=texts,
    )
    kwargs = {"code": page.la.code, "month": page.month}
    return {
        "may_comment": rights.may_comment,
        "may_publish": rights.may_publish,
        "publication": status,
        "pdf_url": reverse("scorecards:scorecard_pdf", kwargs=kwargs),
        "pdf_draft_url": reverse("scorecards:scorecard_pdf_draft", kwargs=kwargs),
        "publish_url": reverse("scorecards:publish", kwargs=kwargs),
    }
