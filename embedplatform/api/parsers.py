"""JSON request bodies: orjson, with a cap on nesting depth checked before parsing.

orjson itself stops at 1024 levels; no API body needs more than a few, and deep bodies cost every later walk
over them (validation, jsonb), so API_MAX_JSON_DEPTH (default 32) refuses them with a 400 up front.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from django.conf import settings
from drf_orjson_renderer.parsers import ORJSONParser
from rest_framework.exceptions import ParseError

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


def nesting_exceeds(text: str, limit: int) -> bool:
    """Whether the JSON text opens more than `limit` arrays/objects inside each other (strings skipped)."""
    depth = 0
    for bracket in _NOT_A_BRACKET.sub("", _STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class DepthLimitedJSONParser(ORJSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        limit = settings.API_MAX_JSON_DEPTH
        if nesting_exceeds(text, limit):
            raise ParseError(f"JSON nested deeper than {limit} levels", code="json_too_deep")
        try:
            return orjson.loads(text)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
