"""Every benchmark's report: dated, naming the machine (figures compare only within one run on one machine),
written as JSON to bench/results/<kind>-<date>.json."""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOGS = RESULTS.parent / "logs"  # the logs of stacks whose requests failed; not committed


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def new_report(**fields: Any) -> dict[str, Any]:
    """Today's date and this machine, then the benchmark's own fields."""
    return {
        "date": datetime.date.today().isoformat(),
        "machine": f"{cpu_model()}, {len(os.sched_getaffinity(0))} cores",
        **fields,
    }


def save_report(kind: str, report: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{kind}-{report['date']}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return path
