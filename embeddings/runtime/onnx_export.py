"""ONNX files for models that ship without one, made once and cached on disk.

A transformer folder (sentence-transformers or plain Hugging Face) is exported to ONNX float32 with
torch.onnx's TorchScript exporter; the graph outputs the token embeddings and OnnxEncoder pools and normalises
them. int8 is made from a float32 ONNX file: every MatMul with constant weights becomes onnxruntime's
MatMulNBits with 8-bit weights in blocks of 32 along the input dimension and int8 arithmetic (accuracy_level
4 quantizes the activations per block at run time). onnxruntime's `quantize_dynamic` (QInt8, per channel) was
tried first on all-MiniLM-L6-v2 in an exploratory run whose script is not kept: one activation scale per
tensor cost short texts too much (below 0.99 cosine to float32), though it ran batches faster than float32,
where blocks run them at float32 speed (test_precision_parity.py checks the blocks' accuracy). onnxruntime's
own MatMulNBitsQuantizer needs the onnx-ir package, hence the few lines of packing here.

Cached files are named by a hash of everything that decides their bytes (source path and weights file
size/mtime, library versions, opset, precision) and written to a temporary file in the cache folder, then
renamed: workers sharing the folder never read a half-written file.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import re
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from embeddings.runtime.errors import ModelLoadError, ModelUnavailable

logger = logging.getLogger(__name__)

OPSET = 17
INT8_BLOCK_SIZE = 32
EXPORT_FORMAT = 1  # bump when the export or the int8 packing changes what they write
OUTPUT_NAME = "last_hidden_state"
PRECISIONS = ("float32", "int8")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
EXPORTABLE_MODULES = {"Transformer", "Pooling", "Normalize"}
KEYED_LIBRARIES = ("torch", "transformers", "onnx", "onnxruntime", "numpy")


def onnx_model_file(location: Path, precision: str, cache_dir: str | Path) -> Path:
    """The ONNX file to run for a model at `location` (an .onnx file, or a folder with one, or a
    transformer folder to export) at `precision`; exported or quantized into `cache_dir` when needed."""
    if precision not in PRECISIONS:
        raise ModelLoadError(f"the ONNX backend runs precision 'float32' or 'int8', not '{precision}'")
    model_file = _existing_onnx_file(location)
    if model_file is None:
        if not is_transformer_dir(location):
            raise ModelUnavailable(f"no .onnx file under {location}, nor transformer weights to export one")
        return exported_onnx(location, _cache_folder(cache_dir, location), precision)
    if precision == "int8" and not holds_int8_weights(model_file):
        return quantized_onnx(model_file, _cache_folder(cache_dir, location))
    return model_file


def exported_onnx(model_dir: Path, cache_dir: Path, precision: str = "float32") -> Path:
    """`model_dir`'s transformer as ONNX at `precision` (float32 or int8): from the cache, else made now."""
    _check_exportable(model_dir)
    source = transformer_dir(model_dir)
    float32 = cached_onnx(cache_dir, source, "float32", lambda output: _export(source, output))
    if precision == "float32":
        return float32
    return quantized_onnx(float32, cache_dir, label=_label(source))


def quantized_onnx(model_file: Path, cache_dir: Path, label: str = "") -> Path:
    """An int8 copy of a float32 ONNX file: from the cache, else made now."""
    return cached_onnx(
        cache_dir, model_file, "int8", lambda output: _quantize_int8(model_file, output), label
    )


def is_transformer_dir(path: Path) -> bool:
    """A folder with a Hugging Face config and weights (directly or in a sentence-transformers module)."""
    if not path.is_dir():
        return False
    source = transformer_dir(path)
    return (source / "config.json").exists() and _weights_file(source) is not None


def transformer_dir(model_dir: Path) -> Path:
    """The folder of the Hugging Face model inside a sentence-transformers folder (itself otherwise)."""
    transformer = _modules(model_dir).get("Transformer")
    return model_dir / transformer.get("path", "") if transformer else model_dir


def tokenizer_file(location: Path) -> Path | None:
    """The tokenizer.json that goes with a model folder or with an .onnx file's folder."""
    folder = location if location.is_dir() else location.parent
    for candidate in (folder / "tokenizer.json", transformer_dir(folder) / "tokenizer.json"):
        if candidate.exists():
            return candidate
    return None


def cache_key(source: Path, precision: str) -> str:
    """A hash of everything that decides the bytes made from `source` at `precision`."""
    fingerprint_of = _weights_file(source) if source.is_dir() else source
    if fingerprint_of is None:
        raise ModelUnavailable(f"no weights file ({' or '.join(WEIGHT_FILES)}) under {source}")
    stat = fingerprint_of.stat()
    parts = [
        str(source.resolve()),
        fingerprint_of.name,
        str(stat.st_size),
        str(stat.st_mtime_ns),
        *(f"{name}={_version(name)}" for name in KEYED_LIBRARIES),
        f"opset={OPSET}",
        f"block={INT8_BLOCK_SIZE}",
        f"format={EXPORT_FORMAT}",
        precision,
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def holds_int8_weights(model_file: Path) -> bool:
    """Whether the graph's weights are stored as 8-bit integers (an already quantized model)."""
    import onnx

    model = onnx.load(str(model_file), load_external_data=False)
    eight_bit = {onnx.TensorProto.INT8, onnx.TensorProto.UINT8}
    return any(initializer.data_type in eight_bit for initializer in model.graph.initializer)


def _existing_onnx_file(location: Path) -> Path | None:
    if location.is_file():
        return location
    candidates = sorted(location.rglob("*.onnx"))
    return candidates[0] if candidates else None


def _cache_folder(cache_dir: str | Path, location: Path) -> Path:
    if not str(cache_dir):
        raise ModelUnavailable(
            f"{location} has no ONNX file of that precision, and no cache folder to make one"
        )
    return Path(cache_dir)


def cache_target(cache_dir: Path, source: Path, precision: str, label: str = "") -> Path:
    """Where the file made from `source` at `precision` is cached (whether or not it is there yet)."""
    return cache_dir / f"{label or _label(source)}-{precision}-{cache_key(source, precision)}.onnx"


def cached_onnx(
    cache_dir: Path, source: Path, precision: str, write: Callable[[Path], None], label: str = ""
) -> Path:
    """The cached file made from `source` at `precision`; made now with `write(path)` when missing."""
    target = cache_target(cache_dir, source, precision, label)
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    _write_atomically(target, write)
    logger.info("made %s from %s in %.1f s", target, source, time.monotonic() - started)
    return target


def _write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    descriptor, temporary_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.stem}.", suffix=".partial"
    )
    os.close(descriptor)
    temporary = Path(temporary_name)
    try:
        write(temporary)
        temporary.chmod(0o644)  # mkstemp makes it private; other workers' users read the cache too
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _label(source: Path) -> str:
    own = source.name if source.is_dir() else source.stem
    name = "-".join(part for part in (source.parent.name, own) if part)
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80]


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _weights_file(folder: Path) -> Path | None:
    return next((folder / name for name in WEIGHT_FILES if (folder / name).exists()), None)


def _modules(model_dir: Path) -> dict[str, dict]:
    """sentence-transformers modules by kind (Transformer, Pooling, ...); empty for a plain HF folder."""
    modules_file = model_dir / "modules.json"
    if not modules_file.exists():
        return {}
    return {module["type"].rsplit(".", 1)[-1]: module for module in json.loads(modules_file.read_text())}


def _check_exportable(model_dir: Path) -> None:
    """The export covers the transformer; OnnxEncoder adds mean pooling and normalisation, nothing else."""
    modules = _modules(model_dir)
    others = sorted(set(modules) - EXPORTABLE_MODULES)
    if others:
        raise ModelUnavailable(
            f"{model_dir}: the ONNX export covers Transformer, mean Pooling and Normalize modules, "
            f"not {', '.join(others)}; run this model on the torch backend"
        )
    if "Pooling" in modules:
        pooling = json.loads((model_dir / modules["Pooling"]["path"] / "config.json").read_text())
        modes = sorted(key for key, value in pooling.items() if key.startswith("pooling_mode_") and value)
        if modes != ["pooling_mode_mean_tokens"]:
            raise ModelUnavailable(
                f"{model_dir}: pools with {', '.join(modes)}; ONNX models here pool by mean only, "
                "run this model on the torch backend"
            )


def _export(model_dir: Path, output: Path) -> None:
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).float().eval()
    names = _input_names(model)
    example = _example_inputs(model, len(names))
    axes = {name: {0: "batch", 1: "sequence"} for name in (*names, OUTPUT_NAME)}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer warnings
        torch.onnx.export(
            _token_embeddings(model, names),
            example,
            str(output),
            input_names=list(names),
            output_names=[OUTPUT_NAME],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


def _input_names(model) -> tuple[str, ...]:
    import inspect

    accepted = inspect.signature(model.forward).parameters
    return ("input_ids", "attention_mask", *(("token_type_ids",) if "token_type_ids" in accepted else ()))


def _example_inputs(model, count: int) -> tuple:
    import torch

    first_id = min(1000, model.config.vocab_size - 16)
    input_ids = torch.arange(first_id, first_id + 16, dtype=torch.long).reshape(2, 8)
    return (input_ids, torch.ones_like(input_ids), torch.zeros_like(input_ids))[:count]


def _token_embeddings(model, names: tuple[str, ...]):
    """Positional tensors in, last_hidden_state out (positional arguments to the HF model itself would land
    on the wrong parameters)."""
    import torch

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            return self.model(**dict(zip(names, inputs, strict=True))).last_hidden_state

    return TokenEmbeddings()


def _quantize_int8(source: Path, output: Path) -> None:
    import onnx

    model = onnx.load(str(source))
    graph = model.graph
    weights = {item.name: item for item in graph.initializer if item.data_type == onnx.TensorProto.FLOAT}
    packed: dict[str, list] = {}
    nodes = []
    for node in graph.node:
        if node.op_type == "MatMul" and node.input[1] in weights and len(weights[node.input[1]].dims) == 2:
            nodes.append(_int8_matmul(node, weights[node.input[1]], packed))
        else:
            nodes.append(node)
    if not packed:
        raise ModelLoadError(f"{source}: no MatMul with constant weights to quantize")
    used = {name for node in nodes for name in node.input}
    kept = [item for item in graph.initializer if item.name in used]
    del graph.node[:], graph.initializer[:]
    graph.node.extend(nodes)
    graph.initializer.extend([*kept, *(tensor for tensors in packed.values() for tensor in tensors)])
    import_contrib_opset(model)
    onnx.save(model, str(output))


def import_contrib_opset(model) -> None:  # noqa: ANN001 - an onnx ModelProto
    """Declare onnxruntime's contrib operator domain (MatMulNBits, Gelu, ...) in the model, once."""
    from onnx import helper

    if not any(opset.domain == "com.microsoft" for opset in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))


def _int8_matmul(node, weight, packed: dict[str, list]):
    """MatMul(x, W[K, N]) as MatMulNBits: W transposed to [N, blocks, 32] uint8 (zero point 128) + scales."""
    import numpy as np
    from onnx import helper, numpy_helper

    k_size, n_size = weight.dims
    if weight.name not in packed:
        values = numpy_helper.to_array(weight).astype(np.float32).T
        blocks = -(-k_size // INT8_BLOCK_SIZE)
        padded = np.zeros((n_size, blocks * INT8_BLOCK_SIZE), dtype=np.float32)
        padded[:, :k_size] = values
        padded = padded.reshape(n_size, blocks, INT8_BLOCK_SIZE)
        scales = np.abs(padded).max(axis=2) / 127.0
        scales[scales == 0] = 1.0
        quantized = np.clip(np.rint(padded / scales[..., None]), -127, 127) + 128
        packed[weight.name] = [
            numpy_helper.from_array(quantized.astype(np.uint8), f"{weight.name}_int8"),
            numpy_helper.from_array(scales.astype(np.float32).reshape(-1), f"{weight.name}_int8_scales"),
        ]
    return helper.make_node(
        "MatMulNBits",
        [node.input[0], f"{weight.name}_int8", f"{weight.name}_int8_scales"],
        list(node.output),
        name=f"{node.name}_int8",
        domain="com.microsoft",
        K=k_size,
        N=n_size,
        bits=8,
        block_size=INT8_BLOCK_SIZE,
        accuracy_level=4,
    )
