"""Startup check: a malformed API_RATE_LIMIT would otherwise fail every request with a 500."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.checks import Error, register

RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


@register()
def check_api_rate_limit(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    rate = getattr(settings, "API_RATE_LIMIT", None)
    if rate and not RATE.match(str(rate)):
        return [
            Error(
                f"API_RATE_LIMIT is {rate!r}; expected '<number>/<s|min|hour|day>' such as '600/min', "
                "or empty for no limit",
                id="embedplatform.E001",
            )
        ]
    return []
