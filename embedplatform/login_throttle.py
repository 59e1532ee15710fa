"""Admin login throttling with django-axes, for logins that come from a request.

Axes' backend refuses to authenticate without a request. Logins without one (Django's test client, the shell,
management commands) cannot be brute-forced over the network, so they pass to the next backend unchecked.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend


class RequestLoginThrottleBackend(AxesStandaloneBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
