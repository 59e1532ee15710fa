"""Celery signal hooks: start the model watcher in workers that consume the embeddings queue."""

from __future__ import annotations

from typing import Any

from celery.signals import worker_ready, worker_shutdown

from embeddings.wire import tasks

_watchers: list[Any] = []


def _consumes_embedding_queue(consumer: Any) -> bool:
    """Whether this worker takes embed requests (the settings' routes say which queue they go to)."""
    queues = getattr(getattr(consumer, "task_consumer", None), "queues", None) or []
    names = {queue.name for queue in queues}
    if not names:
        return True
    route = consumer.app.amqp.router.route({}, tasks.EMBED_REQUEST)
    return route["queue"].name in names


@worker_ready.connect
def start_model_watcher(sender: Any = None, **kwargs: Any) -> None:
    if not _consumes_embedding_queue(sender):
        return
    from embeddings.worker.watcher import ModelWatcher

    watcher = ModelWatcher(name=getattr(sender, "hostname", None))
    watcher.start()
    _watchers.append(watcher)


@worker_shutdown.connect
def stop_model_watcher(**kwargs: Any) -> None:
    while _watchers:
        _watchers.pop().stop()
