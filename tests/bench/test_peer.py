"""bench/peer.py: the peer server's command, its start, its memory and its stop, with a stand-in executable
in place of Infinity (which `make test` does not install)."""

import sys
import textwrap
import urllib.request

import psutil
import pytest

from bench import peer, serving

STAND_IN = textwrap.dedent(
    """\
    #!{python}
    import http.server, sys
    port = int(sys.argv[sys.argv.index("--port") + 1])
    print("stand-in serving", sys.argv[sys.argv.index("--model-id") + 1], flush=True)

    class Models(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/v1/models" else 404)
            self.end_headers()
            self.wfile.write(b'{{"data": []}}')

    http.server.HTTPServer(("127.0.0.1", port), Models).serve_forever()
    """
)


def stand_in(tmp_path, body: str):
    executable = tmp_path / "infinity_emb"
    executable.write_text(body.format(python=sys.executable))
    executable.chmod(0o755)
    return executable


def test_the_command_serves_the_model_files_under_the_catalog_name_on_v1_in_batches_of_32():
    command = peer.infinity_command("/models/minilm", "all-MiniLM-L6-v2", 8123)

    def value(option: str) -> str:
        return command[command.index(option) + 1]

    assert command[1] == "v2"
    assert value("--model-id") == "/models/minilm"
    assert value("--served-model-name") == "all-MiniLM-L6-v2"
    assert value("--engine") == "torch"
    assert value("--batch-size") == "32"
    assert value("--url-prefix") == "/v1"
    assert (value("--host"), value("--port")) == ("127.0.0.1", "8123")


def test_the_server_is_used_once_it_answers_and_is_stopped_when_the_block_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(peer, "INFINITY", stand_in(tmp_path, STAND_IN))

    with peer.infinity_server("/models/minilm", "all-MiniLM-L6-v2") as server:
        with urllib.request.urlopen(f"{server.base_url}/v1/models", timeout=5) as response:
            assert response.status == 200
        ((name, megabytes),) = server.rss().items()
        assert name == "infinity"
        assert megabytes > 1
        kept = server.keep_logs(tmp_path / "kept")
        pid = server.process.pid

    assert "stand-in serving /models/minilm" in (kept / "infinity.log").read_text()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert server.rss() == {}


def test_a_server_that_exits_before_answering_fails_the_start_with_its_log(tmp_path, monkeypatch):
    failing = "#!{python}\nprint('no such model')\nraise SystemExit(1)\n"
    monkeypatch.setattr(peer, "INFINITY", stand_in(tmp_path, failing))

    with pytest.raises(RuntimeError, match="no such model"):
        with peer.infinity_server("/models/missing", "missing"):
            pass


class Spec:
    def __init__(self, backend: str) -> None:
        self.backend, self.location = backend, f"/models/{backend}"


def test_only_torch_models_get_a_peer_and_only_when_it_is_installed(monkeypatch):
    monkeypatch.setattr(
        "bench.raw.model_spec", lambda model: Spec("torch" if "onnx" not in model else "onnx")
    )

    monkeypatch.setattr(serving, "infinity_installed", lambda: False)
    assert serving.peer_model_path("all-MiniLM-L6-v2") is None

    monkeypatch.setattr(serving, "infinity_installed", lambda: True)
    assert serving.peer_model_path("all-MiniLM-L6-v2") == "/models/torch"
    assert serving.peer_model_path("all-MiniLM-L6-v2-int8-onnx") is None


def test_a_peer_result_is_labelled_with_the_peer_and_the_model():
    assert serving.label({"model": "all-MiniLM-L6-v2"}) == "all-MiniLM-L6-v2"
    assert serving.label({"model": "all-MiniLM-L6-v2", "peer": "infinity"}) == "infinity: all-MiniLM-L6-v2"
