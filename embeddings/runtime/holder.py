"""The per-process model holder: loads, warms up and serves several models, keyed by config id.

Configs whose weights are identical share one loaded model. Each loaded model has its
own MicroBatcher, so concurrent requests for it become one forward pass.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from embeddings.runtime.batcher import MicroBatcher
from embeddings.runtime.encoder import Encoder
from embeddings.runtime.errors import DimensionMismatch
from embeddings.runtime.spec import ModelSpec

WARMUP_TEXTS = ["warm up the model", "a second, somewhat longer sentence to warm up padding paths"]


@dataclass
class LoadedModel:
    encoder: Encoder
    batcher: MicroBatcher


class ModelHolder:
    def __init__(
        self,
        load: Callable[[ModelSpec], Encoder],
        max_models: int = 3,
        batch_max_texts: int = 64,
        batch_max_wait: float = 0.005,
    ) -> None:
        self._load = load
        self._max_models = max_models
        self._batch_max_texts = batch_max_texts
        self._batch_max_wait = batch_max_wait
        self._lock = threading.RLock()
        self._models: OrderedDict[tuple[object, ...], LoadedModel] = OrderedDict()
        self._specs: dict[int, ModelSpec] = {}

    def is_loaded(self, config_id: int) -> bool:
        spec = self._specs.get(config_id)
        return spec is not None and spec.weights_key in self._models

    def loaded_config_ids(self) -> list[int]:
        return sorted(config_id for config_id in list(self._specs) if self.is_loaded(config_id))

    def ensure_loaded(self, spec: ModelSpec) -> Encoder:
        """Load (once) and warm up the model for spec.config_id; checks its dimensions."""
        with self._lock:
            loaded = self._models.get(spec.weights_key)
            if loaded is None:
                loaded = self._load_new(spec)
            self._check_dimensions(spec, loaded.encoder)
            self._models.move_to_end(spec.weights_key)
            self._specs[spec.config_id] = spec
            self._evict()
            return loaded.encoder

    def _load_new(self, spec: ModelSpec) -> LoadedModel:
        encoder = self._load(spec)
        encoder.encode(WARMUP_TEXTS)
        loaded = LoadedModel(
            encoder, MicroBatcher(encoder.encode, self._batch_max_texts, self._batch_max_wait)
        )
        self._models[spec.weights_key] = loaded
        return loaded

    @staticmethod
    def _check_dimensions(spec: ModelSpec, encoder: Encoder) -> None:
        if encoder.dimensions != spec.dimensions:
            raise DimensionMismatch(
                f"config {spec.config_id} says {spec.dimensions} dimensions but model '{spec.name}' "
                f"produces {encoder.dimensions}-dimensional vectors"
            )

    def _evict(self, keep: int | None = None) -> None:
        limit = self._max_models if keep is None else keep
        while len(self._models) > limit:
            weights_key, loaded = self._models.popitem(last=False)
            loaded.batcher.stop()
            for config_id in [cid for cid, spec in self._specs.items() if spec.weights_key == weights_key]:
                del self._specs[config_id]

    def spec(self, config_id: int) -> ModelSpec:
        return self._specs[config_id]

    def encoder(self, config_id: int) -> Encoder:
        return self._loaded(config_id).encoder

    def encode(self, config_id: int, texts: Sequence[str], timeout: float | None = None) -> np.ndarray:
        """Vectors for texts, batched with other callers' texts for the same model."""
        return self._loaded(config_id).batcher.encode(texts, timeout)

    def encode_bulk(self, config_id: int, texts: Sequence[str], timeout: float | None = None) -> np.ndarray:
        """Vectors for bulk work (stored sources), yielding to interactive requests between pieces."""
        return self._loaded(config_id).batcher.encode_bulk(texts, timeout)

    def _loaded(self, config_id: int) -> LoadedModel:
        spec = self._specs.get(config_id)
        loaded = self._models.get(spec.weights_key) if spec else None
        if loaded is None:
            raise KeyError(f"config {config_id} is not loaded")
        return loaded

    def unload_all(self) -> None:
        with self._lock:
            self._evict(keep=0)
