"""Admin routes: switch the active config, follow an activation, see the workers. Staff or an `admin` key."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.models import ApiKeyScope
from embeddings.api.admin.presenters import activation_description, job_description, worker_description
from embeddings.api.admin.serializers import (
    ActivateRequestSerializer,
    ActivationSerializer,
    ConfigSwitchRequestSerializer,
    ReembedJobSerializer,
    ReembedRequestSerializer,
    WorkerPanelSerializer,
)
from embeddings.client.fleet import worker_list
from embeddings.configs.activation import activation_advance, activation_start
from embeddings.configs.selectors import activation_estimated_seconds, activation_get_queryset
from embeddings.configs.services import config_create
from embeddings.models import ConfigActivation, EmbeddingConfig, ReembedJob
from embeddings.vectors.jobs import JOB_ACTIONS, reembed_job_advance, reembed_job_start
from embeddings.vectors.registry import NotRegistered, registry
from embedplatform.api.errors import InvalidInput
from embedplatform.api.schema import error_responses


def _accepted(activation: ConfigActivation) -> Response:
    body = activation_description(activation)
    body["estimated_time_seconds"] = activation_estimated_seconds(activation.config)
    location = reverse("admin-embedding-activation", kwargs={"activation_id": activation.pk})
    return Response(body, status=202, headers={"Location": location})


class ConfigSwitchView(APIView):
    """PUT a config: create it and start activating it. The current config serves until the flip."""

    required_scope = ApiKeyScope.ADMIN

    @extend_schema(
        request=ConfigSwitchRequestSerializer,
        responses={202: ActivationSerializer, **error_responses(400, 401, 403)},
    )
    def put(self, request: Request) -> Response:
        serializer = ConfigSwitchRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        timeout = fields.pop("timeout_seconds", None)
        config = config_create(**fields)
        return _accepted(activation_start(config, requested_by=request.user, timeout_seconds=timeout))


class ConfigActivateView(APIView):
    required_scope = ApiKeyScope.ADMIN

    @extend_schema(
        request=ActivateRequestSerializer,
        responses={202: ActivationSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, config_id: int) -> Response:
        serializer = ActivateRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        config = get_object_or_404(EmbeddingConfig, pk=config_id)
        data = serializer.validated_data
        activation = activation_start(
            config,
            requested_by=request.user,
            timeout_seconds=data.get("timeout_seconds"),
            when_built=data.get("when_built"),
        )
        return _accepted(activation)


class ActivationView(APIView):
    required_scope = ApiKeyScope.ADMIN

    @extend_schema(responses={200: ActivationSerializer, **error_responses(401, 403, 404)})
    def get(self, request: Request, activation_id: int) -> Response:
        activation = activation_advance(get_object_or_404(activation_get_queryset(), pk=activation_id))
        return Response(activation_description(activation))


class WorkersView(APIView):
    required_scope = ApiKeyScope.ADMIN

    @extend_schema(responses={200: WorkerPanelSerializer(many=True), **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        return Response([worker_description(worker) for worker in worker_list()])


class ReembedView(APIView):
    """POST: build a config's vectors for every stored text (a job per source), beside the active config's."""

    required_scope = ApiKeyScope.ADMIN

    @extend_schema(
        request=ReembedRequestSerializer,
        responses={202: ReembedJobSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        serializer = ReembedRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        config = get_object_or_404(EmbeddingConfig, pk=data["config_id"])
        try:
            sources = [registry.get(data["source"])] if "source" in data else registry.all()
        except NotRegistered as error:
            raise InvalidInput(str(error), param="source") from error
        via = str(getattr(request.user, "username", "") or "")
        jobs = [reembed_job_start(config, source, requested_via=via) for source in sources]
        return Response([job_description(job) for job in jobs], status=202)


class ReembedJobView(APIView):
    required_scope = ApiKeyScope.ADMIN

    @extend_schema(responses={200: ReembedJobSerializer, **error_responses(401, 403, 404)})
    def get(self, request: Request, job_id: int) -> Response:
        return Response(job_description(reembed_job_advance(get_object_or_404(ReembedJob, pk=job_id))))


class ReembedJobActionView(APIView):
    """POST pause, resume or cancel a job; 409 when its state does not allow it (resuming a running job)."""

    required_scope = ApiKeyScope.ADMIN
    action: str = ""

    @extend_schema(request=None, responses={200: ReembedJobSerializer, **error_responses(401, 403, 404, 409)})
    def post(self, request: Request, job_id: int) -> Response:
        job = JOB_ACTIONS[self.action](get_object_or_404(ReembedJob, pk=job_id))
        return Response(job_description(job))
