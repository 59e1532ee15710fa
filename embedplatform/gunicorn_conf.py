"""Gunicorn's hooks for the web role (embedplatform.serve passes `--config python:<this module>`).

The command line itself (bind, workers, threads) stays in embedplatform.serve; this module holds what
gunicorn takes from a config file: the access log, and prometheus-client's multiprocess bookkeeping.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import multiprocess

from embedplatform.serve import clear_metrics_directory

# One line per request on stdout (WEB_ACCESS_LOG=false turns it off): the path without its query string, so
# nothing a client put in the URL is kept; bodies are never logged.
accesslog = "-" if os.environ.get("WEB_ACCESS_LOG", "true").lower() not in ("false", "0", "no") else None
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def child_exit(server: Any, worker: Any) -> None:
    """A web process ended: its live gauges leave the sums (its counters and histograms stay counted)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    """The server stops: the values its processes shared are meaningless to the next one."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        clear_metrics_directory(directory)
        try:
            os.rmdir(directory)  # only when nothing else was kept there
        except OSError:
            pass
