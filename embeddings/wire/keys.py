"""Redis keys shared by workers (who write them) and the web side (who reads them)."""

WORKER_HEARTBEAT_PREFIX = "embedplatform:worker:"


def worker_heartbeat_key(worker_name: str) -> str:
    return WORKER_HEARTBEAT_PREFIX + worker_name
