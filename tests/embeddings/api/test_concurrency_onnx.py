"""The concurrency test of test_concurrency.py with the int8 ONNX model active: many clients at once through
the real web server and the real worker, whose ONNX encoder runs the length groups of each pass side by side
(EMBEDDING_ONNX_PARALLEL_RUNS, on by default). Every answer must be a 200 with, for each of its own inputs in
order, the vector that the one-session encoder gives in-process (the raw baseline's encoder). No timing
checks.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from tests.embeddings.api.test_concurrency import REQUESTS, _calls, _failures, _send_at_once, _vectors

MODEL = "all-MiniLM-L6-v2-int8-onnx"


@pytest.fixture
def active_config(transactional_db):
    from embeddings.configs.services import config_create

    return config_create(model=MODEL, activate=True)


@pytest.mark.worker
def test_concurrent_mixed_requests_to_the_int8_model_get_the_one_session_vectors(
    web_server, served_config, make_api_key, reference_model
):
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: the worker runs no length groups side by side")
    from embeddings.runtime.loader import load_encoder
    from embeddings.worker.model_specs import spec_for_config

    api_key = make_api_key("admin")
    calls = _calls(reference_model.tokenizer, REQUESTS, model=MODEL)  # the int8 model has MiniLM's tokenizer

    answers = _send_at_once(web_server, api_key, calls)

    assert _failures(calls, answers) == []
    one_session = load_encoder(spec_for_config(served_config), threads=2, onnx_parallel_runs=False)
    texts = sorted({text for call in calls for text in call.reference_texts})
    reference = dict(zip(texts, one_session.encode(texts), strict=True))
    for call, (_, body, config_header) in zip(calls, answers, strict=True):
        vectors = _vectors(call, body)
        expected = np.stack([reference[text] for text in call.reference_texts])
        assert vectors.shape == expected.shape
        assert np.allclose(vectors, expected, atol=1e-5), call.route
        assert config_header == str(served_config.pk)
