"""Sending a task when the broker may be down.

Work that must not be lost (an import, a recompute) is recorded in the database before
its task is sent, so a refused send loses nothing: the caller tells the user the work is
queued, and the lost-work sweep (Celery beat, ``LOST_WORK_SWEEP_MINUTES``) sends it again
once the broker is back. A send is "fire and forget": nobody waits for these results,
so the result backend (the same Redis) is not touched either.
"""

from __future__ import annotations

import logging
from typing import Any

import kombu.exceptions
import redis
from celery import Task

logger = logging.getLogger(__name__)

#: What a send raises when the broker cannot take the message.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    kombu.exceptions.OperationalError,
    redis.RedisError,
    OSError,
)


def task_send(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Send ``task`` (run it at once when eager); ``False``, logged, if the broker refused it."""
    if task.app.conf.task_always_eager:
        task.apply_async(args=args, kwargs=kwargs)  # its own errors are the caller's to see
        return True
    try:
        task.apply_async(args=args, kwargs=kwargs, ignore_result=True)
    except BROKER_ERRORS as exc:
        logger.warning(
            "broker unavailable: %s not sent (%s: %s); the lost-work sweep sends it later",
            task.name,
            type(exc).__name__,
            exc,
        )
        return False
    return True
