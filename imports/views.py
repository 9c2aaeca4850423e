"""Import pages: upload, a batch's progress and result, history, and the "Recompute figures"
button. Admins only (``roles.md``).

Views are thin: check the role, parse the form, call one service or selector, render. A
user who is an admin nowhere gets 403 on the pages; a batch is 404 outside the user's
authorities and 403 in one where they are not an admin (``import_batch_get_for_user``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from imports.audit import import_issues_view_record
from imports.batch_runs import (
    BatchNotInterrupted,
    batch_waits_for_queue,
    import_batch_queue,
    import_batch_run_again,
)
from imports.formats import formats_available
from imports.forms import RecomputeForm, UploadForm, request_too_big
from imports.issue_summary import batch_rules
from imports.models import ImportBatch
from imports.selectors import (
    import_authorities_for_user,
    import_batch_get_for_user,
    import_batch_list_for_user,
    recompute_authorities_for_user,
)
from imports.services import (
    FINAL_STATUSES,
    SETTLED_STATUSES,
    FilesGone,
    IncomingFile,
    YearRequired,
    import_batch_create,
    import_batch_rerun_dry,
)
from organisations.permissions import IMPORTS, RECOMPUTE, la_get_for_capability, user_can
from organisations.services import client_address_of
from scorecards.models import RecomputeRun
from scorecards.services import snapshots_recompute_trigger

ISSUES_PER_PAGE = 100


def _require_admin(request: HttpRequest) -> None:
    """An admin of at least one authority (which batches: ``import_batch_get_for_user``)."""
    if not user_can(user=request.user, capability=IMPORTS):
        raise PermissionDenied("Importing extracts is for admins.")


def _client_address(request: HttpRequest) -> str | None:
    return client_address_of(request)


def _nav(request: HttpRequest, current: str) -> list[dict]:
    pages = (("upload", "Upload extract"), ("history", "Import history"))
    return [
        {"label": label, "href": reverse(f"imports:{name}"), "current": current == name}
        for name, label in pages
    ]


def _enqueue(request: HttpRequest, batch: ImportBatch) -> None:
    """Run the batch on a worker once the batch row is committed (eager: right away), and
    say so when the task queue could not take it (it is sent again later, not lost)."""
    import_batch_queue(batch=batch)
    if batch_waits_for_queue(batch=batch):
        messages.warning(request, batch.message)


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    authorities = import_authorities_for_user(user=request.user)
    if request.method == "POST" and (
        too_big := request_too_big(content_length=request.META.get("CONTENT_LENGTH"))
    ):
        # Refused before the body is read: no 180 MB of temporary files for a certain "no".
        form = UploadForm(authorities=authorities)
        messages.error(request, too_big)
        return render(
            request,
            "imports/upload.html",
            {"form": form, "nav_items": _nav(request, "upload"), "formats": formats_available()},
            status=413,
        )
    form = UploadForm(request.POST or None, request.FILES or None, authorities=authorities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        files = [IncomingFile(name=f.name, handle=f) for f in data["files"]]
        try:
            batch = import_batch_create(
                la=data["la"],
                format_name=data["format"],
                files=files,
                year=data["year"],
                as_at=data["as_at"],
                dry_run=data["dry_run"],
                created_by=request.user,
                client_address=_client_address(request),
            )
        except YearRequired as exc:
            form.add_error("year", str(exc))
        else:
            _enqueue(request, batch)
            return redirect("imports:batch", pk=batch.pk)
    return render(
        request,
        "imports/upload.html",
        {"form": form, "nav_items": _nav(request, "upload"), "formats": formats_available()},
    )


def _batch_context(request: HttpRequest, batch: ImportBatch) -> dict:
    issues = batch.issues.order_by("severity", "file_name", "row_number", "id")
    page = Paginator(issues, ISSUES_PER_PAGE).get_page(request.GET.get("page"))
    fmt = formats_available().get(batch.format)
    order = [t.name for t in fmt.tables] if fmt else []
    counts = sorted(
        batch.counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
    )
    summary = batch.issue_summary or {}
    total = batch.rows_total or 0
    rules = batch_rules(batch=batch) if batch.status in FINAL_STATUSES else []
    return {
        "batch": batch,
        "final": batch.status in SETTLED_STATUSES,
        "counts": counts,
        "issues_page": page,
        "warnings_by_indicator": sorted(
            (summary.get("warnings_by_indicator") or {}).items(), key=lambda kv: -kv[1]
        ),
        "issues_hidden": batch.error_count + batch.warning_count - issues.count(),
        "error_rules": [r for r in rules if r.severity == "error"],
        "warning_rules": [r for r in rules if r.severity == "warning"],
        "percent_validated": round(100 * batch.rows_validated / total) if total else 0,
        "percent_written": round(100 * batch.rows_written / total) if total else 0,
        "current_la": batch.la,
    }


def _issues_view_record(request: HttpRequest, batch: ImportBatch, context: dict) -> None:
    """The row errors are listed once the batch is final: that read is audited."""
    if context["final"]:
        page = context["issues_page"]
        import_issues_view_record(
            user=request.user,
            batch=batch,
            shown=len(page.object_list),
            page=page.number,
            via="page",
            request=request,
        )


def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = import_batch_get_for_user(user=request.user, pk=pk)
    context = _batch_context(request, batch) | {"nav_items": _nav(request, "")}
    _issues_view_record(request, batch, context)
    return render(request, "imports/batch.html", context)


def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The status block alone, polled by htmx every second until the batch finishes."""
    batch = import_batch_get_for_user(user=request.user, pk=pk)
    context = _batch_context(request, batch)
    _issues_view_record(request, batch, context)
    return render(request, "imports/_batch_status.html", context)


@require_POST
def batch_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the same stored files again as a dry run (nothing is written)."""
    original = import_batch_get_for_user(user=request.user, pk=pk)
    try:
        batch = import_batch_rerun_dry(
            batch=original, created_by=request.user, client_address=_client_address(request)
        )
    except (FilesGone, YearRequired) as exc:
        messages.error(request, str(exc))
        return redirect("imports:batch", pk=original.pk)
    messages.info(request, f"Batch #{original.pk} is being checked again as batch #{batch.pk}.")
    _enqueue(request, batch)
    return redirect("imports:batch", pk=batch.pk)


@require_POST
def batch_run_again(request: HttpRequest, pk: int) -> HttpResponse:
    """Run an interrupted batch again (the same files, the same batch); audited."""
    batch = import_batch_get_for_user(user=request.user, pk=pk)
    try:
        batch = import_batch_run_again(
            batch=batch, acting_user=request.user, client_address=_client_address(request)
        )
    except BatchNotInterrupted as exc:
        messages.error(request, str(exc))
        return redirect("imports:batch", pk=pk)
    if batch_waits_for_queue(batch=batch):
        messages.warning(request, batch.message)
    else:
        messages.info(request, f"Batch #{batch.pk} is being run again.")
    return redirect("imports:batch", pk=batch.pk)


def history(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    batches = Paginator(import_batch_list_for_user(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    recompute_rows = [
        {"la": la, "latest": run, "form": RecomputeForm(today=today, auto_id=f"id_{la.code}_%s")}
        for la, run in recompute_authorities_for_user(user=request.user)
    ]
    return render(
        request,
        "imports/history.html",
        {
            "batches": batches,
            "nav_items": _nav(request, "history"),
            "recompute_rows": recompute_rows,
        },
    )


@require_POST
def recompute(request: HttpRequest, code: str) -> HttpResponse:
    """Queue a recompute of the authority's figures (``roles.md``: admins; audited).

    A non-member gets 404, a member without the admin role 403. The run is queued and
    audited in one transaction and sent to Celery on commit (run at once when eager).
    """
    la = la_get_for_capability(user=request.user, code=code, capability=RECOMPUTE)
    form = RecomputeForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        messages.error(request, "Choose how far back to recompute.")
        return redirect("imports:history")
    run = snapshots_recompute_trigger(
        la=la,
        acting_user=request.user,
        from_date=form.cleaned_data["month_from"],
        request=request,
    )
    run.refresh_from_db()
    done = run.status == RecomputeRun.Status.DONE
    messages.success(
        request,
        f"{la.code} {la.name}: figures {'recomputed' if done else 'being recomputed'} from "
        f"{run.first_month:%B %Y} to {run.last_month:%B %Y} (recompute #{run.pk}).",
    )
    if run.status == RecomputeRun.Status.QUEUED and run.message:
        messages.warning(request, run.message)  # the task queue was unavailable
    return redirect("imports:history")
