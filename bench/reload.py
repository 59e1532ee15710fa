"""Model switch benchmark: activate another config under load, measure what clients and workers see.

    .venv/bin/python bench/reload.py                      # 2 workers, 4 clients
    .venv/bin/python bench/reload.py --to paraphrase-MiniLM-L3-v2-onnx

On a throwaway stack (bench/stack.py, as `make run` starts it, two workers), clients loop one-text requests to
/api/embedding/generate while the admin API switches the model: `PUT /api/admin/embedding/config`, then the
activation is followed until it ends. By default the switch goes from all-MiniLM-L6-v2 to another config of
the same model (max_seq_length 255: new weights to load, the same size), so the memory coming back can
be compared: worker RSS before, at its highest during, and after the old model was freed (the grace period is
cut to --grace seconds). Reports activation time, p50/p99 latency before / during / after, failed requests
(must be 0) and which config answered. Prints a table and writes JSON to
bench/results/reload-<date>-<HHMM>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import Client, percentile  # noqa: E402
from bench.report import heading, new_report, save_report  # noqa: E402
from bench.stack import platform_stack  # noqa: E402
from bench.texts import benchmark_texts  # noqa: E402


class Load:
    """Clients looping one-text requests; every answer kept with its time, latency, status and config."""

    def __init__(self, stack, clients: int) -> None:
        self.stack, self.texts = stack, benchmark_texts(4096)
        self.answers: list[tuple[float, float, int, str]] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(clients)]
        self._lock = threading.Lock()

    def _run(self, number: int) -> None:
        client, index = Client(self.stack.base_url, self.stack.api_key), number
        while not self.stopping.is_set():
            text = self.texts[index % len(self.texts)]
            index += len(self.threads)
            started = time.time()
            try:
                status, _, headers = client.post("/api/embedding/generate", {"text": text})
            except Exception:  # a dropped connection is a failed request
                status, headers = 0, {}
            latency = (time.time() - started) * 1000
            with self._lock:
                self.answers.append((started, latency, status, headers.get("x-embedding-config", "")))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def phase(self, start: float, end: float) -> dict:
        answers = [answer for answer in self.answers if start <= answer[0] < end]
        latencies = [latency for _, latency, status, _ in answers if status == 200]
        return {
            "requests": len(answers),
            "failed": sum(1 for answer in answers if answer[2] != 200),
            "p50_ms": round(percentile(latencies, 50), 2),
            "p99_ms": round(percentile(latencies, 99), 2),
            "configs": dict(Counter(answer[3] for answer in answers)),
        }


def admin(stack, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """One admin API call with the stack's admin key."""
    request = urllib.request.Request(
        stack.base_url + path,
        json.dumps(body).encode() if body is not None else None,
        {"Content-Type": "application/json", "Authorization": f"Bearer {stack.api_key}"},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


class RssSampler(threading.Thread):
    def __init__(self, stack) -> None:
        super().__init__(daemon=True)
        self.stack, self.samples, self.stopping = stack, [], threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                _, workers = admin(self.stack, "GET", "/api/admin/embedding/workers")
                self.samples.append((time.time(), {w["name"]: w["rss_mb"] for w in workers}))
            except Exception:
                pass
            self.stopping.wait(0.25)

    def highest(self, start: float, end: float) -> dict[str, float]:
        highest: dict[str, float] = {}
        for at, rss in self.samples:
            if start <= at <= end:
                for name, value in rss.items():
                    highest[name] = max(highest.get(name, 0), value)
        return highest


def workers(stack) -> list[dict]:
    return admin(stack, "GET", "/api/admin/embedding/workers")[1]


def wait_for_configs(stack, config_ids: list[int], timeout: float = 120) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = workers(stack)
        if current and all(sorted(w["loaded_config_ids"]) == sorted(config_ids) for w in current):
            return current
        time.sleep(0.25)
    raise TimeoutError(f"workers did not settle on configs {config_ids}: {workers(stack)}")


def run(args: argparse.Namespace) -> dict:
    environ = {
        "EMBEDDING_MODEL": args.start,
        "EMBEDDING_ACTIVATION_GRACE_SECONDS": str(args.grace),
        "EMBEDDING_CACHE_SIZE": "0",
    }
    with platform_stack(workers=args.workers, environ=environ) as stack:
        start_config = stack.health()["config_id"]
        load, sampler = Load(stack, args.clients), RssSampler(stack)
        sampler.start()
        load.start()
        time.sleep(args.phase)
        rss_before = {w["name"]: w["rss_mb"] for w in workers(stack)}
        body = {"model": args.to, **({"max_seq_length": args.max_seq_length} if args.max_seq_length else {})}
        requested = time.time()
        status, activation = admin(stack, "PUT", "/api/admin/embedding/config", body)
        if status != 202:
            raise RuntimeError(f"PUT /api/admin/embedding/config answered {status}: {activation}")
        while activation["status"] in ("requested", "loading"):
            time.sleep(0.1)
            activation = admin(
                stack, "GET", f"/api/admin/embedding/activations/{activation['activation_id']}"
            )[1]
        flipped = time.time()
        if activation["status"] != "active":
            raise RuntimeError(f"the activation ended {activation['status']}: {activation['error']}")
        time.sleep(args.phase)
        after_load = time.time()
        load.stop()
        settled = wait_for_configs(stack, [activation["config_id"]], timeout=args.grace + 60)
        time.sleep(1)
        freed = time.time()
        rss_after = {w["name"]: w["rss_mb"] for w in workers(stack)}
        sampler.stopping.set()
        return {
            "from": {"model": args.start, "config_id": start_config},
            "to": {
                "model": args.to,
                "config_id": activation["config_id"],
                "max_seq_length": args.max_seq_length,
            },
            "activation_seconds": round(flipped - requested, 2),
            "workers": activation["workers"],
            "before": load.phase(requested - args.phase, requested),
            "during": load.phase(requested, flipped),
            "after": load.phase(flipped, after_load),
            "rss_mb": {
                "before": rss_before,
                "highest_during": sampler.highest(requested, freed),
                "after_old_freed": rss_after,
            },
            "last_unload": {w["name"]: w["last_unload"] for w in settled},
        }


def table(result: dict) -> str:
    lines = [
        f"switch {result['from']['model']} (config {result['from']['config_id']}) -> {result['to']['model']} "
        f"(config {result['to']['config_id']}): activation {result['activation_seconds']} s",
        "| phase | requests | failed | p50 ms | p99 ms | answered by config |",
        "|---|---|---|---|---|---|",
    ]
    for phase in ("before", "during", "after"):
        row = result[phase]
        lines.append(
            f"| {phase} | {row['requests']} | {row['failed']} | {row['p50_ms']} | {row['p99_ms']} | "
            f"{row['configs']} |"
        )
    lines += [
        "",
        "| worker | RSS before | highest during | after old model freed | after / before |",
        "|---|---|---|---|---|",
    ]
    rss = result["rss_mb"]
    for name, before in sorted(rss["before"].items()):
        after = rss["after_old_freed"].get(name, float("nan"))
        lines.append(
            f"| {name} | {before} | {rss['highest_during'].get(name)} | {after} | {after / before:.2f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--start", default="all-MiniLM-L6-v2", help="the model active at the start")
    parser.add_argument("--to", default="all-MiniLM-L6-v2", help="the model to switch to")
    parser.add_argument(
        "--max-seq-length", type=int, default=255, help="of the new config (0: the catalog's)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--phase", type=float, default=8.0, help="seconds of load before and after the switch"
    )
    parser.add_argument("--grace", type=float, default=5.0, help="seconds the old model stays after the flip")
    args = parser.parse_args()
    result = run(args)
    report = new_report(settings=vars(args), result=result)
    print(f"\n{heading(report)}\n" + table(result))
    save_report("reload", report)
    return 0 if all(result[phase]["failed"] == 0 for phase in ("before", "during", "after")) else 1


if __name__ == "__main__":
    sys.exit(main())
