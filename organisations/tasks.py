"""Diagnostic tasks: prove that a worker answers and reads the web app's database.

Operations (and the real-worker tests) send these to a running worker; a worker that
answers ``ping`` but reports a different authority count is connected to the wrong
database.
"""

from __future__ import annotations

from celery import shared_task

from organisations.models import LocalAuthority


@shared_task
def ping() -> str:
    """Answer "pong": the broker round trip works and the worker has the project loaded."""
    return "pong"


@shared_task
def local_authority_codes() -> list[str]:
    """The DfE codes of the authorities the worker's database holds, in code order."""
    return list(LocalAuthority.objects.order_by("code").values_list("code", flat=True))
