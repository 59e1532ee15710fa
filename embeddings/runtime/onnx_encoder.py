"""onnxruntime + the `tokenizers` library, pooling and normalising like sentence-transformers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from embeddings.runtime.errors import ModelUnavailable
from embeddings.runtime.spec import ModelSpec


class OnnxEncoder:
    def __init__(self, spec: ModelSpec, model_file: str, threads: int, batch_size: int = 32) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        if not spec.tokenizer_path:
            raise ModelUnavailable(f"ONNX model '{spec.name}' needs a tokenizer.json (tokenizer_path)")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(model_file, options, providers=["CPUExecutionProvider"])
        self._input_names = {item.name for item in self._session.get_inputs()}
        self._output = spec.onnx_output or self._session.get_outputs()[0].name
        self._pool_in_graph = spec.pooling == "graph"
        self._normalize = spec.normalize
        self._batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(spec.tokenizer_path)
        self._counting_tokenizer = Tokenizer.from_file(spec.tokenizer_path)
        self._counting_tokenizer.no_truncation()
        self._counting_tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=spec.max_seq_length)
        self._tokenizer.enable_padding()
        self.name = spec.name
        self.max_seq_length = spec.max_seq_length
        self.dimensions = int(self.encode(["dimension probe"]).shape[1])

    def _run_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        feeds = {
            "input_ids": np.array([item.ids for item in encodings], dtype=np.int64),
            "attention_mask": np.array([item.attention_mask for item in encodings], dtype=np.int64),
            "token_type_ids": np.array([item.type_ids for item in encodings], dtype=np.int64),
        }
        feeds = {name: value for name, value in feeds.items() if name in self._input_names}
        (output,) = self._session.run([self._output], feeds)
        if self._pool_in_graph:
            return output.astype(np.float32)
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        summed = (output * mask).sum(axis=1)
        return (summed / np.clip(mask.sum(axis=1), 1e-9, None)).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        order = np.argsort([len(text) for text in texts])  # similar lengths pad less
        vectors = np.empty((len(texts), 0), dtype=np.float32)
        chunks = []
        for start in range(0, len(texts), self._batch_size):
            indices = order[start : start + self._batch_size]
            chunks.append((indices, self._run_batch([texts[i] for i in indices])))
        if chunks:
            vectors = np.empty((len(texts), chunks[0][1].shape[1]), dtype=np.float32)
            for indices, chunk in chunks:
                vectors[indices] = chunk
        if self._normalize and len(vectors):
            vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        return vectors

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(item.ids) for item in self._counting_tokenizer.encode_batch(list(texts))]

    def decode(self, token_ids: Sequence[int]) -> str:
        return self._tokenizer.decode(list(token_ids), skip_special_tokens=True)
