"""OpenAPI entries for answers that are not JSON models: files, text, HTML pages.

A route that returns a ``Response`` itself documents it with these, so
``/openapi.json`` says exactly what comes back (a media type and an example)
instead of an empty JSON schema, and a generated client reads bytes or text
where it must. ``tests/server/test_openapi.py`` holds every route to that.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

Responses = dict[int | str, dict[str, Any]]


def file_response(description: str, media_types: list[str], example: str = "") -> Responses:
    """A 200 whose body is a file in one of ``media_types`` (read it as bytes)."""
    content: dict[str, Any] = {
        media_type: {"schema": {"type": "string", "format": "binary"}}
        for media_type in sorted(set(media_types))
    }
    if example:
        first = next(iter(content.values()))
        first["example"] = example
    return {200: {"description": description, "content": content}}


def text_response(description: str, media_type: str, example: str) -> Responses:
    """A 200 whose body is text of ``media_type`` (HTML, CSV, Prometheus, XML)."""
    return {
        200: {
            "description": description,
            "content": {media_type: {"schema": {"type": "string"}, "example": example}},
        }
    }


def example(**fields: Any) -> ConfigDict:
    """A model's example in the OpenAPI document (what a generated client shows)."""
    return ConfigDict(json_schema_extra={"examples": [fields]})
