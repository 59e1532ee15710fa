"""ONNX export and int8 quantization of models that ship without an ONNX file, and their on-disk cache.

A tiny randomly initialised BERT (hidden size 48: int8 blocks of 32 that need padding) keeps these fast; the
parity contract (test_precision_parity.py) runs the real all-MiniLM-L6-v2."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from embeddings.runtime import onnx_export
from embeddings.runtime.errors import ModelLoadError, ModelUnavailable
from embeddings.runtime.loader import load_encoder
from embeddings.runtime.onnx_export import (
    cache_key,
    exported_onnx,
    holds_int8_weights,
    is_transformer_dir,
    onnx_model_file,
    tokenizer_file,
)
from embeddings.runtime.spec import ModelSpec


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    """A sentence-transformers folder around a tiny BERT: Transformer, mean Pooling, Normalize."""
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("tiny-bert")
    config = BertConfig(
        vocab_size=1100,
        hidden_size=48,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=96,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(folder)
    _write_modules(folder, pooling={"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False})
    return folder


def _write_modules(folder: Path, pooling: dict, extra: tuple[str, ...] = ()) -> None:
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        *(
            {"idx": 2, "name": "2", "path": "2", "type": f"sentence_transformers.models.{kind}"}
            for kind in extra
        ),
    ]
    (folder / "modules.json").write_text(json.dumps(modules))
    (folder / "1_Pooling").mkdir(exist_ok=True)
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 48, **pooling}))


def _run(model_file: Path, input_ids: np.ndarray) -> np.ndarray:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(model_file), providers=["CPUExecutionProvider"])
    feeds = {
        "input_ids": input_ids,
        "attention_mask": np.ones_like(input_ids),
        "token_type_ids": np.zeros_like(input_ids),
    }
    (output,) = session.run(["last_hidden_state"], feeds)
    return output


def _files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_the_export_matches_the_torch_model_at_other_batch_sizes_and_lengths(tiny_model, tmp_path):
    import torch
    from transformers import AutoModel

    model_file = exported_onnx(tiny_model, tmp_path)
    input_ids = np.arange(100, 100 + 3 * 21, dtype=np.int64).reshape(3, 21)  # exported with 2 x 8

    with torch.no_grad():
        expected = AutoModel.from_pretrained(tiny_model).eval()(torch.from_numpy(input_ids)).last_hidden_state
    assert np.allclose(_run(model_file, input_ids), expected.numpy(), atol=1e-4)


def test_a_second_call_reuses_the_cached_file(tiny_model, tmp_path, monkeypatch):
    first = exported_onnx(tiny_model, tmp_path)
    modified = first.stat().st_mtime_ns
    monkeypatch.setattr(onnx_export, "_export", lambda *args: pytest.fail("exported again"))

    assert exported_onnx(tiny_model, tmp_path) == first
    assert first.stat().st_mtime_ns == modified


def test_the_cache_key_changes_with_the_precision_and_the_weights(tiny_model, tmp_path):
    copy = Path(shutil.copytree(tiny_model, tmp_path / "copy"))
    before = cache_key(copy, "float32")

    assert cache_key(copy, "int8") != before
    assert cache_key(copy, "float32") == before
    weights = copy / "model.safetensors"
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 1_000_000_000))
    assert cache_key(copy, "float32") != before


def test_float32_and_int8_are_separate_files_named_by_their_precision(tiny_model, tmp_path):
    float32 = exported_onnx(tiny_model, tmp_path, "float32")
    int8 = exported_onnx(tiny_model, tmp_path, "int8")

    assert float32 != int8
    assert "-float32-" in float32.name and "-int8-" in int8.name
    assert not holds_int8_weights(float32) and holds_int8_weights(int8)
    assert _files(tmp_path) == sorted([float32.name, int8.name])  # no temporary file left behind


def test_int8_stays_close_to_float32(tiny_model, tmp_path):
    input_ids = np.arange(200, 200 + 2 * 12, dtype=np.int64).reshape(2, 12)
    float32 = _run(exported_onnx(tiny_model, tmp_path, "float32"), input_ids).mean(axis=1)
    int8 = _run(exported_onnx(tiny_model, tmp_path, "int8"), input_ids).mean(axis=1)

    cosines = np.sum(float32 * int8, axis=1) / np.linalg.norm(float32, axis=1) / np.linalg.norm(int8, axis=1)
    assert cosines.min() >= 0.99


def test_a_failed_write_leaves_neither_a_temporary_nor_a_target_file(tiny_model, tmp_path, monkeypatch):
    def half_written(model_dir: Path, output: Path) -> None:
        output.write_bytes(b"half an onnx file")
        raise RuntimeError("export failed")

    monkeypatch.setattr(onnx_export, "_export", half_written)

    with pytest.raises(RuntimeError, match="export failed"):
        exported_onnx(tiny_model, tmp_path)
    assert _files(tmp_path) == []


def test_the_written_file_appears_only_under_its_final_name_once_complete(tiny_model, tmp_path, monkeypatch):
    seen: list[list[str]] = []
    real_export = onnx_export._export

    def watched(model_dir: Path, output: Path) -> None:
        real_export(model_dir, output)
        seen.append(_files(tmp_path))

    monkeypatch.setattr(onnx_export, "_export", watched)
    model_file = exported_onnx(tiny_model, tmp_path)

    (while_writing,) = seen
    assert model_file.name not in while_writing
    assert [name for name in while_writing if name.endswith(".partial")] == while_writing
    assert _files(tmp_path) == [model_file.name]


def test_a_transformer_folder_is_told_apart_from_others(tiny_model, tmp_path):
    assert is_transformer_dir(tiny_model)
    assert not is_transformer_dir(tmp_path)
    assert not is_transformer_dir(tiny_model / "config.json")


def test_models_the_onnx_encoder_cannot_reproduce_are_refused(tiny_model, tmp_path):
    dense = Path(shutil.copytree(tiny_model, tmp_path / "dense"))
    _write_modules(dense, pooling={"pooling_mode_mean_tokens": True}, extra=("Dense",))
    cls = Path(shutil.copytree(tiny_model, tmp_path / "cls"))
    _write_modules(cls, pooling={"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True})

    with pytest.raises(
        ModelUnavailable, match="covers Transformer, mean Pooling and Normalize modules, not Dense"
    ):
        exported_onnx(dense, tmp_path / "cache")
    with pytest.raises(
        ModelUnavailable, match="pools with pooling_mode_cls_token; ONNX models here pool by mean"
    ):
        exported_onnx(cls, tmp_path / "cache")


def test_an_onnx_file_is_used_as_it_is_and_quantized_only_for_int8(tiny_model, tmp_path):
    float32 = exported_onnx(tiny_model, tmp_path / "made")
    cache = tmp_path / "cache"

    assert onnx_model_file(float32, "float32", cache) == float32
    int8 = onnx_model_file(float32, "int8", cache)
    assert int8.parent == cache and holds_int8_weights(int8)
    assert onnx_model_file(int8, "int8", tmp_path / "unused") == int8  # already int8: not quantized twice
    assert not (tmp_path / "unused").exists()


def test_the_onnx_backend_refuses_float16(tiny_model, tmp_path):
    with pytest.raises(
        ModelLoadError, match="the ONNX backend runs precision 'float32' or 'int8', not 'float16'"
    ):
        onnx_model_file(tiny_model, "float16", tmp_path)


def test_an_export_needs_a_cache_folder(tiny_model):
    with pytest.raises(
        ModelUnavailable, match="no ONNX file of that precision, and no cache folder to make one"
    ):
        onnx_model_file(tiny_model, "float32", "")


def test_the_tokenizer_is_the_one_beside_the_model(minilm_path, tmp_path):
    assert tokenizer_file(Path(minilm_path)) == Path(minilm_path) / "tokenizer.json"
    assert tokenizer_file(tmp_path) is None


def test_the_loader_exports_a_transformer_folder_for_the_onnx_backend(minilm_path, tmp_path):
    """Backend onnx on a folder with safetensors only: exported into export_dir, tokenizer from the folder."""
    spec = ModelSpec(
        config_id=1,
        name="minilm-onnx",
        location=minilm_path,
        backend="onnx",
        dimensions=384,
        max_seq_length=256,
        normalize=True,
        export_dir=str(tmp_path),
    )

    encoder = load_encoder(spec, threads=2)

    assert encoder.encode(["hello world"]).shape == (1, 384)
    assert encoder.count_tokens(["hello world"]) == [4]
    assert [path.suffix for path in tmp_path.iterdir()] == [".onnx"]
