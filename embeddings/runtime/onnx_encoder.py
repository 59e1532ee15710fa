"""onnxruntime + the `tokenizers` library, pooling and normalising like sentence-transformers.

onnxruntime's intra-op threads spin by default after each run, waiting for the next one. The worker keeps
that default (EMBEDDING_ONNX_SPINNING): side by side (bench/ab.py), spinning cost about 4% of requests/s
under 32 clients, where the web processes need the CPU it takes, but without it one-text requests took 41%
longer on a host where waking an idle core is slow.

With `parallel_runs` (EMBEDDING_ONNX_PARALLEL_RUNS), a pass of several length groups runs them side by side
on a second session of one thread each (embeddings.runtime.parallel_runs); a pass of one text still runs
on all the threads. The second session holds its own copy of the weights.

A text is tokenized once even when its tokens are counted first (the OpenAI API reports them as usage):
count_tokens() keeps the encodings of texts within the model's limit, which are exactly what the truncating
tokenizer makes of them, and the next encode() on the same thread takes them instead of tokenizing again.
Side by side (bench/ab.py, requests of 64 texts) that took the platform's bulk from 270.9 to 294.8 texts/s.

onnxruntime fuses a residual Add and the LayerNormalization after it into one SkipLayerNormalization where a
graph's pattern allows it (of the catalog's files, the packaged int8 MiniLM's). Its CPU kernel ran those
twelve nodes in 900 ms where the LayerNormalization and Add nodes it replaces took about 196
(bench/onnx_ops.py, onnxruntime's own profiler, 2026-12-04), so the worker turns that one fusion off
(EMBEDDING_ONNX_FUSE_SKIP_LAYER_NORM=false); every other graph optimization stays at onnxruntime's default
level.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from embeddings.runtime.batching import length_batches
from embeddings.runtime.errors import ModelUnavailable
from embeddings.runtime.parallel_runs import ParallelRuns
from embeddings.runtime.spec import ModelSpec
from embeddings.runtime.tokenizing import encode_texts, untruncated_copy


class OnnxEncoder:
    def __init__(
        self,
        spec: ModelSpec,
        model_file: str,
        threads: int,
        spinning: bool = True,
        parallel_runs: bool = False,
        fuse_skip_layer_norm: bool = True,
    ) -> None:
        from tokenizers import Tokenizer

        if not spec.tokenizer_path:
            raise ModelUnavailable(f"ONNX model '{spec.name}' needs a tokenizer.json (tokenizer_path)")
        self._session = _session(model_file, threads, spinning, fuse_skip_layer_norm)
        self._parallel = ParallelRuns(threads) if parallel_runs and threads > 1 else None
        self._one_thread_session = (
            _session(model_file, 1, spinning, fuse_skip_layer_norm) if self._parallel else None
        )
        self._input_names = {item.name for item in self._session.get_inputs()}
        self._output = spec.onnx_output or self._session.get_outputs()[0].name
        self._pool_in_graph = spec.pooling == "graph"
        self._normalize = spec.normalize
        self._tokenizer = Tokenizer.from_file(spec.tokenizer_path)
        self._counting_tokenizer = untruncated_copy(self._tokenizer)
        self._tokenizer.enable_truncation(max_length=spec.max_seq_length)
        self._tokenizer.no_padding()  # each length group is padded to its own longest, in _run_batch
        self._pad_token = next(
            (token for token in ("[PAD]", "<pad>") if self._tokenizer.token_to_id(token) is not None), "[PAD]"
        )
        self._pad_id = self._tokenizer.token_to_id(self._pad_token) or 0
        self._counted: dict[str, list] = {}  # text -> its encodings from count_tokens(), for encode()
        self.name = spec.name
        self.max_seq_length = spec.max_seq_length
        self.vocabulary_size = self._tokenizer.get_vocab_size(with_added_tokens=True)
        self.dimensions = int(self.encode(["dimension probe"]).shape[1])

    def _run_batch(self, encodings: list, session=None) -> np.ndarray:
        longest = max(len(item.ids) for item in encodings)
        for item in encodings:
            item.pad(longest, pad_id=self._pad_id, pad_token=self._pad_token)
        feeds = {
            "input_ids": np.array([item.ids for item in encodings], dtype=np.int64),
            "attention_mask": np.array([item.attention_mask for item in encodings], dtype=np.int64),
            "token_type_ids": np.array([item.type_ids for item in encodings], dtype=np.int64),
        }
        feeds = {name: value for name, value in feeds.items() if name in self._input_names}
        (output,) = (session or self._session).run([self._output], feeds)
        if self._pool_in_graph:
            return output.astype(np.float32)
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        summed = (output * mask).sum(axis=1)
        return (summed / np.clip(mask.sum(axis=1), 1e-9, None)).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Tokenized once (truncated, unpadded), grouped by length within a token budget, each group padded
        to its longest and run as one batch: side by side on the one-thread session when the pass spreads
        over the threads (parallel runs), else one after another on the session of all the threads."""
        encodings = self._encodings(list(texts))
        lengths = [len(item.ids) for item in encodings]
        groups = length_batches(lengths)
        chunks = None
        if self._parallel:
            chunks = self._parallel.run_spread(
                lambda group: self._run_batch(
                    [encodings[index] for index in group], self._one_thread_session
                ),
                groups,
                lengths,
            )
        if chunks is None:
            chunks = [
                (indices, self._run_batch([encodings[index] for index in indices])) for indices in groups
            ]
        width = chunks[0][1].shape[1] if chunks else getattr(self, "dimensions", 0)
        vectors = np.empty((len(encodings), width), dtype=np.float32)
        for indices, chunk in chunks:
            vectors[indices] = chunk
        if self._normalize and len(vectors):
            vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        return vectors

    def _encodings(self, texts: list[str]) -> list:
        """Truncated, unpadded encodings: those count_tokens() kept (each used once: a pass pads them in
        place), the others tokenized now. What count_tokens() kept and this pass did not use is dropped."""
        counted, self._counted = self._counted, {}
        encodings = [counted[text].pop() if counted.get(text) else None for text in texts]
        missing = [index for index, encoding in enumerate(encodings) if encoding is None]
        if missing:
            fresh = encode_texts(self._tokenizer, [texts[index] for index in missing])
            for index, encoding in zip(missing, fresh, strict=True):
                encodings[index] = encoding
        return encodings

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Before truncation. An encoding within the limit is what the truncating tokenizer makes of the
        text too: it is kept for the next encode()."""
        texts = list(texts)
        encodings = encode_texts(self._counting_tokenizer, texts)
        for text, encoding in zip(texts, encodings, strict=True):
            if len(encoding.ids) <= self.max_seq_length:
                self._counted.setdefault(text, []).append(encoding)
        return [len(item.ids) for item in encodings]

    def decode(self, token_ids: Sequence[int]) -> str:
        return self._tokenizer.decode(list(token_ids), skip_special_tokens=True)


SKIP_LAYER_NORM_FUSION = "SkipLayerNormFusion"  # onnxruntime's name for the optimizer


def disabled_optimizers(fuse_skip_layer_norm: bool) -> list[str]:
    """The onnxruntime optimizers a session is made without (its `disabled_optimizers`)."""
    return [] if fuse_skip_layer_norm else [SKIP_LAYER_NORM_FUSION]


def _session(model_file: str, threads: int, spinning: bool, fuse_skip_layer_norm: bool = True):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    return onnxruntime.InferenceSession(
        model_file,
        options,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=disabled_optimizers(fuse_skip_layer_norm),
    )
