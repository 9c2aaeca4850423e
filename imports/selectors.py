"""Reads for the import pages: who may import for which authority, and their batches.

``roles.md``: uploading extracts and seeing import history and row errors is for admins
(of the authorities they are members of) and superusers. A batch of an authority the user
may not import for answers 404, exactly as a batch that does not exist.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from imports.models import ImportBatch
from organisations.models import LocalAuthority
from organisations.permissions import IMPORTS, user_can


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
