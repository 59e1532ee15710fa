"""The web role's HTTP server: granian (Rust) running the Django app over WSGI, in WEB_WORKERS processes of
WEB_THREADS Python threads each. embedplatform.serve runs it in its own process (`serve web`).

Why granian and not gunicorn's gthread workers: in gthread, a Python poller thread reads each keep-alive
request's readiness and hands the connection to a pool thread and back again, two handoffs per request on top
of the work. Those handoffs were the web's largest own cost in a profile of one-text requests
(bench/results/profile-web-2026-12-03.txt), and side by side (bench/ab.py, 32 clients, int8 model) granian
served more requests per second with less web CPU per request (README, Benchmarks). Granian does the socket
work in Rust and calls the app on a blocking thread that holds the request for its whole life.

Each thread waits on its request's reply (a blocking pop in Redis), so WEB_THREADS bounds the requests one
process serves at once; more wait in granian's queue (its backpressure), not in a thread.

The web's processes share their metrics through files in a directory emptied at each start
(PROMETHEUS_MULTIPROC_DIR: WEB_METRICS_DIR, else a new temporary directory), which /metrics sums.

Also here: the access log (one line per request on stdout, the path without its query string: nothing a client
put in the URL is kept; WEB_ACCESS_LOG=false turns it off), and the metrics directory's cleanup when the
server stops. The web's metrics are counters and histograms only (no live gauges), so a web process that dies
and is respawned leaves nothing to drop from the sums.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from granian import Granian
from granian.constants import HTTPModes, Interfaces
from granian.log import LogLevels

ACCESS_LOG_FORMAT = '%(addr)s "%(method)s %(path)s" %(status)d %(dt_ms).1fms'
GRACEFUL_STOP_SECONDS = 10  # a worker still busy after this is killed


def serve(environ: Mapping[str, str]) -> None:
    """Runs the web server in this process until it is stopped (SIGINT or SIGTERM)."""
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_directory(environ)  # before the processes start
    web_server(environ).serve()


def web_server(environ: Mapping[str, str]) -> Granian:
    server = Granian(
        "embedplatform.wsgi:application",
        address=environ.get("HOST", "127.0.0.1"),
        port=int(environ.get("PORT", "8000")),
        interface=Interfaces.WSGI,
        http=HTTPModes.http1,
        websockets=False,
        workers=int(environ.get("WEB_WORKERS", "2")),
        blocking_threads=int(environ.get("WEB_THREADS", "32")),
        log_level=LogLevels(environ.get("LOG_LEVEL", "INFO").lower()),
        log_access=environ.get("WEB_ACCESS_LOG", "true").lower() not in ("false", "0", "no"),
        log_access_format=ACCESS_LOG_FORMAT,
        respawn_failed_workers=True,
        workers_kill_timeout=GRACEFUL_STOP_SECONDS,
    )
    server.on_shutdown(remove_metrics_directory)
    return server


def remove_metrics_directory() -> None:
    """The server stops: the values its processes shared are meaningless to the next one."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        clear_metrics_directory(directory)
        try:
            os.rmdir(directory)  # only when nothing else was kept there
        except OSError:
            pass


def metrics_directory(environ: Mapping[str, str]) -> str:
    """Where the web's processes share their metrics: WEB_METRICS_DIR (created if missing) or a new
    temporary directory. Emptied first: values left by an earlier server would add up with the new ones."""
    configured = environ.get("WEB_METRICS_DIR")
    if not configured:
        return tempfile.mkdtemp(prefix="embedplatform-metrics-")
    Path(configured).mkdir(parents=True, exist_ok=True)
    clear_metrics_directory(configured)
    return configured


def clear_metrics_directory(directory: str | Path) -> None:
    """Removes the files prometheus-client writes there (*.db), nothing else."""
    for path in Path(directory).glob("*.db"):
        path.unlink(missing_ok=True)
