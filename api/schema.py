"""OpenAPI post-processing: every operation documents the errors it can answer.

DRF answers refusals with ``{"detail": "..."}`` (401 not signed in, 403 not allowed, 404
not found or out of scope, 429 throttled) and invalid input with ``{"field": [messages]}``
(400). Documenting them once here keeps each view's ``extend_schema`` about its success
and lets schemathesis check every status the API gives against the schema.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi

ERROR_SCHEMA = {
    "type": "object",
    "description": "``detail`` for refusals; one list of messages per field for invalid input.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
ERRORS = {
    "400": "Invalid input: a message per field (or ``non_field_errors``).",
    "401": "Not signed in: no session and no valid ``Authorization: Token …`` header.",
    "403": "Signed in, but the role does not allow this (e.g. a committee lead on a worklist).",
    "404": "No such object, or one outside the user's authorities or teams (the same answer).",
    "429": "Too many requests: wait and try again.",
}


def error_responses_add(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """``POSTPROCESSING_HOOKS`` entry: add the error responses above to every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result


class AutoSchema(openapi.AutoSchema):
    """Names the component of a nested serializer after its view (``SnapshotListApi.
    OutputSerializer`` → ``SnapshotListOutput``), so every view may call its serializers
    ``InputSerializer`` / ``OutputSerializer`` (``style.md`` §1) without name clashes."""

    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        owner, _, _ = type(serializer).__qualname__.rpartition(".")
        if owner:
            name = owner.removesuffix("Api") + name
        return name
