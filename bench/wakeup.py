"""How long one hop between processes takes on this host: a Redis round trip, back to back and after idling.

A one-text request crosses processes about ten times (client, web, Redis, worker and back; see the README's
benchmark notes). Each crossing wakes a process, and on some hosts waking a core that has gone idle is far
slower than reaching one that is busy. Then the request path's overhead grows although nothing in the
platform changed. Run this before comparing a serving run with one from another day:

    .venv/bin/python bench/wakeup.py

It starts a throwaway Redis (the same server `make run` uses), times PINGs sent back to back, then PINGs
each sent after the given idle pauses, and prints (and writes, bench/results/wakeup-<date>-<HHMM>.json) the
median and 90th percentile of each, in microseconds.

`--keep-awake` measures the same in alternating rounds (2 each) without and with one process per core that
spins at the lowest priority (SCHED_IDLE: it runs only when nothing else wants the core), so no core goes
idle: how much of a hop is the cost of waking an idle core.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import percentile  # noqa: E402
from bench.report import new_report, save_report  # noqa: E402


def round_trips_us(ping: Callable[[], object], count: int, idle_seconds: float) -> dict[str, float]:
    """`count` timed calls of `ping`, each after `idle_seconds` of sleep (0: back to back)."""
    timings = []
    for _ in range(count):
        if idle_seconds:
            time.sleep(idle_seconds)
        started = time.perf_counter()
        ping()
        timings.append((time.perf_counter() - started) * 1e6)
    return {
        "idle_ms": idle_seconds * 1000,
        "count": count,
        "p50_us": round(percentile(timings, 50), 1),
        "p90_us": round(percentile(timings, 90), 1),
    }


SPIN_AT_IDLE_PRIORITY = (
    "import os\nos.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))\nwhile True: pass"
)


@contextlib.contextmanager
def cores_kept_awake(count: int) -> Iterator[list[subprocess.Popen]]:
    """`count` processes spinning at SCHED_IDLE priority while the block runs (given to the block)."""
    spinners = [subprocess.Popen([sys.executable, "-c", SPIN_AT_IDLE_PRIORITY]) for _ in range(count)]
    try:
        deadline = time.monotonic() + 10
        while any(os.sched_getscheduler(spinner.pid) != os.SCHED_IDLE for spinner in spinners):
            if time.monotonic() > deadline:
                raise RuntimeError("the spinners did not reach SCHED_IDLE within 10 s")
            time.sleep(0.05)
        yield spinners
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=300, help="round trips per pause")
    parser.add_argument("--idle-ms", type=float, nargs="+", default=[0, 1, 5, 20])
    parser.add_argument("--keep-awake", action="store_true", help="also with every core kept from idling")
    args = parser.parse_args()
    modes = [False, True, True, False] if args.keep_awake else [False]

    import redis

    from embedplatform.devstack.processes import free_port
    from embedplatform.devstack.redis_server import RedisServer

    scratch = Path(tempfile.mkdtemp(prefix="embedplatform-wakeup-"))
    server = RedisServer(scratch / "redis", free_port())
    server.start()
    try:
        client = redis.Redis.from_url(server.url)
        round_trips_us(client.ping, 100, 0)  # connect and warm up
        rows = []
        for awake in modes:
            spinning = cores_kept_awake(len(os.sched_getaffinity(0))) if awake else contextlib.nullcontext()
            with spinning:
                for idle in args.idle_ms:
                    rows.append(
                        {**round_trips_us(client.ping, args.count, idle / 1000), "cores_kept_awake": awake}
                    )
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    for row in rows:
        idle, p50, p90 = row["idle_ms"], row["p50_us"], row["p90_us"]
        awake = ", cores kept awake" if row["cores_kept_awake"] else ""
        print(f"after {idle:5.1f} ms idle{awake}: p50 {p50:8.1f} us, p90 {p90:8.1f} us")
    save_report("wakeup", new_report(round_trips=rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
