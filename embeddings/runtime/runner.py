"""One thread per loaded model owns its encoder: every tokenizer call and every pass starts on it.

Fast tokenizers are not safe to share between threads (huggingface/tokenizers#537), so nothing else calls
the encoder once the runner has started; an encoder may run one pass's length groups on helper threads of
its own (parallel runs), each running the model, never the tokenizer. Work reaches the thread from two places:

- a WorkSource, from which the runner takes requests only when it is free (the worker's source pulls them
  from Redis; pulling when free is what spreads load over every worker on every machine);
- local submissions: interactive texts from this process (tests, tools) and bulk pieces (stored sources).

Each pass runs one forward over what is waiting: interactive work first, up to `max_texts` texts (a single
larger request still goes whole), and a bulk piece only when no interactive work waits, so an interactive
request waits for at most one bulk pass. Nothing waits to fill a batch: a batch is whatever is queued when
the model is free, so a lone request runs at once and a crowd shares forward passes.

After each forward pass the runner calls `on_pass(texts, seconds)`, if given (or the source's own `on_pass`,
if it has one): how the worker counts batch sizes and encode time without the runtime knowing of metrics.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Protocol

import numpy as np

from embeddings.runtime.encoder import Encoder

logger = logging.getLogger(__name__)


class Work(Protocol):
    """One request on the runner thread: its texts (decoded, checked), then its vectors or its error."""

    size: int  # texts it brings, for batch sizing

    def texts(self, encoder: Encoder) -> Sequence[str]:
        """Called on the runner thread before the pass; raising fails this work alone."""
        ...

    def done(self, vectors: np.ndarray) -> None: ...

    def failed(self, error: Exception) -> None: ...


class WorkSource(Protocol):
    def take(self, max_texts: int, wait: float) -> list[Work]:
        """Work worth at most `max_texts` texts (one larger work alone is allowed); when none is waiting,
        block up to `wait` seconds for some."""
        ...

    def settle(self) -> None:
        """After each pass: deliver what the pass's done()/failed() calls produced."""
        ...

    def wake(self) -> None:
        """From another thread: end a blocking take() now (local work arrived meanwhile)."""
        ...

    def close(self) -> None: ...


class LocalWork:
    """Texts submitted in this process; the result arrives in a Future."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = list(texts)
        self.size = len(self._texts)
        self.future: Future[np.ndarray] = Future()

    def texts(self, encoder: Encoder) -> Sequence[str]:
        return self._texts

    def done(self, vectors: np.ndarray) -> None:
        self.future.set_result(vectors)

    def failed(self, error: Exception) -> None:
        self.future.set_exception(error)


class ModelRunner:
    def __init__(
        self,
        encoder: Encoder,
        source: WorkSource | None = None,
        max_texts: int = 64,
        idle_wait: float = 0.25,
        name: str = "model",
        on_pass: Callable[[int, float], None] | None = None,
    ) -> None:
        self._encoder = encoder
        self._source = source
        self._on_pass = on_pass or getattr(source, "on_pass", None)
        self._max_texts = max_texts
        self._idle_wait = idle_wait
        self._interactive: deque[LocalWork] = deque()
        self._bulk: deque[LocalWork] = deque()
        self._wake = threading.Condition()
        self._waiting_on_source = False  # blocked in the source's take(): a local submission wakes it
        self._stopping = False
        self.forward_passes = 0
        self._thread = threading.Thread(target=self._loop, name=f"embedding-runner-{name}", daemon=True)
        self._thread.start()

    # Local submissions, from any thread.

    def submit(self, texts: Sequence[str], *, bulk: bool = False) -> Future[np.ndarray]:
        work = LocalWork(texts)
        with self._wake:
            if self._stopping:
                raise RuntimeError("the model runner is stopped")
            (self._bulk if bulk else self._interactive).append(work)
        self._wake_thread()  # else the runner idles until its wait for requests ends, with work queued
        return work.future

    def encode(self, texts: Sequence[str], timeout: float | None = None) -> np.ndarray:
        return self.submit(texts).result(timeout)

    def encode_bulk(self, texts: Sequence[str], timeout: float | None = None) -> np.ndarray:
        """Vectors for bulk work, in pieces of max_texts that yield to interactive work. The pieces are cut
        from the texts sorted by length, so each pads to little more than its own texts."""
        if not texts:
            return self.encode(texts, timeout)
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        pieces = [
            self.submit([texts[index] for index in order[start : start + self._max_texts]], bulk=True)
            for start in range(0, len(texts), self._max_texts)
        ]
        vectors = np.empty((len(texts), self._encoder.dimensions), dtype=np.float32)
        vectors[order] = np.concatenate([piece.result(timeout) for piece in pieces])
        return vectors

    def stop(self) -> None:
        """Finish the local work already submitted, then end the thread and close the source."""
        with self._wake:
            self._stopping = True
        self._wake_thread()  # else the thread ends only when its wait for requests does
        self._thread.join(timeout=60)
        if self._source is not None:
            self._source.close()

    def _wake_thread(self) -> None:
        """The runner thread looks again at once: out of its idle wait, or out of a blocking take() on its
        source (which only the source can end)."""
        with self._wake:
            self._wake.notify()
            wake_source, self._waiting_on_source = self._waiting_on_source, False
        if wake_source and self._source is not None:
            self._source.wake()

    # The runner thread.

    def _loop(self) -> None:
        while True:
            try:
                if not self._step():
                    return
            except Exception:  # the thread must outlive any bug in a source or a work item
                logger.exception("embedding runner pass failed")

    def _step(self) -> bool:
        """One pass, or one idle wait. False once stopping and no local work is left."""
        with self._wake:
            local = self._drain_interactive()
        room = self._max_texts - sum(work.size for work in local)
        remote = self._source.take(room, 0) if self._source and (room > 0 or not local) else []
        if local or remote:
            self._run([*local, *remote])
            return True
        with self._wake:
            bulk = self._bulk.popleft() if self._bulk else None
            stopping = self._stopping
        if bulk is not None:
            self._run([bulk])
            return True
        if stopping:
            return False
        self._idle()
        return True

    def _drain_interactive(self) -> list[LocalWork]:
        taken, size = [], 0
        while self._interactive and (not taken or size + self._interactive[0].size <= self._max_texts):
            work = self._interactive.popleft()
            taken.append(work)
            size += work.size
        return taken

    def _idle(self) -> None:
        if self._source is not None:
            with self._wake:
                if self._interactive or self._bulk or self._stopping:
                    return
                self._waiting_on_source = True
            try:
                remote = self._source.take(self._max_texts, self._idle_wait)
            finally:
                with self._wake:
                    self._waiting_on_source = False
            if remote:
                self._run(remote)
            return
        with self._wake:
            if not (self._interactive or self._bulk or self._stopping):
                self._wake.wait(self._idle_wait)

    def _run(self, works: Sequence[Work]) -> None:
        prepared: list[tuple[Work, list[str]]] = []
        for work in works:
            try:
                prepared.append((work, list(work.texts(self._encoder))))
            except Exception as error:
                work.failed(error)
        texts = [text for _, work_texts in prepared for text in work_texts]
        try:
            vectors = self._encode(texts)
        except Exception as error:
            for work, _ in prepared:
                work.failed(error)
        else:
            start = 0
            for work, work_texts in prepared:
                work.done(vectors[start : start + len(work_texts)])
                start += len(work_texts)
        if self._source is not None:
            self._source.settle()

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, self._encoder.dimensions), dtype=np.float32)
        started = time.perf_counter()
        vectors = self._encoder.encode(texts)
        self.forward_passes += 1
        if self._on_pass is not None:
            try:
                self._on_pass(len(texts), time.perf_counter() - started)
            except Exception:  # a broken observer must not fail the pass's requests
                logger.exception("on_pass callback failed")
        return vectors
