"""Re-embedding throughput: a job rebuilds every stored message's vector for another config, end to end (read,
encode, write), against the raw model encoding the same texts in-process, measured in the same run.

    .venv/bin/python bench/reembed.py                          # 20,000 messages
    .venv/bin/python bench/reembed.py --conversations 2000     # 100,000 messages

On a throwaway stack (bench/stack.py: one worker, as `make run` starts it), the demo corpus is seeded and
embedded for the active config first; then a second config of the same model (max_seq_length 255) gets a
re-embedding job (`manage.py reembed`), timed from the command to the job's end (every vector stored and the
config's HNSW index built; the times to the first and the last vector are in the JSON). Afterwards, with the
stack stopped, the raw model encodes the same texts (sentence-transformers, batch 32). Prints texts/s and the
ratio; writes JSON to bench/results/reembed-<date>-<HHMM>.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import heading, new_report, save_report  # noqa: E402
from bench.stack import platform_stack  # noqa: E402


def corpus(conversations: int, per_conversation: int) -> list[str]:
    from chat import demo

    return [
        content
        for index in range(conversations)
        for _, content in demo.demo_messages(index, per_conversation)
    ]


def embedded_count(database_url: str, config_id: int | None = None) -> tuple[int, int]:
    """(embedded, pending) rows, for one config or all."""
    import psycopg

    where = "WHERE config_id = %s" if config_id else ""
    query = f"SELECT state, count(*) FROM embeddings_storedvector {where} GROUP BY state"
    with psycopg.connect(database_url) as connection:
        counts = dict(connection.execute(query, [config_id] if config_id else []).fetchall())
    return counts.get("embedded", 0), counts.get("pending", 0)


class JobWatch:
    """The job of a config, read from its row on one connection: cheap enough to poll while the job runs
    (counting the vectors table every half second took CPU from the two cores the job runs on)."""

    def __init__(self, database_url: str, config_id: int) -> None:
        import psycopg

        self._connection = psycopg.connect(database_url, autocommit=True)
        self._config_id = config_id

    def any_vector(self) -> bool:
        query = "SELECT EXISTS (SELECT 1 FROM embeddings_storedvector WHERE config_id = %s AND state = %s)"
        return self._connection.execute(query, [self._config_id, "embedded"]).fetchone()[0]

    def job(self) -> tuple[str | None, int]:
        """(state, pending) of the config's latest job."""
        query = (
            "SELECT state, pending FROM embeddings_reembedjob WHERE config_id = %s ORDER BY id DESC LIMIT 1"
        )
        row = self._connection.execute(query, [self._config_id]).fetchone()
        return (row[0], row[1]) if row else (None, -1)

    def close(self) -> None:
        self._connection.close()


def wait(predicate, timeout: float, interval: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the embedding did not finish in time")
        time.sleep(interval)


def platform_run(args: argparse.Namespace, total: int) -> dict:
    environ = {"EMBEDDING_MODEL": args.model, "SEED_DEMO": "0"}
    with platform_stack(environ=environ) as stack:
        url = stack.env["DATABASE_URL"]
        stack.manage("seed_demo", "--conversations", str(args.conversations),
                     "--messages-per-conversation", str(args.per_conversation))  # fmt: skip
        # Counting the whole vectors table takes CPU from the two cores the embedding runs on: rarely.
        wait(lambda: embedded_count(url)[0] >= total, timeout=args.timeout, interval=5.0)
        created = stack.manage("embedding_config", "create", args.model, "--max-seq-length", "255")
        config_id = int(created.split("#", 1)[1].split()[0])
        watch = JobWatch(url, config_id)
        started = time.perf_counter()
        stack.manage("reembed", "--config", str(config_id))
        wait(watch.any_vector, timeout=args.timeout)  # planned, model loaded
        first_vector = time.perf_counter() - started
        wait(lambda: watch.job() in {("running", 0), ("completed", 0)}, timeout=args.timeout)
        vectors_in = time.perf_counter() - started  # as the job counts them (within its 1 s tick)
        wait(lambda: watch.job()[0] == "completed", timeout=args.timeout, interval=0.2)  # its index built too
        seconds = time.perf_counter() - started
        watch.close()
        embedded, pending = embedded_count(url, config_id)
        if embedded != total or pending:
            raise RuntimeError(f"the job completed with {embedded} of {total} vectors, {pending} pending")
    return {
        "texts": total,
        "seconds_until_first_vector": round(first_vector, 2),
        "seconds_until_vectors_stored": round(vectors_in, 2),
        "seconds": round(seconds, 2),
        "texts_per_second": round(total / seconds, 1),
    }


def raw_run(model: str, texts: list[str]) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "embedplatform.settings")
    from bench.raw import load_encode

    encode = load_encode(model)
    encode(texts[:64])
    started = time.perf_counter()
    encode(texts)
    seconds = time.perf_counter() - started
    return {
        "texts": len(texts),
        "seconds": round(seconds, 2),
        "texts_per_second": round(len(texts) / seconds, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--conversations", type=int, default=400)
    parser.add_argument("--per-conversation", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    texts = corpus(args.conversations, args.per_conversation)
    platform = platform_run(args, len(texts))
    raw = raw_run(args.model, texts)
    ratio = round(platform["texts_per_second"] / raw["texts_per_second"], 2)
    report = new_report(settings=vars(args), platform=platform, raw=raw, ratio=ratio)
    print(
        f"{heading(report)}: re-embedding {len(texts)} messages with {args.model}: "
        f"{platform['texts_per_second']} texts/s, raw {raw['texts_per_second']} texts/s, {ratio}x raw"
    )
    save_report("reembed", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
