"""embeddings.runtime.onnx_fusions: GELUs onnxruntime's own fusion misses, fused by onnxruntime's
transformer optimizer's FusionGelu and cached. A tiny graph written the packaged int8 MiniLM's way, then the
real packaged model and a real model with nothing to fuse."""

import logging
from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

from embeddings.runtime import onnx_fusions
from embeddings.runtime.onnx_fusions import GELU_FUSED, UNCHANGED_SUFFIX, gelu_fused_onnx

from .test_encoders import catalog_spec


def _gelu_the_packaged_way(path: Path, external_data: bool = False) -> Path:
    """y = (1 + erf((x W + b) / sqrt 2)) * 0.5 * (x W + b): the order of the packaged int8 MiniLM's graph."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    weights = numpy_helper.from_array(rng.standard_normal((8, 16)).astype(np.float32), "W")
    initializers = [
        weights,
        numpy_helper.from_array(rng.standard_normal(16).astype(np.float32), "b"),
        numpy_helper.from_array(np.array(1.4142135, dtype=np.float32), "sqrt2"),
        numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one"),
        numpy_helper.from_array(np.array(0.5, dtype=np.float32), "half"),
    ]
    nodes = [
        helper.make_node("MatMul", ["x", "W"], ["xw"]),
        helper.make_node("Add", ["xw", "b"], ["h"]),
        helper.make_node("Div", ["h", "sqrt2"], ["scaled"]),
        helper.make_node("Erf", ["scaled"], ["erf"]),
        helper.make_node("Add", ["erf", "one"], ["erf_plus_one"]),
        helper.make_node("Mul", ["erf_plus_one", "half"], ["halved"]),
        helper.make_node("Mul", ["halved", "h"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "gelu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "tokens", 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "tokens", 16])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, str(path), save_as_external_data=external_data, size_threshold=0)
    return path


def _optimized_op_types(model_file: Path) -> Counter:
    """The node types of onnxruntime's optimized graph of `model_file` (its default level)."""
    options = onnxruntime.SessionOptions()
    options.optimized_model_filepath = str(model_file.with_suffix(".optimized.onnx"))
    onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
    return Counter(node.op_type for node in onnx.load(options.optimized_model_filepath).graph.node)


def _run(model_file: Path, x: np.ndarray) -> np.ndarray:
    session = onnxruntime.InferenceSession(str(model_file), providers=["CPUExecutionProvider"])
    return session.run(["y"], {"x": x})[0]


def test_a_gelu_onnxruntime_misses_becomes_one_node_and_computes_the_same(tmp_path):
    source = _gelu_the_packaged_way(tmp_path / "model.onnx")
    assert "BiasGelu" not in _optimized_op_types(source)  # onnxruntime alone leaves the Erf chain

    fused = gelu_fused_onnx(source, tmp_path / "cache")

    assert fused.parent == tmp_path / "cache" and GELU_FUSED in fused.name
    assert Counter(node.op_type for node in onnx.load(str(fused)).graph.node) == {
        "MatMul": 1,
        "Add": 1,
        "Gelu": 1,
    }
    assert _optimized_op_types(fused)["BiasGelu"] == 1  # and onnxruntime then takes the bias Add in
    x = np.random.default_rng(1).standard_normal((3, 5, 8)).astype(np.float32)
    np.testing.assert_allclose(_run(fused, x), _run(source, x), rtol=1e-5, atol=1e-6)


def test_the_fused_file_is_reused_and_a_changed_source_is_fused_again(tmp_path, monkeypatch):
    source = _gelu_the_packaged_way(tmp_path / "model.onnx")
    first = gelu_fused_onnx(source, tmp_path / "cache")
    monkeypatch.setattr(onnx_fusions, "_gelu_fused_model", lambda model_file: pytest.fail("read again"))
    assert gelu_fused_onnx(source, tmp_path / "cache") == first

    monkeypatch.undo()
    _gelu_the_packaged_way(source)  # written again: a new modification time, so a new key
    second = gelu_fused_onnx(source, tmp_path / "cache")
    assert second != first and second.exists()


def test_a_graph_with_no_gelu_runs_as_it_is_and_is_not_read_again(tmp_path, monkeypatch):
    model_file = tmp_path / "relu.onnx"
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 8])],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(model_file))

    assert gelu_fused_onnx(model_file, tmp_path / "cache") == model_file
    (marker,) = (tmp_path / "cache").iterdir()
    assert marker.name.endswith(UNCHANGED_SUFFIX) and marker.stat().st_size == 0
    monkeypatch.setattr(onnx_fusions, "_gelu_fused_model", lambda model_file: pytest.fail("read again"))
    assert gelu_fused_onnx(model_file, tmp_path / "cache") == model_file


def test_no_cache_folder_or_external_weights_leave_the_graph_as_it_is(tmp_path):
    source = _gelu_the_packaged_way(tmp_path / "model.onnx")
    assert gelu_fused_onnx(source, "") == source

    external = _gelu_the_packaged_way(tmp_path / "external" / "model.onnx", external_data=True)
    assert gelu_fused_onnx(external, tmp_path / "cache") == external


def test_a_failed_fusion_logs_and_runs_the_graph_as_it_is(tmp_path, monkeypatch, caplog):
    source = _gelu_the_packaged_way(tmp_path / "model.onnx")

    def broken(model_file):
        raise ValueError("no such pattern")

    monkeypatch.setattr(onnx_fusions, "_gelu_fused_model", broken)
    with caplog.at_level(logging.WARNING, logger=onnx_fusions.__name__):
        assert gelu_fused_onnx(source, tmp_path / "cache") == source
    assert "GELU fusion of" in caplog.text and "no such pattern" in caplog.text
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_the_packaged_int8_minilm_gets_its_six_gelus_fused(tmp_path):
    model_file = Path(catalog_spec("all-MiniLM-L6-v2-int8-onnx").location)

    fused = gelu_fused_onnx(model_file, tmp_path)

    before = Counter(node.op_type for node in onnx.load(str(model_file)).graph.node)
    after = Counter(node.op_type for node in onnx.load(str(fused)).graph.node)
    assert (before["Erf"], before["Gelu"]) == (6, 0)
    assert (after["Erf"], after["Gelu"]) == (0, 6)
    assert _optimized_op_types(fused)["BiasGelu"] == 6
