"""Activation tests: a faked fleet, an active MiniLM (`old`) and an inactive paraphrase model (`new`)."""

import pytest

from embeddings.configs.services import config_create
from tests.fleet import FakeFleet


@pytest.fixture
def fake_fleet(monkeypatch):
    return FakeFleet(monkeypatch)


@pytest.fixture
def old(db):
    return config_create(model="all-MiniLM-L6-v2", activate=True)


@pytest.fixture
def new(db):
    return config_create(model="paraphrase-MiniLM-L3-v2-onnx")
