"""Benchmark texts: the STS-B test sentences (../shared/data, or BENCH_TEXTS_FILE), unique, in file order."""

from __future__ import annotations

import csv
import os
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "stsb-test.tsv"


@cache
def _sentences() -> tuple[str, ...]:
    path = Path(os.environ.get("BENCH_TEXTS_FILE", DEFAULT_FILE))
    if not path.exists():
        raise SystemExit(f"benchmark texts not found at {path}; set BENCH_TEXTS_FILE to the STS-B test TSV")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return tuple(dict.fromkeys(text for row in rows for text in (row["sentence1"], row["sentence2"])))


def benchmark_texts(count: int) -> list[str]:
    """`count` distinct texts; past the file's sentences, numbered variants of them (still distinct, so an
    embedding cache never answers a benchmark request)."""
    sentences = _sentences()
    return [
        sentences[index % len(sentences)]
        + (f" ({index // len(sentences)})" if index >= len(sentences) else "")
        for index in range(count)
    ]


def stsb_pairs() -> list[tuple[float, str, str]]:
    path = Path(os.environ.get("BENCH_TEXTS_FILE", DEFAULT_FILE))
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(float(row["score"]), row["sentence1"], row["sentence2"]) for row in rows]
