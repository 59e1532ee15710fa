"""Redis keys shared by workers (who write most of them) and the web side (who reads them)."""

PREFIX = "embedplatform:"
WORKER_HEARTBEAT_PREFIX = PREFIX + "worker:"
WORKERS = PREFIX + "workers"  # set of worker names that have published a heartbeat


def worker_heartbeat_key(worker_name: str) -> str:
    """JSON status of one worker (loaded configs, RSS, errors), expiring when it stops beating."""
    return WORKER_HEARTBEAT_PREFIX + worker_name


def worker_alive_key(worker_name: str) -> str:
    """Exists while the worker's process is alive (short expiry, refreshed by its heartbeat)."""
    return f"{PREFIX}alive:{worker_name}"


def worker_metrics_key(worker_name: str) -> str:
    """The worker's Prometheus metrics, in the text exposition format, expiring when it stops beating."""
    return f"{PREFIX}metrics:{worker_name}"


def serving_key(config_id: int) -> str:
    """Sorted set: worker name -> time of its last heartbeat that had this config loaded."""
    return f"{PREFIX}serving:{config_id}"


def request_queue_key(config_id: int) -> str:
    """List of embed requests for one config, pushed by the web side, taken by workers that serve it."""
    return f"{PREFIX}requests:{config_id}"


def reply_key(request_id: str) -> str:
    return f"{PREFIX}reply:{request_id}"


def taken_key(request_id: str) -> str:
    """Which worker took a request (so the web side can tell a dead worker from a slow one)."""
    return f"{PREFIX}taken:{request_id}"
