"""Reading an import batch's row errors leaves an access event (``roles.md``).

A row error quotes the value it is about, and in an extract of children's records that
value is often a child id, a date of birth or a postcode. So the batch page (and the
status block it polls, once it lists the errors) and the API's list of a batch's errors
each write an ``IMPORT_ISSUES_VIEW`` row before answering: who, which batch, how many
errors were shown, which page. The batch's counts and status (the API's batch resource,
the polling while it runs) quote no value and are not recorded.
"""

from __future__ import annotations

from typing import Any

from imports.models import ImportBatch
from organisations.models import AuditEvent
from organisations.services import audit_record


def import_issues_view_record(
    *, user: Any, batch: ImportBatch, shown: int, page: int, via: str, request: Any = None
) -> AuditEvent:
    """One ``IMPORT_ISSUES_VIEW`` row: ``shown`` errors and warnings of ``batch`` on
    ``page``, read through ``via`` ("page" or "api")."""
    return audit_record(
        user=user,
        la=batch.la,
        action=AuditEvent.Action.IMPORT_ISSUES_VIEW,
        object_type="ImportBatch",
        object_id=str(batch.pk),
        detail={"issues_shown": shown, "page": page, "via": via},
        request=request,
    )
