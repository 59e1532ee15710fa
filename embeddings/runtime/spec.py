from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelSpec:
    """Everything the runtime needs to load one model; built from an embedding config."""

    config_id: int
    name: str
    location: str  # a local path, or a Hugging Face hub id
    backend: str  # "torch" | "onnx"
    dimensions: int
    max_seq_length: int
    normalize: bool
    precision: str = "float32"
    revision: str = ""
    device: str = "cpu"
    pooling: str = "mean"  # onnx: "mean" pools token embeddings, "graph" means the graph pools
    onnx_output: str = ""
    tokenizer_path: str = ""  # onnx: a tokenizer.json (default: the one beside the model)
    export_dir: str = ""  # onnx: where ONNX files exported or quantized from the model are cached

    @property
    def weights_key(self) -> tuple[object, ...]:
        """Two configs with the same weights key share one loaded model."""
        return (
            self.location,
            self.backend,
            self.precision,
            self.revision,
            self.device,
            self.pooling,
            self.onnx_output,
            self.tokenizer_path,
            self.max_seq_length,
            self.normalize,
        )
