"""Where a request's time goes, stage by stage, from the Server-Timing header of each response.

    .venv/bin/python bench/request_stages.py --model all-MiniLM-L6-v2-int8-onnx
    .venv/bin/python bench/request_stages.py --model all-MiniLM-L6-v2-int8-onnx --batch 64 --requests 64

One client sends requests back to back on a throwaway stack (bench/stack.py; one web process, one worker,
embedding cache off), in blocks that alternate between the vector formats asked for (--formats; base64 is
what the official openai client asks for, float is JSON numbers), so each format sees the same stretch of
time. For each request the worker reports how long it waited in the queue (from the web's submission to the
worker's start, so including the submission), prepared it (decoding, counting tokens, the cache) and ran the
model (the forward pass and the reply's vectors); the web reports how long it waited for the worker. From
those: the reply hop (the worker's reply reaching the web) and the rest (the client's request and its
parsing of the answer, HTTP and the web's own work). Prints each stage's p50 and mean per format and writes
JSON to bench/results/request-stages-<date>-<HHMM>.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import ENCODING_FORMATS, Client, in_requests, percentile  # noqa: E402
from bench.report import heading, new_report, save_report  # noqa: E402
from bench.stack import platform_stack  # noqa: E402
from bench.texts import benchmark_texts  # noqa: E402

STAGES = ("total", "queue", "prepare", "model", "reply", "rest")


def server_timing(header: str) -> dict[str, float]:
    """'queue;dur=0.78, model;dur=4.46' -> {'queue': 0.78, 'model': 4.46}"""
    timings = {}
    for part in header.split(","):
        name, _, duration = part.strip().partition(";dur=")
        timings[name] = float(duration)
    return timings


def stages(total_ms: float, timings: dict[str, float]) -> dict[str, float]:
    """A request's time cut into stages that add up to its total, as the client saw it."""
    worker_side = timings["queue"] + timings["prepare"] + timings["model"]
    return {
        "total": total_ms,
        "queue": timings["queue"],
        "prepare": timings["prepare"],
        "model": timings["model"],
        "reply": timings["worker"] - worker_side,
        "rest": total_ms - timings["worker"],
    }


def timed(client: Client, texts: list[str], model: str) -> dict[str, float]:
    started = time.perf_counter()
    status, body = client.embed(texts, model)
    total_ms = (time.perf_counter() - started) * 1000
    if status != 200 or len(body["data"]) != len(texts):
        raise RuntimeError(f"request failed: {status} {body.get('error')}")
    return stages(total_ms, server_timing(client.last_headers["server-timing"]))


def summary(rows: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    return {
        stage: {
            "p50_ms": round(percentile([row[stage] for row in rows], 50), 2),
            "mean_ms": round(statistics.fmean(row[stage] for row in rows), 2),
        }
        for stage in STAGES
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="all-MiniLM-L6-v2-int8-onnx")
    parser.add_argument("--batch", type=int, default=1, help="texts per request")
    parser.add_argument("--requests", type=int, default=400, help="requests per format")
    parser.add_argument("--block", type=int, default=16, help="requests per block of one format")
    parser.add_argument("--formats", default="base64,float", help=f"of {', '.join(ENCODING_FORMATS)}")
    args = parser.parse_args()
    formats = [name.strip() for name in args.formats.split(",") if name.strip()]
    if not formats or not set(formats) <= set(ENCODING_FORMATS):
        parser.error(f"--formats: a comma-separated list of {', '.join(ENCODING_FORMATS)}")
    texts = benchmark_texts(20 + args.requests * args.batch)
    warm_up, batches = [[text] for text in texts[:20]], in_requests(texts[20:], args.batch)
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in formats}
    with platform_stack(environ={"EMBEDDING_MODEL": args.model, "EMBEDDING_CACHE_SIZE": "0"}) as stack:
        clients = {name: Client(stack.base_url, stack.api_key, encoding_format=name) for name in formats}
        for name in formats:
            for batch in warm_up:
                timed(clients[name], batch, args.model)
        for start in range(0, len(batches), args.block):
            for name in formats:  # every format gets the same texts, in the same stretch of time
                for batch in batches[start : start + args.block]:
                    rows[name].append(timed(clients[name], batch, args.model))
    results = {name: summary(rows[name]) for name in formats}
    report = new_report(settings=vars(args), requests_per_format=args.requests, stages=results)
    print(f"\n{heading(report)}, {args.model}, {args.batch} text(s) per request")
    print(f"{'ms (p50 / mean)':16}" + "".join(f"{stage:>16}" for stage in STAGES))
    for name in formats:
        cells = "".join(
            f"{results[name][stage]['p50_ms']:>8.2f} /{results[name][stage]['mean_ms']:>6.2f}"
            for stage in STAGES
        )
        print(f"{name:16}{cells}")
    save_report("request-stages", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
