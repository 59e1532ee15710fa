"""The one place request text is checked: what PostgreSQL's text/jsonb and the tokenizer can take, and length.

Every API text goes through `text_error` (StrictTextField for serializer fields, directly for OpenAI's
`input`), and JSON values stored as jsonb through `json_text_error`. Messages never quote the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rest_framework import serializers

# PostgreSQL's text and jsonb refuse NUL; surrogate code points cannot be encoded as UTF-8 at all (the
# database driver and the tokenizer both fail on them). Nothing else is refused by a UTF8 database.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

MaxChars = int | Callable[[], int] | None


def _character_error(text: str) -> str | None:
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain NUL characters (\\u0000)."
    return "must not contain surrogate code points (U+D800 to U+DFFF); send valid UTF-8."


def text_error(
    value: Any, *, max_chars: int | None = None, noun: str = "a text", blank: str = "reject"
) -> str | None:
    """Why `value` cannot be taken as a text, or None.

    blank: "reject" refuses empty and whitespace-only text, "reject-empty" only the empty string (OpenAI's
    rule for `input`), "allow" neither.
    """
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}."
    if blank == "reject" and not value.strip():
        return "must not be empty or only whitespace."
    if blank == "reject-empty" and not value:
        return "must not be an empty string."
    if max_chars is not None and len(value) > max_chars:
        return f"{noun} may have at most {max_chars} characters, got {len(value)}."
    return _character_error(value)


def json_text_error(value: Any) -> str | None:
    """Why a parsed JSON value cannot be stored as jsonb (a key or string anywhere in it), or None.

    The parser caps nesting depth (embedplatform.api.parsers), so the walk is bounded."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            error = _character_error(item)
            if error:
                return error
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


class StrictTextField(serializers.CharField):
    """A text that must be a JSON string (DRF's CharField would accept numbers), not blank unless allowed,
    storable and tokenizable (no NUL, no surrogates), and at most `max_chars` long (an int, or a callable
    read at validation time so settings overrides apply)."""

    default_error_messages = {"blank": "must not be empty or only whitespace."}

    def __init__(self, *, max_chars: MaxChars = None, noun: str = "a text", **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        if isinstance(max_chars, int):
            kwargs.setdefault("max_length", max_chars)  # for the schema; text_error checks it first
        self.max_chars = max_chars
        self.noun = noun
        super().__init__(**kwargs)

    def _limit(self) -> int | None:
        return self.max_chars() if callable(self.max_chars) else self.max_chars

    def to_internal_value(self, data: Any) -> str:
        blank = "allow" if self.allow_blank else "reject"
        error = text_error(data, max_chars=self._limit(), noun=self.noun, blank=blank)
        if error:
            raise serializers.ValidationError(error, code="invalid")
        return super().to_internal_value(data)


class StorableJSONField(serializers.JSONField):
    """JSON that PostgreSQL's jsonb takes: no NUL and no surrogates in any key or string."""

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        error = json_text_error(value)
        if error:
            raise serializers.ValidationError(error, code="invalid")
        return value
