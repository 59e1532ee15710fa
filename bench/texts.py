"""The STS-B test split (../shared/data/stsb-test.tsv, read in place, never copied into the repository):
benchmark texts and the quality check's pairs."""

from __future__ import annotations

import csv
import os
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILE_NAME = "stsb-test.tsv"
# The shared folder beside this checkout, then where this project's machines keep it (a fresh clone elsewhere,
# such as CI's, still finds it). EMBEDPLATFORM_STSB_FILE overrides both.
CANDIDATES = (ROOT.parent / "shared" / "data" / FILE_NAME, Path("/work/shared/data") / FILE_NAME)


def stsb_path() -> Path:
    """Where the STS-B test split is; a clear error naming the places looked at when it is nowhere."""
    if "EMBEDPLATFORM_STSB_FILE" in os.environ:
        candidates: tuple[Path, ...] = (Path(os.environ["EMBEDPLATFORM_STSB_FILE"]),)
    else:
        candidates = CANDIDATES
    for path in candidates:
        if path.exists():
            return path
    looked = ", ".join(str(path) for path in candidates)
    raise FileNotFoundError(
        f"the STS-B test split is not at {looked}; set EMBEDPLATFORM_STSB_FILE to its path"
    )


@cache
def _rows() -> tuple[dict[str, str], ...]:
    with stsb_path().open(newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _sentences() -> tuple[str, ...]:
    return tuple(dict.fromkeys(text for row in _rows() for text in (row["sentence1"], row["sentence2"])))


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
    """(gold score 0-5, sentence 1, sentence 2) for each of the split's pairs."""
    return [(float(row["score"]), row["sentence1"], row["sentence2"]) for row in _rows()]
