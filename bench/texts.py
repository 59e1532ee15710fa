"""The STS-B test split (../shared/data/stsb-test.tsv, read in place, never copied into the repository):
benchmark texts and the quality check's pairs."""

from __future__ import annotations

import csv
import os
import random
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILE_NAME = "stsb-test.tsv"
SHUFFLE_SEED = 0
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
    """`count` distinct texts: the split's sentences in a fixed shuffled order, over and over, each followed
    by the number of its pass (" (0)", " (1)", ...).

    Distinct, so an embedding cache never answers a benchmark request; alike in every stretch, so each phase
    of a benchmark that takes its own stretch (the serving benchmark's bulk pass, each of its concurrency
    rounds) gets texts of the same lengths. The split lists its sentences by genre (captions are short), and
    until 2026-12-04 only texts past the first pass carried a number: the concurrency rounds after the first
    then ran texts of about 17 tokens against the bulk pass's 15."""
    sentences = _shuffled_sentences()
    return [f"{sentences[index % len(sentences)]} ({index // len(sentences)})" for index in range(count)]


@cache
def _shuffled_sentences() -> tuple[str, ...]:
    sentences = list(_sentences())
    random.Random(SHUFFLE_SEED).shuffle(sentences)
    return tuple(sentences)


def stsb_pairs() -> list[tuple[float, str, str]]:
    """(gold score 0-5, sentence 1, sentence 2) for each of the split's pairs."""
    return [(float(row["score"]), row["sentence1"], row["sentence2"]) for row in _rows()]
