"""`Authorization: Bearer <key>` for DRF."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from apikeys.models import ApiKey
from apikeys.selectors import api_key_get_for_request
from apikeys.services import api_key_mark_used


@dataclass(frozen=True)
class ApiKeyUser:
    """What `request.user` is for a request made with an API key: authenticated, never staff. It acts for
    `owner`, the key's user, within the key's scopes."""

    api_key: ApiKey
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_staff: bool = False
    is_active: bool = True

    @property
    def pk(self) -> None:
        return None

    @property
    def owner(self) -> Any:
        return self.api_key.user

    @property
    def username(self) -> str:
        return f"api-key:{self.api_key.prefix}"


class ApiKeyAuthentication(BaseAuthentication):
    """No header: not this scheme (another may apply). A Bearer header with a bad key: 401."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[ApiKeyUser, ApiKey] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != self.keyword:
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(
                "invalid Authorization header: expected 'Bearer <API key>'", code="invalid_api_key"
            )
        try:
            plain_key = words[1].decode("ascii")
        except UnicodeDecodeError:
            plain_key = ""
        api_key = api_key_get_for_request(plain_key)
        if api_key is None:
            raise exceptions.AuthenticationFailed("incorrect API key provided", code="invalid_api_key")
        if api_key.is_revoked:
            raise exceptions.AuthenticationFailed("this API key has been revoked", code="revoked_api_key")
        if not api_key.user.is_active:
            raise exceptions.AuthenticationFailed(
                "this API key's user is deactivated", code="inactive_api_key_user"
            )
        api_key_mark_used(api_key)
        return ApiKeyUser(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
