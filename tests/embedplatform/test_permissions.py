"""HasRequiredScope, every route's permission: a key holding the view's required_scope, or a staff session."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from embedplatform.api.permissions import HasAdminScopeOrStaff, HasRequiredScope


class ChangeSomething(APIView):
    permission_classes = [HasRequiredScope]
    required_scope = "admin"

    def post(self, request):
        return Response({"changed": True})


class ForgotItsScope(APIView):
    permission_classes = [HasRequiredScope]

    def post(self, request):
        return Response({"changed": True})


class MoreForAdmins(APIView):
    permission_classes: list = []

    def post(self, request):
        return Response({"admin": HasAdminScopeOrStaff().has_permission(request, self)})


def _post(view=ChangeSomething, authorization: str | None = None, user=None):
    request = APIRequestFactory().post(
        "/api/change", {}, format="json", **({"HTTP_AUTHORIZATION": authorization} if authorization else {})
    )
    if user is not None:
        force_authenticate(request, user=user)
    return view.as_view()(request)


@pytest.mark.parametrize("scopes", [["admin"], ["embed", "chat", "admin"]])
def test_a_key_holding_the_scope_may(make_api_key, scopes):
    assert _post(authorization=f"Bearer {make_api_key(scopes)}").status_code == 200


@pytest.mark.parametrize("scopes", [["embed"], ["embed", "chat"]])
def test_a_key_without_the_scope_is_a_403_that_names_it(make_api_key, scopes):
    response = _post(authorization=f"Bearer {make_api_key(scopes)}")

    assert response.status_code == 403
    assert response.data["error"] == {
        "message": "this endpoint needs an API key with the 'admin' scope or a staff session",
        "type": "permission_error",
        "param": None,
        "code": "permission_denied",
    }


@pytest.mark.parametrize(("is_staff", "status"), [(True, 200), (False, 403)])
def test_staff_users_may_other_users_may_not(db, is_staff, status):
    user = get_user_model().objects.create_user("someone", is_staff=is_staff)

    assert _post(user=user).status_code == status


def test_no_credentials_is_a_401(db):
    assert _post().status_code == 401


def test_a_view_without_a_required_scope_is_a_logged_500_not_an_open_route(make_api_key, caplog):
    response = _post(ForgotItsScope, authorization=f"Bearer {make_api_key('admin')}")

    assert response.status_code == 500
    assert "ForgotItsScope must set required_scope to one of embed, chat, admin" in caplog.text


@pytest.mark.parametrize(("scopes", "admin"), [(["embed", "chat"], False), (["admin"], True)])
def test_a_public_view_can_ask_whether_the_caller_is_an_admin(make_api_key, scopes, admin):
    assert _post(MoreForAdmins, authorization=f"Bearer {make_api_key(scopes)}").data == {"admin": admin}
