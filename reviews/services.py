"""The weekly worklist digest, and the warm-up of the worklist cache.

Digest: each team manager's counts by e-mail, never a child's name (``roles.md``: an e-mail
leaves the service's access control, so the digest carries counts and a link only; the
names are behind the link, where scope and audit apply).

Warm-up: a team's lists cost about a second to build on a large authority, and an import or
recompute changes every cache key (``worklist_data_version``); building them in the worker
right after, and through the working day, makes a manager's first view a cache read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import timezone

from organisations.models import LocalAuthority
from organisations.permissions import memberships_with_role
from organisations.roles import TEAM_MANAGER
from reviews.selectors import (
    WORKLIST_KINDS,
    TeamChoice,
    team_children_for_warm_up,
    worklist_build,
    worklist_cache_key,
    worklist_for_team,
    worklist_team_choice_get,
    worklist_team_choices,
    worklist_warm_up_choices,
)

DIGEST_SUBJECT = "Your team's worklists for the week of {day}"


@dataclass(frozen=True)
class DigestSection:
    """One authority's team counts in a digest."""

    la: LocalAuthority
    choice: TeamChoice
    counts: list[tuple[str, int]]
    url: str


def _team_url(la: LocalAuthority) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("worklists:team", kwargs={"code": la.code})


def worklist_digest_sections(
    *, user: Any, today: date, la_code: str | None = None
) -> list[DigestSection]:
    """The counts of the user's own team(s) in each authority where they are a team manager
    (their case scope there decides the teams; an authority with none left is skipped)."""
    sections: list[DigestSection] = []
    memberships = (
        memberships_with_role(role=TEAM_MANAGER)
        .filter(user=user)
        .select_related("la")
        .order_by("la__code")
    )
    if la_code:
        memberships = memberships.filter(la__code=la_code)
    for membership in memberships:
        la = membership.la
        choices = worklist_team_choices(user=user, la=la)
        if not choices:
            continue
        choice = worklist_team_choice_get(user=user, la=la, key=None, choices=choices)
        counts = worklist_for_team(user=user, la=la, choice=choice, as_of=today).counts()
        sections.append(
            DigestSection(
                la=la,
                choice=choice,
                counts=[(kind.title, counts[kind.key]) for kind in WORKLIST_KINDS],
                url=_team_url(la),
            )
        )
    return sections


def worklist_digest_body(*, user: Any, today: date, sections: list[DigestSection]) -> str:
    """Plain text: greeting, per team the count of each list, the link. No child is named."""
    lines = [
        f"Hello {user.get_full_name() or user.get_username()},",
        "",
        f"Your team's worklists on {today:%A %-d %B %Y}:",
    ]
    for section in sections:
        lines += ["", f"{section.la.name}: {section.choice.name}"]
        lines += [f"  {count:>4}  {title}" for title, count in section.counts]
        lines += ["", f"See the children on each list: {section.url}"]
    lines += [
        "",
        "This e-mail gives counts only. Names are on the team page, where you need to sign in.",
    ]
    return "\n".join(lines)


def worklist_digests_send(*, today: date | None = None, la_code: str | None = None) -> int:
    """E-mail every active team manager with an address their team counts; returns how many.

    An authority where the manager has no case role or team any more is left out, and a
    manager with none left gets nothing. One message per manager, sent over one connection
    (the configured backend: console in development, SMTP in production, locmem in tests).
    """
    today = today or timezone.localdate()
    User = get_user_model()
    managers = (
        User.objects.filter(
            is_active=True, memberships__in=memberships_with_role(role=TEAM_MANAGER)
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    messages: list[EmailMessage] = []
    for user in managers:
        sections = worklist_digest_sections(user=user, today=today, la_code=la_code)
        if not sections:
            continue
        messages.append(
            EmailMessage(
                subject=DIGEST_SUBJECT.format(day=f"{today:%-d %B %Y}"),
                body=worklist_digest_body(user=user, today=today, sections=sections),
                to=[user.email],
            )
        )
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def worklists_warm(*, la: LocalAuthority, force: bool = False) -> int:
    """Build and cache today's lists of every team of ``la``; how many were built.

    Without ``force`` a team whose lists are already cached under today's key is left
    alone (the warm-up after an import and the one after its recompute then build each
    team once); with it (the beat's runs) each is rebuilt, so the lists stay warm through
    the day without outliving ``WORKLIST_CACHE_SECONDS``. Nothing with the cache off.
    """
    seconds = settings.WORKLIST_CACHE_SECONDS
    if seconds <= 0:
        return 0
    as_of = timezone.localdate()
    built = 0
    for choice in worklist_warm_up_choices(la=la):
        key = worklist_cache_key(la=la, choice=choice, as_of=as_of)
        if key is None or (not force and cache.has_key(key)):
            continue
        children = team_children_for_warm_up(la=la, choice=choice, as_of=as_of)
        worklist = worklist_build(la=la, children=children, as_of=as_of)
        worklist.cache_key = key
        cache.set(key, worklist, seconds)
        built += 1
    return built


def worklists_warm_all(*, force: bool = False) -> int:
    """``worklists_warm`` for every authority with children (the beat's schedule)."""
    las = LocalAuthority.objects.filter(children__isnull=False).distinct().order_by("code")
    return sum(worklists_warm(la=la, force=force) for la in las)
