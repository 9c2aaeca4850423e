"""Reads for the import pages: who may import for which authority, and their batches.

``roles.md``: uploading extracts and seeing import history and row errors is for admins
(of the authorities they are members of) and superusers. A batch of an authority the user
may not import for answers 404, exactly as a batch that does not exist. The same page
offers admins a "Recompute figures" button for each of their authorities.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, QuerySet
from django.http import Http404

from imports.models import ImportBatch
from organisations.models import LocalAuthority
from organisations.permissions import IMPORTS, RECOMPUTE, las_for_capability, user_can


def user_is_import_admin(*, user) -> bool:
    """Superusers, and members of the Admin group (``organisations.permissions``)."""
    return user_can(user=user, capability=IMPORTS)


def import_authorities_for_user(*, user) -> QuerySet[LocalAuthority]:
    """The authorities the user may import for: every one for a superuser, else the
    authorities an admin is a member of; none for anyone else."""
    if not user_is_import_admin(user=user):
        return LocalAuthority.objects.none()
    if user.is_superuser:
        return LocalAuthority.objects.all()
    return LocalAuthority.objects.filter(memberships__user=user).distinct()


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
    """The batch, or 404 when it does not exist or belongs to an authority out of scope."""
    try:
        return (
            ImportBatch.objects.select_related("la", "created_by", "rerun_of")
            .filter(la__in=import_authorities_for_user(user=user))
            .get(pk=pk)
        )
    except ImportBatch.DoesNotExist as exc:
        raise Http404("No such import batch") from exc


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
