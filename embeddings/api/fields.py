from __future__ import annotations

from typing import Any

from rest_framework import serializers


class StrictTextField(serializers.CharField):
    """A text that must be a JSON string (DRF's CharField would accept numbers) and not blank."""

    default_error_messages = {
        "not_a_string": "must be a string, not {kind}.",
        "blank_text": "must not be empty or only whitespace.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string", kind=type(data).__name__)
        if not data.strip():
            self.fail("blank_text")
        return super().to_internal_value(data)
