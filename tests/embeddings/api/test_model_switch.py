"""Switching the model on a live system, on the real stack: the web server, two worker processes, real models.

A client loops requests (generate and /v1) while the active config goes all-MiniLM-L6-v2 ->
paraphrase-MiniLM-L3-v2 -> back: no request fails, and every vector equals the reference of the config its
response names. Then the faults: a model that cannot load, a worker started after the switch, a worker killed
while it loads.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import numpy as np
import pytest

from embeddings.configs.activation import activation_advance, activation_start
from embeddings.configs.services import config_create
from embeddings.models import ActivationState, EmbeddingConfig
from embeddings.runtime.loader import load_encoder
from embeddings.worker.model_specs import spec_for_config
from tests.conftest import _database_url_for
from tests.processes import start_worker_process, stop_process, wait_until_live

pytestmark = pytest.mark.worker

TEXTS = [
    "The cat sleeps on the warm windowsill.",
    "Interest rates rose again this quarter.",
    "A man is playing a guitar on the street corner while people walk by.",
    "short",
]


@pytest.fixture
def switch_workers(served_config) -> Iterator[list]:
    """Two more workers beside the session's one: three live workers must all load before a flip."""
    from django.db import connection

    url = _database_url_for(connection.settings_dict["NAME"])
    processes = [start_worker_process(f"switch-{letter}@%h", url) for letter in "ab"]
    try:
        for letter, process in zip("ab", processes, strict=True):
            wait_until_live(process, f"switch-{letter}@")
        yield processes
    finally:
        for process in processes:
            stop_process(process)


def wait_for_activation(activation, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while activation.is_pending and time.monotonic() < deadline:
        time.sleep(0.2)
        activation.refresh_from_db()
        activation = activation_advance(activation)
    assert not activation.is_pending, f"activation still {activation.state} after {timeout} s"
    return activation


class Client(threading.Thread):
    """Loops requests until stopped; keeps every answer (status, config header, vectors, texts)."""

    def __init__(self, base_url: str, api_key: str, route: str) -> None:
        super().__init__(daemon=True)
        self.base_url, self.api_key, self.route = base_url, api_key, route
        self.answers: list[tuple[int, str | None, np.ndarray | None, list[str], str]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        index = 0
        while not self.stopping.is_set():
            texts = [TEXTS[index % len(TEXTS)], f"request number {index}"]
            index += 1
            if self.route == "/v1/embeddings":  # an OpenAI client keeps naming the model it started with
                body = {"model": "all-MiniLM-L6-v2", "input": texts}
            else:
                body = {"texts": texts}
            self.answers.append(self._post(body, texts))

    def _post(self, body: dict, texts: list[str]):
        request = urllib.request.Request(
            self.base_url + self.route,
            json.dumps(body).encode(),
            {"Content-Type": "application/json", "Authorization": f"Bearer {self.api_key}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = json.load(response)
                header = response.headers["X-Embedding-Config"]
        except urllib.error.HTTPError as error:
            return error.code, None, None, texts, error.read().decode()[:300]
        if self.route == "/v1/embeddings":
            vectors = np.array([item["embedding"] for item in answer["data"]], dtype=np.float32)
        else:
            vectors = np.array(answer["embeddings"], dtype=np.float32)
        return 200, header, vectors, texts, ""


def reference_encoders(*configs: EmbeddingConfig) -> dict[str, object]:
    """Eager torch (no trace to make and check): the model's own modules are the reference anyway."""
    return {
        str(config.pk): load_encoder(spec_for_config(config), threads=1, torch_trace=False)
        for config in configs
    }


def reference_vectors(references: dict[str, object], answers: list) -> dict[tuple[str, str], np.ndarray]:
    """(config id, text) -> the reference vector, for every text some answer of that config holds."""
    texts_by_config: dict[str, set[str]] = {}
    for _, header, _, texts, _ in answers:
        texts_by_config.setdefault(header, set()).update(texts)
    expected = {}
    for header, texts in texts_by_config.items():
        ordered = sorted(texts)
        for text, vector in zip(ordered, references[header].encode(ordered), strict=True):
            expected[header, text] = vector
    return expected


def test_switching_models_back_and_forth_under_load_fails_no_request(
    switch_workers, web_server, make_api_key
):
    minilm = EmbeddingConfig.objects.active()
    paraphrase = config_create(model="paraphrase-MiniLM-L3-v2-onnx")
    references = reference_encoders(minilm, paraphrase)
    key = make_api_key("embed")
    clients = [Client(web_server, key, "/api/embedding/generate"), Client(web_server, key, "/v1/embeddings")]
    for client in clients:
        client.start()
    time.sleep(1)

    first = wait_for_activation(activation_start(paraphrase))
    time.sleep(1.5)
    second = wait_for_activation(activation_start(minilm))  # still loaded (grace period): flips at once
    time.sleep(1)
    for client in clients:
        client.stopping.set()
    for client in clients:
        client.join(timeout=60)

    assert (first.state, second.state) == (ActivationState.ACTIVE, ActivationState.ACTIVE)
    assert sorted(first.workers) == sorted(second.workers) and len(first.workers) == 3
    answers = [answer for client in clients for answer in client.answers]
    failures = [(status, error) for status, _, _, _, error in answers if status != 200]
    assert failures == []
    served_by = {header for _, header, _, _, _ in answers}
    assert served_by == {str(minilm.pk), str(paraphrase.pk)}  # both models answered, each named
    expected = reference_vectors(references, answers)  # one batch per config: answers repeat texts
    for _, header, vectors, texts, _ in answers:
        reference = np.stack([expected[header, text] for text in texts])
        cosines = np.sum(vectors * reference, axis=1) / (
            np.linalg.norm(vectors, axis=1) * np.linalg.norm(reference, axis=1)
        )
        assert cosines.min() >= 0.9999, f"config {header} answered with another model's vectors"


def test_an_activation_that_cannot_load_fails_and_the_old_config_keeps_serving(served_config, api_client):
    broken = config_create(model="/nowhere/no-such-model", dimensions=384, backend="onnx")

    activation = wait_for_activation(activation_start(broken), timeout=60)

    assert activation.state == ActivationState.FAILED
    assert "the model could not be loaded" in activation.error
    assert "no files at /nowhere/no-such-model" in activation.error
    assert EmbeddingConfig.objects.active().pk == served_config.pk
    response = api_client.post("/api/embedding/generate", {"text": "still served"}, format="json")
    assert response.status_code == 200
    assert response.json()["metadata"]["server_config_id"] == served_config.pk


def test_a_worker_started_after_the_switch_serves_the_new_config(served_config):
    from django.db import connection

    from embeddings.client.fleet import worker_list

    paraphrase = config_create(model="paraphrase-MiniLM-L3-v2-onnx")
    assert wait_for_activation(activation_start(paraphrase)).state == ActivationState.ACTIVE
    late = start_worker_process("late@%h", _database_url_for(connection.settings_dict["NAME"]))
    try:
        wait_until_live(late, "late@")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            [status] = [worker for worker in worker_list() if worker["name"].startswith("late@")]
            if paraphrase.pk in status["loaded_config_ids"]:
                break
            time.sleep(0.2)
        assert status["loaded_config_ids"] == [paraphrase.pk]
    finally:
        stop_process(late)


def test_a_worker_killed_while_loading_does_not_leave_the_activation_hanging(served_config, settings):
    from django.db import connection

    from embeddings.client.fleet import worker_list

    settings.EMBEDDINGS = {**settings.EMBEDDINGS, "WORKER_STALE_SECONDS": 3}
    url = _database_url_for(connection.settings_dict["NAME"])
    doomed = start_worker_process("doomed@%h", url, EMBEDDING_WORKER_STALE_SECONDS="3")
    wait_until_live(doomed, "doomed@")
    # Another torch config of the same model (a different sequence length): a new load of a few seconds.
    slow = config_create(model="all-MiniLM-L6-v2", max_seq_length=128)
    activation = activation_start(slow)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        doomed_status = [w for w in worker_list() if w["name"].startswith("doomed@")]
        if doomed_status and (doomed_status[0].get("loading") or {}).get("config_id") == slow.pk:
            break
        time.sleep(0.05)
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait()

    activation = wait_for_activation(activation, timeout=90)

    assert activation.state == ActivationState.ACTIVE
    assert not any(name.startswith("doomed@") for name in activation.workers)
    assert EmbeddingConfig.objects.active().pk == slow.pk
