"""Who may call what. Every API view names the one scope it needs (`required_scope`, an ApiKeyScope);
HasRequiredScope, the default permission, lets through an API key holding that scope or a staff session.
Views open to all (health) say `permission_classes = []`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apikeys.models import ApiKey, ApiKeyScope


def _is_staff(request: Request) -> bool:
    user = request.user
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def request_has_scope(request: Request, scope: str) -> bool:
    """An API key holding `scope`, or a staff session (which may do everything)."""
    if isinstance(request.auth, ApiKey):
        return request.auth.has_scope(scope)
    return _is_staff(request)


def required_scope(view: Any) -> str:
    """The scope a view declares; a view without one is a programming error, refused loudly, not opened."""
    scope = getattr(view, "required_scope", None)
    if scope not in ApiKeyScope.values:
        raise ImproperlyConfigured(
            f"{type(view).__name__} must set required_scope to one of {', '.join(ApiKeyScope.values)} "
            f"(or permission_classes = [] for a public route), not {scope!r}"
        )
    return str(scope)


class HasRequiredScope(BasePermission):
    """The default for every API route: an API key with the view's `required_scope`, or a staff session."""

    def has_permission(self, request: Request, view: Any) -> bool:
        scope = required_scope(view)
        self.message = f"this endpoint needs an API key with the '{scope}' scope or a staff session"
        return request_has_scope(request, scope)


class HasAdminScopeOrStaff(BasePermission):
    """For a public view that shows admins more (health); routes themselves use HasRequiredScope."""

    message = "this endpoint needs an API key with the 'admin' scope or a staff session"

    def has_permission(self, request: Request, view: Any) -> bool:
        return request_has_scope(request, ApiKeyScope.ADMIN)


class HasApiKeyOrStaff(BasePermission):
    """Any valid API key, whatever its scopes, or a staff session: for the OpenAPI schema (no data)."""

    message = "this endpoint needs an API key (Authorization: Bearer <key>) or a staff session"

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiKey) or _is_staff(request)
