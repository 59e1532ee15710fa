"""Who may call what: an API key or a staff session for everything; the admin scope for changes."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apikeys.models import ApiKey


def _is_staff(request: Request) -> bool:
    user = request.user
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


class HasApiKeyOrStaff(BasePermission):
    """The default for every API route except health."""

    message = "this endpoint needs an API key (Authorization: Bearer <key>) or a staff session"

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiKey) or _is_staff(request)


class HasAdminScopeOrStaff(BasePermission):
    """For routes that change configs or start jobs."""

    message = "this endpoint needs an API key with the 'admin' scope or a staff session"

    def has_permission(self, request: Request, view: Any) -> bool:
        if isinstance(request.auth, ApiKey):
            return request.auth.is_admin
        return _is_staff(request)
