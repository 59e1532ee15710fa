"""The raw in-process baseline: the model called directly, with no server around it.

Run in its own process (bench/serving.py does) so its memory is measured alone:

    .venv/bin/python bench/raw.py all-MiniLM-L6-v2 --texts 2048

torch configs run sentence-transformers' own `SentenceTransformer.encode` (batch 32); ONNX configs run
onnxruntime with the model's tokenizer (the runtime's OnnxEncoder with onnxruntime's own defaults: one session
on all the cores, its threads spinning between runs, every graph optimization on; not the worker's parallel
runs, nor its SkipLayerNormalization fusion turned off, nor its GELU fusion). The tokenizers library
keeps its own default too, a batch tokenized on all the cores, as in the worker that `make run` starts (until
2026-12-03 15:50 UTC both ran with TOKENIZERS_PARALLELISM=false). Prints one JSON object:
bulk texts/s, single-text latency percentiles, RSS after loading and warming up and after the work.

`--in-requests 64` instead compares the same encode over all the texts in one call with calls of 64 texts
each, one after the other (what the server sees in the bulk phase), in alternating rounds: how much of a
bulk ratio the request size alone explains. With `--worker-encoder` the calls of N go to the worker's own
encoder (length groups side by side, EMBEDDING_ONNX_PARALLEL_RUNS and, from 2026-12-04 20:30 UTC,
EMBEDDING_TORCH_PARALLEL_RUNS; torch: the traced forward), against the same raw one call: what the worker's
encoder can reach in-process. Until 2026-12-04 18:15 UTC this option was `--parallel-runs` (still accepted),
and for torch models it ran sentence-transformers' own encode in the calls of N, not the worker's encoder.

`--count-tokens N` times, on the worker's own encoder, what counting each call's tokens (the usage figure
the OpenAI API reports, counted before the pass) costs next to encoding it, in calls of N: what tokenizing
once can save on a backend. ONNX keeps the counted encodings for the pass; torch tokenizes again.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "embedplatform.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.load import in_requests, percentile  # noqa: E402
from bench.texts import benchmark_texts  # noqa: E402


def model_spec(model: str):
    """The worker's ModelSpec for a catalog model (Django set up first: the catalog's configs need it)."""
    import secrets

    import django

    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))  # settings refuse to start without
    django.setup()
    from embeddings.configs.services import config_build
    from embeddings.worker.model_specs import spec_for_config

    return spec_for_config(config_build(model=model))


def load_encode(model: str):
    """An encode(texts) function for the catalog model, as raw as its backend allows."""
    spec = model_spec(model)
    if spec.backend == "torch":
        from sentence_transformers import SentenceTransformer

        st_model = SentenceTransformer(spec.location, device="cpu")
        st_model.max_seq_length = spec.max_seq_length
        return lambda texts: st_model.encode(
            list(texts), batch_size=32, normalize_embeddings=spec.normalize, show_progress_bar=False
        )
    from embeddings.runtime.loader import load_encoder

    return load_encoder(
        spec,
        onnx_spinning=True,
        onnx_parallel_runs=False,
        onnx_fuse_skip_layer_norm=True,
        onnx_fuse_gelu=False,
    ).encode


def load_worker_encoder(model: str):
    """The worker's own encoder for the catalog model, with the worker's defaults (parallel runs; torch
    traced; onnxruntime's SkipLayerNormalization fusion as EMBEDDING_ONNX_FUSE_SKIP_LAYER_NORM says, off by
    default; GELUs fused as EMBEDDING_ONNX_FUSE_GELU says, on by default)."""
    from embeddings.conf import embedding_setting
    from embeddings.runtime.loader import load_encoder

    spec = model_spec(model)
    return load_encoder(
        spec,
        onnx_parallel_runs=True,
        torch_parallel_runs=True,
        onnx_fuse_skip_layer_norm=embedding_setting("ONNX_FUSE_SKIP_LAYER_NORM"),
        onnx_fuse_gelu=embedding_setting("ONNX_FUSE_GELU"),
    )


def warmed_up(model: str, count: int) -> tuple:
    """The model's encode function, warmed up, and the `count` benchmark texts."""
    texts = benchmark_texts(count)
    encode = load_encode(model)
    encode(texts[:64])
    return encode, texts


def bulk_texts_per_second(encode, texts: list[str]) -> float:
    """One call of `encode` over all the texts (as sentence-transformers users call it), timed."""
    started = time.perf_counter()
    encode(texts)
    return len(texts) / (time.perf_counter() - started)


def measure(model: str, count: int, singles: int) -> dict:
    import psutil

    encode, texts = warmed_up(model, count)
    rss_mb = psutil.Process().memory_info().rss / 2**20
    bulk = bulk_texts_per_second(encode, texts)
    latencies = []
    for text in texts[:singles]:
        started = time.perf_counter()
        encode([text])
        latencies.append((time.perf_counter() - started) * 1000)
    return {
        "model": model,
        "texts": len(texts),
        "bulk_texts_per_second": bulk,
        "single_p50_ms": percentile(latencies, 50),
        "single_p99_ms": percentile(latencies, 99),
        "rss_loaded_mb": rss_mb,
        # After the same work the server's worker is measured after (bulk, then single texts): what serving
        # the model costs, compared like for like.
        "rss_mb": psutil.Process().memory_info().rss / 2**20,
    }


def serve_bulk(model: str, count: int) -> None:
    """`--serve`: load once, print "ready", then time one bulk pass over the texts for each line read from
    stdin and print its texts/s: raw bulk rounds that a caller alternates with rounds against the server."""
    encode, texts = warmed_up(model, count)
    print("ready", flush=True)
    for _ in sys.stdin:
        print(json.dumps({"bulk_texts_per_second": bulk_texts_per_second(encode, texts)}), flush=True)


def compare_request_sizes(
    model: str, count: int, size: int, rounds: int, worker_encoder: bool = False
) -> dict:
    """`--in-requests N`: one call over all the texts against calls of N texts, alternately."""
    encode, texts = warmed_up(model, count)
    encode_request = encode
    if worker_encoder:
        encode_request = load_worker_encoder(model).encode
        encode_request(texts[:64])

    def in_calls_of_size(all_texts: list[str]) -> None:
        for request in in_requests(all_texts, size):
            encode_request(request)

    whole, in_calls = [], []
    for _ in range(rounds):
        whole.append(bulk_texts_per_second(encode, texts))
        in_calls.append(bulk_texts_per_second(in_calls_of_size, texts))
    return {
        "model": model,
        "texts": len(texts),
        "calls_on_the_workers_encoder": worker_encoder,
        "one_call_texts_per_second": [round(value, 1) for value in whole],
        f"calls_of_{size}_texts_per_second": [round(value, 1) for value in in_calls],
        "ratio_of_medians": round(statistics.median(in_calls) / statistics.median(whole), 3),
    }


def token_counting_share(model: str, count: int, size: int, rounds: int) -> dict:
    """`--count-tokens N`: per call of N texts, count_tokens() then encode(), as the worker runs a request
    whose usage is reported; the seconds of each, summed over the calls, per round."""
    encoder = load_worker_encoder(model)
    texts = benchmark_texts(count)
    encoder.encode(texts[:64])
    counting, encoding = [], []
    for _ in range(rounds):
        counted = encoded = 0.0
        for request in in_requests(texts, size):
            started = time.perf_counter()
            encoder.count_tokens(request)
            middle = time.perf_counter()
            encoder.encode(request)
            counted, encoded = counted + middle - started, encoded + time.perf_counter() - middle
        counting.append(counted)
        encoding.append(encoded)
    return {
        "model": model,
        "texts": len(texts),
        "call_texts": size,
        "count_tokens_seconds": [round(value, 4) for value in counting],
        "encode_seconds": [round(value, 4) for value in encoding],
        "count_share_of_medians": round(
            statistics.median(counting) / (statistics.median(counting) + statistics.median(encoding)), 4
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", help="a catalog model name")
    parser.add_argument("--texts", type=int, default=2048)
    parser.add_argument("--singles", type=int, default=200)
    parser.add_argument("--serve", action="store_true", help="bulk rounds on request (see serve_bulk)")
    parser.add_argument("--in-requests", type=int, metavar="N", help="one call against calls of N texts")
    parser.add_argument(
        "--count-tokens", type=int, metavar="N", help="counting tokens against encoding, calls of N"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --in-requests, --count-tokens")
    parser.add_argument(
        "--worker-encoder",
        "--parallel-runs",
        dest="worker_encoder",
        action="store_true",
        help="--in-requests: the calls of N go to the worker's own encoder (--parallel-runs: the old name)",
    )
    args = parser.parse_args()
    if args.in_requests:
        compared = compare_request_sizes(
            args.model, args.texts, args.in_requests, args.rounds, args.worker_encoder
        )
        print(json.dumps(compared))
        return 0
    if args.count_tokens:
        print(json.dumps(token_counting_share(args.model, args.texts, args.count_tokens, args.rounds)))
        return 0
    if args.serve:
        serve_bulk(args.model, args.texts)
        return 0
    print(json.dumps(measure(args.model, args.texts, args.singles)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
