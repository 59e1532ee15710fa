"""Thin views: parse, call one selector or the worker client, format."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.models import ApiKeyScope
from embeddings.api.headers import embedding_headers
from embeddings.api.presenters import config_description, embedding_metadata, public_health
from embeddings.api.serializers import (
    ConfigResponseSerializer,
    GenerateRequestSerializer,
    GenerateResponseSerializer,
    HealthResponseSerializer,
)
from embeddings.client.embedding import embed_texts
from embeddings.client.fleet import health_report
from embeddings.configs.selectors import config_get_active_or_error
from embedplatform.api.permissions import HasAdminScopeOrStaff
from embedplatform.api.schema import error_responses


class GenerateView(APIView):
    required_scope = ApiKeyScope.EMBED

    @extend_schema(
        request=GenerateRequestSerializer,
        responses={200: GenerateResponseSerializer, **error_responses(503)},
    )
    def post(self, request: Request) -> Response:
        serializer = GenerateRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        config = config_get_active_or_error()
        single = "text" in data
        batch = embed_texts(config, [data["text"]] if single else data["texts"])
        body = {"embedding": batch.vectors[0]} if single else {"embeddings": list(batch.vectors)}
        return Response(
            {**body, "metadata": embedding_metadata(config)},
            headers=embedding_headers(batch.config_id, batch.timings),
        )


class ConfigView(APIView):
    required_scope = ApiKeyScope.EMBED

    @extend_schema(responses={200: ConfigResponseSerializer, **error_responses(503)})
    def get(self, request: Request) -> Response:
        return Response(config_description(config_get_active_or_error()))


class HealthView(APIView):
    """Open to load balancers and monitors: no key, no rate limit. Anyone sees status and readiness; staff
    and admin keys also see the model and the workers (names, memory, load errors)."""

    permission_classes: list = []
    throttle_classes: list = []

    @extend_schema(responses={200: HealthResponseSerializer})
    def get(self, request: Request) -> Response:
        report = health_report()
        if HasAdminScopeOrStaff().has_permission(request, self):
            return Response(report)
        return Response(public_health(report))
