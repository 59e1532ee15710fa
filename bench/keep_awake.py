"""The platform's one-text latency with and without every core kept from idling, on one stack, in
alternating rounds:

    .venv/bin/python bench/keep_awake.py --model all-MiniLM-L6-v2-int8-onnx

A one-text request crosses processes about ten times, and on these VMs waking an idle core costs several
hundred microseconds (bench/wakeup.py --keep-awake). Here, in rounds that alternate (and swap which goes
first), sequential one-text requests run with cores free to idle, then with one SCHED_IDLE spinner per core
(bench.wakeup.cores_kept_awake), which takes only time nothing else wants. It prints each round's p50 and
p99 and the host's steal, and writes bench/results/keep-awake-<date>-<HHMM>.json. A measurement, not a
setting: nothing in the platform spins like this.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.host import measured  # noqa: E402
from bench.load import percentile, sequential  # noqa: E402
from bench.report import new_report, save_report  # noqa: E402
from bench.stack import platform_stack  # noqa: E402
from bench.texts import benchmark_texts  # noqa: E402
from bench.wakeup import cores_kept_awake  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="all-MiniLM-L6-v2-int8-onnx")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of each")
    parser.add_argument("--singles", type=int, default=150, help="requests per round")
    args = parser.parse_args()
    texts = benchmark_texts(args.singles * args.rounds * 2 + 50)
    cores = len(os.sched_getaffinity(0))
    rounds = []
    with platform_stack(environ={"EMBEDDING_MODEL": args.model, "EMBEDDING_CACHE_SIZE": "0"}) as stack:
        sequential(stack.base_url, stack.api_key, args.model, [[text] for text in texts[-50:]])  # warm up
        used = 0
        for number in range(args.rounds):
            row = {}
            for awake in (False, True) if number % 2 == 0 else (True, False):
                batch = [[text] for text in texts[used : used + args.singles]]
                used += args.singles
                time.sleep(1)
                with cores_kept_awake(cores) if awake else contextlib.nullcontext():
                    result, host = measured(
                        lambda batch=batch: sequential(stack.base_url, stack.api_key, args.model, batch)
                    )
                name = "kept_awake" if awake else "free_to_idle"
                row[name] = {
                    "p50_ms": round(percentile(result.latencies_ms, 50), 2),
                    "p99_ms": round(percentile(result.latencies_ms, 99), 2),
                    "errors": sum(result.errors.values()),
                    "host_steal_percent": host["steal_percent"],
                }
                print(f"round {number + 1} {name:12}: {row[name]}", flush=True)
            rounds.append(row)
    medians = {
        name: round(statistics.median(row[name]["p50_ms"] for row in rounds), 2)
        for name in ("free_to_idle", "kept_awake")
    }
    print(f"\nmedian p50 ms: {medians}")
    save_report("keep-awake", new_report(settings=vars(args), rounds=rounds, median_p50_ms=medians))
    return 0


if __name__ == "__main__":
    sys.exit(main())
