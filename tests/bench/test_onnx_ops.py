"""bench/onnx_ops.py: onnxruntime's profile of the worker's ONNX encoder, summed by node type, with the real
packaged int8 MiniLM."""

import pytest

from bench import onnx_ops
from bench.texts import benchmark_texts


def test_the_profile_sums_kernel_time_by_node_type_with_and_without_the_fusions():
    texts = benchmark_texts(12)

    fused = onnx_ops.profiled_kernel_times("all-MiniLM-L6-v2-int8-onnx", True, texts, size=4)
    unfused = onnx_ops.profiled_kernel_times("all-MiniLM-L6-v2-int8-onnx", False, texts, size=4)
    gelu = onnx_ops.profiled_kernel_times("all-MiniLM-L6-v2-int8-onnx", False, texts, size=4, fuse_gelu=True)

    for profile in (fused, unfused, gelu):
        assert profile["by_node_type_ms"]["MatMul"] > 0
        assert profile["kernel_ms"] == pytest.approx(sum(profile["by_node_type_ms"].values()), abs=1)
    assert "SkipLayerNormalization" in fused["by_node_type_ms"]
    assert "SkipLayerNormalization" not in unfused["by_node_type_ms"]
    assert "LayerNormalization" in unfused["by_node_type_ms"]
    assert "Erf" in unfused["by_node_type_ms"]
    assert "BiasGelu" in gelu["by_node_type_ms"]
    assert "Erf" not in gelu["by_node_type_ms"]
    assert "SkipLayerNormalization" not in gelu["by_node_type_ms"]
