"""OpenAI-compatible endpoints. Thin: parse, call one selector or the inference function, format."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.models import ApiKeyScope
from embeddings.api.openai.answers import embeddings_answer
from embeddings.api.openai.presenters import model_list, model_object
from embeddings.api.openai.serializers import (
    EmbeddingsRequestSerializer,
    EmbeddingsResponseSerializer,
    ModelListSerializer,
    ModelObjectSerializer,
    embeddings_request_validated,
)
from embeddings.configs.selectors import config_get_active, config_get_for_model_name
from embedplatform.api.schema import error_responses

TAGS = ["OpenAI-compatible"]


class EmbeddingsView(APIView):
    required_scope = ApiKeyScope.EMBED

    @extend_schema(
        tags=TAGS,
        summary="Create embeddings (OpenAI's POST /v1/embeddings)",
        request=EmbeddingsRequestSerializer,
        responses={
            200: EmbeddingsResponseSerializer,
            **error_responses(404, 503),
        },
    )
    def post(self, request: Request) -> Response:
        answer = embeddings_answer(embeddings_request_validated(request.data))
        return Response(answer.body, headers=answer.headers)


class _ListSchema(AutoSchema):
    """A GET that returns a list object: name its operation `..._list`, apart from the detail route."""

    def get_operation_id(self) -> str:
        return super().get_operation_id().removesuffix("_retrieve") + "_list"


class ModelListView(APIView):
    required_scope = ApiKeyScope.EMBED
    schema = _ListSchema()

    @extend_schema(
        tags=TAGS,
        summary="List models (the active one)",
        responses=ModelListSerializer,
    )
    def get(self, request: Request) -> Response:
        config = config_get_active()
        return Response(model_list([config] if config else []))


class ModelDetailView(APIView):
    required_scope = ApiKeyScope.EMBED

    @extend_schema(
        tags=TAGS,
        summary="Retrieve a model",
        parameters=[
            OpenApiParameter("model", str, OpenApiParameter.PATH, description="Model name or alias.")
        ],
        responses={200: ModelObjectSerializer, **error_responses(404, 503)},
    )
    def get(self, request: Request, model: str) -> Response:
        return Response(model_object(config_get_for_model_name(model)))
