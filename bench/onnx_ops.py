"""Where an ONNX model's run time goes, by node type, from onnxruntime's own profiler.

    .venv/bin/python bench/onnx_ops.py all-MiniLM-L6-v2-int8-onnx

The worker's ONNX encoder for a catalog model, on one thread, encodes the benchmark texts in calls of 64
(the bulk load's requests): with every graph optimization onnxruntime applies by default; with its
SkipLayerNormalization fusion off (EMBEDDING_ONNX_FUSE_SKIP_LAYER_NORM=false, the worker's default); and
with that fusion off and the GELUs onnxruntime's fusion misses fused (EMBEDDING_ONNX_FUSE_GELU=true, the
worker's default, embeddings.runtime.onnx_fusions: the worker's graph).
Each session is profiled by onnxruntime, and the kernel time of its nodes is summed by node type: prints
one JSON object with, per variant, the total kernel milliseconds, every node type's, most first, and the wall
seconds of the calls (profiling included). One thread, so that kernel times add up to the run's time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import in_requests  # noqa: E402
from bench.raw import model_spec  # noqa: E402
from bench.texts import benchmark_texts  # noqa: E402

VARIANTS = {  # name: (fuse_skip_layer_norm, fuse_gelu)
    "onnxruntime defaults": (True, False),
    "skip layer norm fusion off": (False, False),
    "skip layer norm fusion off, gelu fused": (False, True),
}


def profiled_kernel_times(
    model: str, fuse_skip_layer_norm: bool, texts: list[str], size: int, fuse_gelu: bool = False
) -> dict:
    import onnxruntime

    from embeddings.runtime.loader import load_encoder
    from embeddings.runtime.onnx_encoder import disabled_optimizers

    encoder = load_encoder(
        model_spec(model),
        threads=1,
        onnx_fuse_skip_layer_norm=fuse_skip_layer_norm,
        onnx_fuse_gelu=fuse_gelu,
    )
    with tempfile.TemporaryDirectory() as folder:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.enable_profiling = True
        options.profile_file_prefix = os.path.join(folder, "profile")
        # The encoder's own session, made again with the profiler on.
        encoder._session = onnxruntime.InferenceSession(
            encoder._session._model_path,
            options,
            providers=["CPUExecutionProvider"],
            disabled_optimizers=disabled_optimizers(fuse_skip_layer_norm),
        )
        started = time.perf_counter()
        for request in in_requests(texts, size):
            encoder.encode(request)
        wall = time.perf_counter() - started
        events = json.loads(Path(encoder._session.end_profiling()).read_text())
    by_type: Counter = Counter()
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            by_type[event["args"]["op_name"]] += event["dur"] / 1000
    return {
        "kernel_ms": round(sum(by_type.values()), 1),
        "wall_seconds": round(wall, 2),
        "by_node_type_ms": {name: round(ms, 1) for name, ms in by_type.most_common()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", help="a catalog model on the ONNX backend")
    parser.add_argument("--texts", type=int, default=2048)
    parser.add_argument("--call-texts", type=int, default=64)
    args = parser.parse_args()
    texts = benchmark_texts(args.texts)
    report = {"model": args.model, "texts": len(texts), "call_texts": args.call_texts}
    for name, (fuse_skip_layer_norm, fuse_gelu) in VARIANTS.items():
        report[name] = profiled_kernel_times(
            args.model, fuse_skip_layer_norm, texts, args.call_texts, fuse_gelu=fuse_gelu
        )
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
