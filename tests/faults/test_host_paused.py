"""The whole host paused with requests in flight (a virtual machine snapshotted: every process of the stack
stops while the clock runs on): every worker's alive key expires meanwhile. Once the host runs again, every
request is answered, even when a worker renews its key a moment after the rest run again
(embeddings.client.embedding waits CONFIRM_HEARTBEATS before it calls a silent worker dead)."""

import threading
import time
from collections import Counter

import psutil

from embeddings.wire.keys import worker_alive_key
from tests.faults.stack import FaultStack

ALIVE_KEY_SECONDS = 2  # the test settings' heartbeat of 0.5 s keeps it for 2 s
WORKER_LATE_SECONDS = 0.25  # well within the 0.75 s the web waits for a silent worker


def _with_children(pid: int) -> list[psutil.Process]:
    process = psutil.Process(pid)
    return [process, *process.children(recursive=True)]


def test_requests_in_flight_while_the_host_pauses_are_all_answered_once_it_resumes(stack: FaultStack):
    workers = {name: process for name, process in stack.workers.items() if process.poll() is None}
    servers = _with_children(stack.redis_server.process.pid) + _with_children(stack.web.pid)
    worker_processes = [each for process in workers.values() for each in _with_children(process.pid)]
    statuses: Counter = Counter()
    errors: list = []
    stop = threading.Event()

    def client(number: int) -> None:
        sent = 0
        while not stop.is_set():
            body = {"model": "all-MiniLM-L6-v2", "input": f"client {number} sentence {sent} before and after"}
            response = stack.request("POST", "/v1/embeddings", body, timeout=30)
            statuses[response.status] += 1
            if response.status != 200:
                errors.append(response.body)
            sent += 1

    clients = [threading.Thread(target=client, args=(number,)) for number in range(12)]
    for thread in clients:
        thread.start()
    try:
        time.sleep(1.0)  # requests flowing
        # Workers first: a heartbeat a worker sent to a Redis already stopped would land when Redis resumes,
        # renewing the key the pause was to expire.
        for process in worker_processes + servers:
            process.suspend()
        time.sleep(ALIVE_KEY_SECONDS + 1.0)
        for process in servers:
            process.resume()
        lapsed = [name for name in workers if not stack.redis().exists(worker_alive_key(f"{name}@faults"))]
        time.sleep(WORKER_LATE_SECONDS)
    finally:
        for process in servers + worker_processes:  # the servers again too, should anything above fail
            process.resume()
        time.sleep(1.5)  # requests flowing again
        stop.set()
        for thread in clients:
            thread.join()

    assert lapsed == list(workers)  # the pause did expire every worker's alive key
    assert set(statuses) == {200}, (statuses, errors)
    assert statuses[200] > 24
