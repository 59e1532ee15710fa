"""One contract that every encoder backend runs, with real weights from the catalog packages."""

import time
from dataclasses import replace

import numpy as np
import pytest

from embeddings import catalog
from embeddings.models import EmbeddingConfig
from embeddings.runtime.batching import length_batches
from embeddings.runtime.errors import ModelLoadError, ModelUnavailable
from embeddings.runtime.loader import load_encoder
from embeddings.runtime.parallel_runs import spread
from embeddings.runtime.spec import ModelSpec
from embeddings.worker.model_specs import spec_for_config

SIMILAR = ("A man is playing a guitar.", "Someone plays the guitar.")
UNRELATED = "The stock market fell sharply on Monday."


def catalog_spec(name: str, config_id: int = 1) -> ModelSpec:
    """The spec the worker would build for a config of this catalog model (an unsaved config: no database)."""
    entry = catalog.find(name)
    config = EmbeddingConfig(
        pk=config_id,
        model=entry.name,
        backend=entry.backend,
        dimensions=entry.dimensions,
        max_seq_length=entry.max_tokens,
        normalize=entry.normalize,
    )
    return spec_for_config(config)


@pytest.fixture(
    scope="module", params=["all-MiniLM-L6-v2", "all-MiniLM-L6-v2-int8-onnx", "paraphrase-MiniLM-L3-v2-onnx"]
)
def loaded(request):
    model_spec = catalog_spec(request.param)
    return model_spec, load_encoder(model_spec, threads=2)


class TestEncoderContract:
    def test_shape_dtype_and_dimensions(self, loaded):
        model_spec, encoder = loaded
        vectors = encoder.encode(["one", "two", "three"])
        assert vectors.shape == (3, model_spec.dimensions)
        assert vectors.dtype == np.float32
        assert encoder.dimensions == model_spec.dimensions

    def test_normalized_exactly_when_the_spec_says_so(self, loaded):
        model_spec, encoder = loaded
        norms = np.linalg.norm(encoder.encode(["some text", "another text"]), axis=1)
        assert np.allclose(norms, 1.0, atol=1e-4) == model_spec.normalize

    def test_deterministic_and_independent_of_batch_company(self, loaded):
        _, encoder = loaded
        alone = encoder.encode([SIMILAR[0]])[0]
        in_batch = encoder.encode([UNRELATED, SIMILAR[0], "x " * 50])[1]
        assert np.allclose(alone, in_batch, atol=1e-4)

    def test_a_pass_over_many_lengths_gives_each_text_its_vector_alone(self, loaded):
        """A pass is cut into length groups (and, with torch, each group out of one padded tokenization)."""
        _, encoder = loaded
        texts = ["word " * count for count in (300, 1, 120, 5, 30, 60, 2)] + [UNRELATED, *SIMILAR]
        together = encoder.encode(texts)
        alone = np.concatenate([encoder.encode([text]) for text in texts])
        assert np.allclose(together, alone, atol=1e-5)

    def test_similar_sentences_are_closer_than_unrelated_ones(self, loaded):
        _, encoder = loaded
        a, b, c = encoder.encode([*SIMILAR, UNRELATED])
        cosine = lambda x, y: float(x @ y / np.linalg.norm(x) / np.linalg.norm(y))  # noqa: E731
        assert cosine(a, b) > cosine(a, c) + 0.2

    def test_token_counts_come_from_the_model_tokenizer(self, loaded):
        _, encoder = loaded
        # [CLS] hello world [SEP] for these uncased BERT word-piece tokenizers
        assert encoder.count_tokens(["hello world", "embeddings"]) == [4, 6]  # em ##bed ##ding ##s

    def test_long_inputs_are_truncated_not_refused(self, loaded):
        _, encoder = loaded
        long_text = "word " * 2000
        assert encoder.count_tokens([long_text])[0] > encoder.max_seq_length
        assert encoder.encode([long_text]).shape[0] == 1

    def test_empty_batch(self, loaded):
        model_spec, encoder = loaded
        assert encoder.encode([]).shape[0] == 0


@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_each_torch_length_group_is_cut_from_the_batch_as_if_tokenized_alone(padding_side):
    """A pass tokenizes all its texts at once and cuts each length group out of that batch, from the side
    opposite the padding: the same vectors as tokenizing each group on its own, padded the same way."""
    encoder = load_encoder(catalog_spec("all-MiniLM-L6-v2"), threads=2, torch_trace=False)
    encoder._model.tokenizer.padding_side, encoder._pads_left = padding_side, padding_side == "left"
    texts = ["word " * count for count in (300, 1, 120, 5, 30)] + [UNRELATED, *SIMILAR]
    lengths = encoder.count_tokens(texts)
    groups = length_batches([min(length, encoder.max_seq_length) for length in lengths])
    assert len(groups) > 1

    together = encoder.encode(texts)

    for group in groups:
        alone = encoder._forward(encoder._features([texts[index] for index in group]))
        assert np.allclose(together[group], alone, atol=1e-5)


def test_int8_onnx_matches_torch_minilm():
    torch_encoder = load_encoder(catalog_spec("all-MiniLM-L6-v2"), threads=2)
    onnx_encoder = load_encoder(catalog_spec("all-MiniLM-L6-v2-int8-onnx"), threads=2)
    texts = [*SIMILAR, UNRELATED, "Vectors of different models are never compared."]
    cosines = np.sum(torch_encoder.encode(texts) * onnx_encoder.encode(texts), axis=1)
    assert cosines.min() >= 0.99


@pytest.mark.parametrize(("spinning", "expected"), [(None, "1"), (False, "0"), (True, "1")])
def test_onnx_threads_spin_between_runs_unless_told_not_to(spinning, expected):
    """On by default (onnxruntime's own default; EMBEDDING_ONNX_SPINNING=false turns it off)."""
    asked = {} if spinning is None else {"onnx_spinning": spinning}
    encoder = load_encoder(catalog_spec("all-MiniLM-L6-v2-int8-onnx"), threads=2, **asked)
    options = encoder._session.get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == expected
    assert encoder.encode(["still encodes"]).shape == (1, encoder.dimensions)


def _optimized_op_types(model_file: str, **session_arguments) -> set[str]:
    """The node types of the graph onnxruntime runs, once its optimizers are through with the file."""
    import tempfile
    from pathlib import Path

    import onnx
    import onnxruntime

    with tempfile.TemporaryDirectory() as folder:
        options = onnxruntime.SessionOptions()
        options.optimized_model_filepath = str(Path(folder) / "optimized.onnx")
        onnxruntime.InferenceSession(
            model_file, options, providers=["CPUExecutionProvider"], **session_arguments
        )
        return {node.op_type for node in onnx.load(options.optimized_model_filepath).graph.node}


def test_skip_layer_norm_fusion_is_named_as_onnxruntime_names_it():
    """onnxruntime ignores an optimizer name it does not know: the name the worker disables must be the one
    that keeps SkipLayerNormalization out of the packaged int8 graph, where the fusion applies by default."""
    from embeddings.runtime.onnx_encoder import SKIP_LAYER_NORM_FUSION

    model_file = catalog_spec("all-MiniLM-L6-v2-int8-onnx").location
    assert "SkipLayerNormalization" in _optimized_op_types(model_file)
    assert "SkipLayerNormalization" not in _optimized_op_types(
        model_file, disabled_optimizers=[SKIP_LAYER_NORM_FUSION]
    )


@pytest.mark.parametrize("parallel_runs", [False, True])
def test_onnx_sessions_leave_out_the_skip_layer_norm_fusion_when_told_and_encode_the_same(
    monkeypatch, parallel_runs
):
    """EMBEDDING_ONNX_FUSE_SKIP_LAYER_NORM=false (the worker's default): every session of the encoder is made
    without the fusion, and the vectors are those of onnxruntime's default graph."""
    import onnxruntime

    from embeddings.runtime.onnx_encoder import SKIP_LAYER_NORM_FUSION

    made = []  # the optimizers disabled in each session made
    real_session = onnxruntime.InferenceSession

    def recorded_session(*arguments, **keywords):
        made.append(keywords.get("disabled_optimizers"))
        return real_session(*arguments, **keywords)

    spec = catalog_spec("all-MiniLM-L6-v2-int8-onnx")
    fused = load_encoder(spec, threads=2, onnx_parallel_runs=parallel_runs)
    monkeypatch.setattr(onnxruntime, "InferenceSession", recorded_session)
    unfused = load_encoder(spec, threads=2, onnx_parallel_runs=parallel_runs, onnx_fuse_skip_layer_norm=False)

    assert made == [[SKIP_LAYER_NORM_FUSION]] * (2 if parallel_runs else 1)
    texts = [*SIMILAR, UNRELATED] + [f"text {index} " + "more words " * index for index in range(20)]
    cosines = np.sum(fused.encode(texts) * unfused.encode(texts), axis=1)
    assert cosines.min() >= 0.99999


@pytest.mark.parametrize("parallel_runs", [False, True])
def test_onnx_sessions_run_the_gelu_fused_graph_when_told_and_encode_the_same(
    tmp_path, monkeypatch, parallel_runs
):
    """EMBEDDING_ONNX_FUSE_GELU=true (the worker's default): every session of the encoder runs the graph with
    its GELUs fused (embeddings.runtime.onnx_fusions, cached in the spec's export folder), and the vectors are
    those of the graph as packaged."""
    import onnxruntime

    from embeddings.runtime.onnx_fusions import GELU_FUSED

    made = []  # the model each session was made from
    real_session = onnxruntime.InferenceSession

    def recorded_session(model, *arguments, **keywords):
        made.append(str(model))
        return real_session(model, *arguments, **keywords)

    spec = replace(catalog_spec("all-MiniLM-L6-v2-int8-onnx"), export_dir=str(tmp_path))
    packaged = load_encoder(spec, threads=2, onnx_parallel_runs=parallel_runs)
    monkeypatch.setattr(onnxruntime, "InferenceSession", recorded_session)
    fused = load_encoder(spec, threads=2, onnx_parallel_runs=parallel_runs, onnx_fuse_gelu=True)

    (cached,) = tmp_path.glob(f"*{GELU_FUSED}*.onnx")
    assert made == [str(cached)] * (2 if parallel_runs else 1)
    texts = [*SIMILAR, UNRELATED] + [f"text {index} " + "more words " * index for index in range(20)]
    cosines = np.sum(packaged.encode(texts) * fused.encode(texts), axis=1)
    assert cosines.min() >= 0.99999


def test_onnx_parallel_runs_give_the_vectors_of_one_run_after_another():
    """EMBEDDING_ONNX_PARALLEL_RUNS: the length groups of a pass run side by side on a one-thread session;
    every text gets the vector that the plain encoder gives it, in its place."""
    spec = catalog_spec("all-MiniLM-L6-v2-int8-onnx")
    plain = load_encoder(spec, threads=2)
    parallel = load_encoder(spec, threads=2, onnx_parallel_runs=True)
    texts = [f"text {index} " + "with more words " * (index % 9) for index in range(64)]
    lengths = [len(item.ids) for item in parallel._tokenizer.encode_batch(texts)]
    assert spread(length_batches(lengths), lengths, threads=2)  # this pass does run side by side

    assert np.allclose(parallel.encode(texts), plain.encode(texts), atol=1e-5)
    assert np.allclose(parallel.encode(texts[:1]), plain.encode(texts[:1]), atol=1e-5)
    assert parallel._one_thread_session.get_session_options().intra_op_num_threads == 1
    assert plain._one_thread_session is None  # off unless asked for: one copy of the weights


def test_onnx_texts_counted_first_are_not_tokenized_again_and_get_the_same_vectors(monkeypatch):
    """count_tokens() keeps the encodings of texts within the limit for the next encode(); a text over the
    limit (counted whole, encoded truncated) is tokenized again, and so is what was not counted."""
    encoder = load_encoder(catalog_spec("all-MiniLM-L6-v2-int8-onnx"), threads=2, onnx_parallel_runs=True)
    long_text = "word " * (encoder.max_seq_length * 2)
    texts = [*SIMILAR, UNRELATED, long_text, SIMILAR[0]] + [f"text {n} " + "more " * n for n in range(40)]
    expected = encoder.encode(texts)
    tokenized = []  # every text the pass's tokenizer sees, one at a time or in a batch
    one, batch = encoder._tokenizer.encode, encoder._tokenizer.encode_batch
    monkeypatch.setattr(encoder._tokenizer, "encode", lambda text: tokenized.append(text) or one(text))
    monkeypatch.setattr(
        encoder._tokenizer, "encode_batch", lambda texts: tokenized.extend(texts) or batch(texts)
    )

    counts = encoder.count_tokens(texts)
    vectors = encoder.encode(texts)

    assert np.allclose(vectors, expected, atol=1e-6)
    assert counts[3] > encoder.max_seq_length
    assert tokenized == [long_text]
    assert encoder._counted == {}  # nothing kept past the pass
    encoder.count_tokens(["counted, never encoded"])
    tokenized.clear()
    assert np.allclose(encoder.encode(texts[:3]), expected[:3], atol=1e-6)
    assert sorted(tokenized) == sorted(texts[:3]) and encoder._counted == {}


def test_onnx_parallel_runs_leave_one_text_on_all_the_threads(monkeypatch):
    encoder = load_encoder(catalog_spec("all-MiniLM-L6-v2-int8-onnx"), threads=2, onnx_parallel_runs=True)
    monkeypatch.setattr(encoder._parallel, "run", None)  # would fail if called

    assert encoder.encode(["one text"]).shape == (1, encoder.dimensions)


def test_torch_parallel_runs_give_the_vectors_of_one_run_after_another():
    """EMBEDDING_TORCH_PARALLEL_RUNS: the length groups of a pass run side by side, one torch thread each,
    on the one model; every text gets the vector that the plain encoder gives it, in its place. A pass of
    one text afterwards runs on all the threads again."""
    import threading

    import torch

    spec = catalog_spec("all-MiniLM-L6-v2")
    plain = load_encoder(spec, threads=2)
    parallel = load_encoder(spec, threads=2, torch_parallel_runs=True)
    texts = [f"text {index} " + "with more words " * (index % 9) for index in range(64)]
    lengths = parallel.count_tokens(texts)
    assert spread(length_batches(lengths), lengths, threads=2)  # this pass does run side by side
    runs = []  # (thread, its torch threads) of each group's forward
    forward = parallel._forward

    def recorded_forward(features):
        runs.append((threading.get_ident(), torch.get_num_threads()))
        return forward(features)

    parallel._forward = recorded_forward
    calling_thread_count = torch.get_num_threads()

    assert np.allclose(parallel.encode(texts), plain.encode(texts), atol=1e-5)
    assert len({thread for thread, _ in runs}) == 2 and {count for _, count in runs} == {1}
    assert torch.get_num_threads() == calling_thread_count  # left as the pass found it

    runs.clear()
    assert np.allclose(parallel.encode(texts[:1]), plain.encode(texts[:1]), atol=1e-5)
    assert runs == [(threading.get_ident(), 2)]
    assert plain._parallel is None  # off unless asked for


def test_torch_parallel_runs_leave_one_text_on_all_the_threads(monkeypatch):
    encoder = load_encoder(catalog_spec("all-MiniLM-L6-v2"), threads=2, torch_parallel_runs=True)
    monkeypatch.setattr(encoder._parallel, "run", None)  # would fail if called

    assert encoder.encode(["one text"]).shape == (1, encoder.dimensions)


def test_a_missing_local_path_names_the_model():
    missing = ModelSpec(
        config_id=1,
        name="my-model",
        location="/nonexistent/model",
        backend="torch",
        dimensions=384,
        max_seq_length=128,
        normalize=True,
    )
    with pytest.raises(ModelUnavailable, match="model 'my-model': no files at /nonexistent/model"):
        load_encoder(missing)


def test_an_unknown_backend_is_refused(minilm_path):
    odd = ModelSpec(
        config_id=1,
        name="odd",
        location=minilm_path,
        backend="tensorflow",
        dimensions=384,
        max_seq_length=128,
        normalize=True,
    )
    with pytest.raises(ModelLoadError, match="unknown backend 'tensorflow' for model 'odd'"):
        load_encoder(odd)


def test_an_uninstalled_hub_model_fails_fast_offline_naming_the_model(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    hub = ModelSpec(
        config_id=1,
        name="BAAI/bge-small-en-v1.5",
        location="BAAI/bge-small-en-v1.5",
        backend="torch",
        dimensions=384,
        max_seq_length=512,
        normalize=True,
    )
    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match="model 'BAAI/bge-small-en-v1.5' is not installed locally"):
        load_encoder(hub, hub_timeout=3)
    assert time.monotonic() - started < 10


def test_an_unreachable_hub_fails_within_the_connect_timeout(monkeypatch, tmp_path):
    """Without HF_HUB_OFFLINE the reachability probe is what bounds the wait (no network here)."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.setattr("embeddings.runtime.hub.HUB_HOST", "hub.invalid")
    hub = ModelSpec(
        config_id=1,
        name="org/model",
        location="org/model",
        backend="torch",
        dimensions=384,
        max_seq_length=512,
        normalize=True,
    )
    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match="hub cannot be reached"):
        load_encoder(hub, hub_timeout=2)
    assert time.monotonic() - started < 8


def test_torch_counts_tokens_with_a_copy_of_the_fast_tokenizer_exactly_as_the_transformers_one_does():
    """count_tokens() skips the transformers wrapper (its per-call Python work) for a copy of the Rust
    tokenizer under it, truncation and padding off: the counts must be the wrapper's, text for text."""
    encoder = load_encoder(catalog_spec("all-MiniLM-L6-v2"), threads=2, torch_trace=False)
    texts = [
        "",
        "   ",
        "hello world",
        "Ünïcödé, emoji 🙂 and CJK 漢字",
        "tabs\tand\nnewlines",
        "word " * 600,
        *SIMILAR,
        UNRELATED,
    ]
    wrapper = encoder._model.tokenizer(texts, add_special_tokens=True, truncation=False, verbose=False)
    assert encoder._counting_tokenizer is not None
    assert encoder.count_tokens(texts) == [len(ids) for ids in wrapper["input_ids"]]
    assert encoder.count_tokens(texts)[5] > encoder.max_seq_length  # never truncated
    # the wrapper's own settings are untouched: a pass still truncates to the model's limit
    assert encoder._features(["word " * 600])["input_ids"].shape[1] == encoder.max_seq_length


def test_a_tokenizer_without_a_rust_tokenizer_is_counted_through_the_transformers_wrapper():
    from embeddings.runtime.torch_encoder import _counting_copy

    assert _counting_copy(object()) is None
    encoder = load_encoder(catalog_spec("all-MiniLM-L6-v2"), threads=2, torch_trace=False)
    encoder._counting_tokenizer = None
    assert encoder.count_tokens(["hello world", "embeddings"]) == [4, 6]
