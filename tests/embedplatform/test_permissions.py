"""The admin-scope permission, for routes that change configs or start jobs."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from embedplatform.api.permissions import HasAdminScopeOrStaff


class ChangeSomething(APIView):
    permission_classes = [HasAdminScopeOrStaff]

    def post(self, request):
        return Response({"changed": True})


def _post(authorization: str | None = None, user=None):
    request = APIRequestFactory().post(
        "/api/change", {}, format="json", **({"HTTP_AUTHORIZATION": authorization} if authorization else {})
    )
    if user is not None:
        force_authenticate(request, user=user)
    return ChangeSomething.as_view()(request)


def test_admin_scope_key_may_change(make_api_key):
    response = _post(f"Bearer {make_api_key('admin')}")

    assert response.status_code == 200


def test_embed_scope_key_is_a_403(make_api_key):
    response = _post(f"Bearer {make_api_key('embed')}")

    assert response.status_code == 403
    assert response.data["error"] == {
        "message": "this endpoint needs an API key with the 'admin' scope or a staff session",
        "type": "permission_error",
        "param": None,
        "code": "permission_denied",
    }


@pytest.mark.parametrize(("is_staff", "status"), [(True, 200), (False, 403)])
def test_staff_users_may_change_other_users_may_not(db, is_staff, status):
    user = get_user_model().objects.create_user("someone", is_staff=is_staff)

    assert _post(user=user).status_code == status


def test_no_credentials_is_a_401(db):
    assert _post().status_code == 401
