"""(Not named profile.py: scripts here run with bench/ first on sys.path, which would hide the standard
library's `profile` module from transformers.)

Where a request's time goes: py-spy samples the web process and the worker while one client sends requests
back to back, of one text or (`--batch`) of several, as the serving benchmark's bulk phase sends them, or
while `--clients N` clients each send one text per request, as its concurrency phase does.

    .venv/bin/python -m pip install py-spy      # a tool, not a dependency
    .venv/bin/python bench/request_profile.py --seconds 20
    .venv/bin/python bench/request_profile.py --seconds 20 --batch 64
    .venv/bin/python bench/request_profile.py --seconds 20 --clients 32

On a throwaway stack (bench/stack.py; one web process, one worker, embedding cache off), py-spy records
both processes (`--idle` off: only threads on the CPU count) for the given time. Prints, for each process, the
functions with the most samples on the CPU, by their own time and including what they call, and writes the
collapsed stacks to bench/results/ (open them in speedscope.app for a flame graph).
"""

from __future__ import annotations

import argparse
import datetime
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import Client, concurrent, percentile  # noqa: E402
from bench.report import RESULTS, report_path  # noqa: E402
from bench.stack import platform_stack  # noqa: E402
from bench.texts import benchmark_texts  # noqa: E402


def web_processes(master_pid: int) -> list[int]:
    output = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in output.split()]


def summarize(collapsed: Path, top: int) -> list[str]:
    """Functions by own samples and by inclusive samples, from py-spy's collapsed stacks."""
    own, inclusive, total = Counter(), Counter(), 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [frame.split(" (")[0] for frame in stack.split(";")[1:]]  # drop the thread name
        total += int(count)
        if frames:
            own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    lines = [f"  {total} samples on the CPU", "  own time:"]
    lines += [f"    {count / total:6.1%}  {frame}" for frame, count in own.most_common(top)]
    lines.append("  including callees:")
    lines += [f"    {count / total:6.1%}  {frame}" for frame, count in inclusive.most_common(top)]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--batch", type=int, default=1, help="texts per request")
    parser.add_argument("--clients", type=int, default=1, help="concurrent clients of one text each")
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    environ = {"EMBEDDING_MODEL": args.model, "EMBEDDING_CACHE_SIZE": "0", "WEB_WORKERS": "1"}
    RESULTS.mkdir(exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    with platform_stack(environ=environ) as stack:
        [web] = web_processes(stack.supervisor.children["web"].pid)
        [worker] = stack.worker_pids()
        targets = {"web": web, "worker": worker}
        suffix = f"-batch{args.batch}" if args.batch > 1 else ""
        suffix += f"-clients{args.clients}" if args.clients > 1 else ""
        outputs = {name: report_path(f"profile-{name}{suffix}", now, ".txt") for name in targets}
        recorders = [
            subprocess.Popen(
                [
                    py_spy,
                    "record",
                    "--pid",
                    str(pid),
                    "--duration",
                    str(int(args.seconds)),
                    "--rate",
                    "250",
                    "--format",
                    "raw",
                    "--output",
                    str(outputs[name]),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            for name, pid in targets.items()
        ]
        texts = benchmark_texts(4096)
        if args.clients > 1:
            many = texts * 20  # more than any run takes
            latencies = concurrent(
                stack.base_url, stack.api_key, args.model, many, args.clients, args.seconds
            ).latencies_ms
        else:
            client, latencies = Client(stack.base_url, stack.api_key), []
            deadline, index = time.monotonic() + args.seconds, 0
            while time.monotonic() < deadline:
                started = time.perf_counter()
                batch = [texts[(index + offset) % len(texts)] for offset in range(args.batch)]
                status, _ = client.embed(batch, args.model)
                latencies.append((time.perf_counter() - started) * 1000)
                index += args.batch
        for recorder in recorders:
            recorder.wait(timeout=60)
    print(f"{len(latencies)} requests, p50 {percentile(latencies, 50):.2f} ms")
    for name, path in outputs.items():
        print(f"\n{name} (pid {targets[name]}), stacks in {path.relative_to(ROOT)}")
        print("\n".join(summarize(path, args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
