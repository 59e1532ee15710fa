import pytest

from embeddings.runtime.errors import DimensionMismatch
from embeddings.runtime.holder import WARMUP_TEXTS, ModelHolder
from embeddings.runtime.spec import ModelSpec
from tests.embeddings.runtime.fakes import FakeEncoder


def spec(config_id: int, location: str = "/models/a", dimensions: int = 8) -> ModelSpec:
    return ModelSpec(
        config_id=config_id,
        name=location,
        location=location,
        backend="torch",
        dimensions=dimensions,
        max_seq_length=16,
        normalize=True,
    )


class CountingLoader:
    def __init__(self) -> None:
        self.loaded: list[str] = []

    def __call__(self, model_spec: ModelSpec) -> FakeEncoder:
        self.loaded.append(model_spec.location)
        return FakeEncoder(name=model_spec.location)


def test_a_model_is_loaded_once_warmed_up_and_served_by_config_id():
    loader = CountingLoader()
    holder = ModelHolder(loader)

    encoder = holder.ensure_loaded(spec(1))
    holder.ensure_loaded(spec(1))

    assert loader.loaded == ["/models/a"]
    assert encoder.calls[0] == WARMUP_TEXTS
    assert holder.is_loaded(1) and not holder.is_loaded(2)
    assert holder.encode(1, ["hello"]).shape == (1, 8)


def test_the_load_and_the_warm_up_run_on_a_thread_that_has_ended_when_the_model_serves():
    """torch's OpenMP keeps a team of threads per thread that ran parallel work while that thread lives;
    a load on the long-lived loader thread left one beside the runner's (embeddings.runtime.threads)."""
    import threading

    ran_on: list[threading.Thread] = []

    class RecordingEncoder(FakeEncoder):
        def encode(self, texts):
            ran_on.append(threading.current_thread())
            return super().encode(texts)

    def load(model_spec):
        ran_on.append(threading.current_thread())
        return RecordingEncoder(name=model_spec.location)

    holder = ModelHolder(load)
    holder.ensure_loaded(spec(1))

    load_thread, warm_up_thread = ran_on
    assert load_thread is warm_up_thread is not threading.current_thread()
    assert not load_thread.is_alive()


def test_a_failed_load_raises_in_the_caller():
    def load(model_spec):
        raise DimensionMismatch("no such model")

    holder = ModelHolder(load)
    with pytest.raises(DimensionMismatch, match="no such model"):
        holder.ensure_loaded(spec(1))
    assert not holder.is_loaded(1)


def test_configs_with_the_same_weights_share_one_loaded_model():
    loader = CountingLoader()
    holder = ModelHolder(loader)

    holder.ensure_loaded(spec(1))
    holder.ensure_loaded(spec(2))

    assert loader.loaded == ["/models/a"]
    assert holder.loaded_config_ids() == [1, 2]
    assert holder.encoder(1) is holder.encoder(2)


def test_several_models_are_held_at_once_and_the_least_recent_is_evicted_past_the_limit():
    loader = CountingLoader()
    holder = ModelHolder(loader, max_models=2)

    holder.ensure_loaded(spec(1, "/models/a"))
    holder.ensure_loaded(spec(2, "/models/b"))
    holder.ensure_loaded(spec(3, "/models/c"))

    assert holder.loaded_config_ids() == [2, 3]
    with pytest.raises(KeyError, match="config 1 is not loaded"):
        holder.encode(1, ["x"])


def test_a_dimension_mismatch_is_a_clear_error():
    holder = ModelHolder(CountingLoader())

    with pytest.raises(
        DimensionMismatch,
        match="config 7 says 768 dimensions but model '/models/a' produces 8-dimensional vectors",
    ):
        holder.ensure_loaded(spec(7, dimensions=768))
    assert not holder.is_loaded(7)


def test_eviction_spares_the_configs_the_caller_keeps_and_takes_the_least_recently_used():
    loader = CountingLoader()
    holder = ModelHolder(loader, max_models=2)
    holder.ensure_loaded(spec(1, "/models/active"))
    holder.ensure_loaded(spec(2, "/models/b"))
    holder.touch([1, 2])  # 2 used after 1: 1 is now the least recently used...

    holder.ensure_loaded(spec(3, "/models/new"), keep=[1])  # ...but it is the active one

    assert holder.loaded_config_ids() == [1, 3]


def test_touch_moves_a_model_to_the_recent_end():
    holder = ModelHolder(CountingLoader(), max_models=2)
    holder.ensure_loaded(spec(1, "/models/a"))
    holder.ensure_loaded(spec(2, "/models/b"))

    holder.touch([1])
    holder.ensure_loaded(spec(3, "/models/c"))

    assert holder.loaded_config_ids() == [1, 3]


def test_unloading_a_config_frees_its_model_unless_another_config_shares_it():
    holder = ModelHolder(CountingLoader())
    holder.ensure_loaded(spec(1, "/models/a"))
    holder.ensure_loaded(spec(2, "/models/a"))
    holder.ensure_loaded(spec(3, "/models/b"))

    assert holder.unload(1) is False  # config 2 still uses /models/a
    assert holder.loaded_config_ids() == [2, 3]
    assert holder.encode(2, ["still served"]).shape == (1, 8)

    assert holder.unload(2) is True
    assert holder.unload(2) is False
    assert holder.loaded_config_ids() == [3]
    with pytest.raises(KeyError, match="config 2 is not loaded"):
        holder.encode(2, ["gone"])


def test_a_caller_can_wait_for_a_model_another_thread_is_loading():
    import threading

    holder = ModelHolder(CountingLoader())
    assert holder.wait_loaded(1, timeout=0.05) is False

    loading = threading.Timer(0.1, holder.ensure_loaded, args=[spec(1)])
    loading.start()
    assert holder.wait_loaded(1, timeout=10) is True
    loading.join()
    holder.unload_all()
