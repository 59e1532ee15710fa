"""Serving benchmark (`make bench`): the platform against the raw model, side by side in one run.

    make bench                                   # the default models, 32 clients, 20 s of concurrency each
    .venv/bin/python bench/serving.py --models all-MiniLM-L6-v2 --duration 10

For each model: the raw in-process baseline first (bench/raw.py, in its own process, while nothing else
runs: single-text latency and memory), then, on a throwaway stack of its own started the way `make run`
starts it (embedded PostgreSQL and Redis, one worker, the web server; rate limiting counted but never reached;
embedding cache off so every request reaches the model), in this order:
- bulk: 2,048 texts in requests of 64 from one client, texts/s, in rounds (--rounds) that alternate with
  rounds of the raw model's own bulk pass over the same texts (bench/raw.py --serve, its own process,
  idle while the server is measured), raw first in odd rounds and second in even ones. This machine's
  speed drifts by tens of percent within minutes, so a raw figure taken minutes earlier compares the
  minutes as much as the server; the ratio is the median server round over the median raw round of the
  same stretch;
- concurrency: 32 clients sending one text per request, requests/s, in as many rounds (--duration split
  between them), alternating with raw bulk rounds in the same way: the ratio is the median server round
  over the median raw round of this stretch, errors of every round;
- single text: p50/p99 of sequential one-text requests to /v1/embeddings, and p50 overhead over raw, twice:
  over the back-to-back raw baseline, and over raw calls made in this process in blocks alternating with
  blocks of requests, which see the same host conditions as the server (this machine's speed drifts by more
  than the overhead measured); last, because the raw model then stays loaded in this process;
- worker memory: the worker's RSS after the load against the raw process's RSS after its own bulk and
  single-text work (both after work, like for like; raw.py also reports its RSS right after loading);
- the host's steal (CPU time the hypervisor gave to other machines, bench/host.py) in every round of either
  side and over the singles: rounds under very different steal compare the host more than the code.
When `make install-infinity` has installed Infinity (bench/peer.py), each torch model is then served by
Infinity too, on the same model files, and measured the same way (its own raw rounds alternating with its
rounds, in the same run): the table's `infinity:` rows (--no-peers skips it).
Every text is distinct. Vectors come back as base64, as the official openai client asks for them
(--encoding-format float: JSON numbers; bench/load.py). Prints a table, then which of issue 8's goals (GOALS)
each row met (each row's `goals_missed` in the JSON), and writes JSON to
bench/results/serving-<date>-<HHMM>.json. When a request failed, the stack's logs are kept in bench/logs/ (not
committed) and the JSON names the folder.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.host import measured  # noqa: E402
from bench.load import (  # noqa: E402
    ENCODING_FORMATS,
    LoadResult,
    concurrent,
    in_requests,
    percentile,
    sequential,
)
from bench.peer import PeerServer, infinity_installed, infinity_server  # noqa: E402
from bench.report import LOGS, heading, new_report, save_report  # noqa: E402
from bench.stack import heartbeat_seconds, platform_stack  # noqa: E402
from bench.texts import benchmark_texts  # noqa: E402

DEFAULT_MODELS = "all-MiniLM-L6-v2,all-MiniLM-L6-v2-int8-onnx"
# Issue 8's goals, each a ratio of the report and the bound it must stay within (inclusive), with its unit.
GOALS = (
    ("single_overhead_ms", "one-text overhead back to back", "max", 5.0, " ms"),
    ("single_overhead_interleaved_ms", "one-text overhead interleaved", "max", 5.0, " ms"),
    ("bulk_vs_raw", "bulk vs raw", "min", 1.0, "x"),
    ("concurrent_vs_raw_bulk", "concurrency vs raw bulk", "min", 0.6, "x"),
    ("worker_rss_over_raw_mb", "memory over raw", "max", 150.0, " MB"),
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", default=DEFAULT_MODELS, help=f"catalog names (default {DEFAULT_MODELS})")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of concurrency per model")
    parser.add_argument("--singles", type=int, default=200, help="sequential one-text requests")
    parser.add_argument("--bulk-texts", type=int, default=2048)
    parser.add_argument("--bulk-batch", type=int, default=64)
    parser.add_argument(
        "--rounds", type=int, default=3, help="bulk and concurrency rounds, each of raw and of the server"
    )
    parser.add_argument(
        "--encoding-format",
        choices=ENCODING_FORMATS,
        default="base64",
        help="how the vectors come back (default base64, as the official openai client asks for them)",
    )
    parser.add_argument(
        "--no-peers",
        dest="peers",
        action="store_false",
        help="skip the peer server (Infinity) even when `make install-infinity` has installed it",
    )
    return parser.parse_args()


def raw_baseline(model: str, texts: int, singles: int) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "raw.py"),
            model,
            "--texts",
            str(texts),
            "--singles",
            str(singles),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


class RawBulk:
    """bench/raw.py --serve: the raw model in its own process, one bulk pass over the texts per call."""

    def __init__(self, model: str, texts: int) -> None:
        command = [sys.executable, str(ROOT / "bench" / "raw.py"), model, "--texts", str(texts), "--serve"]
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        if self._process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"bench/raw.py --serve {model} did not start")

    def bulk_texts_per_second(self) -> float:
        self._process.stdin.write("bulk\n")
        self._process.stdin.flush()
        return json.loads(self._process.stdout.readline())["bulk_texts_per_second"]

    def close(self) -> None:
        self._process.kill()
        self._process.wait()


def alternating(
    raw_round: Callable[[], float], server_round: Callable[[int], LoadResult], rounds: int
) -> tuple[list[LoadResult], list[float], dict[str, list[float]]]:
    """Server rounds and raw bulk rounds, alternately (raw first in odd rounds, second in even ones), with a
    pause between so neither finds the other's threads still running. `server_round` is given its round's
    number. Also the host's steal share during each round, by side (bench/host.py)."""
    server_rounds: list[LoadResult] = []
    raw_rounds: list[float] = []
    steal: dict[str, list[float]] = {"server": [], "raw": []}
    for number in range(rounds):
        for side in ("raw", "server") if number % 2 == 0 else ("server", "raw"):
            time.sleep(1)
            if side == "raw":
                figure, host = measured(raw_round)
                raw_rounds.append(figure)
            else:
                result, host = measured(lambda: server_round(number))  # noqa: B023 - called at once
                server_rounds.append(result)
            steal[side].append(host["steal_percent"])
    return server_rounds, raw_rounds, steal


def interleaved_singles(
    stack, model: str, texts: list[str], encoding_format: str, block: int = 20
) -> tuple[dict, list[float]]:
    """Blocks of raw in-process encodes and blocks of server requests, alternately, over the same texts.

    Blocks rather than single calls, with a pause between them: the raw model's thread pools spin for a while
    after each call and would steal the server's CPU."""
    from bench.load import Client
    from bench.raw import load_encode

    encode = load_encode(model)  # loaded for these blocks only: the next server's rounds run without it
    encode(texts[:32])
    client = Client(stack.base_url, stack.api_key, encoding_format=encoding_format)
    server, raw_ms = LoadResult(), []
    started = time.perf_counter()
    for start in range(0, len(texts), block):
        chunk = texts[start : start + block]
        for text in chunk:
            began = time.perf_counter()
            encode([text])
            raw_ms.append((time.perf_counter() - began) * 1000)
        time.sleep(0.3)
        for text in chunk:
            began = time.perf_counter()
            status, body = client.embed([text], model)
            if status == 200:
                server.latencies_ms.append((time.perf_counter() - began) * 1000)
                server.texts += 1
            else:
                server.errors[f"{status} {body.get('error', {}).get('code')}"] += 1
            server.requests += 1
        time.sleep(0.3)
    server.seconds = time.perf_counter() - started
    del encode
    gc.collect()  # the raw model goes now, not during the next server's rounds
    return server.summary(), raw_ms


def worker_rss(stack) -> dict[str, float]:
    workers = stack.health()["workers"]
    return {
        f"{worker['name']} (configs {worker['loaded_config_ids']})": worker["rss_mb"] for worker in workers
    }


def measure_server(
    stack,
    model: str,
    args: argparse.Namespace,
    texts: list[str],
    rss_of: Callable[[object], dict[str, float]] = worker_rss,
) -> dict:
    """The loads on one server: the platform's stack, or a peer server (bench/peer.py), whose memory
    `rss_of` reads."""
    rss = {"loaded": rss_of(stack)}
    form = args.encoding_format
    sequential(stack.base_url, stack.api_key, model, [[text] for text in texts[-50:]], form)  # warm up
    # Bulk and concurrency first: the interleaved singles load the raw model into this process, and with it
    # loaded here (idle between calls) the worker's forward passes ran slower.
    batches = in_requests(texts[: args.bulk_texts], args.bulk_batch)
    round_seconds = args.duration / args.rounds
    each_round = len(texts) // args.rounds  # clients of one round take from their own share of the texts
    raw = RawBulk(model, args.bulk_texts)
    try:
        bulk_rounds, raw_rounds, bulk_steal = alternating(
            raw.bulk_texts_per_second,
            lambda number: sequential(stack.base_url, stack.api_key, model, batches, form),
            args.rounds,
        )
        rss["after bulk"] = rss_of(stack)
        concurrent_rounds, raw_concurrent_rounds, concurrent_steal = alternating(
            raw.bulk_texts_per_second,
            lambda number: concurrent(
                stack.base_url,
                stack.api_key,
                model,
                texts[number * each_round : (number + 1) * each_round],
                args.clients,
                round_seconds,
                form,
            ),
            args.rounds,
        )
        rss["after concurrency"] = rss_of(stack)
    finally:
        raw.close()
    (singles, raw_ms), singles_host = measured(
        lambda: interleaved_singles(stack, model, texts[: args.singles], form)
    )
    time.sleep(2 * heartbeat_seconds(stack.env))  # a fresh heartbeat
    rss["after singles"] = workers = rss_of(stack)
    return {
        "single": singles,
        "raw_interleaved_single_p50_ms": round(percentile(raw_ms, 50), 2),
        "bulk": median_round(bulk_rounds),
        "bulk_rounds_texts_per_second": [round(item.texts_per_second, 2) for item in bulk_rounds],
        "raw_alternating_bulk_rounds_texts_per_second": [round(value, 2) for value in raw_rounds],
        "raw_alternating_bulk_texts_per_second": round(statistics.median(raw_rounds), 2),
        "concurrent": median_round(concurrent_rounds),
        "concurrent_rounds_requests_per_second": [
            round(item.requests_per_second, 2) for item in concurrent_rounds
        ],
        "raw_alternating_concurrent_rounds_texts_per_second": [
            round(value, 2) for value in raw_concurrent_rounds
        ],
        "raw_alternating_concurrent_texts_per_second": round(statistics.median(raw_concurrent_rounds), 2),
        "worker_rss_mb": max(workers.values()),
        "worker_rss_mb_by_phase": rss,
        # The host's steal share (percent of CPU time) in each round, and over the interleaved singles.
        "steal_percent": {
            "bulk": bulk_steal,
            "concurrent": concurrent_steal,
            "singles": singles_host["steal_percent"],
        },
    }


def failed_requests(server: dict) -> int:
    """Every failed request of the run: singles, and every round of bulk and concurrency."""
    return sum(sum(server[phase]["errors"].values()) for phase in ("single", "bulk", "concurrent"))


def median_round(rounds: list[LoadResult]) -> dict:
    """The summary of the round with the median throughput (texts/s; for one text per request, requests/s),
    with every round's errors."""
    ordered = sorted(rounds, key=lambda item: item.texts_per_second)
    summary = ordered[len(ordered) // 2].summary()
    summary["errors"] = dict(sum((Counter(item.errors) for item in rounds), Counter()))
    return summary


def ratios(raw: dict, server: dict) -> dict:
    return {
        "single_overhead_ms": round(server["single"]["p50_ms"] - raw["single_p50_ms"], 2),
        "single_overhead_interleaved_ms": round(
            server["single"]["p50_ms"] - server["raw_interleaved_single_p50_ms"], 2
        ),
        "bulk_vs_raw": round(
            server["bulk"]["texts_per_second"] / server["raw_alternating_bulk_texts_per_second"], 3
        ),
        "concurrent_vs_raw_bulk": round(
            server["concurrent"]["requests_per_second"]
            / server["raw_alternating_concurrent_texts_per_second"],
            3,
        ),
        "worker_rss_over_raw_mb": round(server["worker_rss_mb"] - raw["rss_mb"], 1),
    }


def goals_missed(row: dict) -> list[str]:
    """The goals (GOALS, and no failed request) a report row misses, each with its figure and bound: empty
    when the row meets them all."""
    missed = []
    for key, name, kind, bound, unit in GOALS:
        value = row["ratios"][key]
        if (value > bound) if kind == "max" else (value < bound):
            sign = "<=" if kind == "max" else ">="
            missed.append(f"{name} {value:g}{unit} (goal {sign} {bound:g}{unit})")
    failed = failed_requests(row["server"])
    if failed:
        missed.append(f"{failed} failed requests (goal 0)")
    return missed


def goals_summary(results: list[dict]) -> str:
    """One line per row: every goal met, or those missed."""
    bounds = ", ".join(
        f"{name} {'<=' if kind == 'max' else '>='} {bound:g}{unit}" for _, name, kind, bound, unit in GOALS
    )
    lines = [f"goals ({bounds}, no failed request):"]
    for item in results:
        missed = goals_missed(item)
        lines.append(f"{label(item):30} " + ("missed: " + "; ".join(missed) if missed else "every goal met"))
    return "\n".join(lines)


def table(results: list[dict]) -> str:
    header = (
        f"{'model':30} {'raw bulk/s':>10} {'raw 1 p50':>9} {'1 text p50':>10} {'p99':>7} {'+ms':>6} "
        f"{'raw~ p50':>8} {'+ms~':>6} "
        f"{'bulk/s':>7} {'x raw':>6} {'raw~32c/s':>9} {'32c req/s':>9} {'x raw':>6} {'errors':>6} "
        f"{'RSS MB':>7} {'raw RSS':>7}"
    )
    lines = [header, "-" * len(header)]
    for item in results:
        raw, server, ratio = item["raw"], item["server"], item["ratios"]
        errors = failed_requests(server)
        lines.append(
            f"{label(item):30} {server['raw_alternating_bulk_texts_per_second']:10.1f} "
            f"{raw['single_p50_ms']:9.2f} "
            f"{server['single']['p50_ms']:10.2f} {server['single']['p99_ms']:7.2f} "
            f"{ratio['single_overhead_ms']:6.2f} {server['raw_interleaved_single_p50_ms']:8.2f} "
            f"{ratio['single_overhead_interleaved_ms']:6.2f} {server['bulk']['texts_per_second']:7.1f} "
            f"{ratio['bulk_vs_raw']:6.2f} {server['raw_alternating_concurrent_texts_per_second']:9.1f} "
            f"{server['concurrent']['requests_per_second']:9.1f} "
            f"{ratio['concurrent_vs_raw_bulk']:6.2f} {errors:6d} "
            f"{server['worker_rss_mb']:7.0f} {raw['rss_mb']:7.0f}"
        )
    lines.append("\nhost steal, % of CPU time per round (server / raw):")
    for item in results:
        steal = item["server"].get("steal_percent")
        if steal:
            bulk, clients = steal["bulk"], steal["concurrent"]
            lines.append(
                f"{label(item):30} bulk {_rounds(bulk['server'])} / {_rounds(bulk['raw'])}; "
                f"32 clients {_rounds(clients['server'])} / {_rounds(clients['raw'])}; "
                f"singles {steal['singles']:.0f}"
            )
    return "\n".join(lines)


def label(item: dict) -> str:
    """A result's row name: the model, or for a peer server's result the peer and the model."""
    return f"{item['peer']}: {item['model']}" if item.get("peer") else item["model"]


def _rounds(values: list[float]) -> str:
    return ", ".join(f"{value:.0f}" for value in values)


def peer_model_path(model: str) -> str | None:
    """Where the model's files are, when a peer server is installed and serves this kind of model (Infinity's
    torch engine: the catalog's torch models); else None."""
    if not infinity_installed():
        return None
    from bench.raw import model_spec

    spec = model_spec(model)
    return spec.location if spec.backend == "torch" else None


def keep_logs_if_failed(measured_server, server: dict, name: str) -> None:
    """When a request failed, the server's logs go to bench/logs/ before it stops; its result names them."""
    failed = failed_requests(server)
    if failed:
        logs = measured_server.keep_logs(LOGS / f"{time.strftime('%Y-%m-%d-%H%M%S')}-{name}")
        server["logs"] = str(logs.relative_to(ROOT))
        print(f"{failed} requests failed: the server's logs are in {logs}", flush=True)


def result_row(model: str, raw: dict, server: dict, peer: str | None = None) -> dict:
    """One row of the report: the platform's (no peer) or a peer server's, with its ratios to raw."""
    row = {"model": model, "raw": raw, "server": server, "ratios": ratios(raw, server)}
    row["goals_missed"] = goals_missed(row)
    return {**row, "peer": peer} if peer else row


def main() -> int:
    args = parse_args()
    models = [name.strip() for name in args.models.split(",") if name.strip()]
    texts = benchmark_texts(max(args.bulk_texts, 8192))  # concurrency rounds: ~2,700 each
    raws = {}
    for model in models:
        print(f"raw baseline: {model} ...", flush=True)
        raws[model] = raw_baseline(model, args.bulk_texts, args.singles)
    results = []
    for model in models:  # a stack of its own per model: the worker's memory is that model's alone
        with platform_stack(environ={"EMBEDDING_MODEL": model, "EMBEDDING_CACHE_SIZE": "0"}) as stack:
            print(f"server: {model} ...", flush=True)
            server = measure_server(stack, model, args, texts)
            keep_logs_if_failed(stack, server, model)
        results.append(result_row(model, raws[model], server))
        peer_path = peer_model_path(model) if args.peers else None
        if peer_path:
            with infinity_server(peer_path, model) as peer:
                print(f"peer: Infinity, {model} ...", flush=True)
                server = measure_server(peer, model, args, texts, rss_of=PeerServer.rss)
                keep_logs_if_failed(peer, server, f"infinity-{model}")
            results.append(result_row(model, raws[model], server, peer="infinity"))
    report = new_report(settings=vars(args), results=results)
    print(f"\n{heading(report)}\n" + table(results) + "\n\n" + goals_summary(results))
    save_report("serving", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
