"""Per-key rate limiting with DRF's throttle, counted in the Django cache (Redis)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from apikeys.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    """One budget per API key; staff sessions per user, anything else per client address.

    The rate is read from settings.API_RATE_LIMIT on each request (DRF reads its own at import time),
    e.g. "600/min"; an empty value turns limiting off.
    """

    scope = "api"

    def get_rate(self) -> str | None:
        return getattr(settings, "API_RATE_LIMIT", None) or None

    def allow_request(self, request: Request, view: Any) -> bool:
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.prefix}"
        elif request.user is not None and request.user.is_authenticated and request.user.pk is not None:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return f"throttle:{self.scope}:{ident}"
