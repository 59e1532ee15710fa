"""Every benchmark's report: dated, naming the machine (figures compare only within one run on one machine),
written as JSON to bench/results/<kind>-<date>-<HHMM>.json (UTC, the time it is written: a second run the same
day keeps the first's file)."""

from __future__ import annotations

import datetime
import itertools
import json
import os
import platform
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOGS = RESULTS.parent / "logs"  # the logs of stacks whose requests failed; not committed


def cpu_field(name: str) -> str:
    """The first value of /proc/cpuinfo's `name` field, "" where there is none."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return ""


def cpu_model() -> str:
    return cpu_field("model name") or platform.processor()


def vector_extensions(flags: set[str]) -> str:
    """The widest vector instructions the CPU offers, as the model's kernels see them: the hosts behind this
    machine change (one with AVX-512 VNNI, the next with AVX2 only) and the raw model's speed with them."""
    if "avx512f" in flags:
        widest = "AVX-512 VNNI" if "avx512_vnni" in flags else "AVX-512"
    elif "avx2" in flags:
        widest = "AVX2 VNNI" if "avx_vnni" in flags else "AVX2"
    else:
        widest = ""
    return ", ".join(part for part in ("AMX" if "amx_tile" in flags else "", widest) if part)


def machine() -> str:
    extensions = vector_extensions(set(cpu_field("flags").split()))
    cpu = f"{cpu_model()} ({extensions})" if extensions else cpu_model()
    return f"{cpu}, {len(os.sched_getaffinity(0))} cores"


def new_report(**fields: Any) -> dict[str, Any]:
    """Now (UTC) and this machine, then the benchmark's own fields."""
    now = datetime.datetime.now(datetime.UTC)
    return {"date": now.date().isoformat(), "time": now.strftime("%H:%M"), "machine": machine(), **fields}


def heading(report: dict[str, Any]) -> str:
    """When and where a report was measured, for the first line of what a benchmark prints."""
    return f"{report['date']} {report['time']} UTC, {report['machine']}"


def report_path(kind: str, when: datetime.datetime, extension: str = ".json") -> Path:
    """bench/results/<kind>-<date>-<HHMM><extension>; where that exists, the seconds too, then a count."""
    names = itertools.chain(
        [f"{kind}-{when:%Y-%m-%d-%H%M}", f"{kind}-{when:%Y-%m-%d-%H%M%S}"],
        (f"{kind}-{when:%Y-%m-%d-%H%M%S}-{count}" for count in itertools.count(2)),
    )
    return next(path for path in (RESULTS / f"{name}{extension}" for name in names) if not path.exists())


def save_report(kind: str, report: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = report_path(kind, datetime.datetime.now(datetime.UTC))
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return path
