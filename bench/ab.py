"""Two settings of the platform side by side: two stacks at once, the same load on each in alternating rounds.

    .venv/bin/python bench/ab.py --name onnx-spinning --model all-MiniLM-L6-v2-int8-onnx --load singles \\
        --a EMBEDDING_ONNX_SPINNING=true --b EMBEDDING_ONNX_SPINNING=false

This machine's speed drifts by more than most settings change (the same run varies by tens of percent
between minutes), so one stack measured after the other compares the minutes as much as the settings. Here
both stacks run at once (an idle stack takes no CPU), and each round runs the load on A, then on B, then
(next round) on B first: each setting sees the same stretch of time. Per round and setting it reports the
load's figure and the CPU each process of the stack spent per request (web, worker, Redis, PostgreSQL, and
this process as the client), which drifts less than time does, and the host's steal and idle shares
(bench/host.py); then the medians, and each stack's worker RSS after the last round.

Loads: `singles` (sequential one-text requests: p50 ms), `bulk` (2,048 texts in requests of 64 from one
client: texts/s), `concurrent` (32 clients of one text each: requests/s). Writes JSON to
bench/results/ab-<name>-<date>-<HHMM>.json. A round with failed requests keeps that stack's logs in
bench/logs/ (not committed).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.host import measured  # noqa: E402
from bench.load import LoadResult, concurrent, in_requests, percentile, sequential  # noqa: E402
from bench.report import LOGS, new_report, save_report  # noqa: E402
from bench.stack import Stack, heartbeat_seconds, platform_stack  # noqa: E402
from bench.texts import benchmark_texts  # noqa: E402

ROLES = ("web", "worker", "redis", "postgres", "client")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--name", required=True, help="what is compared, for the result file's name")
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--load", choices=("singles", "bulk", "concurrent"), default="singles")
    parser.add_argument("--a", nargs="*", default=[], metavar="NAME=VALUE", help="environment of stack A")
    parser.add_argument("--b", nargs="*", default=[], metavar="NAME=VALUE", help="environment of stack B")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--singles", type=int, default=150, help="requests per round of `singles`")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per round of `concurrent`")
    return parser.parse_args()


def environment(pairs: list[str]) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in pairs)


def stack_processes(stack: Stack) -> dict[str, list[psutil.Process]]:
    """The stack's processes by role: the supervisor's children (the web server with its processes, the Celery
    worker) and the services on the stack's own ports."""
    found: dict[str, list[psutil.Process]] = {role: [] for role in ROLES}
    found["client"].append(psutil.Process())
    for name, child in stack.supervisor.children.items():
        parent = psutil.Process(child.pid)
        found["web" if name == "web" else "worker"] += [parent, *parent.children(recursive=True)]
    for url, role in ((stack.env["REDIS_URL"], "redis"), (stack.env["DATABASE_URL"], "postgres")):
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        for connection in psutil.net_connections("tcp"):
            if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port and connection.pid:
                server = psutil.Process(connection.pid)
                found[role] += [server, *server.children(recursive=True)]
                break
    return found


def cpu_seconds(processes: dict[str, list[psutil.Process]]) -> dict[str, float]:
    totals = {}
    for role, members in processes.items():
        total = 0.0
        for process in members:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
        totals[role] = total
    return totals


def run_load(stack: Stack, args: argparse.Namespace, texts: list[str]) -> tuple[float, LoadResult]:
    if args.load == "singles":
        result = sequential(
            stack.base_url, stack.api_key, args.model, [[text] for text in texts[: args.singles]]
        )
        return percentile(result.latencies_ms, 50), result
    if args.load == "bulk":
        result = sequential(stack.base_url, stack.api_key, args.model, in_requests(texts[:2048], 64))
        return result.texts_per_second, result
    result = concurrent(stack.base_url, stack.api_key, args.model, texts, args.clients, args.duration)
    return result.requests_per_second, result


def main() -> int:
    args = parse_args()
    unit = {"singles": "p50 ms", "bulk": "texts/s", "concurrent": "requests/s"}[args.load]
    texts = benchmark_texts(4096)
    base = {"EMBEDDING_MODEL": args.model, "EMBEDDING_CACHE_SIZE": "0"}
    settings = {"A": environment(args.a), "B": environment(args.b)}
    rounds: list[dict] = []
    with contextlib.ExitStack() as stacks:
        running = {
            name: stacks.enter_context(platform_stack(environ={**base, **env}))
            for name, env in settings.items()
        }
        processes = {name: stack_processes(stack) for name, stack in running.items()}
        for stack in running.values():  # warm up
            sequential(stack.base_url, stack.api_key, args.model, [[text] for text in texts[-50:]])
        for number in range(args.rounds):
            order = list(running) if number % 2 == 0 else list(reversed(running))
            row = {}
            for name in order:
                time.sleep(1)  # what the other stack's last pass left running settles
                before = cpu_seconds(processes[name])
                (figure, result), host = measured(lambda: run_load(running[name], args, texts))  # noqa: B023
                after = cpu_seconds(processes[name])
                errors = sum(result.errors.values())
                row[name] = {
                    "figure": round(figure, 2),
                    "errors": errors,
                    "errors_by_kind": dict(result.errors),  # "<status> <error code>": count
                    "cpu_ms_per_request": {
                        role: round((after[role] - before[role]) / max(result.requests, 1) * 1000, 2)
                        for role in ROLES
                    },
                    "host_steal_percent": host["steal_percent"],
                    "host_idle_percent": host["idle_percent"],
                }
            rounds.append(row)
            print(f"round {number + 1} ({' then '.join(order)}):", flush=True)
            for name in running:
                if row[name]["errors"]:  # kept before the stack (and its scratch folder) goes
                    kept = running[name].keep_logs(LOGS / f"ab-{args.name}-{time.strftime('%H%M%S')}-{name}")
                    row[name]["logs"] = str(kept.relative_to(ROOT))
            for name in running:
                cpu = " ".join(
                    f"{role} {value:.2f}" for role, value in row[name]["cpu_ms_per_request"].items()
                )
                figure, errors = row[name]["figure"], row[name]["errors"]
                kinds = f" {row[name]['errors_by_kind']}" if errors else ""
                steal, idle = row[name]["host_steal_percent"], row[name]["host_idle_percent"]
                print(
                    f"  {name}: {figure:8.2f} {unit}, errors {errors}{kinds}; CPU ms/request: {cpu}; "
                    f"host steal {steal:.0f}%, idle {idle:.0f}%"
                )
        time.sleep(2 * max(heartbeat_seconds(stack.env) for stack in running.values()))  # a fresh heartbeat
        worker_rss = {
            name: max(worker["rss_mb"] for worker in stack.health()["workers"])
            for name, stack in running.items()
        }
    medians = {
        name: {
            "figure": round(statistics.median(row[name]["figure"] for row in rounds), 2),
            "cpu_ms_per_request": {
                role: round(statistics.median(row[name]["cpu_ms_per_request"][role] for row in rounds), 2)
                for role in ROLES
            },
        }
        for name in settings
    }
    print(f"\nmedians ({unit}; CPU ms per request):")
    for name, env in settings.items():
        median = medians[name]
        print(
            f"  {name} {env or '(defaults)'}: {median['figure']:.2f}; {median['cpu_ms_per_request']}; "
            f"worker RSS after the rounds {worker_rss[name]:.0f} MB"
        )
    report = new_report(
        settings={**vars(args), "environments": settings},
        rounds=rounds,
        medians=medians,
        worker_rss_mb_after=worker_rss,
    )
    save_report(f"ab-{args.name}", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
