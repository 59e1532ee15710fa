"""How long one hop between processes takes on this host: a Redis round trip, back to back and after idling.

A one-text request crosses processes about ten times (client, web, Redis, worker and back; see the README's
benchmark notes). Each crossing wakes a process, and on some hosts waking a core that has gone idle is far
slower than reaching one that is busy. Then the request path's overhead grows although nothing in the
platform changed. Run this before comparing a serving run with one from another day:

    .venv/bin/python bench/wakeup.py

It starts a throwaway Redis (the same server `make run` uses), times PINGs sent back to back, then PINGs
each sent after the given idle pauses, and prints (and writes, bench/results/wakeup-<date>.json) the
median and 90th percentile of each, in microseconds.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=300, help="round trips per pause")
    parser.add_argument("--idle-ms", type=float, nargs="+", default=[0, 1, 5, 20])
    args = parser.parse_args()

    import redis

    from embedplatform.devstack.processes import free_port
    from embedplatform.devstack.redis_server import RedisServer

    scratch = Path(tempfile.mkdtemp(prefix="embedplatform-wakeup-"))
    server = RedisServer(scratch / "redis", free_port())
    server.start()
    try:
        client = redis.Redis.from_url(server.url)
        round_trips_us(client.ping, 100, 0)  # connect and warm up
        rows = [round_trips_us(client.ping, args.count, idle / 1000) for idle in args.idle_ms]
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    for row in rows:
        idle, p50, p90 = row["idle_ms"], row["p50_us"], row["p90_us"]
        print(f"after {idle:5.1f} ms idle: p50 {p50:8.1f} us, p90 {p90:8.1f} us")
    save_report("wakeup", new_report(round_trips=rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
