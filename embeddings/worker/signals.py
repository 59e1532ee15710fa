"""Celery signal hooks: in workers that take embedding work, start the model loader and the heartbeat."""

from __future__ import annotations

import atexit
import gc
from typing import Any

from celery.signals import worker_ready, worker_shutdown

from embeddings.wire import tasks
from embeddings.worker.identity import set_worker_name

_threads: list[Any] = []


def _consumes_embedding_queue(consumer: Any) -> bool:
    """Whether this worker takes embedding tasks (the settings' routes say which queue they go to)."""
    queues = getattr(getattr(consumer, "task_consumer", None), "queues", None) or []
    names = {queue.name for queue in queues}
    if not names:
        return True
    route = consumer.app.amqp.router.route({}, tasks.EMBED_SOURCES)
    return route["queue"].name in names


@worker_ready.connect
def start_model_threads(sender: Any = None, **kwargs: Any) -> None:
    if not _consumes_embedding_queue(sender):
        return
    from embeddings.worker.heartbeat import Heartbeat, worker_status
    from embeddings.worker.loader import ModelLoader

    set_worker_name(getattr(sender, "hostname", None))
    loader = ModelLoader()
    heartbeat = Heartbeat(lambda: worker_status(loader))
    loader.on_change = heartbeat.publish
    heartbeat.start()
    loader.start()
    _threads.extend([loader, heartbeat])


@worker_shutdown.connect
def stop_model_threads(**kwargs: Any) -> None:
    while _threads:
        _threads.pop().stop()
    # The interpreter's last garbage collection walks every object torch and transformers made: about 2.5 s
    # of a worker's stop on a 2-core machine. Frozen objects are left out of it; the exit handlers (logging's
    # flush among them) still run, and the process ends at once after them.
    atexit.register(gc.freeze)
