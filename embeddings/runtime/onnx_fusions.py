"""GELU as one node, in graphs that write it in a form onnxruntime's own fusion does not match.

onnxruntime fuses a GELU written x*0.5*(1+erf(x/sqrt(2))) into one Gelu node when it loads a model, and then
the bias Add before it into BiasGelu. The packaged int8 MiniLM's graph writes (1+erf(x/sqrt(2)))*0.5*x,
which that fusion misses: its six GELUs ran as five elementwise nodes each over every token's 1,536 values.
onnxruntime's transformer optimizer (`onnxruntime.transformers`) matches that form too. Its GELU fusion
alone (FusionGelu; the optimizer's entry point imports sympy, memory in every worker for nothing it
uses) rewrites the graph, and onnxruntime fuses the bias Add into BiasGelu itself at load. The function
computed is the same; onnxruntime's Gelu kernel computes erf as its Erf node does.

The catalog's other ONNX files (our exports, paraphrase-MiniLM-L3-v2's) write GELU in a form onnxruntime
fuses by itself. FusionGelu fuses them too, to the same BiasGelu at load: the cache holds a copy of each,
which runs as the original does.

The rewritten file is cached like an export (embeddings.runtime.onnx_export: named by a hash of the source
file and the libraries' versions, written then renamed). For a graph with nothing to fuse an empty marker
is left beside, so the next load does not read the whole file again. Graphs with external data run as they
are (the cached copy would have to hold the weights inline).
"""

from __future__ import annotations

import logging
from pathlib import Path

from embeddings.runtime.onnx_export import cache_target, cached_onnx, import_contrib_opset

logger = logging.getLogger(__name__)

GELU_FUSED = "gelu-fused"  # the cache's name for the rewritten graph
UNCHANGED_SUFFIX = ".unchanged"


def gelu_fused_onnx(model_file: Path, cache_dir: str | Path) -> Path:
    """`model_file` with every GELU FusionGelu matches as one Gelu node: the cached copy, made now when
    missing; `model_file` itself when there is nothing to fuse, no cache folder, or the fusion failed."""
    if not str(cache_dir):
        return model_file
    folder = Path(cache_dir)
    target = cache_target(folder, model_file, GELU_FUSED)
    unchanged = target.with_name(target.name + UNCHANGED_SUFFIX)
    if target.exists():
        return target
    if unchanged.exists():
        return model_file
    try:
        model = _gelu_fused_model(model_file)
    except Exception as error:  # an optimization: the graph as it is still runs
        logger.warning("GELU fusion of %s failed (%s); running the graph as it is", model_file, error)
        return model_file
    if model is None:
        folder.mkdir(parents=True, exist_ok=True)
        unchanged.touch()
        return model_file

    def write(output: Path) -> None:
        import onnx

        onnx.save(model, str(output))

    return cached_onnx(folder, model_file, GELU_FUSED, write)


def _gelu_fused_model(model_file: Path):  # noqa: ANN202 - an onnx ModelProto, or None
    """The model with its GELUs fused, or None when FusionGelu fused none (or the weights are external)."""
    import onnx
    from onnxruntime.transformers.fusion_gelu import FusionGelu
    from onnxruntime.transformers.onnx_model import OnnxModel

    model = onnx.load(str(model_file), load_external_data=False)
    if any(onnx.external_data_helper.uses_external_data(tensor) for tensor in model.graph.initializer):
        return None
    graph = OnnxModel(model)
    before = len(graph.get_nodes_by_op_type("Gelu"))
    FusionGelu(graph).apply()
    if len(graph.get_nodes_by_op_type("Gelu")) == before:
        return None
    import_contrib_opset(model)
    return model
