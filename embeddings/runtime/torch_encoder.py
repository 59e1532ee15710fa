"""sentence-transformers on torch."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from embeddings.runtime.spec import ModelSpec


class SentenceTransformerEncoder:
    def __init__(self, spec: ModelSpec, local_path: str, batch_size: int = 32) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        self.name = spec.name
        self._batch_size = batch_size
        self._normalize = spec.normalize
        self._model = SentenceTransformer(local_path, device=spec.device, local_files_only=True)
        if spec.precision == "float16":
            self._model = self._model.to(torch.float16)
        self._model.max_seq_length = spec.max_seq_length
        self.max_seq_length = spec.max_seq_length
        self.dimensions = int(self._model.get_sentence_embedding_dimension() or 0)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=self._normalize,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        encoded = self._model.tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def decode(self, token_ids: Sequence[int]) -> str:
        return self._model.tokenizer.decode(list(token_ids), skip_special_tokens=True)
