"""Work that renews its lease from a background thread while it runs.

An import or a recompute can spend minutes in one step (reading a large file, one long
statement) without reaching code that could renew its lease, and a worker's main loop
may be busy running a task. A daemon thread renews instead, every ``every`` seconds, on
a short database connection of its own; when the process dies nothing renews the lease
and it lapses (``WORK_LEASE_SECONDS``), which is how a dead holder is told from a slow one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

#: How long ``stop`` waits for a renewal in flight (the thread is a daemon either way).
STOP_WAIT_SECONDS = 2.0


def lease_renew_every() -> float:
    """Seconds between renewals: a third of the lease, so two can fail before it lapses."""
    return max(1.0, settings.WORK_LEASE_SECONDS / 3)


class PeriodicRenewal:
    """Call ``renew`` every ``every`` seconds from a daemon thread until stopped.

    A renewal that raises is logged (once per run of failures) and tried again next time:
    a database restart costs a missed beat, not the work. Usable as a context manager.
    """

    def __init__(self, *, name: str, every: float, renew: Callable[[], object]) -> None:
        self.name = name
        self.every = every
        self.renew = renew
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> PeriodicRenewal:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=STOP_WAIT_SECONDS)

    def __enter__(self) -> PeriodicRenewal:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        failing = False
        while not self._stopped.wait(self.every):
            try:
                self.renew()
                failing = False
            except Exception:  # noqa: BLE001 - a missed beat must never end the thread
                if not failing:
                    logger.warning("%s: renewal failed; trying again", self.name, exc_info=True)
                failing = True
            finally:
                # This thread's own connection: closed after each beat, so none is left
                # idle for a long import, and none outlives the thread.
                connections.close_all()
