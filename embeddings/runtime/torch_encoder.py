"""sentence-transformers on torch, called through the model's own modules.

`SentenceTransformer.encode` wraps the forward pass in generic bookkeeping (progress bars, output
conversions, per-call setup) that costs about a millisecond per call on CPU. This encoder runs the same
modules (the model's own tokenizer, transformer, pooling and normalisation) in the same order, so the
vectors are the same, with less around them: texts sorted by length and cut into sub-batches (so
similar lengths pad together), one `inference_mode` forward per sub-batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from embeddings.runtime.spec import ModelSpec


class SentenceTransformerEncoder:
    def __init__(self, spec: ModelSpec, local_path: str, batch_size: int = 32) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        self._torch = torch
        self.name = spec.name
        self._batch_size = batch_size
        self._normalize = spec.normalize
        self._device = torch.device(spec.device)
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

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        vectors = np.empty((len(texts), self.dimensions), dtype=np.float32)
        order = np.argsort([len(text) for text in texts], kind="stable")
        for start in range(0, len(texts), self._batch_size):
            indices = order[start : start + self._batch_size]
            vectors[indices] = self._forward([texts[index] for index in indices])
        return vectors

    def _forward(self, texts: list[str]) -> np.ndarray:
        torch = self._torch
        features = self._preprocess(texts)
        features = {
            name: value.to(self._device) if isinstance(value, torch.Tensor) else value
            for name, value in features.items()
        }
        with torch.inference_mode():
            embeddings = self._model.forward(features)["sentence_embedding"]
            if self._normalize:
                embeddings = torch.nn.functional.normalize(embeddings, p=2, dim=1)
            return embeddings.float().cpu().numpy()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        encoded = self._model.tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def decode(self, token_ids: Sequence[int]) -> str:
        return self._model.tokenizer.decode(list(token_ids), skip_special_tokens=True)
