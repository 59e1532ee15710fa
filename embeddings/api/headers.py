"""Headers on every embedding response: the config that made its vectors, and where the time went."""

from __future__ import annotations

from collections.abc import Mapping


def embedding_headers(config_id: int, timings: Mapping[str, float]) -> dict[str, str]:
    """X-Embedding-Config names the config (as metadata.server_config_id does); Server-Timing gives the
    worker's stages (queue wait, input preparation, model) and the whole round trip to it, in ms."""
    headers = {"X-Embedding-Config": str(config_id)}
    if timings:
        headers["Server-Timing"] = ", ".join(f"{name};dur={value:.2f}" for name, value in timings.items())
    return headers
