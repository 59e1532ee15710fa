from __future__ import annotations

from rest_framework import serializers

from embeddings.models import ActivationState, InputOverflow, JobState
from embedplatform.api.serializers import ClosedSerializer


class ConfigSwitchRequestSerializer(ClosedSerializer):
    """A config to create and activate; what is not given comes from the catalog."""

    model = serializers.CharField(max_length=500)
    backend = serializers.CharField(required=False, max_length=16)
    dimensions = serializers.IntegerField(required=False, min_value=1)
    precision = serializers.CharField(required=False, max_length=16)
    max_seq_length = serializers.IntegerField(required=False, min_value=1)
    normalize = serializers.BooleanField(required=False)
    input_overflow = serializers.ChoiceField(choices=InputOverflow.values, required=False)
    timeout_seconds = serializers.IntegerField(required=False, min_value=1, max_value=3600)


class ActivateRequestSerializer(ClosedSerializer):
    timeout_seconds = serializers.IntegerField(required=False, min_value=1, max_value=3600)
    when_built = serializers.BooleanField(
        required=False,
        help_text="Build the config's missing and stale vectors first, then flip (default: when stored "
        "texts lack a fresh vector of it). false: flip once the workers hold the model; search covers what "
        "is built.",
    )


class WorkerLoadStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["waiting", "loading", "ready", "failed"])
    seconds = serializers.FloatField(required=False)
    error = serializers.CharField(required=False)


class ActivationSerializer(serializers.Serializer):
    activation_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ActivationState.values)
    config_id = serializers.IntegerField()
    new_model = serializers.CharField()
    old_config_id = serializers.IntegerField(allow_null=True)
    old_model = serializers.CharField(allow_null=True)
    dimensions_change = serializers.BooleanField()
    error = serializers.CharField(allow_null=True)
    workers = serializers.DictField(child=WorkerLoadStateSerializer())
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    timeout_seconds = serializers.IntegerField()
    build_first = serializers.BooleanField()
    built_at = serializers.DateTimeField(allow_null=True)
    build_job_ids = serializers.ListField(child=serializers.IntegerField())
    coverage = serializers.DictField(
        help_text="Texts of each source with a fresh vector of the config, stale ones, and missing ones."
    )
    estimated_time_seconds = serializers.FloatField(allow_null=True, required=False)


class WorkerPanelSerializer(serializers.Serializer):
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=["serving", "loading"])
    loaded_config_ids = serializers.ListField(child=serializers.IntegerField())
    loading = serializers.DictField(allow_null=True)
    rss_mb = serializers.FloatField(allow_null=True)
    last_load = serializers.DictField(allow_null=True, help_text="config_id, seconds, RSS before and after")
    last_unload = serializers.DictField(allow_null=True, help_text="config_id, RSS before and after")
    errors = serializers.DictField(child=serializers.CharField())


class ReembedRequestSerializer(ClosedSerializer):
    config_id = serializers.IntegerField(min_value=1)
    source = serializers.CharField(
        required=False, max_length=100, help_text="e.g. chat.message; default: all"
    )


class ReembedJobSerializer(serializers.Serializer):
    job_id = serializers.IntegerField()
    config_id = serializers.IntegerField()
    source = serializers.CharField()
    status = serializers.ChoiceField(choices=JobState.values)
    percent = serializers.FloatField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    pending = serializers.IntegerField()
    rate_per_second = serializers.FloatField(allow_null=True)
    eta_seconds = serializers.FloatField(allow_null=True)
    errors = serializers.ListField(
        child=serializers.CharField(), help_text="The last errors of failed texts."
    )
    error = serializers.CharField(allow_null=True, help_text="Why the job failed or was cancelled.")
    requested_via = serializers.CharField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
