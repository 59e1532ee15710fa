"""Serializer pieces shared by every API app."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class ClosedSerializer(serializers.Serializer):
    """A request body in which an unknown field is an error: a typo must not be silently ignored."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        data = self.initial_data
        unknown = set(data) - set(self.fields) if isinstance(data, dict) else set()
        if unknown:
            raise serializers.ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}.")
        return attrs
