"""Reads for the import pages: who may import for which authority, and their batches.

``roles.md``: uploading extracts and seeing import history and row errors is for admins, in
the authorities where they are admins (``organisations.permissions``), and superusers. A
batch of an authority the user is not a member of is ``NotFound`` (404), exactly as a batch
that does not exist; a member of its authority who is not an admin there is refused (403).
The same page offers admins a "Recompute figures" button for each of their authorities.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, QuerySet

from imports.models import ImportBatch
from organisations.models import LocalAuthority
from organisations.permissions import (
    IMPORTS,
    RECOMPUTE,
    NotFound,
    la_get_for_capability,
    las_for_capability,
)

MSG_NO_SUCH_BATCH = "No such import batch."


def import_authorities_for_user(*, user) -> QuerySet[LocalAuthority]:
    """The authorities the user may import for: every one for a superuser, else those
    where they are an admin; none for anyone else."""
    return las_for_capability(user=user, capability=IMPORTS)


def import_batch_list_for_user(*, user) -> QuerySet[ImportBatch]:
    """Batches of the user's authorities, newest first, with their files and issue counts."""
    return (
        ImportBatch.objects.filter(la__in=import_authorities_for_user(user=user))
        .select_related("la", "created_by", "rerun_of")
        .prefetch_related("files")
        .annotate(file_count=Count("files", distinct=True))
        .order_by("-created_at", "-pk")
    )


def import_batch_get_for_user(*, user, pk: int) -> ImportBatch:
    """The batch, if the user may import for its authority.

    ``NotFound`` when it does not exist or belongs to an authority the user is not a member
    of (the same message, so a guessed id reveals nothing); ``NotPermitted`` for a member of
    that authority who is not an admin there.
    """
    found = ImportBatch.objects.select_related("la", "created_by", "rerun_of").filter(pk=pk).first()
    if found is None:
        raise NotFound(MSG_NO_SUCH_BATCH)
    try:
        la_get_for_capability(user=user, code=found.la.code, capability=IMPORTS)
    except NotFound as exc:
        raise NotFound(MSG_NO_SUCH_BATCH) from exc
    return found


def recompute_authorities_for_user(*, user) -> list[tuple[LocalAuthority, Any]]:
    """The authorities whose figures the user may recompute from the import history page,
    each with its latest recompute run (``None`` before the first).

    Only authorities holding children are offered: with no records there is nothing to
    compute (a superuser would otherwise get a button for every authority in England).
    Two queries whatever the number of authorities.
    """
    from children.models import Child
    from scorecards.models import RecomputeRun

    las = list(
        las_for_capability(user=user, capability=RECOMPUTE).filter(
            Exists(Child.objects.filter(la=OuterRef("pk")))
        )
    )
    latest_ids = RecomputeRun.objects.filter(la__in=las).values("la_id").annotate(last=Max("id"))
    runs = {run.la_id: run for run in RecomputeRun.objects.filter(pk__in=latest_ids.values("last"))}
    return [(la, runs.get(la.pk)) for la in las]
