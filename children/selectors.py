"""Reads about children, always through the user's scope (``roles.md`` "Scope")."""

from __future__ import annotations

from typing import Any

from children.models import Child, ReturnYear
from organisations.permissions import NotFound


def child_get_for_user(*, user: Any, pk: int) -> Child:
    """The child ``pk`` if the user may see them case by case; ``NotFound`` (404) otherwise.

    A child outside the user's scope answers exactly as one that does not exist, so a
    guessed id reveals nothing (``architecture.md`` house rule 4). Committee leads see no
    child at all.
    """
    child = Child.objects.visible_to(user).filter(pk=pk).select_related("la").first()
    if child is None:
        raise NotFound("No such child.")
    return child


def return_years_loaded(*, la: Any) -> frozenset[int]:
    """The SSDA903 collection years whose Episodes table this authority has loaded.

    An episode open on 31 March Y ends with an end of record only once return Y+1 is
    among them (``docs/ssda903.md`` §5).
    """
    return frozenset(ReturnYear.objects.filter(la=la).values_list("year", flat=True))
