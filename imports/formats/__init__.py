"""Import formats: each module builds one ``FormatSpec`` (see ``imports.formats.base``)."""

from __future__ import annotations

from imports.formats.base import FormatSpec


def format_get(name: str) -> FormatSpec:
    """The format called ``name`` (``ssda903``); ``KeyError`` for one not implemented."""
    return formats_available()[name]


def formats_available() -> dict[str, FormatSpec]:
    from imports.formats import ssd, ssda903

    return {ssda903.FORMAT.name: ssda903.FORMAT, ssd.FORMAT.name: ssd.FORMAT}
