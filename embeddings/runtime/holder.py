"""The per-process model holder: loads, warms up and serves several models, keyed by config id.

Configs whose weights are identical share one loaded model. Each loaded model has its own ModelRunner, the
one thread that touches its encoder; a source factory gives each runner the requests it should serve.
At most `max_models` models stay loaded: past that the least recently used goes first, never one that
serves a config the caller asks to keep (the active one, the one being activated).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from embeddings.runtime.encoder import Encoder
from embeddings.runtime.errors import DimensionMismatch
from embeddings.runtime.runner import ModelRunner, WorkSource
from embeddings.runtime.spec import ModelSpec
from embeddings.runtime.threads import on_own_thread

WARMUP_TEXTS = ["warm up the model", "a second, somewhat longer sentence to warm up padding paths"]

# Given a callable that says which config ids a loaded model serves right now, the requests it should run.
SourceFactory = Callable[[Callable[[], Sequence[int]]], WorkSource]


class ServedConfigs:
    """The config ids one loaded model serves. Replaced whole, never mutated, so the runner's thread reads
    it without a lock."""

    def __init__(self) -> None:
        self.ids: tuple[int, ...] = ()

    def __call__(self) -> tuple[int, ...]:
        return self.ids


@dataclass
class LoadedModel:
    encoder: Encoder
    runner: ModelRunner
    served: ServedConfigs


class ModelHolder:
    def __init__(
        self,
        load: Callable[[ModelSpec], Encoder],
        max_models: int = 3,
        batch_max_texts: int = 64,
        source_factory: SourceFactory | None = None,
    ) -> None:
        self._load = load
        self._max_models = max_models
        self._batch_max_texts = batch_max_texts
        self._source_factory = source_factory
        self._lock = threading.RLock()
        self._loaded_changed = threading.Condition(self._lock)
        self._models: OrderedDict[tuple[object, ...], LoadedModel] = OrderedDict()
        self._specs: dict[int, ModelSpec] = {}

    def is_loaded(self, config_id: int) -> bool:
        spec = self._specs.get(config_id)
        return spec is not None and spec.weights_key in self._models

    def wait_loaded(self, config_id: int, timeout: float) -> bool:
        """Block until the config's model is loaded (by whoever loads it) or the timeout passes."""
        with self._loaded_changed:
            return self._loaded_changed.wait_for(lambda: self.is_loaded(config_id), timeout)

    def loaded_config_ids(self) -> list[int]:
        return sorted(config_id for config_id in list(self._specs) if self.is_loaded(config_id))

    def ensure_loaded(self, spec: ModelSpec, keep: Collection[int] = ()) -> Encoder:
        """Load (once) and warm up the model for spec.config_id; checks its dimensions. Evicts the least
        recently used models past the bound, except those serving a config in `keep`."""
        with self._lock:
            loaded = self._models.get(spec.weights_key)
            if loaded is None:
                encoder = on_own_thread(partial(self._warmed_up, spec))  # see on_own_thread
                self._check_dimensions(spec, encoder)
                loaded = self._models[spec.weights_key] = self._start(spec, encoder)
            self._check_dimensions(spec, loaded.encoder)
            self._models.move_to_end(spec.weights_key)
            self._specs[spec.config_id] = spec
            loaded.served.ids = tuple(sorted({*loaded.served.ids, spec.config_id}))
            self._evict(keep={*keep, spec.config_id})
            self._loaded_changed.notify_all()
            return loaded.encoder

    def _warmed_up(self, spec: ModelSpec) -> Encoder:
        encoder = self._load(spec)
        encoder.encode(WARMUP_TEXTS)  # before the runner exists
        return encoder

    def touch(self, config_ids: Sequence[int]) -> None:
        """Mark these configs' models as just used (for least-recently-used eviction)."""
        with self._lock:
            for config_id in config_ids:
                spec = self._specs.get(config_id)
                if spec is not None and spec.weights_key in self._models:
                    self._models.move_to_end(spec.weights_key)

    def unload(self, config_id: int) -> bool:
        """Stop serving a config; its model goes when no other config shares it. Requests already queued
        for it are answered first (the runner drains its source before it stops). True if a model went."""
        with self._lock:
            spec = self._specs.pop(config_id, None)
            loaded = self._models.get(spec.weights_key) if spec else None
            if loaded is None:
                return False
            if any(other.weights_key == spec.weights_key for other in self._specs.values()):
                loaded.served.ids = tuple(cid for cid in loaded.served.ids if cid != config_id)
                return False
            del self._models[spec.weights_key]
        loaded.runner.stop()
        loaded.served.ids = ()
        return True

    def _start(self, spec: ModelSpec, encoder: Encoder) -> LoadedModel:
        served = ServedConfigs()
        source = self._source_factory(served) if self._source_factory else None
        runner = ModelRunner(encoder, source, self._batch_max_texts, name=spec.name)
        return LoadedModel(encoder=encoder, runner=runner, served=served)

    @staticmethod
    def _check_dimensions(spec: ModelSpec, encoder: Encoder) -> None:
        if encoder.dimensions != spec.dimensions:
            raise DimensionMismatch(
                f"config {spec.config_id} says {spec.dimensions} dimensions but model '{spec.name}' "
                f"produces {encoder.dimensions}-dimensional vectors"
            )

    def _evict(self, keep: Collection[int] = (), limit: int | None = None) -> None:
        limit = self._max_models if limit is None else limit
        kept = {self._specs[cid].weights_key for cid in keep if cid in self._specs}
        for weights_key in [key for key in self._models if key not in kept]:  # least recently used first
            if len(self._models) <= limit:
                return
            loaded = self._models.pop(weights_key)
            loaded.runner.stop()
            loaded.served.ids = ()
            for config_id in [cid for cid, spec in self._specs.items() if spec.weights_key == weights_key]:
                del self._specs[config_id]

    def spec(self, config_id: int) -> ModelSpec:
        return self._specs[config_id]

    def encoder(self, config_id: int) -> Encoder:
        return self._loaded(config_id).encoder

    def encode(self, config_id: int, texts: Sequence[str], timeout: float | None = None) -> np.ndarray:
        """Vectors for texts, batched with the other work of the same model, on its runner thread."""
        return self._loaded(config_id).runner.encode(texts, timeout)

    def encode_bulk(self, config_id: int, texts: Sequence[str], timeout: float | None = None) -> np.ndarray:
        """Vectors for bulk work (stored sources), yielding to interactive requests between pieces."""
        return self._loaded(config_id).runner.encode_bulk(texts, timeout)

    def _loaded(self, config_id: int) -> LoadedModel:
        spec = self._specs.get(config_id)
        loaded = self._models.get(spec.weights_key) if spec else None
        if loaded is None:
            raise KeyError(f"config {config_id} is not loaded")
        return loaded

    def unload_all(self) -> None:
        with self._lock:
            self._evict(limit=0)
