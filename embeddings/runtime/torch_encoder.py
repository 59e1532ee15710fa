"""sentence-transformers on torch, called through the model's own modules.

`SentenceTransformer.encode` wraps the forward pass in generic bookkeeping, and transformers' eager
forward spends milliseconds per call in Python (mask builders, output capture, layer wrappers): for one
short text that is more than the arithmetic. This encoder runs the same modules (the model's tokenizer,
transformer, pooling and normalisation) in the same order, so the vectors are the same, with less around
them:

- texts grouped by token length within a token budget (embeddings.runtime.batching), one forward per group;
- for float32 models, the model's forward traced once at load with TorchScript (fewer Python hops per
  call). Tracing records one path through Python branches on shapes, so the traced model is checked
  against the eager one at load over batch sizes and lengths up to the maximum; any disagreement, or a
  model that cannot be traced, keeps the eager forward (and says so in the log).

Why traced and not frozen (bench/torch_forms.py, MiniLM, 2 cores, 2026-12-02): one text takes 11.3 ms
traced or frozen (14.9 eager); batches of 32 run at 325 texts/s traced, 345 frozen, 296 eager. But
TorchScript's global compilation unit keeps what it compiled for the life of the process: each load of a
frozen model keeps about 90 MB after the model is freed (its weights become graph constants), a traced one
about 20 MB, an eager one nothing. Models are switched in place, so a switch must give the old model's
memory back: traced. `optimize_for_inference` was slower still and kept more. EMBEDDING_TORCH_TRACE=false
runs eagerly and keeps nothing.

TorchScript is deprecated in favour of torch.export, which was measured too: exact, but about half the
gain for one text (its graph still runs op by op in Python). torch is pinned (2.13.0); revisit on upgrade.

With `parallel_runs` (EMBEDDING_TORCH_PARALLEL_RUNS), a pass of several length groups runs them side by side,
one torch thread each (embeddings.runtime.parallel_runs), as the ONNX encoder does; a pass that cannot be
spread (one text) runs on all the threads. The threads share the one model: nothing is copied. torch keeps
its thread count per thread, so each pass sets it on the threads that run it, and leaves the calling
thread's as it found it.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import numpy as np

from embeddings.runtime.batching import length_batches
from embeddings.runtime.parallel_runs import ParallelRuns
from embeddings.runtime.spec import ModelSpec
from embeddings.runtime.threads import configure_torch_threads, torch_threads
from embeddings.runtime.tokenizing import encode_texts, untruncated_copy

logger = logging.getLogger(__name__)

TRACE_CHECK_COSINE = 0.99999


class SentenceTransformerEncoder:
    def __init__(
        self,
        spec: ModelSpec,
        local_path: str,
        trace: bool = True,
        threads: int | None = None,
        parallel_runs: bool = False,
    ) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        self._torch = torch
        self.name = spec.name
        self._normalize = spec.normalize
        self._device = torch.device(spec.device)
        self._threads = threads if self._device.type == "cpu" else None  # torch threads of a pass
        spreads = parallel_runs and self._threads is not None and self._threads > 1
        self._parallel = ParallelRuns(self._threads) if spreads else None
        self._model = SentenceTransformer(local_path, device=spec.device, local_files_only=True)
        if spec.precision == "float16":
            self._model = self._model.to(torch.float16)
        self._model.eval()
        self._model.max_seq_length = spec.max_seq_length
        self._preprocess = getattr(self._model, "preprocess", None) or self._model.tokenize
        self.max_seq_length = spec.max_seq_length
        dimension_of = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dimensions = int(dimension_of() or 0)
        self.vocabulary_size = len(self._model.tokenizer)
        self._counting_tokenizer = _counting_copy(self._model.tokenizer)
        self._input_names: list[str] = []
        self._pads_left = getattr(self._model.tokenizer, "padding_side", "right") == "left"
        self._traced = self._trace() if trace and spec.precision == "float32" else None

    @property
    def traced(self) -> bool:
        return self._traced is not None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One tokenizer call for all the texts; each length group is then cut out of its result (its rows,
        and as many columns as its longest text has tokens, from the side opposite the padding): that is
        exactly what tokenizing the group alone gives, so the texts are tokenized once, not once to measure
        and again per group."""
        texts = list(texts)
        vectors = np.empty((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return vectors
        features = self._features(texts)
        lengths = features["attention_mask"].sum(dim=1).tolist()
        groups = length_batches(lengths)
        with torch_threads(self._threads):  # the calling thread's count, as it was again after the pass
            chunks = None
            if self._parallel:
                chunks = self._parallel.run_spread(
                    lambda group: self._run_group(features, lengths, group, one_thread=True), groups, lengths
                )
            if chunks is None:
                chunks = [(indices, self._run_group(features, lengths, indices)) for indices in groups]
        for indices, output in chunks:
            vectors[indices] = output
        return vectors

    def _run_group(
        self, features: dict, lengths: list[int], indices: list[int], one_thread: bool = False
    ) -> np.ndarray:
        if one_thread:
            configure_torch_threads(1)  # on each thread that runs a group side by side, the calling one too
        width = max(lengths[index] for index in indices)
        return self._forward(_rows(features, indices, width, from_left=not self._pads_left))

    def _features(self, texts: list[str]) -> dict:
        torch = self._torch
        features = self._preprocess(texts)
        return {
            name: value.to(self._device) if isinstance(value, torch.Tensor) else value
            for name, value in features.items()
        }

    def _forward(self, features: dict, eager: bool = False) -> np.ndarray:
        torch = self._torch
        with torch.inference_mode():
            if self._traced is not None and not eager:
                embeddings = self._traced(*(features[name] for name in self._input_names))
            else:
                embeddings = self._model.forward(features)["sentence_embedding"]
            if self._normalize:
                embeddings = torch.nn.functional.normalize(embeddings, p=2, dim=1)
            return embeddings.float().cpu().numpy()

    def _trace(self):  # noqa: ANN202 - a torch.jit.ScriptModule, or None
        torch = self._torch
        example = self._features(["a sentence to trace the model with", "another, longer one to pad"])
        self._input_names = [name for name, value in example.items() if isinstance(value, torch.Tensor)]
        model, names = self._model, list(self._input_names)

        class Forward(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.model = model

            def forward(self, *tensors):  # noqa: ANN002, ANN202
                return self.model.forward(dict(zip(names, tensors, strict=True)))["sentence_embedding"]

        try:
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # TorchScript: see the module docstring
                warnings.simplefilter("ignore", torch.jit.TracerWarning)  # what it records is checked below
                traced = torch.jit.trace(
                    Forward().eval(), tuple(example[name] for name in names), strict=False
                )
        except Exception as error:  # a model with untraceable code still serves, eagerly
            logger.warning("model %s runs eagerly: it cannot be traced (%s)", self.name, type(error).__name__)
            return None
        self._traced = traced
        if not self._traced_agrees_with_eager():
            logger.warning("model %s runs eagerly: its traced form disagrees with the eager one", self.name)
            self._traced = None
        return self._traced

    def _traced_agrees_with_eager(self) -> bool:
        checks = [["one"], ["a short one", "a somewhat longer sentence than the first one is"]]
        checks.append(["word " * 8] * 3 + ["word " * (self.max_seq_length * 2)])  # truncated at the maximum
        for texts in checks:
            features = self._features(texts)
            traced, eager = self._forward(features), self._forward(features, eager=True)
            norms = np.linalg.norm(traced, axis=1) * np.linalg.norm(eager, axis=1)
            if np.min(np.sum(traced * eager, axis=1) / np.clip(norms, 1e-12, None)) < TRACE_CHECK_COSINE:
                return False
        return True

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Before truncation, special tokens included."""
        if self._counting_tokenizer is not None:
            return [len(item.ids) for item in encode_texts(self._counting_tokenizer, list(texts))]
        encoded = self._model.tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def decode(self, token_ids: Sequence[int]) -> str:
        return self._model.tokenizer.decode(list(token_ids), skip_special_tokens=True)


def _counting_copy(tokenizer):  # noqa: ANN001, ANN202 - a transformers tokenizer; a tokenizers.Tokenizer or None
    """A copy of a fast tokenizer's own `tokenizers.Tokenizer`, never truncating or padding: it counts the
    tokens that the transformers tokenizer gives with truncation off, without that wrapper's per-call Python
    work: counting one text's tokens, right after the previous text's pass, took 0.33 ms through the wrapper
    and 0.15 ms through the copy (`bench/raw.py all-MiniLM-L6-v2 --count-tokens 1 --texts 300`, medians of 3
    rounds, 2026-12-04). A copy, so the truncation and padding that the wrapper sets on its tokenizer at each
    call are never shared. None for a slow tokenizer (no Rust tokenizer under it)."""
    backend = getattr(tokenizer, "_tokenizer", None)
    if backend is None or not hasattr(backend, "to_str"):
        return None
    try:
        return untruncated_copy(backend)
    except Exception:  # a tokenizer that does not serialise: the wrapper counts
        logger.warning("counting tokens through the transformers tokenizer: its tokenizer does not serialise")
        return None


def _rows(features: dict, indices: list[int], width: int, *, from_left: bool) -> dict:
    """The features of some texts of a padded batch: their rows, and of 2-D tensors `width` columns, the
    first ones when padding is on the right, else the last ones (the rest is padding for these texts)."""
    columns = slice(None, width) if from_left else slice(-width, None)
    picked = {}
    for name, value in features.items():
        if hasattr(value, "dim") and value.dim() >= 1:
            value = value[indices]
            picked[name] = value[:, columns].contiguous() if value.dim() == 2 else value
        else:
            picked[name] = value
    return picked
