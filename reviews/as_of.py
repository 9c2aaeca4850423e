"""The day a worklist or a child's page is read "as of": today, or an earlier day an admin
picks (``?as_of=YYYY-MM-DD`` on the team page, its exports, the child page and the API).

Why a range: the lists work out due dates by calendar arithmetic back from the day asked
for, and a day near the start of the calendar (``0001-01-02``) overflows it (a server
error before this check). No extract the service reads is older than the year 2000, so an
earlier day is refused with a message naming the range (400 on the pages and the API)
instead of being worked on. A later day than today reads as today, as before.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from organisations.errors import ReaderBadRequest
from organisations.models import LocalAuthority
from organisations.permissions import CASE_LEVEL_WHOLE_AUTHORITY, user_can

#: The earliest day a list may be read as of.
AS_OF_EARLIEST = date(2000, 1, 1)


class AsOfOutOfRange(ReaderBadRequest):
    """A requested day outside the range; the message says what to ask for instead."""


def as_of_range_message(*, today: date) -> str:
    return (
        f"The date to show the lists as of must be between {AS_OF_EARLIEST:%-d %B %Y} "
        f"and today ({today:%-d %B %Y})."
    )


def as_of_check(*, requested: date | None) -> None:
    """Refuse a day before ``AS_OF_EARLIEST`` (``AsOfOutOfRange``, a 400)."""
    if requested is not None and requested < AS_OF_EARLIEST:
        raise AsOfOutOfRange(as_of_range_message(today=timezone.localdate()))


def user_picks_as_of(*, user: Any, la: LocalAuthority) -> bool:
    """Readers of the whole authority's case data (admins, superusers): the as-of picker."""
    return user_can(user=user, capability=CASE_LEVEL_WHOLE_AUTHORITY, la=la)


def as_of_allowed(*, user: Any, la: LocalAuthority, requested: date | None) -> date:
    """Today, or for readers of the whole authority an earlier day they picked (never a
    later one).

    A day before ``AS_OF_EARLIEST`` is refused whoever asks: it is bad input, not a
    matter of rights.
    """
    as_of_check(requested=requested)
    today = timezone.localdate()
    if requested is None or requested >= today:
        return today
    if user_picks_as_of(user=user, la=la):
        return requested
    return today
