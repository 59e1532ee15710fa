"""Builds an Encoder from a ModelSpec, choosing the backend class."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from embeddings.runtime.encoder import Encoder
from embeddings.runtime.errors import ModelLoadError, ModelUnavailable
from embeddings.runtime.hub import resolve_hub_model
from embeddings.runtime.onnx_export import onnx_model_file, tokenizer_file
from embeddings.runtime.onnx_fusions import gelu_fused_onnx
from embeddings.runtime.spec import ModelSpec
from embeddings.runtime.threads import configure_torch_threads, cpu_threads


def _looks_like_path(location: str) -> bool:
    return location.startswith(("/", ".", "~")) or Path(location).exists()


def _local_location(spec: ModelSpec, hub_timeout: float) -> Path:
    if _looks_like_path(spec.location):
        path = Path(spec.location).expanduser()
        if not path.exists():
            raise ModelUnavailable(f"model '{spec.name}': no files at {path}")
        return path
    return resolve_hub_model(spec.location, spec.revision, hub_timeout)


def _onnx_encoder(
    spec: ModelSpec,
    local: Path,
    threads: int,
    spinning: bool,
    parallel_runs: bool,
    fuse_skip_layer_norm: bool,
    fuse_gelu: bool,
) -> Encoder:
    """The model's ONNX file at the spec's precision (exported and quantized into spec.export_dir when the
    model has none; its GELUs fused there, when asked, where onnxruntime's fusion misses them) with its
    tokenizer.json: the spec's, else the one beside the model."""
    from embeddings.runtime.onnx_encoder import OnnxEncoder

    model_file = onnx_model_file(local, spec.precision, spec.export_dir)
    if fuse_gelu:
        model_file = gelu_fused_onnx(model_file, spec.export_dir)
    if not spec.tokenizer_path:
        tokenizer = tokenizer_file(local)
        spec = replace(spec, tokenizer_path=str(tokenizer)) if tokenizer else spec
    return OnnxEncoder(
        spec,
        str(model_file),
        threads,
        spinning=spinning,
        parallel_runs=parallel_runs,
        fuse_skip_layer_norm=fuse_skip_layer_norm,
    )


def load_encoder(
    spec: ModelSpec,
    threads: int | None = None,
    hub_timeout: float = 3.0,
    torch_trace: bool = True,
    onnx_spinning: bool = True,
    onnx_parallel_runs: bool = False,
    torch_parallel_runs: bool = False,
    onnx_fuse_skip_layer_norm: bool = True,
    onnx_fuse_gelu: bool = False,
) -> Encoder:
    local = _local_location(spec, hub_timeout)
    thread_count = cpu_threads(threads)
    try:
        if spec.backend == "torch":
            from embeddings.runtime.torch_encoder import SentenceTransformerEncoder

            configure_torch_threads(thread_count)
            return SentenceTransformerEncoder(
                spec, str(local), trace=torch_trace, threads=thread_count, parallel_runs=torch_parallel_runs
            )
        if spec.backend == "onnx":
            return _onnx_encoder(
                spec,
                local,
                thread_count,
                onnx_spinning,
                onnx_parallel_runs,
                onnx_fuse_skip_layer_norm,
                onnx_fuse_gelu,
            )
    except ModelLoadError:
        raise
    except Exception as error:
        raise ModelLoadError(
            f"model '{spec.name}' failed to load with the {spec.backend} backend: {error}"
        ) from error
    raise ModelLoadError(f"unknown backend '{spec.backend}' for model '{spec.name}'")
